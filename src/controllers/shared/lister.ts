// The read side of an informer, as the controllers use it (the runtime's Informer satisfies it).
import type { KubeObject } from '../../runtime/resources.ts';

/** The read side of an informer (or of several, one per watched namespace). */
export interface Lister {
  get(namespace: string | undefined, name: string): KubeObject | undefined;
  byIndex(index: string, value: string): KubeObject[];
}
