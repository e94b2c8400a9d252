// The native autoscaler's decision for one worker group. Pure: same input, same output.
//
// Rules, first match wins (src/autoscaler/README.md explains each and why):
//   1. min-replicas     replicas < minReplicas → minReplicas.
//   2. max-replicas     replicas > maxReplicas → maxReplicas; only launching or idle pods are named.
//   3. surplus-workers  more pods than replicas → name launching/idle ones for deletion.
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
import { packDemand } from './binpack.ts';
import { idleExpired, removableWorkers } from './idle.ts';
import { format } from './resources.ts';
import type { Decision, GroupInput, Reason, ReasonInputs, Resources, Rule } from './types.ts';
import { maxStep } from './upscaling.ts';
import { removalBreachesThreshold, utilizationVerdict, type UtilizationVerdict } from './utilization.ts';

function scale(
  g: GroupInput,
  replicas: number,
  workersToDelete: readonly string[],
  rule: Rule,
  message: string,
  inputs: ReasonInputs,
): Decision {
  const direction = replicas > g.replicas ? 'up' : replicas < g.replicas ? 'down' : 'same';
  return {
    kind: 'scale',
    group: g.name,
    replicas,
    direction,
    workersToDelete,
    reason: { rule, message, inputs },
  };
}

function none(g: GroupInput, rule: Rule, message: string, inputs: ReasonInputs): Decision {
  const reason: Reason = { rule, message, inputs };
  return { kind: 'none', group: g.name, replicas: g.replicas, reason };
}

export function decideGroup(g: GroupInput): Decision {
  const o = g.options;
  const min = Math.max(0, g.minReplicas);
  const max = Math.max(min, g.maxReplicas);
  const current = g.replicas;
  const active = g.workers.filter((w) => w.phase !== 'terminating');
  const running = active.filter((w) => w.phase === 'running');
  const launchingPods = active.filter((w) => w.phase === 'pending');
  // Replicas the operator has not created pods for yet are launching capacity too.
  const notYetCreated = Math.max(0, current - active.length);
  const launching = launchingPods.length + notYetCreated;
  const cooldownMs = o.cooldownPeriodSeconds * 1000;
  const sinceLast = g.lastScaleTimeMs === undefined ? null : g.nowMs - g.lastScaleTimeMs;
  const inCooldown = sinceLast !== null && sinceLast < cooldownMs;
  const base: ReasonInputs = {
    replicas: current,
    minReplicas: min,
    maxReplicas: max,
    pods: active.length,
    running: running.length,
    launching,
  };

  // 1–2. Bounds first: nothing else is meaningful outside [min, max].
  if (current < min) {
    return scale(
      g,
      min,
      [],
      'min-replicas',
      `replicas ${current} below minReplicas ${min}: raising to ${min}`,
      base,
    );
  }
  if (current > max) {
    const victims = removableWorkers(active).slice(0, Math.max(0, active.length - max));
    return scale(
      g,
      max,
      victims.map((w) => w.podName),
      'max-replicas',
      `replicas ${current} above maxReplicas ${max}: lowering to ${max}` +
        (victims.length ? `, deleting launching/idle ${victims.map((w) => w.podName).join(', ')}` : ''),
      base,
    );
  }
  // 3. More pods than replicas (after a clamp, or replicas lowered by hand): drop only free ones.
  if (active.length > current) {
    const victims = removableWorkers(active).slice(0, active.length - current);
    if (victims.length > 0) {
      const names = victims.map((w) => w.podName);
      return scale(
        g,
        current,
        names,
        'surplus-workers',
        `${active.length} pods for ${current} replicas: deleting launching/idle ${names.join(', ')}`,
        base,
      );
    }
  }

  // 4. Pending demand.
  const free: Resources[] = [
    ...running.map((w) => w.available ?? {}),
    ...Array.from({ length: launching }, () => g.nodeShape),
  ];
  const headroom = max - current;
  const step = maxStep(o, { running: running.length, launching });
  const pack = packDemand(free, g.demand, g.nodeShape, headroom);
  const demandInputs: ReasonInputs = {
    ...base,
    nodeShape: format(g.nodeShape),
    demandOnExisting: pack.placedOnExisting,
    workersNeeded: pack.newNodes,
    demandOverMax: pack.leftOver,
    demandInfeasible: pack.infeasible,
    upscalingMode: o.upscalingMode,
    step,
  };
  if (pack.newNodes > 0) {
    const add = Math.min(pack.newNodes, step);
    if (add > 0) {
      return scale(
        g,
        current + add,
        [],
        'pending-demand',
        `pending demand needs ${pack.newNodes} more worker(s) of ${format(g.nodeShape)}; adding ${add}` +
          (add < pack.newNodes
            ? ` (${o.upscalingMode} step allows ${step} with ${launching} launching)`
            : ''),
        demandInputs,
      );
    }
    return none(
      g,
      'pending-demand',
      `pending demand needs ${pack.newNodes} more worker(s); waiting for ${launching} launching worker(s) first`,
      demandInputs,
    );
  }
  if (pack.leftOver > 0) {
    return none(
      g,
      'max-replicas',
      `pending demand needs more workers but the group is at maxReplicas ${max}`,
      demandInputs,
    );
  }
  const demandNeedsGroup = pack.placedOnExisting > 0 || g.clusterHasPendingDemand === true;

  // 5. Utilization above threshold.
  const verdicts = [utilizationVerdict(active, o, 'cpu'), utilizationVerdict(active, o, 'memory')].filter(
    (v): v is UtilizationVerdict => v !== undefined,
  );
  const v = verdicts.sort((a, b) => b.desiredRunning - a.desiredRunning)[0];
  if (v && v.desiredRunning > current) {
    const rule: Rule = v.kind === 'cpu' ? 'cpu-utilization' : 'memory-utilization';
    const what = v.kind === 'cpu' ? 'CPU' : 'memory';
    const inputs: ReasonInputs = {
      ...base,
      utilization: Math.round(v.utilization * 1000) / 1000,
      threshold: v.threshold,
      targetUtilizationFraction: v.target,
      measuredWorkers: v.measured,
      desiredWorkers: v.desiredRunning,
      upscalingMode: o.upscalingMode,
      step,
      cooldownPeriodSeconds: o.cooldownPeriodSeconds,
      secondsSinceLastScale: sinceLast === null ? null : Math.floor(sinceLast / 1000),
    };
    const head = `${what} utilization ${(v.utilization * 100).toFixed(0)}% > threshold ${(v.threshold * 100).toFixed(0)}%`;
    if (launching > 0) {
      return none(
        g,
        rule,
        `${head}; waiting for ${launching} launching worker(s) before re-measuring`,
        inputs,
      );
    }
    if (inCooldown) {
      return none(
        g,
        'cooldown',
        `${head}; in cooldown (${o.cooldownPeriodSeconds}s since last scale)`,
        inputs,
      );
    }
    const add = Math.min(v.desiredRunning - current, step, headroom);
    if (add > 0) {
      return scale(
        g,
        current + add,
        [],
        rule,
        `${head}: sizing for ${(v.target * 100).toFixed(0)}% needs ${v.desiredRunning} worker(s); adding ${add}`,
        inputs,
      );
    }
    return none(g, 'max-replicas', `${head} but the group is at maxReplicas ${max}`, inputs);
  }

  // 6. Idle workers beyond minReplicas.
  const idle = idleExpired(running, g.nowMs, o.idleTimeoutSeconds * 1000);
  const expired = idle.filter((w) => !g.claimedByRequest?.has(w.podName));
  const removable = current - min;
  if (expired.length > 0 && removable > 0) {
    const names = expired.map((w) => w.podName);
    const inputs: ReasonInputs = {
      ...base,
      idleTimeoutSeconds: o.idleTimeoutSeconds,
      idleWorkers: names.join(','),
      cooldownPeriodSeconds: o.cooldownPeriodSeconds,
      secondsSinceLastScale: sinceLast === null ? null : Math.floor(sinceLast / 1000),
    };
    if (demandNeedsGroup)
      return none(g, 'steady', `idle workers kept: pending demand may land on them`, inputs);
    if (launching > 0)
      return none(g, 'steady', `idle workers kept while ${launching} worker(s) launch`, inputs);
    if (inCooldown) {
      return none(
        g,
        'cooldown',
        `${names.length} idle worker(s) wait for cooldown (${o.cooldownPeriodSeconds}s)`,
        inputs,
      );
    }
    const chosen = new Set<string>();
    let blockedBy: string | undefined;
    for (const w of expired) {
      if (chosen.size >= removable) break;
      const next = new Set(chosen).add(w.podName);
      const breach = removalBreachesThreshold(active, o, next);
      if (breach) {
        blockedBy = breach;
        break;
      }
      chosen.add(w.podName);
    }
    if (chosen.size > 0) {
      const del = [...chosen];
      return scale(
        g,
        current - del.length,
        del,
        'idle-timeout',
        `${del.length} worker(s) idle ≥ ${o.idleTimeoutSeconds}s beyond minReplicas ${min}: deleting ${del.join(', ')}`,
        inputs,
      );
    }
    return none(
      g,
      'steady',
      `idle workers kept: removing one would push ${blockedBy ?? 'utilization'} over its threshold`,
      inputs,
    );
  }

  if (idle.length > expired.length && removable > 0) {
    const kept = idle.filter((w) => g.claimedByRequest?.has(w.podName)).map((w) => w.podName);
    return none(g, 'resource-request', `idle workers kept: request_resources() needs their capacity`, {
      ...base,
      idleTimeoutSeconds: o.idleTimeoutSeconds,
      idleWorkers: kept.join(','),
    });
  }

  return none(g, 'steady', `no rule fired (${running.length} running, ${launching} launching)`, {
    ...demandInputs,
    cooldownPeriodSeconds: o.cooldownPeriodSeconds,
  });
}
