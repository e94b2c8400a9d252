// upgradeStrategy.type: Recreate, the controller's side (the hash is the compiler's:
// src/compiler/recreateHash.ts). The live head pod says which spec its pods were made from; a
// different spec means every pod goes, and the next reconcile creates them from the new spec.
// A head made by another operator version (KubeRay, or a Kuray without the annotation) is adopted
// once instead — KubeRay skips the recreate when its own version changed, so an operator upgrade
// or a migration from KubeRay never restarts running clusters.
import type { RayCluster } from '../../api/v1/index.ts';
import type { Pod } from '../../compiler/k8sTypes.ts';
import { KUBERAY_VERSION } from '../../compiler/constants.ts';
import {
  ANNOTATION_KUBERAY_VERSION,
  ANNOTATION_RECREATE_HASH,
  isRecreate,
  recreateHash,
} from '../../compiler/recreateHash.ts';
import { isHeadPod, isTerminating } from './podState.ts';
import type { PodPlan } from './plan.ts';

export type RecreateDecision =
  | { action: 'none' }
  | { action: 'recreate'; reason: string }
  | { action: 'adopt'; head: string; annotations: Record<string, string> };

export function recreateDecision(rc: RayCluster, pods: readonly Pod[]): RecreateDecision {
  if (!isRecreate(rc)) return { action: 'none' };
  const head = pods.find((p) => isHeadPod(p) && !isTerminating(p));
  if (!head) return { action: 'none' };
  const want = recreateHash(rc);
  const a = head.metadata?.annotations ?? {};
  if (a[ANNOTATION_RECREATE_HASH] === want) return { action: 'none' };
  if (a[ANNOTATION_KUBERAY_VERSION] !== KUBERAY_VERSION)
    return {
      action: 'adopt',
      head: head.metadata!.name!,
      annotations: { [ANNOTATION_RECREATE_HASH]: want, [ANNOTATION_KUBERAY_VERSION]: KUBERAY_VERSION },
    };
  return {
    action: 'recreate',
    reason: `upgradeStrategy Recreate: the pod templates changed (spec hash ${want.slice(0, 10)}, pods made from ${String(a[ANNOTATION_RECREATE_HASH]).slice(0, 10)})`,
  };
}

/** A plan that deletes every live pod (as suspend does) and creates nothing, with the recreate reason. */
export function recreatePlan(suspendPlan: PodPlan, reason: string): PodPlan {
  const why = (ds: PodPlan['deleteHead']) => ds.map((d) => ({ ...d, reason }));
  return {
    createHead: false,
    deleteHead: why(suspendPlan.deleteHead),
    groups: suspendPlan.groups.map((g) => ({
      ...g,
      create: 0,
      delete: why(g.delete),
      workersToDeleteDone: [],
    })),
    deleteOrphans: why(suspendPlan.deleteOrphans),
  };
}
