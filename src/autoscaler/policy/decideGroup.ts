// The native autoscaler's decision for one worker group. Pure: same input, same output.
//
// Rules, first match wins (src/autoscaler/README.md explains each and why; one file per rule in
// rules/, each reading the facts groupContext derives once):
//   1. min-replicas     replicas < minReplicas → minReplicas.
//   2. max-replicas     replicas > maxReplicas → maxReplicas; only launching or idle pods are named.
//   3. surplus-workers  more pods than replicas → name launching/idle ones for deletion.
//   3b. launch-timeout  pods not yet Ray nodes launchTimeoutSeconds after creation → delete them,
//                       shrink by them (not below minReplicas); they no longer count as capacity.
//   4. pending-demand   demand that does not fit the group's free capacity → add the workers the
//                       bin packing needs, limited by the upscaling step and maxReplicas. Ignores
//                       cooldown: queued work is unambiguous and launching workers already count
//                       as capacity, so it cannot over-launch.
//   5. cpu-/memory-utilization  mean utilization > threshold → ceil(Σutil / target) workers.
//                       Waits for launching workers and respects cooldown (metrics lag).
//   6. idle-timeout     workers idle ≥ idleTimeoutSeconds beyond minReplicas are removed, only when
//                       no demand needs the group, nothing is launching, cooldown has passed, and
//                       the rest would stay at or under the utilization thresholds; never workers a
//                       request_resources() floor claims (then: resource-request, no change).
//   7. steady           no change.
import { maxReplicas, minReplicas, surplusWorkers } from './rules/bounds.ts';
import { groupContext, none, type GroupContext, type GroupRule } from './rules/context.ts';
import { pendingDemand } from './rules/demand.ts';
import { idleTimeout, requestFloorHold } from './rules/idleRule.ts';
import { launchTimeout } from './rules/launchTimeout.ts';
import { utilization } from './rules/utilizationRule.ts';
import type { Decision, GroupInput } from './types.ts';

const RULES: readonly GroupRule[] = [
  minReplicas,
  maxReplicas,
  surplusWorkers,
  launchTimeout,
  pendingDemand,
  utilization,
  idleTimeout,
  requestFloorHold,
];

/** 7. No rule fired; the reason still says what was looked at. */
function steady(c: GroupContext): Decision {
  return none(c, 'steady', `no rule fired (${c.running.length} running, ${c.launching} launching)`, {
    ...c.demandInputs,
    cooldownPeriodSeconds: c.g.options.cooldownPeriodSeconds,
  });
}

export function decideGroup(g: GroupInput): Decision {
  const c = groupContext(g);
  for (const rule of RULES) {
    const d = rule(c);
    if (d) return d;
  }
  return steady(c);
}
