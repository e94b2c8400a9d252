// CustomResourceDefinitions for ray.io/v1, built from the TypeBox schemas (the one source of truth).
// scripts/gen-crds.ts writes them to config/crd/; crd.test.ts rebuilds them in memory and fails when the
// committed files drift, and lints them as structural schemas.
//
// Names, categories, printer columns and subresources follow KubeRay v1.7.0's CRDs so that `kubectl get
// rayclusters` looks the same: no shortNames and no scale subresource (KubeRay has neither), a status
// subresource on every kind.
import type { TSchema } from 'typebox';
import { toYaml } from '../util/yaml.ts';
import { isCoreNode } from './k8s/index.ts';
import {
  GROUP,
  KINDS,
  RayCluster,
  RayCronJob,
  RayJob,
  RayService,
  VERSION,
  type RayKind,
} from './v1/index.ts';

export interface PrinterColumn {
  name: string;
  type: 'integer' | 'number' | 'string' | 'boolean' | 'date';
  jsonPath: string;
  priority?: number;
  description?: string;
}

const AGE: PrinterColumn = { name: 'age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** KubeRay's printer columns, in KubeRay's order; priority 1 columns show with `-o wide`. */
export const PRINTER_COLUMNS: Record<RayKind, PrinterColumn[]> = {
  RayCluster: [
    { name: 'desired workers', type: 'integer', jsonPath: '.status.desiredWorkerReplicas' },
    { name: 'available workers', type: 'integer', jsonPath: '.status.availableWorkerReplicas' },
    { name: 'cpus', type: 'string', jsonPath: '.status.desiredCPU' },
    { name: 'memory', type: 'string', jsonPath: '.status.desiredMemory' },
    { name: 'gpus', type: 'string', jsonPath: '.status.desiredGPU' },
    { name: 'tpus', type: 'string', jsonPath: '.status.desiredTPU', priority: 1 },
    { name: 'status', type: 'string', jsonPath: '.status.state' },
    AGE,
    { name: 'head pod IP', type: 'string', jsonPath: '.status.head.podIP', priority: 1 },
    { name: 'head service IP', type: 'string', jsonPath: '.status.head.serviceIP', priority: 1 },
  ],
  RayJob: [
    { name: 'job status', type: 'string', jsonPath: '.status.jobStatus' },
    { name: 'deployment status', type: 'string', jsonPath: '.status.jobDeploymentStatus' },
    { name: 'ray cluster name', type: 'string', jsonPath: '.status.rayClusterName' },
    { name: 'start time', type: 'string', jsonPath: '.status.startTime' },
    { name: 'end time', type: 'string', jsonPath: '.status.endTime' },
    AGE,
  ],
  RayService: [
    { name: 'service status', type: 'string', jsonPath: '.status.serviceStatus' },
    { name: 'num serve endpoints', type: 'string', jsonPath: '.status.numServeEndpoints' },
  ],
  RayCronJob: [
    { name: 'schedule', type: 'string', jsonPath: '.spec.schedule' },
    { name: 'timezone', type: 'string', jsonPath: '.spec.timeZone' },
    { name: 'last schedule', type: 'date', jsonPath: '.status.lastScheduleTime' },
    AGE,
    { name: 'suspend', type: 'boolean', jsonPath: '.spec.suspend' },
  ],
};

export const KIND_SCHEMAS: Record<RayKind, TSchema> = { RayCluster, RayJob, RayService, RayCronJob };

type Json = Record<string, unknown>;

/**
 * Kinds whose CRD carries the core types' descriptions cut to their first sentence. A CRD is stored as
 * one etcd value (limit 1.5 MiB) and published in the apiserver's OpenAPI. RayJob and RayCronJob embed
 * three pod templates, RayService two plus two Services: with Kubernetes' full texts RayJob is about
 * 1.15 MB of JSON, three quarters of the limit, with little room for PodSpec's growth in later
 * Kubernetes releases; cut, it is about 0.59 MB (measured on the rig, crd.int.test.ts). RayCluster keeps
 * the full texts (0.81 MB). Every field still has a description, and Ray-specific fields keep theirs in
 * full.
 */
export const BRIEF_CORE_DESCRIPTIONS: ReadonlySet<RayKind> = new Set(['RayJob', 'RayService', 'RayCronJob']);

/** The first sentence of a text: up to a period followed by a capital letter or the end. */
export function firstSentence(text: string): string {
  const m = /^([\s\S]*?[.!?])(?=\s+[A-Z`"(]|\s*$)/.exec(text);
  return (m?.[1] ?? text).trim();
}

/**
 * A TypeBox schema as plain structural JSON (OpenAPI v3.0 as CRDs speak it): TypeBox's own markers
 * dropped, empty `required` lists removed, a numeric exclusiveMinimum (JSON Schema 2020, what TypeBox
 * validates) turned into v3.0's `minimum` + `exclusiveMinimum: true`, `properties` sorted by name (as
 * controller-gen does, so diffs stay readable).
 */
export function toStructural(schema: unknown, opts: { briefCore?: boolean } = {}): unknown {
  if (Array.isArray(schema)) return schema.map((s) => toStructural(s, opts));
  if (typeof schema !== 'object' || schema === null) return schema;
  const brief = opts.briefCore === true && isCoreNode(schema);
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) {
    if (k.startsWith('~') || k === '$id') continue;
    if (k === 'required' && Array.isArray(v) && v.length === 0) continue;
    if (k === 'exclusiveMinimum' && typeof v === 'number') {
      out.minimum = v;
      out.exclusiveMinimum = true;
    } else if (k === 'exclusiveMaximum' && typeof v === 'number') {
      out.maximum = v;
      out.exclusiveMaximum = true;
    } else if (k === 'description' && brief && typeof v === 'string') {
      out[k] = firstSentence(v);
    } else if (k === 'properties' && typeof v === 'object' && v !== null) {
      const props: Json = {};
      for (const name of Object.keys(v).sort()) props[name] = toStructural((v as Json)[name], opts);
      out[k] = props;
    } else {
      out[k] = toStructural(v, opts);
    }
  }
  return out;
}

/**
 * The kind's structural schema. The apiserver owns `metadata`: a CRD may say nothing about it but
 * `type: object` (not even a description), or kube-apiserver rejects the whole CRD.
 */
function rootSchema(kind: RayKind): Json {
  const schema = toStructural(KIND_SCHEMAS[kind], { briefCore: BRIEF_CORE_DESCRIPTIONS.has(kind) }) as Json;
  const props = schema.properties as Json | undefined;
  if (props?.metadata) props.metadata = { type: 'object' };
  return schema;
}

/** Kinds KubeRay 1.7 still serves as ray.io/v1alpha1 (served, not storage; conversion None). */
export const V1ALPHA1_KINDS: ReadonlySet<RayKind> = new Set<RayKind>(['RayJob', 'RayService']);

/** A copy without `description` fields: a second full copy of the described schema would push the RayJob CRD past the size budget, and `kubectl explain` reads v1. */
function withoutDescriptions(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(withoutDescriptions);
  if (x && typeof x === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(x as Json)) {
      if (k === 'description' && typeof v === 'string') continue;
      out[k] = withoutDescriptions(v);
    }
    return out;
  }
  return x;
}

export function buildCrd(kind: RayKind): Json {
  const names = KINDS[kind];
  const columns = PRINTER_COLUMNS[kind].map((c) => {
    const col: Json = { jsonPath: c.jsonPath, name: c.name, type: c.type };
    if (c.priority !== undefined) col.priority = c.priority;
    return col;
  });
  const v1 = {
    name: VERSION,
    served: true,
    storage: true,
    additionalPrinterColumns: columns,
    schema: { openAPIV3Schema: rootSchema(kind) },
    subresources: { status: {} },
  };
  // v1alpha1 is served with v1's schema (a superset of KubeRay's v1alpha1 fields) so that, with the
  // default conversion None, the apiserver only rewrites apiVersion: a v1alpha1 object is stored and
  // read back as v1 without a conversion webhook, as KubeRay does.
  const versions: Json[] = [v1];
  if (V1ALPHA1_KINDS.has(kind)) {
    versions.push({
      ...v1,
      name: 'v1alpha1',
      storage: false,
      schema: withoutDescriptions(v1.schema),
    });
  }
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${names.plural}.${GROUP}`,
      annotations: { 'kuray.io/generated-by': 'scripts/gen-crds.ts from src/api/v1' },
    },
    spec: {
      group: GROUP,
      names: {
        categories: ['all'],
        kind,
        listKind: names.listKind,
        plural: names.plural,
        singular: names.singular,
      },
      scope: 'Namespaced',
      versions,
    },
  };
}

/** File name (under config/crd/) → YAML text, for every kind. */
export function crdFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const kind of Object.keys(KINDS) as RayKind[]) {
    files[`${GROUP}_${KINDS[kind].plural}.yaml`] =
      '# Generated by `npm run gen:crds` (scripts/gen-crds.ts) from src/api/v1. Do not edit.\n' +
      toYaml(buildCrd(kind));
  }
  return files;
}
