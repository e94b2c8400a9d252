// Operator options: flags with KubeRay's names where it has one, each also settable by an env var
// (KURAY_ + the flag upper-cased, dashes → underscores) so a Deployment can configure it either way.
// Parsing is pure and returns errors with the flag name, the bad value and what is accepted.
import { DEFAULT_MAX_PODS_PER_CLUSTER } from '../api/replicas.ts';
import { compileOptionsFromEnv, type CompileOptions } from '../compiler/options.ts';
import { isLogLevel, type LogLevel } from '../runtime/log.ts';
import { FEATURE_GATE_DEFAULTS, parseFeatureGates, type FeatureGates } from '../api/validation/features.ts';

export interface OperatorOptions {
  /**
   * What the compiler is told: KubeRay's env switches (CLUSTER_DOMAIN, ENABLE_PROBES_INJECTION, …) read
   * exactly as `kuray render` reads them, with this operator's flags on top, so the operator creates
   * what `kuray render` prints for the same environment.
   */
  compileOptions: CompileOptions;
  kubeconfig?: string;
  watchNamespaces: string[];
  reconcileConcurrency: number;
  qps: number;
  burst: number;
  enableLeaderElection: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  /** Default hostname_uuid (client-go's convention). */
  leaderElectionIdentity?: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  metricsAddr: string;
  logLevel: LogLevel;
  /** Re-reconcile period of converged clusters (KubeRay: RAYCLUSTER_DEFAULT_REQUEUE_SECONDS_ENV). */
  resyncSeconds: number;
  podWriteParallelism: number;
  /** Pod Security Standards `restricted` defaults on every container the operator creates. */
  restrictedPodSecurity: boolean;
  /** Clusters asking for more pods are refused (validation error, nothing created). */
  maxPodsPerCluster: number;
  /** New RayClusters without auth get Ray token authentication (webhook, else first reconcile). */
  defaultTokenAuth: boolean;
  /** KubeRay's --feature-gates (A=true,B=false); unset gates keep KubeRay v1.7's defaults. */
  featureGates: FeatureGates;
  /** KubeRay's env ENABLE_GCS_FT_REDIS_CLEANUP: only "false" turns the Redis cleanup finalizer off. */
  gcsFtRedisCleanup: boolean;
  /** The admission webhook, when --webhook-bind-address is not "0". */
  webhook?: {
    address: string;
    namespace: string;
    certDir?: string;
    secret: string;
    service: string;
    configuration: string;
  };
}

export interface FlagSpec {
  flag: string;
  help: string;
  default: string;
}

export const FLAGS: readonly FlagSpec[] = [
  {
    flag: 'kubeconfig',
    help: 'kubeconfig path (default: $KUBECONFIG, ~/.kube/config, then in-cluster)',
    default: '',
  },
  { flag: 'watch-namespace', help: 'comma-separated namespaces to watch; empty = all', default: '' },
  { flag: 'reconcile-concurrency', help: 'concurrent RayCluster reconciles', default: '4' },
  {
    flag: 'qps',
    help: 'Kubernetes API requests per second, per resource kind (client-side limit, as KubeRay applies it)',
    default: '100',
  },
  { flag: 'burst', help: 'Kubernetes API burst above qps, per resource kind', default: '200' },
  {
    flag: 'enable-leader-election',
    help: 'elect a leader through a Lease so only one replica acts',
    default: 'false',
  },
  {
    flag: 'leader-election-namespace',
    help: 'namespace of the leader Lease (default: POD_NAMESPACE or default)',
    default: '',
  },
  { flag: 'leader-election-id', help: 'name of the leader Lease', default: 'ray-operator-leader' },
  {
    flag: 'leader-election-identity',
    help: "this replica's identity in the Lease (default: hostname_uuid)",
    default: '',
  },
  // 10/7/2 s rather than controller-runtime's 15/10/2: after a leader is killed (no release), a
  // follower takes over within lease + retry ≈ 12 s; with 15 s leases it measured 16–18 s.
  {
    flag: 'leader-election-lease-duration',
    help: 'seconds a follower waits before taking over an unrenewed Lease',
    default: '10',
  },
  {
    flag: 'leader-election-renew-deadline',
    help: 'seconds the leader keeps trying to renew before giving up',
    default: '7',
  },
  {
    flag: 'leader-election-retry-period',
    help: 'seconds between Lease acquire/renew attempts',
    default: '2',
  },
  {
    flag: 'metrics-addr',
    help: 'host:port serving /metrics, /healthz and /readyz; "0" disables',
    default: '127.0.0.1:8080',
  },
  { flag: 'log-level', help: 'debug, info, warn or error', default: 'info' },
  {
    flag: 'resync-seconds',
    help: 're-reconcile period of converged clusters (reads the cache only)',
    default: '300',
  },
  // 8 per reconcile (32 with the default 4 reconciles) keeps QPS 100 busy up to ~80 ms per write;
  // 32 per reconcile made a wall of creates the scheduler and kubelets then queued behind
  // (bench/README.md, issue 15: burst median 0.94 → 0.82 of KubeRay's time, scale-up 0.93 → 0.80).
  { flag: 'pod-write-parallelism', help: 'pod creates/deletes in flight per reconcile', default: '8' },
  {
    flag: 'restricted-pod-security',
    help: 'give generated containers the Pod Security Standards "restricted" settings the user left unset (runAsNonRoot, no privilege escalation, drop ALL, seccomp RuntimeDefault)',
    default: 'true',
  },
  {
    flag: 'max-pods-per-cluster',
    help: 'refuse RayClusters that ask for more pods (head + workers × numOfHosts)',
    default: String(DEFAULT_MAX_PODS_PER_CLUSTER),
  },
  {
    flag: 'default-token-auth',
    help: 'new RayClusters without authOptions or RAY_DASHBOARD_PASSWORD get Ray token authentication (Ray >= 2.52)',
    default: 'false',
  },
  {
    flag: 'feature-gates',
    help: `KubeRay's feature gates, A=true,B=false (${Object.keys(FEATURE_GATE_DEFAULTS).join(', ')})`,
    default: '',
  },
  {
    flag: 'webhook-bind-address',
    help: 'host:port of the admission webhook (validating and defaulting ray.io/v1); "0" disables',
    default: '0',
  },
  {
    flag: 'webhook-cert-dir',
    help: 'serve tls.crt/tls.key from this directory (e.g. cert-manager) instead of a certificate the operator manages',
    default: '',
  },
  {
    flag: 'webhook-secret',
    help: 'Secret (in the operator namespace) where the operator keeps the webhook CA and serving certificate',
    default: 'kuray-webhook-cert',
  },
  {
    flag: 'webhook-service',
    help: 'Service the API server reaches the webhook through (names in the certificate)',
    default: 'kuray-webhook',
  },
  {
    flag: 'webhook-configuration',
    help: 'Validating/MutatingWebhookConfiguration whose caBundle the operator keeps current',
    default: 'kuray-webhook',
  },
];

export function envName(flag: string): string {
  return 'KURAY_' + flag.toUpperCase().replaceAll('-', '_');
}

export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

function int(flag: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new OptionsError(
      `--${flag}: "${raw}" is not an integer >= ${min}; set e.g. --${flag}=${Math.max(min, 1)}`,
    );
  return n;
}

function bool(flag: string, raw: string): boolean {
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no', ''].includes(raw)) return false;
  throw new OptionsError(`--${flag}: "${raw}" is not a boolean; use true or false`);
}

/** Resolves each flag: explicit flag value, else its env var, else the default. */
export function resolveOptions(
  flags: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): OperatorOptions {
  const v = (flag: string): string => {
    const spec = FLAGS.find((f) => f.flag === flag);
    if (!spec) throw new Error(`unknown flag ${flag}`);
    return flags[flag] ?? env[envName(flag)] ?? spec.default;
  };
  const logLevel = v('log-level');
  if (!isLogLevel(logLevel))
    throw new OptionsError(`--log-level: "${logLevel}" is not a level; use debug, info, warn or error`);
  const metricsAddr = v('metrics-addr');
  if (metricsAddr !== '0' && !/^[^:]*:\d+$/.test(metricsAddr))
    throw new OptionsError(
      `--metrics-addr: "${metricsAddr}" is not host:port; use e.g. 127.0.0.1:8080 or :8080`,
    );
  const namespaces = v('watch-namespace')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const ns of namespaces) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns))
      throw new OptionsError(
        `--watch-namespace: "${ns}" is not a valid namespace name (lowercase DNS label)`,
      );
  }
  const kubeconfig = v('kubeconfig');
  const identity = v('leader-election-identity');
  const lease = int('leader-election-lease-duration', v('leader-election-lease-duration'), 1);
  const renew = int('leader-election-renew-deadline', v('leader-election-renew-deadline'), 1);
  const retry = int('leader-election-retry-period', v('leader-election-retry-period'), 1);
  // client-go's LeaderElectionConfig invariants: leaseDuration > renewDeadline > retryPeriod.
  if (!(lease > renew && renew > retry))
    throw new OptionsError(
      `leader election timings must satisfy lease-duration (${lease}) > renew-deadline (${renew}) > retry-period (${retry}); e.g. 15, 10, 2`,
    );
  const restrictedPodSecurity = bool('restricted-pod-security', v('restricted-pod-security'));
  const maxPodsPerCluster = int('max-pods-per-cluster', v('max-pods-per-cluster'), 1);
  return {
    compileOptions: { ...compileOptionsFromEnv(env), restrictedPodSecurity, maxPodsPerCluster },
    ...(identity ? { leaderElectionIdentity: identity } : {}),
    leaseDurationSeconds: lease,
    renewDeadlineSeconds: renew,
    retryPeriodSeconds: retry,
    ...(kubeconfig ? { kubeconfig } : {}),
    watchNamespaces: namespaces,
    reconcileConcurrency: int('reconcile-concurrency', v('reconcile-concurrency'), 1),
    qps: int('qps', v('qps'), 1),
    burst: int('burst', v('burst'), 1),
    enableLeaderElection: bool('enable-leader-election', v('enable-leader-election')),
    leaderElectionNamespace: v('leader-election-namespace') || env.POD_NAMESPACE || 'default',
    leaderElectionId: v('leader-election-id'),
    metricsAddr,
    logLevel,
    resyncSeconds: int('resync-seconds', v('resync-seconds'), 1),
    podWriteParallelism: int('pod-write-parallelism', v('pod-write-parallelism'), 1),
    restrictedPodSecurity,
    maxPodsPerCluster,
    defaultTokenAuth: bool('default-token-auth', v('default-token-auth')),
    featureGates: featureGates(v('feature-gates')),
    gcsFtRedisCleanup: env.ENABLE_GCS_FT_REDIS_CLEANUP?.toLowerCase() !== 'false',
    ...webhookOptions(v, env),
  };
}

function featureGates(raw: string): FeatureGates {
  try {
    return parseFeatureGates(raw);
  } catch (e) {
    throw new OptionsError(
      `--feature-gates: ${(e as Error).message} in "${raw}"; use Name=true,Other=false with gates from: ${Object.keys(FEATURE_GATE_DEFAULTS).join(', ')}`,
    );
  }
}

function webhookOptions(
  v: (flag: string) => string,
  env: Readonly<Record<string, string | undefined>>,
): Pick<OperatorOptions, 'webhook'> {
  const address = v('webhook-bind-address');
  if (address === '0') return {};
  if (!/^[^:]*:\d+$/.test(address))
    throw new OptionsError(
      `--webhook-bind-address: "${address}" is not host:port; use e.g. :9443 (or "0" to disable the webhook)`,
    );
  const certDir = v('webhook-cert-dir');
  return {
    webhook: {
      address,
      namespace: env.POD_NAMESPACE || 'default',
      ...(certDir ? { certDir } : {}),
      secret: v('webhook-secret'),
      service: v('webhook-service'),
      configuration: v('webhook-configuration'),
    },
  };
}
