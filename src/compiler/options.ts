// Operator-wide switches that change what the compiler writes. KubeRay reads them from its own
// environment at every call; the compiler is pure, so they are explicit options, and
// `compileOptionsFromEnv` gives the KubeRay semantics for the operator and the CLI.
import { DEFAULT_CLUSTER_DOMAIN } from './constants.ts';

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
}

export const defaultCompileOptions: CompileOptions = {
  enableProbesInjection: true,
  enableInitContainerInjection: true,
  loginShell: false,
  headClusterIPService: false,
  clusterDomain: DEFAULT_CLUSTER_DOMAIN,
};

/** KubeRay's environment semantics: only an explicit "false" disables, only "true" enables. */
export function compileOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): CompileOptions {
  const isFalse = (k: string) => env[k]?.toLowerCase() === 'false';
  const isTrue = (k: string) => env[k]?.toLowerCase() === 'true';
  return {
    enableProbesInjection: !isFalse('ENABLE_PROBES_INJECTION'),
    enableInitContainerInjection: !isFalse('ENABLE_INIT_CONTAINER_INJECTION'),
    loginShell: isTrue('ENABLE_LOGIN_SHELL'),
    headClusterIPService: isTrue('ENABLE_RAY_HEAD_CLUSTER_IP_SERVICE'),
    clusterDomain: env.CLUSTER_DOMAIN || DEFAULT_CLUSTER_DOMAIN,
  };
}
