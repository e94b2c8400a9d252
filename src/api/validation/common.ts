// Small shared helpers of the validators: reading the parts of a (possibly malformed) spec safely.
import type { Container, EnvVar, RayClusterSpec } from '../v1/index.ts';
import type { FeatureGates } from './features.ts';

/** Options of validate(). */
export interface ValidateOptions {
  /** The operator's feature gates (default: KubeRay v1.7.0's defaults). */
  featureGates?: FeatureGates;
  /** Other objects of the same file or request, for cross checks (Secrets, Services, NetworkPolicies). */
  objects?: readonly unknown[];
  /** The operator's bound on a cluster's pods (default DEFAULT_MAX_PODS_PER_CLUSTER). */
  maxPodsPerCluster?: number;
}

/** The Ray version Kuray runs and is tested with. */
export const OPERATOR_RAY_VERSION = '2.58.0';

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function envByName(env: readonly EnvVar[] | undefined, name: string): EnvVar | undefined {
  return env?.find((e) => e.name === name);
}

/**
 * Ray v2's autoscaler (allocate_status_timeout_s): seconds a worker pod may take to become a Ray
 * node before it is deleted. Kuray's native autoscaler reads it from autoscalerOptions.env too.
 */
export const LAUNCH_TIMEOUT_ENV = 'RAY_AUTOSCALER_RECONCILE_ALLOCATE_STATUS_TIMEOUT_S';

/** A whole number of seconds above 0 (blanks around it allowed), else undefined. */
export function positiveWholeSeconds(raw: string | undefined): number | undefined {
  const t = raw?.trim();
  const n = t !== undefined && /^\d+$/.test(t) ? Number(t) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export function envIsTrue(env: readonly EnvVar[] | undefined, name: string): boolean {
  const v = envByName(env, name)?.value;
  return v === '1' || v === 'true';
}

export function containersOf(template: { spec?: { containers?: Container[] } } | undefined): Container[] {
  const cs = template?.spec?.containers;
  return Array.isArray(cs) ? cs : [];
}

/** KubeRay's rule: the Ray container is containers[0]. */
export function rayContainer(
  template: { spec?: { containers?: Container[] } } | undefined,
): Container | undefined {
  return containersOf(template)[0];
}

export const isAutoscaling = (spec: RayClusterSpec): boolean => spec.enableInTreeAutoscaling === true;
export const isAutoscalingV2 = (spec: RayClusterSpec): boolean => spec.autoscalerOptions?.version === 'v2';

/** Parses a version like 2.58.0 or 2.9 (k8s version.ParseGeneric); undefined if it is not one. */
export function parseVersion(s: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(s.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function versionLess(a: [number, number, number], b: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** The Ray version of an image tag: rayproject/ray:2.9.0-py39-gpu → 2.9.0; undefined if not Ray's. */
export function rayVersionOfImage(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const m = /(?:^|\/)ray(?:-ml|-llm)?:(\d+\.\d+(?:\.\d+)?)(?:[-@].*)?$/.exec(image);
  return m?.[1];
}

/** Ray's default ports, as Kuray/KubeRay start them (rayStartParams may move them). */
export interface RayPorts {
  gcs: number;
  dashboard: number;
  client: number;
  metrics: number;
  agent: number;
  serve: number;
}

export function rayPorts(params: Record<string, string> | undefined): RayPorts {
  const p = (k: string, d: number): number => {
    const v = params?.[k];
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : d;
  };
  return {
    gcs: p('port', 6379),
    dashboard: p('dashboard-port', 8265),
    client: p('ray-client-server-port', 10001),
    metrics: p('metrics-export-port', 8080),
    agent: p('dashboard-agent-listen-port', 52365),
    serve: 8000,
  };
}
