// The pod plan: a pure diff between the compiler's desired pods and the pods observed in the cache.
// The reconciler only carries out what this returns, so every scaling rule is testable without I/O.
import type { Pod as V1Pod } from '../../compiler/k8sTypes.ts';
import {
  deletionRank,
  headKeepRank,
  isHeadPod,
  isTerminating,
  isWorkerPod,
  podGroup,
  podName,
  unhealthyReason,
} from './podState.ts';

export interface PodDeletion {
  name: string;
  /** Event-ready explanation of why the pod goes. */
  reason: string;
}

export interface GroupPlan {
  group: string;
  create: number;
  delete: PodDeletion[];
  /** workersToDelete entries already gone or being deleted: safe to clear from the spec. */
  workersToDeleteDone: string[];
  /** Surplus pods the plan did not remove because the autoscaler is the only one allowed to choose. */
  surplusKept: number;
}

export interface PodPlan {
  createHead: boolean;
  deleteHead: PodDeletion[];
  groups: GroupPlan[];
  /** Pods of worker groups that no longer exist in the spec. */
  deleteOrphans: PodDeletion[];
}

export interface PlanInput {
  /** spec.suspend: every pod goes, nothing is created. */
  suspend: boolean;
  /** In-tree or native autoscaling: the autoscaler alone picks which workers go (workersToDelete). */
  autoscaling: boolean;
  groups: readonly {
    name: string;
    desiredPods: number;
    suspend?: boolean;
    workersToDelete?: readonly string[];
  }[];
  /** Pods owned by the cluster, from the informer cache. */
  pods: readonly V1Pod[];
  /**
   * A lost head is not recreated (ray.io/disable-provisioned-head-restart on a provisioned cluster,
   * set for SidecarMode RayJobs): a new head would start an empty Ray cluster whose job submission
   * id is already used, so recreating it cannot help the RayJob, which fails instead.
   */
  noHeadRecreate?: boolean;
}

function del(pod: V1Pod, reason: string): PodDeletion {
  return { name: podName(pod), reason };
}

export function planPods(input: PlanInput): PodPlan {
  const live = input.pods.filter((p) => !isTerminating(p));
  const terminating = new Set(input.pods.filter(isTerminating).map(podName));

  if (input.suspend) {
    return {
      createHead: false,
      deleteHead: live.filter(isHeadPod).map((p) => del(p, 'cluster is suspended')),
      groups: input.groups.map((g) => ({
        group: g.name,
        create: 0,
        delete: live
          .filter((p) => isWorkerPod(p) && podGroup(p) === g.name)
          .map((p) => del(p, 'cluster is suspended')),
        workersToDeleteDone: [],
        surplusKept: 0,
      })),
      deleteOrphans: live
        .filter((p) => isWorkerPod(p) && !input.groups.some((g) => g.name === podGroup(p)))
        .map((p) => del(p, 'cluster is suspended')),
    };
  }

  // Head: replace an unhealthy head; keep exactly one.
  const deleteHead: PodDeletion[] = [];
  const heads: V1Pod[] = [];
  for (const p of live.filter(isHeadPod)) {
    const why = unhealthyReason(p);
    if (why) deleteHead.push(del(p, why));
    else heads.push(p);
  }
  heads.sort(headKeepRank);
  for (const extra of heads.slice(1))
    deleteHead.push(del(extra, 'more than one head pod; keeping the best one'));

  const groups = input.groups.map((g): GroupPlan => {
    const pods = live.filter((p) => isWorkerPod(p) && podGroup(p) === g.name);
    const deletions: PodDeletion[] = [];
    if (g.suspend) {
      return {
        group: g.name,
        create: 0,
        delete: pods.map((p) => del(p, 'worker group is suspended')),
        workersToDeleteDone: [...(g.workersToDelete ?? [])],
        surplusKept: 0,
      };
    }
    let remaining: V1Pod[] = [];
    for (const p of pods) {
      const why = unhealthyReason(p);
      if (why) deletions.push(del(p, why));
      else remaining.push(p);
    }
    // workersToDelete is honoured whatever replicas says: the autoscaler decrements replicas in the same patch.
    const requested = new Set(g.workersToDelete ?? []);
    const workersToDeleteDone: string[] = [];
    for (const name of requested) {
      const pod = remaining.find((p) => podName(p) === name);
      if (pod) deletions.push(del(pod, 'listed in scaleStrategy.workersToDelete'));
      else if (!pods.some((p) => podName(p) === name) || terminating.has(name))
        workersToDeleteDone.push(name);
    }
    remaining = remaining.filter((p) => !requested.has(podName(p)));

    const diff = g.desiredPods - remaining.length;
    let surplusKept = 0;
    if (diff < 0) {
      if (input.autoscaling) {
        surplusKept = -diff;
      } else {
        const victims = [...remaining].sort(deletionRank).slice(0, -diff);
        for (const v of victims) deletions.push(del(v, `scaling ${g.name} down to ${g.desiredPods}`));
      }
    }
    return { group: g.name, create: Math.max(0, diff), delete: deletions, workersToDeleteDone, surplusKept };
  });

  const known = new Set(input.groups.map((g) => g.name));
  const deleteOrphans = live
    .filter((p) => isWorkerPod(p) && !known.has(podGroup(p)))
    .map((p) => del(p, `worker group ${podGroup(p)} no longer exists in the spec`));

  return { createHead: heads.length === 0 && !input.noHeadRecreate, deleteHead, groups, deleteOrphans };
}

/** True when carrying out the plan changes nothing. */
export function isNoop(plan: PodPlan): boolean {
  return (
    !plan.createHead &&
    plan.deleteHead.length === 0 &&
    plan.deleteOrphans.length === 0 &&
    plan.groups.every((g) => g.create === 0 && g.delete.length === 0)
  );
}
