// The decision for a whole RayCluster: pending demand is first packed onto the free capacity of
// every node (head included — Ray schedules there too), and what is left is handed to the worker
// group that fits it best; then each group decides on its own (decideGroup).
//
// "Fits best", a simplification of Ray's utilization scorer: among groups whose node shape can
// hold the item and that are below maxReplicas, prefer groups without GPUs for items that need no
// GPU (Ray keeps GPU nodes for GPU work), then the shape with the fewest resource kinds, then spec
// order. Deterministic, so the same demand always lands on the same group.
import { residualDemand } from './binpack.ts';
import { placeConstraints, type CapacityBin, type ConstraintPlacement } from './constraints.ts';
import { decideGroup } from './decideGroup.ts';
import { fits, sum } from './resources.ts';
import type { BundleDemand, Decision, Demand, GangDemand, GroupInput, Resources } from './types.ts';

export interface ClusterInput {
  /** Every worker group; their `demand` field is ignored and replaced by the assignment. */
  groups: readonly Omit<GroupInput, 'demand'>[];
  /** Free logical resources on the head node (it can run tasks too). */
  headAvailable?: Resources;
  /** Total logical resources of the head node (a request_resources() floor counts it). */
  headTotal?: Resources;
  /** request_resources() bundles: the cluster must be able to hold them all at once. */
  constraints?: readonly BundleDemand[];
  /** All pending demand of the cluster (from GCS). */
  demand: Demand;
}

export interface ClusterDecision {
  decisions: readonly Decision[];
  /** Demand items no group's node shape can hold: they will stay pending whatever we do. */
  infeasible: Demand;
}

function needsGpu(r: Resources): boolean {
  return (r.GPU ?? 0) > 0;
}

function itemFits(shape: Resources, item: { bundle?: Resources; gang?: GangDemand }): boolean {
  if (item.bundle) return fits(shape, item.bundle);
  const g = item.gang!;
  if (g.strategy === 'STRICT_PACK') return fits(shape, sum(g.bundles));
  return g.bundles.every((b) => fits(shape, b));
}

function pickGroup(
  groups: readonly Omit<GroupInput, 'demand'>[],
  item: { bundle?: Resources; gang?: GangDemand },
) {
  const gpu = item.bundle ? needsGpu(item.bundle) : (item.gang?.bundles.some(needsGpu) ?? false);
  const candidates = groups
    .map((g, i) => ({ g, i }))
    .filter(({ g }) => g.maxReplicas > 0 && itemFits(g.nodeShape, item));
  candidates.sort(
    (a, b) =>
      Number(!gpu && needsGpu(a.g.nodeShape)) - Number(!gpu && needsGpu(b.g.nodeShape)) ||
      Object.keys(a.g.nodeShape).length - Object.keys(b.g.nodeShape).length ||
      a.i - b.i,
  );
  return candidates[0]?.g;
}

/** request_resources(): pack the floor onto the total capacity of the head, workers and launches. */
function requestFloor(input: ClusterInput): ConstraintPlacement {
  if (!input.constraints?.length) return { residual: [], claimed: new Set() };
  const bins: CapacityBin[] = [];
  if (input.headTotal) bins.push({ total: input.headTotal });
  for (const g of input.groups) {
    const live = g.workers.filter((w) => w.phase !== 'terminating');
    for (const w of live) bins.push({ podName: w.podName, total: w.total ?? g.nodeShape });
    for (let i = live.length; i < g.replicas; i++) bins.push({ total: g.nodeShape });
  }
  return placeConstraints(bins, input.constraints);
}

export function decideCluster(input: ClusterInput): ClusterDecision {
  const free: Resources[] = [];
  if (input.headAvailable) free.push(input.headAvailable);
  for (const g of input.groups) {
    for (const w of g.workers) if (w.phase === 'running') free.push(w.available ?? {});
    const active = g.workers.filter((w) => w.phase !== 'terminating').length;
    const launching =
      g.workers.filter((w) => w.phase === 'pending').length + Math.max(0, g.replicas - active);
    for (let i = 0; i < launching; i++) free.push(g.nodeShape);
  }
  const pending = residualDemand(free, input.demand);
  const floor = requestFloor(input);
  // What the floor cannot fit on existing and launching nodes is demand like any other.
  const residual = { bundles: [...pending.bundles, ...floor.residual], gangs: pending.gangs };
  const assigned = new Map<string, { bundles: BundleDemand[]; gangs: GangDemand[] }>();
  for (const g of input.groups) assigned.set(g.name, { bundles: [], gangs: [] });
  const infeasible: { bundles: BundleDemand[]; gangs: GangDemand[] } = { bundles: [], gangs: [] };
  for (const b of residual.bundles) {
    const g = pickGroup(input.groups, { bundle: b.resources });
    (g ? assigned.get(g.name)! : infeasible).bundles.push(b);
  }
  for (const gang of residual.gangs) {
    const g = pickGroup(input.groups, { gang });
    (g ? assigned.get(g.name)! : infeasible).gangs.push(gang);
  }
  const items = (d: Demand): number => d.bundles.reduce((n, b) => n + b.count, 0) + d.gangs.length;
  // Demand that fits existing free capacity is about to be scheduled there: keep idle workers.
  const clusterHasPendingDemand = items(input.demand) - items(pending) > 0;
  const decisions = input.groups.map((g) =>
    decideGroup({
      ...g,
      demand: assigned.get(g.name)!,
      clusterHasPendingDemand,
      ...(floor.claimed.size ? { claimedByRequest: floor.claimed } : {}),
    }),
  );
  return { decisions, infeasible };
}
