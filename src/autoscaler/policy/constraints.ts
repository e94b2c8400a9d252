// `ray.autoscaler.sdk.request_resources()`: a floor on the cluster's size, not work to run. Ray's
// scheduler (v2 `_enforce_resource_constraints`) packs the requested bundles onto the *total*
// capacity of every node — existing and launching, busy or not — and launches nodes for what does
// not fit; nodes the floor needs are not terminated while idle. Same here: the bundles are packed
// first-fit decreasing onto each node's total; the ones left over go to the groups as demand, and
// the workers that took a bundle are kept from idle removal.
import { fits, subtract, weight } from './resources.ts';
import type { BundleDemand, Resources } from './types.ts';

export interface CapacityBin {
  /** The worker's pod; undefined for the head and for workers not created yet. */
  podName?: string;
  total: Resources;
}

export interface ConstraintPlacement {
  /** Bundles no existing or launching node can hold: the cluster has to grow for them. */
  residual: BundleDemand[];
  /** Workers the floor needs (they hold at least one requested bundle). */
  claimed: ReadonlySet<string>;
}

export function placeConstraints(
  bins: readonly CapacityBin[],
  constraints: readonly BundleDemand[],
): ConstraintPlacement {
  const free = bins.map((b) => ({ podName: b.podName, free: b.total }));
  const claimed = new Set<string>();
  const left = new Map<number, { resources: Resources; count: number }>();
  const order = constraints
    .map((c, i) => ({ c, i }))
    .sort((a, b) => weight(b.c.resources) - weight(a.c.resources) || a.i - b.i);
  for (const { c, i } of order) {
    let remaining = c.count;
    let from = 0; // capacity only shrinks: bins that refused this shape refuse it again
    while (remaining > 0) {
      let placed = false;
      for (let j = from; j < free.length; j++) {
        const b = free[j]!;
        if (!fits(b.free, c.resources)) continue;
        b.free = subtract(b.free, c.resources);
        if (b.podName !== undefined) claimed.add(b.podName);
        from = j;
        placed = true;
        break;
      }
      if (!placed) break;
      remaining--;
    }
    if (remaining > 0) left.set(i, { resources: c.resources, count: remaining });
  }
  const residual = [...left.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  return { residual, claimed };
}
