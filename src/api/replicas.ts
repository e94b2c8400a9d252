// How many pods a RayCluster asks for (KubeRay v1.7.0 GetWorkerGroupDesiredReplicas): shared by the
// compiler (which creates them) and validation (which bounds them).
import type { RayClusterSpec, WorkerGroupSpec } from './v1/index.ts';

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

/** Head plus every worker group's desired pods (0 when the cluster is suspended). */
export function desiredClusterPods(spec: RayClusterSpec): number {
  if (spec.suspend === true) return 0;
  return 1 + (spec.workerGroupSpecs ?? []).reduce((n, g) => n + desiredWorkerPods(g), 0);
}

/** Default bound on a cluster's pods (`--max-pods-per-cluster`): KubeRay's largest tested RayJob. */
export const DEFAULT_MAX_PODS_PER_CLUSTER = 10_000;
