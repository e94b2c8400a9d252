// Warnings about who can reach a cluster's code-execution endpoints. Anyone who reaches Ray's
// dashboard (its Jobs API), the Ray client port or GCS runs code on the cluster; without token auth
// nothing stops them (CVE-2023-48022, "ShadowRay": exploited in the wild, still Ray's default). And the
// guide's RAY_DASHBOARD_PASSWORD, which Kuray turns into Ray token auth, has its own pitfalls.
import {
  authRequested,
  DASHBOARD_PASSWORD_ENV,
  dashboardPasswordEnv,
  headRayVersion,
  TOKEN_AUTH_MIN_RAY,
} from '../auth.ts';
import type { RayClusterSpec } from '../v1/index.ts';
import { isObj, parseVersion, rayContainer, versionLess } from './common.ts';
import { at, type Report } from './issue.ts';

export const CVE_SHADOWRAY = 'CVE-2023-48022';

const OUTSIDE = new Set(['LoadBalancer', 'NodePort']);

/** How the head is reachable from beyond the cluster, if it is: a field path and what it does. */
export function exposedHead(p: string, spec: RayClusterSpec): { path: string; how: string } | undefined {
  const head = spec.headGroupSpec;
  const svcType = (head.headService?.spec as { type?: unknown } | undefined)?.type;
  if (typeof head.serviceType === 'string' && OUTSIDE.has(head.serviceType))
    return {
      path: at(at(p, 'headGroupSpec'), 'serviceType'),
      how: `the head Service is of type ${head.serviceType}`,
    };
  if (typeof svcType === 'string' && OUTSIDE.has(svcType))
    return {
      path: `${p}.headGroupSpec.headService.spec.type`,
      how: `the head Service is of type ${svcType}`,
    };
  if (head.enableIngress === true)
    return { path: at(at(p, 'headGroupSpec'), 'enableIngress'), how: 'an Ingress routes to the dashboard' };
  return undefined;
}

/** The message and fix for an exposed head without auth (also the operator's Event). */
export function exposureWarning(how: string): { message: string; hint: string } {
  return {
    message: `${how} without Ray token authentication (${CVE_SHADOWRAY}, "ShadowRay"): anyone who reaches the dashboard and Jobs API (8265) or the client port (10001) from outside the cluster runs code on it`,
    hint: 'turn on Ray token authentication (spec.authOptions: {mode: token}, Ray >= 2.52, or a RAY_DASHBOARD_PASSWORD from a Secret), or keep the head Service internal and use kubectl port-forward or an authenticating proxy',
  };
}

export function warnAuthAndExposure(p: string, spec: RayClusterSpec, r: Report): void {
  const exposed = exposedHead(p, spec);
  if (exposed && !authRequested(spec)) {
    const w = exposureWarning(exposed.how);
    r.warn(exposed.path, w.message, w.hint);
  }
  const pw = dashboardPasswordEnv(spec);
  const envPath = `${p}.headGroupSpec.template.spec.containers[0].env`;
  (spec.workerGroupSpecs ?? []).forEach((g, i) => {
    if ((rayContainer(g.template)?.env ?? []).some((e) => e.name === DASHBOARD_PASSWORD_ENV))
      r.warn(
        `${p}.workerGroupSpecs[${i}].template.spec.containers[0].env`,
        `${DASHBOARD_PASSWORD_ENV} is read from the head's Ray container only; on a worker it does nothing`,
        'set it on the head (every node then gets the token), and remove it here',
      );
  });
  if (!pw) return;
  const a = spec.authOptions;
  if (a != null && (a.mode ?? 'token') !== 'token') {
    r.warn(
      envPath,
      `${DASHBOARD_PASSWORD_ENV} is ignored: authOptions.mode is ${JSON.stringify(a.mode)}, so the dashboard and Jobs API stay open`,
      `remove authOptions to protect the cluster with ${DASHBOARD_PASSWORD_ENV}, or remove the variable`,
    );
    return;
  }
  if (a != null) {
    r.warn(
      envPath,
      `${DASHBOARD_PASSWORD_ENV} is not the cluster's token: authOptions is set, so Ray's token comes from ${a.enableK8sTokenAuth === true ? 'Kubernetes service-account tokens' : `the Secret ${a.secretName ?? '<cluster name>'} (key auth_token)`}`,
      `remove ${DASHBOARD_PASSWORD_ENV}, or remove authOptions to use it as the token`,
    );
    return;
  }
  if (pw.value !== undefined && pw.valueFrom == null) {
    r.warn(
      envPath,
      `${DASHBOARD_PASSWORD_ENV} is written in the manifest: anyone who can read the RayCluster (or its pods) has the cluster's token`,
      'keep it in a Secret: valueFrom: {secretKeyRef: {name: ray-dashboard-secret, key: password}}',
    );
  }
  const version = headRayVersion(spec);
  const v = version ? parseVersion(version) : undefined;
  if (v && versionLess(v, TOKEN_AUTH_MIN_RAY)) {
    r.warn(
      envPath,
      `Kuray turns ${DASHBOARD_PASSWORD_ENV} into Ray token authentication, which needs Ray 2.52 or later; Ray ${version} ignores it and the dashboard and Jobs API stay open`,
      'use a Ray 2.52+ image (e.g. rayproject/ray:2.58.0) and set rayVersion to match',
    );
  }
}

/** Ray's ports that run code for whoever reaches them (by number and by the names KubeRay gives them). */
const CODE_PORTS = new Set<unknown>([8265, 10001, 6379, 52365, 'dashboard', 'client', 'gcs-server']);

function rayClustersAuthed(objects: readonly unknown[]): boolean {
  const clusters = objects.filter(
    (o): o is { kind: string; spec: RayClusterSpec } =>
      isObj(o) && o.kind === 'RayCluster' && isObj(o.spec) && isObj(o.spec.headGroupSpec),
  );
  // Without the cluster in the same file, nothing says it has auth.
  return clusters.length > 0 && clusters.every((c) => authRequested(c.spec));
}

/** A Service of type LoadBalancer/NodePort in front of a Ray head's code-execution ports. */
export function warnServiceExposure(
  obj: Record<string, unknown>,
  objects: readonly unknown[],
  r: Report,
): void {
  const spec = isObj(obj.spec) ? obj.spec : {};
  const type = spec.type;
  if (typeof type !== 'string' || !OUTSIDE.has(type)) return;
  const sel = isObj(spec.selector) ? spec.selector : {};
  if (sel.app !== 'ray-head' && sel['ray.io/node-type'] !== 'head') return;
  if (rayClustersAuthed(objects)) return;
  (Array.isArray(spec.ports) ? spec.ports : []).forEach((port, i) => {
    if (!isObj(port) || !CODE_PORTS.has(port.targetPort ?? port.port)) return;
    const w = exposureWarning(
      `this ${type} Service exposes the Ray head's port ${String(port.targetPort ?? port.port)}`,
    );
    r.warn(at(at('spec.ports', i), 'targetPort'), w.message, w.hint);
  });
}

/** An Ingress routing to a Ray head Service's dashboard or client port. */
export function warnIngressExposure(
  obj: Record<string, unknown>,
  objects: readonly unknown[],
  r: Report,
): void {
  const spec = isObj(obj.spec) ? obj.spec : {};
  if (rayClustersAuthed(objects)) return;
  const backends: { path: string; svc: unknown }[] = [];
  if (isObj(spec.defaultBackend))
    backends.push({ path: 'spec.defaultBackend', svc: spec.defaultBackend.service });
  (Array.isArray(spec.rules) ? spec.rules : []).forEach((rule, i) => {
    const paths = isObj(rule) && isObj(rule.http) && Array.isArray(rule.http.paths) ? rule.http.paths : [];
    paths.forEach((p, j) => {
      if (isObj(p) && isObj(p.backend))
        backends.push({ path: `spec.rules[${i}].http.paths[${j}].backend`, svc: p.backend.service });
    });
  });
  for (const b of backends) {
    if (!isObj(b.svc) || typeof b.svc.name !== 'string' || !b.svc.name.endsWith('-head-svc')) continue;
    const port = isObj(b.svc.port) ? (b.svc.port.number ?? b.svc.port.name) : undefined;
    if (!CODE_PORTS.has(port)) continue;
    const w = exposureWarning(`this Ingress routes to ${b.svc.name} port ${String(port)}`);
    r.warn(`${b.path}.service`, w.message, w.hint);
  }
}
