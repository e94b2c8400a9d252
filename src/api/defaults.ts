// Defaulting, as a RayCluster looks after the apiserver and KubeRay have filled it in: the CRD's
// `default`s (applied by the apiserver on every write: replicas 0, minReplicas 0, maxReplicas
// 2147483647, numOfHosts 1, priority 0, networkPolicy.mode DenyAll, and the core types' own defaults
// such as container port protocol TCP), then KubeRay's setDefaults (empty rayStartParams maps).
//
// KubeRay has no mutating webhook and does not default autoscalerOptions (upscalingMode, idleTimeout
// are defaulted by the Ray autoscaler itself), so neither does this. Pure: returns a new object.
import type { TSchema } from 'typebox';
import { RayCluster, RayCronJob, RayJob, RayService, type RayClusterSpec } from './v1/index.ts';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Structural defaulting as kube-apiserver does it: a missing property with a `default` gets a copy of
 * it; objects are defaulted only where they exist, array items and map values each in turn. Returns a
 * new value; the input is not modified.
 */
export function applySchemaDefaults(schema: unknown, value: unknown): unknown {
  if (!isObj(schema)) return value;
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    return isObj(schema.items) ? items.map((v) => applySchemaDefaults(schema.items, v)) : [...items];
  }
  if (!isObj(value)) return value;
  const out: Json = { ...value };
  const props = schema.properties;
  if (isObj(props)) {
    for (const [name, prop] of Object.entries(props)) {
      if (!isObj(prop)) continue;
      if (out[name] === undefined && prop.default !== undefined) out[name] = structuredClone(prop.default);
      if (out[name] !== undefined) out[name] = applySchemaDefaults(prop, out[name]);
    }
  } else if (isObj(schema.additionalProperties)) {
    for (const [k, v] of Object.entries(out)) out[k] = applySchemaDefaults(schema.additionalProperties, v);
  }
  return out;
}

function withRayStartParams(spec: RayClusterSpec): RayClusterSpec {
  return {
    ...spec,
    headGroupSpec: { ...spec.headGroupSpec, rayStartParams: spec.headGroupSpec.rayStartParams ?? {} },
    ...(spec.workerGroupSpecs
      ? {
          workerGroupSpecs: spec.workerGroupSpecs.map((g) => ({
            ...g,
            rayStartParams: g.rayStartParams ?? {},
          })),
        }
      : {}),
  };
}

function defaulted<T>(schema: TSchema, obj: T): T {
  return applySchemaDefaults(schema, obj) as T;
}

export function applyRayClusterDefaults(rc: RayCluster): RayCluster {
  const d = defaulted(RayCluster, rc);
  return { ...d, spec: withRayStartParams(d.spec) };
}

export function applyRayJobDefaults(job: RayJob): RayJob {
  const d = defaulted(RayJob, job);
  const rcs = d.spec.rayClusterSpec;
  return rcs ? { ...d, spec: { ...d.spec, rayClusterSpec: withRayStartParams(rcs) } } : d;
}

export function applyRayServiceDefaults(svc: RayService): RayService {
  const d = defaulted(RayService, svc);
  return { ...d, spec: { ...d.spec, rayClusterConfig: withRayStartParams(d.spec.rayClusterConfig) } };
}

export function applyRayCronJobDefaults(cron: RayCronJob): RayCronJob {
  const d = defaulted(RayCronJob, cron);
  const rcs = d.spec.jobTemplate.rayClusterSpec;
  return rcs
    ? {
        ...d,
        spec: { ...d.spec, jobTemplate: { ...d.spec.jobTemplate, rayClusterSpec: withRayStartParams(rcs) } },
      }
    : d;
}
