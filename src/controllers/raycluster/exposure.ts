// The Event half of the CVE-2023-48022 check: a cluster whose head is reachable from outside
// (LoadBalancer, NodePort, Ingress) without Ray token auth gets a Warning Event, once per spec
// generation — a converged cluster's reconciles make no API call for it.
import { authRequested } from '../../api/auth.ts';
import type { RayCluster } from '../../api/v1/index.ts';
import { exposedHead, exposureWarning } from '../../api/validation/exposure.ts';
import type { EventSink } from './client.ts';
import type { KubeObject } from '../../runtime/resources.ts';

export const REASON_EXPOSED = 'UnauthenticatedDashboardExposed';

export class ExposureWarnings {
  /** namespace/name → the generation already warned about. */
  readonly #warned = new Map<string, number>();

  check(rc: RayCluster, events: EventSink): void {
    const key = `${rc.metadata?.namespace ?? ''}/${rc.metadata?.name ?? ''}`;
    const exposed = exposedHead('spec', rc.spec);
    if (!exposed || authRequested(rc.spec)) {
      this.#warned.delete(key);
      return;
    }
    const generation = rc.metadata?.generation ?? 0;
    if (this.#warned.get(key) === generation) return;
    this.#warned.set(key, generation);
    const w = exposureWarning(exposed.how);
    events.warning(
      rc as KubeObject,
      REASON_EXPOSED,
      `${exposed.path}: ${w.message}. Fix: ${w.hint}`,
      'Validate',
    );
  }

  forget(namespace: string, name: string): void {
    this.#warned.delete(`${namespace}/${name}`);
  }
}
