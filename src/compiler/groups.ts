// How many pods each worker group should have (KubeRay v1.7.0 GetWorkerGroupDesiredReplicas).
import type { RayCluster, WorkerGroupSpec } from '../api/v1/index.ts';

/** suspend ? 0 : clamp(replicas ?? min, min, max) × numOfHosts; a suspended cluster wants no pods. */
export function desiredWorkerPods(group: WorkerGroupSpec, clusterSuspended = false): number {
  if (clusterSuspended || group.suspend === true) return 0;
  const min = group.minReplicas;
  const max = group.maxReplicas;
  const replicas = group.replicas;
  let n: number;
  if (replicas == null || replicas < min) n = min;
  else if (replicas > max) n = max;
  else n = replicas;
  return n * (group.numOfHosts ?? 1);
}

export interface GroupPlan {
  readonly name: string;
  readonly desiredPods: number;
  readonly numOfHosts: number;
}

export function groupPlans(rc: RayCluster): GroupPlan[] {
  const suspended = rc.spec.suspend === true;
  return (rc.spec.workerGroupSpecs ?? []).map((g) => ({
    name: g.groupName,
    desiredPods: desiredWorkerPods(g, suspended),
    numOfHosts: g.numOfHosts ?? 1,
  }));
}
