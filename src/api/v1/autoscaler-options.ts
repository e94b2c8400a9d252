// spec.autoscalerOptions: KubeRay's AutoscalerOptions plus the production guide's extensions, which
// Kuray's autoscaler reads (and KubeRay ignores).
import type { Static } from 'typebox';
import { arr, bool, int32, num, obj, opt, str, stringEnum } from '../schema.ts';
import { envFromSources, envVars, resourceRequirements, securityContext, volumeMounts } from './core.ts';
import { UPSCALING_MODES, AUTOSCALER_VERSIONS, pullPolicy } from './enums.ts';

export const AutoscalerOptions = obj(
  {
    resources: opt(
      resourceRequirements(
        'Resources specifies optional resource request and limit overrides for the autoscaler container. ' +
          'Default values: 500m CPU request and limit, 512Mi memory request and limit.',
      ),
    ),
    image: opt(
      str(
        "Image optionally overrides the autoscaler's container image (default: the head's Ray image). " +
          'This override is provided for autoscaler testing and development.',
      ),
    ),
    imagePullPolicy: opt(
      pullPolicy(
        "ImagePullPolicy optionally overrides the autoscaler container's image pull policy (default IfNotPresent).",
      ),
    ),
    securityContext: opt(
      securityContext(
        'SecurityContext defines the security options the autoscaler container should be run with. If set, ' +
          'the fields of SecurityContext override the equivalent fields of PodSecurityContext. More info: ' +
          'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
      ),
    ),
    idleTimeoutSeconds: opt(
      int32(
        'IdleTimeoutSeconds is the number of seconds to wait before scaling down a worker pod which is not ' +
          'using Ray resources. Defaults to 60 (one minute). Must be >= 0. Read by the autoscaler, not by the ' +
          'operator.',
      ),
    ),
    upscalingMode: opt(
      stringEnum(
        UPSCALING_MODES,
        'UpscalingMode is "Conservative", "Default", or "Aggressive". Conservative: upscaling is rate-limited; ' +
          'the number of pending worker pods is at most the size of the Ray cluster. Default: upscaling is not ' +
          'rate-limited. Aggressive: an alias for Default; upscaling is not rate-limited. Read by the autoscaler.',
      ),
    ),
    version: opt(
      stringEnum(
        AUTOSCALER_VERSIONS,
        'Version is the version of the Ray autoscaler. v1 explicitly uses autoscaler v1, v2 explicitly uses ' +
          'autoscaler v2. If unset, the Ray version decides: from Ray 2.47.0 the default is v2, before that v1. ' +
          'Autoscaler v2 requires restartPolicy Never (or unset) on head and worker pods.',
      ),
    ),
    env: opt(
      envVars(
        "Optional list of environment variables to set in the autoscaler container. Kuray's native autoscaler reads one of them too: RAY_AUTOSCALER_RECONCILE_ALLOCATE_STATUS_TIMEOUT_S, the seconds a worker pod may take to become a Ray node before it is deleted (default 3600, as Ray's).",
      ),
    ),
    envFrom: opt(
      envFromSources(
        'Optional list of sources to populate environment variables in the autoscaler container.',
      ),
    ),
    volumeMounts: opt(
      volumeMounts(
        'Optional list of volumeMounts for the autoscaler container. This is needed for enabling TLS for the ' +
          'autoscaler container.',
      ),
    ),
    command: opt(
      arr(str(''), 'Optional list that overwrites the default command of the autoscaler container.'),
    ),
    args: opt(arr(str(''), 'Optional list that overwrites the default args of the autoscaler container.')),
    // Kuray extensions from the production guide: read by Kuray's autoscaler (src/autoscaler), ignored
    // by KubeRay's. They describe a utilization-driven policy next to Ray's demand-driven one.
    targetUtilizationFraction: opt(
      num(
        'Kuray extension. TargetUtilizationFraction is the fraction (0, 1] of the cluster resources the ' +
          'autoscaler aims to keep in use: above it, workers are added; well below it, idle workers are removed. ' +
          'For example 0.8 keeps 20% headroom. Ignored by KubeRay.',
        { exclusiveMinimum: 0, maximum: 1 },
      ),
    ),
    cpuUtilizationThreshold: opt(
      num(
        'Kuray extension. CPUUtilizationThreshold (0, 1]: when the used fraction of the Ray logical CPUs ' +
          'exceeds it, the autoscaler scales up. Example 0.7. Ignored by KubeRay.',
        { exclusiveMinimum: 0, maximum: 1 },
      ),
    ),
    memoryUtilizationThreshold: opt(
      num(
        'Kuray extension. MemoryUtilizationThreshold (0, 1]: when the used fraction of the Ray memory ' +
          'exceeds it, the autoscaler scales up. Example 0.8. Ignored by KubeRay.',
        { exclusiveMinimum: 0, maximum: 1 },
      ),
    ),
    metricsPort: opt(
      int32(
        "Kuray extension. MetricsPort is the port on every Ray pod where the native autoscaler reads Ray's " +
          "Prometheus metrics (node CPU and memory utilization): the nodes' metrics-export-port, default " +
          '8080. Ignored by KubeRay.',
        { minimum: 1, maximum: 65535 },
      ),
    ),
    enableMetrics: opt(
      bool(
        "Kuray extension. EnableMetrics: whether the native autoscaler reads Ray's metrics (from " +
          'metricsPort) to evaluate cpuUtilizationThreshold and memoryUtilizationThreshold. Unset means on ' +
          'whenever a threshold is set; false leaves pending resource demand as the only scale-up signal. ' +
          'Ignored by KubeRay.',
      ),
    ),
    cooldownPeriodSeconds: opt(
      int32(
        'Kuray extension. CooldownPeriodSeconds is the minimum number of seconds between two scaling ' +
          'decisions of the same direction for a worker group, to stop flapping. Must be >= 0; 0 disables ' +
          'the cooldown. Example 300. Ignored by KubeRay.',
        { minimum: 0 },
      ),
    ),
  },
  'AutoscalerOptions specifies optional configuration for the Ray autoscaler (the sidecar injected into ' +
    'the head pod when enableInTreeAutoscaling is true).',
);
export type AutoscalerOptions = Static<typeof AutoscalerOptions>;
