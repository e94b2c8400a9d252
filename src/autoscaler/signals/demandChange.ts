// When a cluster's GCS state is worth a decision right away, and how soon to look again. Pure.
//
// The native autoscaler polls each native-mode cluster's GCS between its periodic syncs (Ray has no
// subscription for pending demand: GCS pub/sub carries jobs, actors, node changes, logs and errors,
// and GetClusterResourceState answers at once whatever version is asked for). A poll asks for a
// sync when something a decision depends on has *appeared*:
//   - demand grew: a new shape, more of a shape, a new placement group, a changed
//     request_resources() floor — not demand shrinking, which is Ray placing work and needs nothing;
//   - the live node set changed: a launching worker's Ray node joined, a node died or is draining.
// Idle durations, utilization and RUNNING/IDLE flips are left to the periodic sync: the rules that
// use them are measured in seconds (cooldown, idle timeout, 10 s metric reports).
import type { GcsSignals } from './gcsSignals.ts';

/** The part of a read a change key is made of. */
export type ChangeInputs = Pick<GcsSignals, 'nodes' | 'demand'>;

/** What of a GCS state a poll compares with the previous one. */
export interface RayChangeKey {
  /** Pending task/actor shape → count. */
  readonly bundles: ReadonlyMap<string, number>;
  /** Pending placement group ids. */
  readonly gangs: ReadonlySet<string>;
  /** request_resources() floor, canonical. */
  readonly constraints: string;
  /** Live nodes and whether each is draining, canonical. */
  readonly nodes: string;
  /** Tasks, actors or placement groups are waiting for resources. */
  readonly pending: boolean;
}

export interface DemandPollIntervals {
  /** Between polls while nothing is pending. Bounds how long new demand waits to be seen. */
  restMs: number;
  /** Between polls while demand is pending (workers launching, more arriving). */
  activeMs: number;
}

/**
 * Defaults, measured (src/autoscaler/README.md): a poll over the kept connection costs ~0.2 ms of
 * operator CPU and ~0.15 ms of GCS CPU; 500 ms at rest keeps demand → patch under a second.
 */
export const DEFAULT_DEMAND_POLL: DemandPollIntervals = { restMs: 500, activeMs: 200 };

function shapeKey(r: Readonly<Record<string, number>>): string {
  return Object.keys(r)
    .sort()
    .map((k) => `${k}=${r[k]}`)
    .join(',');
}

export function changeKeyOf(s: ChangeInputs): RayChangeKey {
  const d = s.demand;
  const bundles = new Map<string, number>();
  for (const b of d.bundles) {
    const k = shapeKey(b.resources);
    bundles.set(k, (bundles.get(k) ?? 0) + b.count);
  }
  const nodes = s.nodes
    .filter((n) => n.alive)
    .map((n) => (n.status === 'DRAINING' ? `${n.nodeId}:draining` : n.nodeId))
    .sort()
    .join(' ');
  return {
    bundles,
    gangs: new Set(d.gangs.map((g) => g.id)),
    constraints: d.constraints
      .map((c) => `${shapeKey(c.resources)}x${c.count}`)
      .sort()
      .join(' '),
    nodes,
    pending: d.bundles.length > 0 || d.gangs.length > 0,
  };
}

/** Whether `next` holds something a decision should see now that `prev` did not. */
export function warrantsSync(prev: RayChangeKey, next: RayChangeKey): boolean {
  if (next.nodes !== prev.nodes || next.constraints !== prev.constraints) return true;
  for (const [shape, n] of next.bundles) if (n > (prev.bundles.get(shape) ?? 0)) return true;
  for (const id of next.gangs) if (!prev.gangs.has(id)) return true;
  return false;
}

/** The wait before the next poll. */
export function nextPollMs(key: RayChangeKey | undefined, intervals: DemandPollIntervals): number {
  return key?.pending ? intervals.activeMs : intervals.restMs;
}
