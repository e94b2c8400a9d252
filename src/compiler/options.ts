// Operator-wide switches that change what the compiler writes. KubeRay reads them from its own
// environment at every call; the compiler is pure, so they are explicit options, and
// `compileOptionsFromEnv` gives the KubeRay semantics for the operator and the CLI.
import { DEFAULT_CLUSTER_DOMAIN } from './constants.ts';
import { DEFAULT_MAX_PODS_PER_CLUSTER } from '../api/replicas.ts';

export interface CompileOptions {
  /** ENABLE_PROBES_INJECTION (default true): inject liveness/readiness probes the user left unset. */
  readonly enableProbesInjection: boolean;
  /** ENABLE_INIT_CONTAINER_INJECTION (default true): the workers' wait-gcs-ready init container. */
  readonly enableInitContainerInjection: boolean;
  /** ENABLE_LOGIN_SHELL: `/bin/bash -cl --` instead of `-c`. */
  readonly loginShell: boolean;
  /** ENABLE_RAY_HEAD_CLUSTER_IP_SERVICE: a ClusterIP head Service instead of a headless one. */
  readonly headClusterIPService: boolean;
  /** CLUSTER_DOMAIN (default cluster.local), used in the head Service FQDN. */
  readonly clusterDomain: string;
  /**
   * Kuray: Pod Security Standards `restricted` defaults on every container the operator creates,
   * where the user set nothing (./securityContext.ts). KURAY_RESTRICTED_POD_SECURITY=false turns it off.
   */
  readonly restrictedPodSecurity: boolean;
  /** Kuray: a cluster asking for more pods is refused (KURAY_MAX_PODS_PER_CLUSTER). */
  readonly maxPodsPerCluster: number;
  /** Kuray: NetworkPolicies allow DNS egress (./networkPolicy.ts); KURAY_NETWORK_POLICY_DNS=false leaves it out. */
  readonly networkPolicyDNS: boolean;
  /**
   * The namespace the operator runs in (POD_NAMESPACE, set by the chart): NetworkPolicies let the
   * operator's pods reach the ports it calls. Unset (operator outside the cluster): no such rule.
   */
  readonly operatorNamespace?: string;
}

export const defaultCompileOptions: CompileOptions = {
  enableProbesInjection: true,
  enableInitContainerInjection: true,
  loginShell: false,
  headClusterIPService: false,
  clusterDomain: DEFAULT_CLUSTER_DOMAIN,
  restrictedPodSecurity: true,
  maxPodsPerCluster: DEFAULT_MAX_PODS_PER_CLUSTER,
  networkPolicyDNS: true,
};

/**
 * KubeRay's environment semantics: only an explicit "false" disables, only "true" enables. The KURAY_
 * variables are the operator's flags (src/operator/options.ts), so `kuray render` reads the same ones.
 */
export function compileOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): CompileOptions {
  const isFalse = (k: string) => env[k]?.toLowerCase() === 'false';
  const isTrue = (k: string) => env[k]?.toLowerCase() === 'true';
  return {
    enableProbesInjection: !isFalse('ENABLE_PROBES_INJECTION'),
    enableInitContainerInjection: !isFalse('ENABLE_INIT_CONTAINER_INJECTION'),
    loginShell: isTrue('ENABLE_LOGIN_SHELL'),
    headClusterIPService: isTrue('ENABLE_RAY_HEAD_CLUSTER_IP_SERVICE'),
    clusterDomain: env.CLUSTER_DOMAIN || DEFAULT_CLUSTER_DOMAIN,
    restrictedPodSecurity: !isFalse('KURAY_RESTRICTED_POD_SECURITY'),
    maxPodsPerCluster: positiveInt(env.KURAY_MAX_PODS_PER_CLUSTER) ?? DEFAULT_MAX_PODS_PER_CLUSTER,
    networkPolicyDNS: !isFalse('KURAY_NETWORK_POLICY_DNS'),
    ...(env.POD_NAMESPACE ? { operatorNamespace: env.POD_NAMESPACE } : {}),
  };
}

function positiveInt(v: string | undefined): number | undefined {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isInteger(n) && n > 0 ? n : undefined;
}
