// What a RayCluster spec asks for in Ray authentication, read the same way by validation (warnings,
// the CVE-2023-48022 exposure check) and the compiler (the env it writes).
import type { EnvVar, RayClusterSpec } from './v1/index.ts';

/** The production guide's variable: Kuray makes its value the cluster's Ray token. */
export const DASHBOARD_PASSWORD_ENV = 'RAY_DASHBOARD_PASSWORD';

/** RAY_DASHBOARD_PASSWORD on the head's Ray container, if set to something. */
export function dashboardPasswordEnv(spec: RayClusterSpec): EnvVar | undefined {
  const containers = spec.headGroupSpec.template.spec?.containers;
  const env = Array.isArray(containers) ? containers[0]?.env : undefined;
  const e = Array.isArray(env) ? env.find((v) => v.name === DASHBOARD_PASSWORD_ENV) : undefined;
  return e && ((e.value ?? '') !== '' || e.valueFrom != null) ? e : undefined;
}

/**
 * Whether Ray's token authentication is on: authOptions (KubeRay's field) decides when present —
 * `mode: disabled` is an explicit opt-out — otherwise the guide's RAY_DASHBOARD_PASSWORD turns it on.
 */
export function authRequested(spec: RayClusterSpec): boolean {
  const a = spec.authOptions;
  if (a != null) return (a.mode ?? 'token') === 'token';
  return dashboardPasswordEnv(spec) !== undefined;
}
