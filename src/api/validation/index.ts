// validate(obj): errors and warnings for one Kubernetes object, dispatching on apiVersion/kind.
//
// For the ray.io/v1 kinds it does what the apiserver and the operator would do, in that order: apply
// the CRD defaults, check the object against the CRD's structural schema (types, enums, bounds, unknown
// fields), then the semantic rules of KubeRay v1.7.0 (validation.go and its webhooks) and Kuray's own,
// then warnings for specs that are accepted but will not work. Other kinds get only the cross checks
// that concern Ray (a Service or NetworkPolicy selecting Ray pods); unknown kinds pass with a note.
//
// Pure: no I/O, so `kuray validate`, the admission webhook and the controllers share it.
import type { TSchema } from 'typebox';
import { toStructural } from '../crd.ts';
import {
  applyRayClusterDefaults,
  applyRayCronJobDefaults,
  applyRayJobDefaults,
  applyRayServiceDefaults,
} from '../defaults.ts';
import {
  API_VERSION,
  GROUP,
  KINDS,
  MANAGED_BY_VALUES,
  RayCluster,
  RayCronJob,
  RayJob,
  RayService,
  type RayKind,
} from '../v1/index.ts';
import { DEFAULT_MAX_PODS_PER_CLUSTER } from '../replicas.ts';
import { isObj, type ValidateOptions } from './common.ts';
import { at, Report, type ValidationResult } from './issue.ts';
import { warnIngressExposure, warnServiceExposure } from './exposure.ts';
import { checkObjectMeta } from './meta.ts';
import { checkNetworkPolicyObject, checkServiceObject } from './networking.ts';
import { checkRayClusterName, checkRayClusterSpec, type ClusterContext } from './raycluster.ts';
import { warnRayClusterSpec } from './raycluster-warnings.ts';
import { checkRayCronJobSpec, MAX_RAYCRONJOB_NAME } from './raycronjob.ts';
import { checkDerivedName, checkRayJobSpec, MAX_RAYJOB_NAME } from './rayjob.ts';
import { checkRayServiceAnnotations, checkRayServiceSpec, MAX_RAYSERVICE_NAME } from './rayservice.ts';
import { noteMissingRefs } from './refs.ts';
import { checkStructural } from './structural.ts';

export type { Issue, ValidationResult } from './issue.ts';
export type { ValidateOptions } from './common.ts';
export { parseFeatureGates, FEATURE_GATE_DEFAULTS, type FeatureGate, type FeatureGates } from './features.ts';

type Json = Record<string, unknown>;

const SCHEMAS: Record<RayKind, TSchema> = { RayCluster, RayJob, RayService, RayCronJob };
const structuralCache = new Map<RayKind, Json>();
function structural(kind: RayKind): Json {
  let s = structuralCache.get(kind);
  if (!s) {
    s = toStructural(SCHEMAS[kind]) as Json;
    structuralCache.set(kind, s);
  }
  return s;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function defaultsFor(kind: RayKind, obj: Json): Json {
  // Defaulting walks only objects it understands; a malformed spec is left as it is for the schema
  // check to report.
  try {
    switch (kind) {
      case 'RayCluster':
        return applyRayClusterDefaults(obj as unknown as RayCluster);
      case 'RayJob':
        return applyRayJobDefaults(obj as unknown as RayJob);
      case 'RayService':
        return applyRayServiceDefaults(obj as unknown as RayService);
      case 'RayCronJob':
        return applyRayCronJobDefaults(obj as unknown as RayCronJob);
    }
  } catch {
    return obj;
  }
}

function validateRay(kind: RayKind, raw: Json, opts: ValidateOptions, r: Report): void {
  const obj = defaultsFor(kind, raw);
  const { status: _status, ...rest } = obj;
  checkStructural(structural(kind), rest, '', r);
  checkObjectMeta(obj.metadata, r);
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  const ctx: ClusterContext = {
    annotations: stringMap(meta.annotations),
    labels: stringMap(meta.labels),
    featureGates: opts.featureGates,
    clusterName: name,
    maxPodsPerCluster: opts.maxPodsPerCluster ?? DEFAULT_MAX_PODS_PER_CLUSTER,
  };
  if (!isObj(obj.spec)) return; // reported by the schema check (spec is required)
  const before = r.errors.length;
  try {
    switch (kind) {
      case 'RayCluster': {
        checkRayClusterName(meta.name, r);
        const spec = (obj as unknown as RayCluster).spec;
        checkRayClusterSpec('spec', spec, ctx, r);
        warnRayClusterSpec('spec', spec, name, r);
        break;
      }
      case 'RayJob':
        checkDerivedName(
          'RayJob',
          meta.name,
          MAX_RAYJOB_NAME,
          'the RayCluster it creates is named <rayjob>-<5 random characters> and must fit in 53',
          r,
        );
        checkRayJobSpec('spec', (obj as unknown as RayJob).spec, ctx, r);
        break;
      case 'RayService':
        checkDerivedName(
          'RayService',
          meta.name,
          MAX_RAYSERVICE_NAME,
          'its RayClusters are named <rayservice>-<5 random characters> and must fit in 53',
          r,
        );
        checkRayServiceAnnotations(ctx.annotations, r);
        checkRayServiceSpec('spec', (obj as unknown as RayService).spec, ctx, r);
        break;
      case 'RayCronJob':
        checkDerivedName(
          'RayCronJob',
          meta.name,
          MAX_RAYCRONJOB_NAME,
          'the RayJobs it creates are named <raycronjob>-<unix minutes> and must fit in 47',
          r,
        );
        checkRayCronJobSpec('spec', (obj as unknown as RayCronJob).spec, ctx, r);
        break;
    }
  } catch (e) {
    // A spec malformed enough to break a semantic rule already has schema errors that explain it.
    if (r.errors.length === 0 && before === 0) throw e;
  }
  const managedBy = obj.spec.managedBy;
  if (managedBy !== undefined && !(MANAGED_BY_VALUES as readonly unknown[]).includes(managedBy)) {
    // The CRD's CEL rule says the same; the structural walker does not evaluate CEL.
    r.error(
      'spec.managedBy',
      `managedBy ${JSON.stringify(managedBy)} is not allowed`,
      `use ${MANAGED_BY_VALUES.map((v) => `'${v}'`).join(' or ')}, or remove it (the operator then manages the object)`,
    );
  }
  checkStatus(kind, obj, r);
  noteMissingRefs(raw, opts.objects ?? [], r);
}

/** KubeRay's ValidateRayClusterStatus / ValidateRayJobStatus: states the operator must never write. */
function checkStatus(kind: RayKind, obj: Json, r: Report): void {
  const status = obj.status;
  if (!isObj(status)) return;
  if (kind === 'RayCluster' && Array.isArray(status.conditions)) {
    const isTrue = (type: string) =>
      status.conditions instanceof Array &&
      status.conditions.some((c) => isObj(c) && c.type === type && c.status === 'True');
    if (isTrue('RayClusterSuspending') && isTrue('RayClusterSuspended')) {
      r.error(
        'status.conditions',
        'RayClusterSuspending and RayClusterSuspended are both true',
        'a status written by a broken controller: clear the status subresource',
      );
    }
  }
  if (kind === 'RayJob' && status.jobDeploymentStatus === 'Waiting') {
    const mode = isObj(obj.spec) ? obj.spec.submissionMode : undefined;
    if (mode !== 'InteractiveMode') {
      r.error(
        'status.jobDeploymentStatus',
        'jobDeploymentStatus is Waiting but submissionMode is not InteractiveMode',
        'only InteractiveMode waits for a user-submitted job',
      );
    }
  }
}

/** Ports declared by the Ray containers of the RayClusters among `objects`, for Service checks. */
function clusterPorts(objects: readonly unknown[]): { names: Set<string>; numbers: Set<number> } {
  const names = new Set<string>();
  const numbers = new Set<number>();
  for (const o of objects) {
    if (!isObj(o) || o.kind !== 'RayCluster' || !isObj(o.spec) || tooDeep(o, MAX_DEPTH)) continue;
    const text = JSON.stringify(o.spec);
    for (const m of text.matchAll(/"containerPort":(\d+)(?:,"name":"([^"]+)")?/g)) {
      numbers.add(Number(m[1]));
      if (m[2]) names.add(m[2]);
    }
    for (const m of text.matchAll(/"name":"([^"]+)","containerPort":(\d+)/g)) {
      names.add(m[1]!);
      numbers.add(Number(m[2]));
    }
  }
  return { names, numbers };
}

/** No Kubernetes object nests this deep; the walkers below recurse, so deeper input is refused first. */
export const MAX_DEPTH = 64;

/** The path of the first value nested deeper than `limit`, found without recursion; undefined if none. */
export function tooDeep(root: unknown, limit: number): string | undefined {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: root, path: '', depth: 0 }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const { v, path, depth } = top;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limit) return path;
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, path: at(path, i), depth: depth + 1 }));
    else for (const [k, x] of Object.entries(v)) stack.push({ v: x, path: at(path, k), depth: depth + 1 });
  }
  return undefined;
}

/**
 * Validates one object. `opts.objects` are the other objects of the same file (for cross checks);
 * `opts.featureGates` the operator's gates (KubeRay's defaults if omitted).
 */
export function validate(obj: unknown, opts: ValidateOptions = {}): ValidationResult {
  const r = new Report();
  if (!isObj(obj)) {
    r.error(
      '',
      'not a Kubernetes object (expected a mapping with apiVersion, kind, metadata)',
      'check the YAML document',
    );
    return r.result();
  }
  const deep = tooDeep(obj, MAX_DEPTH);
  if (deep !== undefined) {
    r.error(
      deep,
      `the object is nested more than ${MAX_DEPTH} levels deep here`,
      'no Kubernetes object is this deep: check the YAML for runaway nesting or aliases',
    );
    return r.result();
  }
  const apiVersion = obj.apiVersion;
  const kind = obj.kind;
  if (typeof apiVersion !== 'string' || apiVersion === '')
    r.error('apiVersion', 'apiVersion is missing', `set apiVersion, e.g. ${API_VERSION}`);
  if (typeof kind !== 'string' || kind === '')
    r.error('kind', 'kind is missing', 'set kind, e.g. RayCluster');
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return r.result();
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  if (group === GROUP) {
    if (!Object.hasOwn(KINDS, kind)) {
      r.error('kind', `unknown kind ${kind} in ${GROUP}`, `use one of ${Object.keys(KINDS).join(', ')}`);
    } else if (apiVersion !== API_VERSION) {
      r.error(
        'apiVersion',
        `${apiVersion} is not served; Kuray serves ${API_VERSION}`,
        `change apiVersion to ${API_VERSION} (the fields are the same)`,
      );
    } else {
      validateRay(kind as RayKind, obj, opts, r);
    }
    return r.result();
  }
  checkObjectMeta(obj.metadata, r);
  const others = opts.objects ?? [];
  if (apiVersion === 'networking.k8s.io/v1' && kind === 'NetworkPolicy') checkNetworkPolicyObject(obj, r);
  else if (apiVersion === 'v1' && kind === 'Service') {
    checkServiceObject(obj, clusterPorts(others), r);
    warnServiceExposure(obj, others, r);
  } else if (apiVersion === 'networking.k8s.io/v1' && kind === 'Ingress') warnIngressExposure(obj, others, r);
  else if (!(apiVersion === 'v1' && (kind === 'Secret' || kind === 'ConfigMap'))) {
    r.info(
      '',
      `${apiVersion} ${kind} is not checked by Kuray`,
      'nothing to do; kubectl apply --dry-run=server checks it against the cluster',
    );
  }
  return r.result();
}

/** Validates every object of a file, each with the others as context. */
export function validateAll(
  objects: readonly unknown[],
  opts: Omit<ValidateOptions, 'objects'> = {},
): ValidationResult[] {
  return objects.map((o) => validate(o, { ...opts, objects }));
}
