// Rule 4, pending demand: the demand assigned to the group, packed onto the free capacity of its
// running workers and of its launching ones (full shape), needs new workers → add them, at most
// the upscaling step and up to maxReplicas. Ignores cooldown: queued work is unambiguous, and
// because launching workers already count as capacity it cannot over-launch (Ray's autoscaler
// also launches for demand every round).
import { format } from '../resources.ts';
import { none, scale, type GroupRule } from './context.ts';

export const pendingDemand: GroupRule = (c) => {
  const { pack, step, launching } = c;
  const o = c.g.options;
  if (pack.newNodes > 0) {
    const add = Math.min(pack.newNodes, step);
    if (add === 0) {
      return none(
        c,
        'pending-demand',
        `pending demand needs ${pack.newNodes} more worker(s); waiting for ${launching} launching worker(s) first`,
        c.demandInputs,
      );
    }
    return scale(
      c,
      c.current + add,
      [],
      'pending-demand',
      `pending demand needs ${pack.newNodes} more worker(s) of ${format(c.g.nodeShape)}; adding ${add}` +
        (add < pack.newNodes ? ` (${o.upscalingMode} step allows ${step} with ${launching} launching)` : ''),
      c.demandInputs,
    );
  }
  if (pack.leftOver > 0) {
    return none(
      c,
      'max-replicas',
      `pending demand needs more workers but the group is at maxReplicas ${c.max}`,
      c.demandInputs,
    );
  }
  return undefined;
};

/** Demand Ray is about to place on this group's (or the cluster's) existing free capacity. */
export function demandNeedsGroup(c: Parameters<GroupRule>[0]): boolean {
  return c.pack.placedOnExisting > 0 || c.g.clusterHasPendingDemand === true;
}
