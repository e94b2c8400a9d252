// What a RayCluster spec asks for in Ray authentication, read the same way by validation (warnings,
// the CVE-2023-48022 exposure check) and the compiler (the env it writes).
import type { EnvVar, RayClusterSpec } from './v1/index.ts';
import { parseVersion, rayContainer, rayVersionOfImage, versionLess } from './validation/common.ts';

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

/** Token auth needs Ray 2.52 (RAY_AUTH_MODE); older Ray ignores it and runs open. */
export const TOKEN_AUTH_MIN_RAY: [number, number, number] = [2, 52, 0];

/** The Ray version the head runs: rayVersion, else the head image's tag. */
export function headRayVersion(spec: RayClusterSpec): string | undefined {
  return spec.rayVersion ?? rayVersionOfImage(rayContainer(spec.headGroupSpec.template)?.image);
}

/**
 * What the operator's --default-token-auth adds to a new RayCluster that asks for no auth at all:
 * `authOptions: {mode: token}` (the operator then creates the token Secret, as for an explicit
 * authOptions), and rayVersion from the head image when unset (token mode requires it). Undefined
 * when the cluster already decided (authOptions, RAY_DASHBOARD_PASSWORD) or its Ray is unknown or
 * older than 2.52 — turning auth on there would leave it open or broken.
 */
export function tokenAuthDefault(
  spec: RayClusterSpec,
): { authOptions: { mode: 'token' }; rayVersion: string } | undefined {
  if (spec.authOptions != null || dashboardPasswordEnv(spec)) return undefined;
  const version = headRayVersion(spec);
  const v = version ? parseVersion(version) : undefined;
  if (!version || !v || versionLess(v, TOKEN_AUTH_MIN_RAY)) return undefined;
  return { authOptions: { mode: 'token' }, rayVersion: version };
}
