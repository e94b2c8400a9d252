// The utilization rule: when a group's mean CPU (or memory) utilization is above its threshold,
// size the group so the same load would sit at targetUtilizationFraction:
//   desired = ceil(Σ utilization of measured running workers / target) + unmeasured running workers
// which is ceil(current × util / target) when every worker is measured.
import type { PolicyOptions, WorkerState } from './types.ts';

export type UtilizationKind = 'cpu' | 'memory';

function valueOf(w: WorkerState, kind: UtilizationKind): number | undefined {
  return kind === 'cpu' ? w.cpuUtilization : w.memoryUtilization;
}

function thresholdOf(opts: PolicyOptions, kind: UtilizationKind): number | undefined {
  return kind === 'cpu' ? opts.cpuUtilizationThreshold : opts.memoryUtilizationThreshold;
}

export interface GroupUtilization {
  mean: number;
  total: number;
  measured: number;
  running: number;
}

/** Mean utilization over running workers that have a measurement; undefined when none has. */
export function groupUtilization(
  workers: readonly WorkerState[],
  kind: UtilizationKind,
  exclude: ReadonlySet<string> = new Set(),
): GroupUtilization | undefined {
  let total = 0;
  let measured = 0;
  let running = 0;
  for (const w of workers) {
    if (w.phase !== 'running' || exclude.has(w.podName)) continue;
    running++;
    const v = valueOf(w, kind);
    if (v === undefined || Number.isNaN(v)) continue;
    total += Math.min(1, Math.max(0, v));
    measured++;
  }
  if (measured === 0) return undefined;
  return { mean: total / measured, total, measured, running };
}

export interface UtilizationVerdict {
  kind: UtilizationKind;
  utilization: number;
  threshold: number;
  target: number;
  measured: number;
  running: number;
  /** Workers the load needs at the target utilization. */
  desiredRunning: number;
}

/** The rule's verdict for one resource, or undefined when it is off, unmeasured or not above threshold. */
export function utilizationVerdict(
  workers: readonly WorkerState[],
  opts: PolicyOptions,
  kind: UtilizationKind,
): UtilizationVerdict | undefined {
  const threshold = thresholdOf(opts, kind);
  if (threshold === undefined) return undefined;
  const u = groupUtilization(workers, kind);
  if (!u || u.mean <= threshold) return undefined;
  const target = opts.targetUtilizationFraction;
  // Subtract a hair before ceil so 2 × 0.8 / 0.8 stays 2 despite float error.
  const desiredRunning = Math.ceil(u.total / target - 1e-9) + (u.running - u.measured);
  return {
    kind,
    utilization: u.mean,
    threshold,
    target,
    measured: u.measured,
    running: u.running,
    desiredRunning,
  };
}

/**
 * Would removing `removed` push a watched utilization over its threshold? The removed workers are
 * idle, so their (near-zero) share leaves with them and the rest carry the same load: the group's
 * new mean is the mean of the remaining workers. This is the hysteresis that stops
 * "scale up on utilization → idle node removed → utilization high again → scale up" loops.
 */
export function removalBreachesThreshold(
  workers: readonly WorkerState[],
  opts: PolicyOptions,
  removed: ReadonlySet<string>,
): UtilizationKind | undefined {
  for (const kind of ['cpu', 'memory'] as const) {
    const threshold = thresholdOf(opts, kind);
    if (threshold === undefined) continue;
    const after = groupUtilization(workers, kind, removed);
    if (after && after.mean > threshold) return kind;
  }
  return undefined;
}
