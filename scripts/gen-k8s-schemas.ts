// Generates src/api/k8s/core.json: structural schemas of the Kubernetes core types that ray.io/v1
// embeds, derived from Kubernetes' own OpenAPI v3 spec (k8s.io/kubernetes api/openapi-spec/v3).
//
// Why from the spec and not hand-written: the CRDs must carry every field and description of a pod
// template exactly as `kubectl explain pod.spec` shows them, and KubeRay's CRDs do the same via
// controller-gen. Why committed: the CRD generator and validation must not need Go or the network.
//
// Conversion to CRD-structural form (what controller-gen does for embedded k8s.io/api types):
//   - every $ref (and allOf:[{$ref}]) is inlined; the referencing field's description wins;
//   - resource.Quantity -> anyOf integer|string + quantity pattern + x-kubernetes-int-or-string;
//   - intstr.IntOrString -> anyOf integer|string + x-kubernetes-int-or-string;
//   - embedded ObjectMeta -> the five fields a template may carry (annotations, finalizers, labels, name,
//     namespace), as controller-gen's generateEmbeddedObjectMeta does;
//   - x-kubernetes-patch-*, x-kubernetes-unions, x-kubernetes-group-version-kind, non-scalar defaults
//     are dropped (not allowed in, or meaningless for, a CRD schema).
//
// Usage: node scripts/gen-k8s-schemas.ts [k8s.io/kubernetes version]   (default below)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QUANTITY_PATTERN } from '../src/api/schema.ts';

export const K8S_VERSION = 'v1.36.3';

/** The core types ray.io/v1 embeds (the roots written to core.json). */
export const ROOTS = [
  'io.k8s.api.core.v1.PodTemplateSpec',
  'io.k8s.api.core.v1.ResourceRequirements',
  'io.k8s.api.core.v1.SecurityContext',
  'io.k8s.api.core.v1.EnvVar',
  'io.k8s.api.core.v1.EnvVarSource',
  'io.k8s.api.core.v1.EnvFromSource',
  'io.k8s.api.core.v1.VolumeMount',
  'io.k8s.api.core.v1.Service',
  'io.k8s.api.networking.v1.NetworkPolicyIngressRule',
  'io.k8s.api.networking.v1.NetworkPolicyEgressRule',
  'io.k8s.api.networking.v1.IngressTLS',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition',
] as const;

const SPEC_FILES = ['api__v1_openapi.json', 'apis__networking.k8s.io__v1_openapi.json'];
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const EMBEDDED_META_FIELDS = ['annotations', 'finalizers', 'labels', 'name', 'namespace'];
const DROPPED_KEYS = new Set([
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-unions',
  'x-kubernetes-group-version-kind',
]);

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refName(ref: string): string {
  return ref.replace('#/components/schemas/', '');
}

/** The referenced definition name of a node: `$ref`, or `allOf: [{$ref}]` as the v3 spec writes fields. */
function refOf(node: Json): string | undefined {
  if (typeof node.$ref === 'string') return refName(node.$ref);
  const all = node.allOf;
  if (Array.isArray(all) && all.length === 1 && isObj(all[0]) && typeof all[0].$ref === 'string') {
    return refName(all[0].$ref);
  }
  return undefined;
}

export function convert(defs: Record<string, Json>, rootName: string): Json {
  const stack: string[] = [];

  function definition(name: string): Json {
    if (stack.includes(name)) throw new Error(`recursive type ${[...stack, name].join(' -> ')}`);
    const def = defs[name];
    if (!def) throw new Error(`missing definition ${name}`);
    if (name === QUANTITY) {
      return {
        description: def.description,
        anyOf: [{ type: 'integer' }, { type: 'string' }],
        pattern: QUANTITY_PATTERN,
        'x-kubernetes-int-or-string': true,
      };
    }
    if (name === INT_OR_STRING) {
      return {
        description: def.description,
        anyOf: [{ type: 'integer' }, { type: 'string' }],
        'x-kubernetes-int-or-string': true,
      };
    }
    stack.push(name);
    try {
      if (name === OBJECT_META && stack.length > 1) {
        const props = def.properties as Record<string, Json>;
        const kept: Record<string, Json> = {};
        for (const f of EMBEDDED_META_FIELDS) kept[f] = node(props[f]!);
        return {
          description:
            'Standard object metadata of the template: labels and annotations are carried to the objects.',
          type: 'object',
          properties: kept,
        };
      }
      return node(def);
    } finally {
      stack.pop();
    }
  }

  function node(n: Json): Json {
    const ref = refOf(n);
    if (ref !== undefined) {
      const out = definition(ref);
      // The field's own description says what the value means *here*; the type's is the fallback.
      if (typeof n.description === 'string') out.description = n.description;
      if (n.default !== undefined && !isObj(n.default) && !Array.isArray(n.default)) out.default = n.default;
      return out;
    }
    const out: Json = {};
    for (const [k, v] of Object.entries(n)) {
      if (DROPPED_KEYS.has(k)) continue;
      if (k === 'default' && (isObj(v) || Array.isArray(v))) continue;
      if (k === 'properties' && isObj(v)) {
        const props: Json = {};
        for (const [pk, pv] of Object.entries(v)) props[pk] = node(pv as Json);
        out[k] = props;
      } else if ((k === 'items' || k === 'additionalProperties') && isObj(v)) {
        out[k] = node(v);
      } else {
        out[k] = v;
      }
    }
    // The v3 spec omits `type: object` on some structs; a structural schema needs it.
    if (out.type === undefined && out.properties !== undefined) out.type = 'object';
    return out;
  }

  stack.length = 0;
  const root = definition(rootName);
  // At the root, ObjectMeta (e.g. Service.metadata) is embedded too.
  return root;
}

export function k8sModuleDir(version: string): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${version}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download k8s.io/kubernetes@${version}: ${info.Error ?? 'no Dir'}`);
  return info.Dir;
}

export function loadDefinitions(dir: string): Record<string, Json> {
  const defs: Record<string, Json> = {};
  for (const f of SPEC_FILES) {
    const spec = JSON.parse(readFileSync(join(dir, 'api', 'openapi-spec', 'v3', f), 'utf8')) as {
      components: { schemas: Record<string, Json> };
    };
    Object.assign(defs, spec.components.schemas);
  }
  return defs;
}

/** The text of src/api/k8s/core.json for a k8s.io/kubernetes module directory. */
export function coreJson(dir: string, version: string): string {
  const defs = loadDefinitions(dir);
  const schemas: Record<string, Json> = {};
  for (const r of ROOTS) schemas[r] = convert(defs, r);
  return JSON.stringify({ source: `k8s.io/kubernetes@${version} api/openapi-spec/v3`, schemas }) + '\n';
}

export const CORE_JSON_PATH = join(import.meta.dirname, '..', 'src', 'api', 'k8s', 'core.json');

if (import.meta.main) {
  const version = process.argv[2] ?? K8S_VERSION;
  const text = coreJson(k8sModuleDir(version), version);
  const path = CORE_JSON_PATH;
  writeFileSync(path, text);
  console.log(`wrote ${path} (${Math.round(text.length / 1024)} KiB)`);
}
