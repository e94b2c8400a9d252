// Rule 5, utilization: when the mean CPU (or memory) utilization of the measured running workers is
// above its threshold, the group needs ceil(Σu / targetUtilizationFraction) workers; the larger of
// the CPU and memory needs wins. Waits while anything is launching (the new capacity is not
// measured yet) and for the cooldown (metrics lag). Utilization never shrinks a group.
import type { ReasonInputs, Rule } from '../types.ts';
import { utilizationVerdict, type UtilizationVerdict } from '../utilization.ts';
import { none, scale, secondsSinceLastScale, type GroupRule } from './context.ts';

export const utilization: GroupRule = (c) => {
  const o = c.g.options;
  const v = [utilizationVerdict(c.active, o, 'cpu'), utilizationVerdict(c.active, o, 'memory')]
    .filter((x): x is UtilizationVerdict => x !== undefined)
    .sort((a, b) => b.desiredRunning - a.desiredRunning)[0];
  if (!v || v.desiredRunning <= c.current) return undefined;
  const rule: Rule = v.kind === 'cpu' ? 'cpu-utilization' : 'memory-utilization';
  const what = v.kind === 'cpu' ? 'CPU' : 'memory';
  const inputs: ReasonInputs = {
    ...c.base,
    utilization: Math.round(v.utilization * 1000) / 1000,
    threshold: v.threshold,
    targetUtilizationFraction: v.target,
    measuredWorkers: v.measured,
    desiredWorkers: v.desiredRunning,
    upscalingMode: o.upscalingMode,
    step: c.step,
    cooldownPeriodSeconds: o.cooldownPeriodSeconds,
    secondsSinceLastScale: secondsSinceLastScale(c),
  };
  const head = `${what} utilization ${(v.utilization * 100).toFixed(0)}% > threshold ${(v.threshold * 100).toFixed(0)}%`;
  if (c.launching > 0) {
    return none(
      c,
      rule,
      `${head}; waiting for ${c.launching} launching worker(s) before re-measuring`,
      inputs,
    );
  }
  if (c.inCooldown) {
    return none(c, 'cooldown', `${head}; in cooldown (${o.cooldownPeriodSeconds}s since last scale)`, inputs);
  }
  const add = Math.min(v.desiredRunning - c.current, c.step, c.headroom);
  if (add <= 0) return none(c, 'max-replicas', `${head} but the group is at maxReplicas ${c.max}`, inputs);
  return scale(
    c,
    c.current + add,
    [],
    rule,
    `${head}: sizing for ${(v.target * 100).toFixed(0)}% needs ${v.desiredRunning} worker(s); adding ${add}`,
    inputs,
  );
};
