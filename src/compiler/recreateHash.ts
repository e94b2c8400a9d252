// upgradeStrategy.type: Recreate (KubeRay 1.7): the head pod records a hash of the spec that shapes
// the pods; when the spec's hash differs from the head's, every pod is deleted and recreated from
// the new spec. Scaling (replicas, min/max, workersToDelete), suspend, the strategy itself, and what
// a queueing system edits on pending pods (tolerations, scheduling gates: Kueue) are left out, so
// they never cause a recreate.
import { createHash } from 'node:crypto';
import type { RayCluster } from '../api/v1/index.ts';
import { canonicalJSON } from '../util/canonical.ts';
import type { PodTemplateSpec } from './k8sTypes.ts';

export const ANNOTATION_RECREATE_HASH = 'ray.io/upgrade-strategy-recreate-hash';
export const ANNOTATION_KUBERAY_VERSION = 'ray.io/kuberay-version';

export function isRecreate(rc: RayCluster): boolean {
  return rc.spec.upgradeStrategy?.type === 'Recreate';
}

function withoutQueueFields(t: PodTemplateSpec | undefined): PodTemplateSpec | undefined {
  if (!t?.spec) return t;
  const { tolerations: _t, schedulingGates: _g, ...spec } = t.spec;
  return { ...t, spec };
}

/** The hash of what the pods are made of (see above); 40 hex characters. */
export function recreateHash(rc: RayCluster): string {
  const { upgradeStrategy: _u, suspend: _s, workerGroupSpecs, headGroupSpec, ...rest } = rc.spec;
  const shape = {
    ...rest,
    headGroupSpec: { ...headGroupSpec, template: withoutQueueFields(headGroupSpec.template) },
    workerGroupSpecs: (workerGroupSpecs ?? []).map((g) => {
      const {
        replicas: _r,
        minReplicas: _min,
        maxReplicas: _max,
        scaleStrategy: _d,
        suspend: _gs,
        ...group
      } = g;
      return { ...group, template: withoutQueueFields(group.template) };
    }),
  };
  return createHash('sha256').update(canonicalJSON(shape)).digest('hex').slice(0, 40);
}
