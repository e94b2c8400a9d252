// High availability of a Ray cluster across zones and node drains (the guide's multi-zone setup),
// opt-in per RayCluster with annotations, so the spec stays KubeRay's:
//
//   kuray.io/spread-workers-across: topology.kubernetes.io/zone
//       every worker group's pods get a topology spread constraint on that node label (maxSkew 1),
//       so a zone (or node, with kubernetes.io/hostname) outage takes a share of each group, not all;
//   kuray.io/spread-workers-when-unsatisfiable: ScheduleAnyway (default) | DoNotSchedule
//       ScheduleAnyway prefers balance but never leaves a pod Pending for it;
//   kuray.io/pod-disruption-budget: "true"
//       a PodDisruptionBudget for the head (minAvailable 1: a drain waits instead of evicting the
//       head, which would restart the whole cluster) and one per worker group (maxUnavailable 1);
//   kuray.io/pod-disruption-budget-max-unavailable: "<n>"
//       workers of a group a drain may take at once (default 1).
//
// A group whose template already spreads on that key keeps its own constraint.
import type { PodDisruptionBudget, PodSpec } from './k8sTypes.ts';
import type { RayCluster } from '../api/v1/index.ts';
import {
  ANNOTATION_PDB,
  ANNOTATION_PDB_MAX_UNAVAILABLE,
  ANNOTATION_SPREAD,
  ANNOTATION_SPREAD_MODE,
} from '../api/annotations.ts';
import { HEAD_GROUP, LABEL_CLUSTER, LABEL_GROUP } from './constants.ts';
import type { ClusterContext } from './context.ts';
import { checkName } from './names.ts';

const annotation = (rc: RayCluster, key: string): string | undefined => rc.metadata?.annotations?.[key];

/** Adds the worker spread constraint the cluster asks for to a worker pod's spec (mutated). */
export function applyWorkerSpread(spec: PodSpec, rc: RayCluster, group: string): void {
  const key = annotation(rc, ANNOTATION_SPREAD);
  if (!key) return;
  const existing = spec.topologySpreadConstraints ?? [];
  if (existing.some((c) => c.topologyKey === key)) return;
  const mode =
    annotation(rc, ANNOTATION_SPREAD_MODE) === 'DoNotSchedule' ? 'DoNotSchedule' : 'ScheduleAnyway';
  spec.topologySpreadConstraints = [
    ...existing,
    {
      maxSkew: 1,
      topologyKey: key,
      whenUnsatisfiable: mode,
      labelSelector: { matchLabels: { [LABEL_CLUSTER]: rc.metadata?.name ?? '', [LABEL_GROUP]: group } },
    },
  ];
}

export function podDisruptionBudgetName(cluster: string, group: string): string {
  return `${checkName(`${cluster}-${group}`)}-pdb`;
}

function pdb(
  ctx: ClusterContext,
  group: string,
  budget: { minAvailable?: number; maxUnavailable?: number },
): PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name: podDisruptionBudgetName(ctx.name, group),
      namespace: ctx.namespace,
      labels: { [LABEL_CLUSTER]: ctx.name, [LABEL_GROUP]: group },
      ownerReferences: [ctx.ownerReference],
    },
    spec: {
      ...budget,
      selector: { matchLabels: { [LABEL_CLUSTER]: ctx.name, [LABEL_GROUP]: group } },
    },
  };
}

/** The head's and each worker group's PodDisruptionBudget, when the cluster asks for them. */
export function buildPodDisruptionBudgets(ctx: ClusterContext): PodDisruptionBudget[] {
  if (annotation(ctx.rc, ANNOTATION_PDB)?.toLowerCase() !== 'true') return [];
  const n = Number(annotation(ctx.rc, ANNOTATION_PDB_MAX_UNAVAILABLE) ?? '1');
  const maxUnavailable = Number.isInteger(n) && n >= 1 ? n : 1;
  return [
    pdb(ctx, HEAD_GROUP, { minAvailable: 1 }),
    ...(ctx.rc.spec.workerGroupSpecs ?? []).map((g) => pdb(ctx, g.groupName, { maxUnavailable })),
  ];
}
