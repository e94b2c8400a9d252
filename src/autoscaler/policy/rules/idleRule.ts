// Rule 6, idle timeout: running workers Ray reports idle for at least idleTimeoutSeconds go,
// longest idle first, down to minReplicas — only when no demand needs the group, the cooldown has
// passed, and (hysteresis) the workers left stay at or under every utilization threshold. Workers a
// request_resources() floor claims never go. A worker still launching does not hold idle ones back
// (as in Ray's autoscaler): demand that needs the group already keeps them, and a pod that never
// joins Ray (unschedulable, crash-looping) would otherwise keep every idle worker forever.
import { idleExpired } from '../idle.ts';
import type { ReasonInputs, WorkerState } from '../types.ts';
import { removalBreachesThreshold } from '../utilization.ts';
import { none, scale, secondsSinceLastScale, type GroupContext, type GroupRule } from './context.ts';
import { demandNeedsGroup } from './demand.ts';

function idleWorkers(c: GroupContext): WorkerState[] {
  return idleExpired(c.running, c.g.nowMs, c.g.options.idleTimeoutSeconds * 1000);
}

/** Longest idle first, while the rest stay under every threshold; what stopped the choice. */
function chooseRemovals(
  c: GroupContext,
  expired: readonly WorkerState[],
): { chosen: string[]; blockedBy?: string } {
  const chosen = new Set<string>();
  for (const w of expired) {
    if (chosen.size >= c.current - c.min) break;
    const next = new Set(chosen).add(w.podName);
    const breach = removalBreachesThreshold(c.active, c.g.options, next);
    if (breach) return { chosen: [...chosen], blockedBy: breach };
    chosen.add(w.podName);
  }
  return { chosen: [...chosen] };
}

export const idleTimeout: GroupRule = (c) => {
  const o = c.g.options;
  const expired = idleWorkers(c).filter((w) => !c.g.claimedByRequest?.has(w.podName));
  if (expired.length === 0 || c.current - c.min <= 0) return undefined;
  const names = expired.map((w) => w.podName);
  const inputs: ReasonInputs = {
    ...c.base,
    idleTimeoutSeconds: o.idleTimeoutSeconds,
    idleWorkers: names.join(','),
    cooldownPeriodSeconds: o.cooldownPeriodSeconds,
    secondsSinceLastScale: secondsSinceLastScale(c),
  };
  if (demandNeedsGroup(c))
    return none(c, 'steady', `idle workers kept: pending demand may land on them`, inputs);
  if (c.inCooldown) {
    return none(
      c,
      'cooldown',
      `${names.length} idle worker(s) wait for cooldown (${o.cooldownPeriodSeconds}s)`,
      inputs,
    );
  }
  const { chosen, blockedBy } = chooseRemovals(c, expired);
  if (chosen.length === 0) {
    return none(
      c,
      'steady',
      `idle workers kept: removing one would push ${blockedBy ?? 'utilization'} over its threshold`,
      inputs,
    );
  }
  return scale(
    c,
    c.current - chosen.length,
    chosen,
    'idle-timeout',
    `${chosen.length} worker(s) idle ≥ ${o.idleTimeoutSeconds}s beyond minReplicas ${c.min}: deleting ${chosen.join(', ')}`,
    inputs,
  );
};

/** Idle workers past the timeout that a request_resources() floor keeps: say so. */
export const requestFloorHold: GroupRule = (c) => {
  const kept = idleWorkers(c)
    .filter((w) => c.g.claimedByRequest?.has(w.podName))
    .map((w) => w.podName);
  if (kept.length === 0 || c.current - c.min <= 0) return undefined;
  return none(c, 'resource-request', `idle workers kept: request_resources() needs their capacity`, {
    ...c.base,
    idleTimeoutSeconds: c.g.options.idleTimeoutSeconds,
    idleWorkers: kept.join(','),
  });
};
