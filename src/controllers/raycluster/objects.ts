// Non-pod children (Services, autoscaler ServiceAccount/Role/RoleBinding, …): created when missing
// from the cache, as KubeRay does. They are not rewritten on every reconcile — KubeRay never updates
// the head Service either, and a user's edits to it (annotations from a load balancer controller,
// say) must survive.
import { isAlreadyExists } from '../../runtime/errors.ts';
import type { Logger } from '../../runtime/log.ts';
import type { KubeObject } from '../../runtime/resources.ts';
import type { RayClusterReconcilerDeps } from './reconciler.ts';

type Deps = Pick<RayClusterReconcilerDeps, 'client' | 'children' | 'events'>;

export async function ensureObjects(
  deps: Deps,
  owner: KubeObject,
  desired: readonly { kind?: string; metadata?: { name?: string; namespace?: string } }[],
  log: Logger,
): Promise<void> {
  const ns = owner.metadata.namespace;
  for (const obj of desired) {
    const kind = obj.kind ?? '';
    const child = deps.children.get(kind);
    if (!child) {
      log.warn('no informer for child kind; not created', { kind, name: obj.metadata?.name });
      continue;
    }
    const name = obj.metadata?.name ?? '';
    if (child.informer.get(ns, name)) continue;
    try {
      await deps.client.create(child.resource, { ...obj, metadata: { ...obj.metadata, namespace: ns } });
      child.remember?.(ns, name);
      deps.events.normal(owner, `Created${kind}`, `Created ${kind} ${ns ?? ''}/${name}`, 'Create');
    } catch (err) {
      if (isAlreadyExists(err)) {
        child.remember?.(ns, name);
        continue; // the cache is behind, or the user made it: either way it exists
      }
      deps.events.warning(
        owner,
        `FailedToCreate${kind}`,
        `Failed to create ${kind} ${ns ?? ''}/${name}: ${String(err)}`,
        'Create',
      );
      throw err;
    }
  }
}

/** Kinds no pod names: nothing about creating a pod waits for them. */
const ALONGSIDE_PODS: ReadonlySet<string> = new Set(['Service', 'Ingress', 'PodDisruptionBudget']);

/** The compiled children split into those the pods need first and those created alongside the pods. */
export function splitChildren<T extends { kind?: string }>(
  objs: readonly T[],
): { before: T[]; alongside: T[] } {
  const before: T[] = [];
  const alongside: T[] = [];
  for (const o of objs) (ALONGSIDE_PODS.has(o.kind ?? '') ? alongside : before).push(o);
  return { before, alongside };
}
