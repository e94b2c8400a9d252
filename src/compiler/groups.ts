// How many pods each worker group should have (KubeRay v1.7.0 GetWorkerGroupDesiredReplicas).
import type { RayCluster } from '../api/v1/index.ts';
import { desiredWorkerPods } from '../api/replicas.ts';

export { desiredWorkerPods };

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
