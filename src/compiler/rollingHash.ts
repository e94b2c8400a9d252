// upgradeStrategy.type: RollingUpdate (Kuray-only): each worker pod records a hash of what its
// group's pods are made of, so the controller can tell an outdated pod from an updated one. The hash
// is taken over the compiled pod (not the spec), so anything that reaches a worker pod — the group's
// template, rayStartParams, rayVersion, auth, GCS FT — counts, and nothing else (the head's template,
// replicas, workersToDelete) does. Pod-specific parts (name, replica/host index) are fixed before
// hashing; what a queueing system edits on pending pods (tolerations, scheduling gates) is left out.
import { createHash } from 'node:crypto';
import type { RayCluster } from '../api/v1/index.ts';
import { canonicalJSON } from '../util/canonical.ts';
import type { Pod } from './k8sTypes.ts';

export const ANNOTATION_WORKER_TEMPLATE_HASH = 'ray.io/worker-template-hash';
/** The fingerprint of the compiler that made the pod (./compilerFingerprint.ts). */
export const ANNOTATION_WORKER_TEMPLATE_COMPILER = 'ray.io/worker-template-compiler';

export function isRollingUpdate(rc: RayCluster): boolean {
  return rc.spec.upgradeStrategy?.type === 'RollingUpdate';
}

/** The hash of a worker pod built with a fixed name and no index; 40 hex characters. */
export function workerTemplateHash(pod: Pod): string {
  const { tolerations: _t, schedulingGates: _g, ...spec } = pod.spec ?? {};
  const { annotations, labels } = pod.metadata ?? {};
  const shape = { spec, labels, annotations };
  return createHash('sha256').update(canonicalJSON(shape)).digest('hex').slice(0, 40);
}

/** The hash a worker pod carries, if any (pods made before RollingUpdate was set carry none). */
export function podTemplateHash(pod: Pod): string | undefined {
  return pod.metadata?.annotations?.[ANNOTATION_WORKER_TEMPLATE_HASH];
}

/** The fingerprint of the compiler that made a pod, if it recorded one (pods before it did carry none). */
export function podCompiler(pod: Pod): string | undefined {
  return pod.metadata?.annotations?.[ANNOTATION_WORKER_TEMPLATE_COMPILER];
}
