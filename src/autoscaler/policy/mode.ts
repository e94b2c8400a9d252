// Which autoscaler runs for a RayCluster, and the warnings for mixed configurations.
//
//   enableInTreeAutoscaling: true  → "in-tree": Ray's own autoscaler sidecar, exactly as KubeRay.
//                                    The guide's native-only fields are ignored (a warning names them).
//   otherwise, any native-only field set → "native": Kuray's policy runs inside the operator.
//   otherwise                      → "none": replicas are the user's (clamped to [min, max]).
// Shared fields (idleTimeoutSeconds, upscalingMode) mean the same in both modes.
import type { AutoscalerOptionsLike } from './options.ts';

export type AutoscalingMode = 'in-tree' | 'native' | 'none';

/** autoscalerOptions fields only Kuray's native autoscaler reads (Ray's autoscaler ignores them). */
export const NATIVE_ONLY_FIELDS = [
  'cpuUtilizationThreshold',
  'memoryUtilizationThreshold',
  'targetUtilizationFraction',
  'cooldownPeriodSeconds',
  'enableMetrics',
  'metricsPort',
] as const;

export interface ModeInput {
  enableInTreeAutoscaling?: boolean;
  autoscalerOptions?: AutoscalerOptionsLike & { enableMetrics?: boolean; metricsPort?: number };
}

export interface ModeResult {
  mode: AutoscalingMode;
  /** Native-only fields that are set. */
  nativeFields: readonly string[];
  warnings: readonly string[];
}

export function autoscalingMode(spec: ModeInput): ModeResult {
  const o = (spec.autoscalerOptions ?? {}) as Record<string, unknown>;
  const nativeFields = NATIVE_ONLY_FIELDS.filter((f) => o[f] !== undefined && o[f] !== null);
  if (spec.enableInTreeAutoscaling === true) {
    const warnings = nativeFields.length
      ? [
          `autoscalerOptions.${nativeFields.join(', ')} ${nativeFields.length > 1 ? 'are' : 'is'} ignored: ` +
            `enableInTreeAutoscaling is true, so Ray's own autoscaler runs and it scales on pending demand only. ` +
            `Remove enableInTreeAutoscaling to use Kuray's native utilization-based autoscaler instead.`,
        ]
      : [];
    return { mode: 'in-tree', nativeFields, warnings };
  }
  if (nativeFields.length > 0) return { mode: 'native', nativeFields, warnings: [] };
  const shared = ['idleTimeoutSeconds', 'upscalingMode'].filter((f) => o[f] !== undefined);
  const warnings = shared.length
    ? [
        `autoscalerOptions.${shared.join(', ')} has no effect: no autoscaler runs. Set ` +
          `enableInTreeAutoscaling: true (Ray's autoscaler) or a native field such as cpuUtilizationThreshold.`,
      ]
    : [];
  return { mode: 'none', nativeFields, warnings };
}
