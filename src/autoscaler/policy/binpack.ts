// How many new workers of a group's node shape the pending demand needs, after using the free
// capacity that already exists — the idea of Ray's resource_demand_scheduler (get_bin_pack_residual
// then get_nodes_for): first-fit decreasing, placement groups all-or-nothing and first.
//
// Placement groups: STRICT_PACK needs all bundles on one node; STRICT_SPREAD needs every bundle on
// a different node; PACK and SPREAD are best-effort in Ray, so they are packed like plain bundles.
import { fits, subtract, sum, weight } from './resources.ts';
import type { BundleDemand, Demand, GangDemand, Resources } from './types.ts';

export interface PackResult {
  /** New nodes of `shape` the demand needs (at most maxNewNodes). */
  newNodes: number;
  /** Demand items (bundles, or whole placement groups) placed on existing free capacity. */
  placedOnExisting: number;
  /** Items that fit the shape but were left over because maxNewNodes was reached. */
  leftOver: number;
  /** Items no node of this shape can ever hold (bigger than the shape, or a PG that can't be spread). */
  infeasible: number;
}

interface Bin {
  free: Resources;
  isNew: boolean;
}

type Placement = 'existing' | 'new' | 'limit' | 'infeasible';

class Packer {
  bins: Bin[];
  newNodes = 0;
  readonly shape: Resources | undefined;
  readonly maxNew: number;

  constructor(free: readonly Resources[], shape: Resources | undefined, maxNew: number) {
    this.bins = free.map((f) => ({ free: f, isNew: false }));
    this.shape = shape;
    this.maxNew = maxNew;
  }

  /**
   * Places one bundle, avoiding bins in `exclude` and bins before `from`; returns the bin index or a
   * failure. Callers placing many copies of one shape pass the last index as `from`: capacity only
   * shrinks, so bins that could not take the shape before cannot take it now (linear, not quadratic).
   */
  placeOne(req: Resources, exclude: ReadonlySet<number>, from = 0): number | Placement {
    for (let i = from; i < this.bins.length; i++) {
      if (exclude.has(i)) continue;
      const b = this.bins[i]!;
      if (fits(b.free, req)) {
        this.bins[i] = { free: subtract(b.free, req), isNew: b.isNew };
        return i;
      }
    }
    if (!this.shape || !fits(this.shape, req)) return 'infeasible';
    if (this.newNodes >= this.maxNew) return 'limit';
    this.bins.push({ free: subtract(this.shape, req), isNew: true });
    this.newNodes++;
    return this.bins.length - 1;
  }

  /** All-or-nothing placement of a placement group; 'new' when any bundle went to a new node. */
  placeGang(g: GangDemand): Placement {
    const saved = { bins: this.bins.slice(), newNodes: this.newNodes };
    const restore = (p: Placement): Placement => {
      this.bins = saved.bins;
      this.newNodes = saved.newNodes;
      return p;
    };
    const used = new Set<number>();
    const items = g.strategy === 'STRICT_PACK' ? [sum(g.bundles)] : g.bundles;
    for (const b of items) {
      const r = this.placeOne(b, g.strategy === 'STRICT_SPREAD' ? used : new Set());
      if (typeof r !== 'number') return restore(r);
      used.add(r);
    }
    return [...used].some((i) => this.bins[i]!.isNew) ? 'new' : 'existing';
  }
}

/**
 * Packs `demand` onto `free` (free capacity of existing and launching nodes), adding nodes of
 * `shape` as needed, at most `maxNewNodes`. Pure; the inputs are not modified.
 */
export function packDemand(
  free: readonly Resources[],
  demand: Demand,
  shape: Resources | undefined,
  maxNewNodes: number,
): PackResult {
  const p = new Packer(free, shape, Math.max(0, maxNewNodes));
  const result = { placedOnExisting: 0, leftOver: 0, infeasible: 0 };
  const count = (r: Placement, n = 1): void => {
    if (r === 'existing') result.placedOnExisting += n;
    else if (r === 'limit') result.leftOver += n;
    else if (r === 'infeasible') result.infeasible += n;
  };
  const gangs = [...demand.gangs].sort((a, b) => weight(sum(b.bundles)) - weight(sum(a.bundles)));
  for (const g of gangs) count(p.placeGang(g));
  const bundles = demand.bundles
    .filter((b) => b.count > 0)
    .slice()
    .sort((a, b) => weight(b.resources) - weight(a.resources));
  const none = new Set<number>();
  for (const b of bundles) {
    let cursor = 0;
    for (let left = b.count; left > 0; left--) {
      const r = p.placeOne(b.resources, none, cursor);
      if (typeof r === 'number') {
        cursor = r;
        if (!p.bins[r]!.isNew) result.placedOnExisting++;
        continue;
      }
      // Capacity only shrinks and the new-node budget is spent (or the shape is too small), so
      // every remaining copy of this shape fails the same way: count them at once.
      count(r, left);
      break;
    }
  }
  return { newNodes: p.newNodes, ...result };
}

/**
 * The demand left after placing what fits on `free` (no new nodes): what Ray cannot schedule on the
 * capacity that exists or is launching. Same order as packDemand (placement groups first).
 */
export function residualDemand(free: readonly Resources[], demand: Demand): Demand {
  const p = new Packer(free, undefined, 0);
  const gangs = [...demand.gangs]
    .sort((a, b) => weight(sum(b.bundles)) - weight(sum(a.bundles)))
    .filter((g) => p.placeGang(g) !== 'existing');
  const bundles: BundleDemand[] = [];
  const none = new Set<number>();
  for (const b of [...demand.bundles].sort((x, y) => weight(y.resources) - weight(x.resources))) {
    let placed = 0;
    for (let cursor = 0; placed < b.count; placed++) {
      const r = p.placeOne(b.resources, none, cursor);
      if (typeof r !== 'number') break;
      cursor = r;
    }
    if (placed < b.count) bundles.push({ resources: b.resources, count: b.count - placed });
  }
  return { bundles, gangs };
}
