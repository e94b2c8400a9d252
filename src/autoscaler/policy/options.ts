// Policy options from `spec.autoscalerOptions`, with Kuray's defaults, and Ray's upscaling speed.
import { envByName, LAUNCH_TIMEOUT_ENV, positiveWholeSeconds } from '../../api/validation/common.ts';
import type { EnvVar } from '../../compiler/k8sTypes.ts';
import type { PolicyOptions, UpscalingMode } from './types.ts';

/** Ray's default idle timeout (autoscaling_config.py: idle_timeout_minutes defaults to 1). */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
/** Kuray's default cooldown: long enough for Ray's 10 s metrics report to see a new node's effect twice. */
export const DEFAULT_COOLDOWN_SECONDS = 30;
export const DEFAULT_TARGET_UTILIZATION = 0.8;
/** Ray's AUTOSCALER_MAX_CONCURRENT_LAUNCHES default. */
export const DEFAULT_MAX_CONCURRENT_LAUNCHES = 10;
/**
 * Ray 2.58's allocate_status_timeout_s (autoscaler v2 instance_manager/config.py): one hour for a
 * pod to become a Ray node before Ray's autoscaler deletes it. The same env var, set in
 * autoscalerOptions.env, changes it here and for Ray's v2 autoscaler (in-tree mode).
 */
export const DEFAULT_LAUNCH_TIMEOUT_SECONDS = 3600;

export const DEFAULT_POLICY_OPTIONS: PolicyOptions = {
  targetUtilizationFraction: DEFAULT_TARGET_UTILIZATION,
  cooldownPeriodSeconds: DEFAULT_COOLDOWN_SECONDS,
  idleTimeoutSeconds: DEFAULT_IDLE_TIMEOUT_SECONDS,
  upscalingMode: 'Default',
  maxConcurrentLaunches: DEFAULT_MAX_CONCURRENT_LAUNCHES,
  launchTimeoutSeconds: DEFAULT_LAUNCH_TIMEOUT_SECONDS,
};

/** The subset of spec.autoscalerOptions the policy reads (KubeRay fields + the guide's native ones). */
export interface AutoscalerOptionsLike {
  upscalingMode?: string;
  idleTimeoutSeconds?: number;
  cpuUtilizationThreshold?: number;
  memoryUtilizationThreshold?: number;
  targetUtilizationFraction?: number;
  cooldownPeriodSeconds?: number;
  /** The in-tree sidecar's env; the native policy reads LAUNCH_TIMEOUT_ENV from it, as Ray would. */
  env?: readonly EnvVar[];
}

/** LAUNCH_TIMEOUT_ENV from autoscalerOptions.env: a positive whole number of seconds, else the default. */
export function launchTimeoutFrom(env: AutoscalerOptionsLike['env']): number {
  // Ray's env_integer falls back to its default on a non-integer too; ≤ 0 as well here (validation
  // warns about both).
  return positiveWholeSeconds(envByName(env, LAUNCH_TIMEOUT_ENV)?.value) ?? DEFAULT_LAUNCH_TIMEOUT_SECONDS;
}

/**
 * Ray 2.58 `_derive_autoscaling_config_from_ray_cr`: Conservative → upscaling_speed 1; Default,
 * Aggressive and anything else → 1000 (Ray treats Aggressive exactly like Default).
 */
export function upscalingSpeed(mode: string | undefined): number {
  return mode === 'Conservative' ? 1 : 1000;
}

function isUpscalingMode(s: string | undefined): s is UpscalingMode {
  return s === 'Conservative' || s === 'Default' || s === 'Aggressive';
}

/** Options for the policy from autoscalerOptions (assumed validated; out-of-range values fall back to defaults). */
export function policyOptionsFrom(
  o: AutoscalerOptionsLike | undefined,
  groupIdleTimeoutSeconds?: number,
): PolicyOptions {
  const frac = (x: number | undefined): number | undefined =>
    x !== undefined && x > 0 && x <= 1 ? x : undefined;
  const nonNeg = (x: number | undefined): number | undefined => (x !== undefined && x >= 0 ? x : undefined);
  const result: PolicyOptions = {
    ...DEFAULT_POLICY_OPTIONS,
    targetUtilizationFraction: frac(o?.targetUtilizationFraction) ?? DEFAULT_TARGET_UTILIZATION,
    cooldownPeriodSeconds: nonNeg(o?.cooldownPeriodSeconds) ?? DEFAULT_COOLDOWN_SECONDS,
    // Like Ray v2: the group's own idleTimeoutSeconds wins over the cluster-wide one.
    idleTimeoutSeconds:
      nonNeg(groupIdleTimeoutSeconds) ?? nonNeg(o?.idleTimeoutSeconds) ?? DEFAULT_IDLE_TIMEOUT_SECONDS,
    upscalingMode: isUpscalingMode(o?.upscalingMode) ? o.upscalingMode : 'Default',
    launchTimeoutSeconds: launchTimeoutFrom(o?.env),
  };
  const cpu = frac(o?.cpuUtilizationThreshold);
  const mem = frac(o?.memoryUtilizationThreshold);
  if (cpu !== undefined) result.cpuUtilizationThreshold = cpu;
  if (mem !== undefined) result.memoryUtilizationThreshold = mem;
  return result;
}
