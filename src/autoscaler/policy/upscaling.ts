// How many workers one decision may add — Ray's upscaling_speed semantics.
//
// Ray v2 (reconciler._compute_to_launch) launches per node type at most
// max(1, ceil(upscaling_speed × max(running, 1))) per round, and at most
// AUTOSCALER_MAX_CONCURRENT_LAUNCHES in flight. Kuray counts workers still launching (pod created,
// Ray node not yet registered) against that allowance, as Ray v1 does with pending nodes: a slow
// image pull then cannot make the autoscaler pile up launches, and Conservative (speed 1) grows a
// group at most ×2 per "generation" of nodes that come up.
import { upscalingSpeed } from './options.ts';
import type { PolicyOptions } from './types.ts';

export interface StepInputs {
  running: number;
  launching: number;
}

export function maxStep(
  opts: Pick<PolicyOptions, 'upscalingMode' | 'maxConcurrentLaunches'>,
  s: StepInputs,
): number {
  const perRound = Math.max(1, Math.ceil(upscalingSpeed(opts.upscalingMode) * Math.max(s.running, 1)));
  const allowance = Math.min(perRound, Math.max(1, opts.maxConcurrentLaunches));
  return Math.max(0, allowance - s.launching);
}
