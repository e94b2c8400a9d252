// From the policy's decisions to the changes the actuator writes, once the Ray nodes that go have
// been asked to drain. Pure: what the drains answered comes in, the changes (with what explains
// them) and the decisions as carried out go out.
import type { ClusterInput } from '../policy/decideCluster.ts';
import type { Decision, Reason } from '../policy/types.ts';
import type { GroupChange } from './patch.ts';

/** A change to write, with what its Event says. */
export interface PlannedChange extends GroupChange {
  /** replicas before. */
  from: number;
  reason: Reason;
}

/** What the drains of a decision's pods answered. */
export interface DrainOutcome {
  /** Pods that may go: drain accepted, already draining, or no Ray node yet. */
  accepted: readonly string[];
  /** Pods whose node refused (it just got work) or did not answer: they stay. */
  rejected: readonly string[];
}

/**
 * A scale decision after its drains: a rejected drain keeps its pod and, on the way down, its
 * replica. When every drain was rejected and the size stays, nothing is written.
 */
export function afterDrains(
  d: Extract<Decision, { kind: 'scale' }>,
  current: number,
  drained: DrainOutcome,
  atMs: number,
): { decision: Decision; change?: PlannedChange } {
  const replicas =
    d.direction === 'down' ? Math.min(current, d.replicas + drained.rejected.length) : d.replicas;
  if (replicas === current && drained.accepted.length === 0) {
    return { decision: { kind: 'none', group: d.group, replicas: current, reason: d.reason } };
  }
  return {
    decision: { ...d, replicas, workersToDelete: drained.accepted },
    change: {
      group: d.group,
      replicas,
      addWorkersToDelete: drained.accepted,
      atMs,
      from: current,
      reason: d.reason,
    },
  };
}

/**
 * Pods whose Ray node accepted an earlier drain but that nobody deletes (the patch that should
 * have listed them lost a race): Ray will not use them again, so they are listed now, and the
 * group shrinks by them (not below minReplicas). Groups this sync already changes wait a sync.
 */
export function strandedChanges(
  stranded: ReadonlyMap<string, readonly string[]>,
  groups: ClusterInput['groups'],
  changing: ReadonlySet<string>,
  atMs: number,
): PlannedChange[] {
  const out: PlannedChange[] = [];
  for (const [group, names] of stranded) {
    const g = groups.find((x) => x.name === group);
    if (!g || changing.has(group)) continue;
    out.push({
      group,
      replicas: Math.max(g.minReplicas, g.replicas - names.length),
      addWorkersToDelete: names,
      atMs,
      from: g.replicas,
      reason: {
        rule: 'surplus-workers',
        message: `Ray nodes of ${names.join(', ')} are draining (an earlier drain) and will take no work`,
        inputs: { draining: names.length },
      },
    });
  }
  return out;
}
