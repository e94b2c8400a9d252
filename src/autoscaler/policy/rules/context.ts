// What every rule of decideGroup reads: the group's input and the facts derived from it once
// (bounds, which workers are running or launching, cooldown, the upscaling step, how the pending
// demand packs), plus the two ways a rule answers. Pure.
import { packDemand, type PackResult } from '../binpack.ts';
import { format } from '../resources.ts';
import type { Decision, GroupInput, ReasonInputs, Rule, WorkerState } from '../types.ts';
import { maxStep } from '../upscaling.ts';

export interface GroupContext {
  readonly g: GroupInput;
  readonly min: number;
  readonly max: number;
  /** spec replicas now. */
  readonly current: number;
  /** Pods not being deleted. */
  readonly active: readonly WorkerState[];
  readonly running: readonly WorkerState[];
  /**
   * Pods without a Ray node launchTimeoutSeconds after they were created: given up on (rule
   * launch-timeout), and not counted as launching or as capacity.
   */
  readonly stuck: readonly WorkerState[];
  /** Pods without a Ray node yet (not stuck) + replicas the operator has not created pods for yet. */
  readonly launching: number;
  /** ms since the group was last scaled; null when never. */
  readonly sinceLastMs: number | null;
  readonly inCooldown: boolean;
  /** Most workers one decision may add (upscalingMode, launching workers). */
  readonly step: number;
  /** maxReplicas − replicas. */
  readonly headroom: number;
  /** The group's demand packed onto its free and launching capacity, new nodes as needed. */
  readonly pack: PackResult;
  /** Inputs every explanation starts from. */
  readonly base: ReasonInputs;
  /** base + what the demand rule looked at. */
  readonly demandInputs: ReasonInputs;
}

/** A rule: a decision when it applies, undefined to let the next rule look. */
export type GroupRule = (c: GroupContext) => Decision | undefined;

export function groupContext(g: GroupInput): GroupContext {
  const o = g.options;
  const min = Math.max(0, g.minReplicas);
  const max = Math.max(min, g.maxReplicas);
  const current = g.replicas;
  const active = g.workers.filter((w) => w.phase !== 'terminating');
  const running = active.filter((w) => w.phase === 'running');
  const timeoutMs = o.launchTimeoutSeconds * 1000;
  const stuck = active.filter(
    (w) => w.phase === 'pending' && w.pendingSinceMs !== undefined && g.nowMs - w.pendingSinceMs >= timeoutMs,
  );
  const launchingPods = active.filter((w) => w.phase === 'pending').length - stuck.length;
  const launching = launchingPods + Math.max(0, current - active.length);
  const sinceLastMs = g.lastScaleTimeMs === undefined ? null : g.nowMs - g.lastScaleTimeMs;
  const step = maxStep(o, { running: running.length, launching });
  const headroom = max - current;
  const free = [
    ...running.map((w) => w.available ?? {}),
    ...Array.from({ length: launching }, () => g.nodeShape),
  ];
  const pack = packDemand(free, g.demand, g.nodeShape, headroom);
  const base: ReasonInputs = {
    replicas: current,
    minReplicas: min,
    maxReplicas: max,
    pods: active.length,
    running: running.length,
    launching,
  };
  return {
    g,
    min,
    max,
    current,
    active,
    running,
    stuck,
    launching,
    sinceLastMs,
    inCooldown: sinceLastMs !== null && sinceLastMs < o.cooldownPeriodSeconds * 1000,
    step,
    headroom,
    pack,
    base,
    demandInputs: {
      ...base,
      nodeShape: format(g.nodeShape),
      demandOnExisting: pack.placedOnExisting,
      workersNeeded: pack.newNodes,
      demandOverMax: pack.leftOver,
      demandInfeasible: pack.infeasible,
      upscalingMode: o.upscalingMode,
      step,
    },
  };
}

/** Seconds since the last scale, for explanations. */
export function secondsSinceLastScale(c: GroupContext): number | null {
  return c.sinceLastMs === null ? null : Math.floor(c.sinceLastMs / 1000);
}

/** A decision to write `replicas` and delete `workersToDelete`. */
export function scale(
  c: GroupContext,
  replicas: number,
  workersToDelete: readonly string[],
  rule: Rule,
  message: string,
  inputs: ReasonInputs,
): Decision {
  const direction = replicas > c.current ? 'up' : replicas < c.current ? 'down' : 'same';
  return {
    kind: 'scale',
    group: c.g.name,
    replicas,
    direction,
    workersToDelete,
    reason: { rule, message, inputs },
  };
}

/** No change, and why. */
export function none(c: GroupContext, rule: Rule, message: string, inputs: ReasonInputs): Decision {
  return { kind: 'none', group: c.g.name, replicas: c.current, reason: { rule, message, inputs } };
}
