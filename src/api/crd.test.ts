import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlStream } from '../util/yaml.ts';
import { buildCrd, crdFiles, firstSentence, PRINTER_COLUMNS } from './crd.ts';
import { KINDS, type RayKind } from './v1/index.ts';

const crdDir = join(import.meta.dirname, '..', '..', 'config', 'crd');
const kinds = Object.keys(KINDS) as RayKind[];

test('committed CRDs match the schemas (run `npm run gen:crds` after changing src/api/v1)', () => {
  for (const [name, text] of Object.entries(crdFiles())) {
    const committed = readFileSync(join(crdDir, name), 'utf8');
    assert.ok(committed === text, `config/crd/${name} is stale: run npm run gen:crds`);
  }
});

// The rules apiextensions-apiserver enforces for structural schemas
// (k8s.io/apiextensions-apiserver/pkg/apiserver/schema), plus ours: a description on every property.
const ALLOWED_KEYS = new Set([
  'type',
  'description',
  'properties',
  'required',
  'items',
  'additionalProperties',
  'enum',
  'format',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'nullable',
  'anyOf',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
]);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

type Json = Record<string, unknown>;

function lint(node: Json, path: string, problems: string[]): void {
  for (const k of Object.keys(node))
    if (!ALLOWED_KEYS.has(k)) problems.push(`${path}: forbidden keyword ${k}`);
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  if (intOrString) {
    if (node.type !== undefined) problems.push(`${path}: int-or-string must not set type`);
    const any = node.anyOf;
    const ok =
      any === undefined ||
      (Array.isArray(any) &&
        JSON.stringify(any) === JSON.stringify([{ type: 'integer' }, { type: 'string' }]));
    if (!ok) problems.push(`${path}: anyOf other than integer|string`);
  } else {
    if (node.anyOf !== undefined) problems.push(`${path}: anyOf is only allowed for int-or-string`);
    if (typeof node.type !== 'string' || !TYPES.has(node.type)) {
      problems.push(`${path}: type must be one of ${[...TYPES].join(',')}, got ${JSON.stringify(node.type)}`);
    }
  }
  if (node.enum !== undefined && node.type !== 'string') problems.push(`${path}: enum on a non-string`);
  for (const k of ['exclusiveMinimum', 'exclusiveMaximum']) {
    if (node[k] !== undefined && typeof node[k] !== 'boolean') problems.push(`${path}: ${k} must be boolean`);
  }
  if (node.default !== undefined) {
    const d = node.default;
    const t = node.type;
    const ok =
      (t === 'string' && typeof d === 'string') ||
      (t === 'boolean' && typeof d === 'boolean') ||
      ((t === 'integer' || t === 'number') && typeof d === 'number') ||
      (intOrString && (typeof d === 'string' || typeof d === 'number'));
    if (!ok) problems.push(`${path}: default ${JSON.stringify(d)} does not match type ${String(t)}`);
  }
  if (node.type === 'array') {
    if (typeof node.items !== 'object' || node.items === null || Array.isArray(node.items)) {
      problems.push(`${path}: array without a single items schema`);
    } else lint(node.items as Json, `${path}[]`, problems);
  }
  if (node.properties !== undefined && node.additionalProperties !== undefined) {
    problems.push(`${path}: both properties and additionalProperties`);
  }
  if (node.additionalProperties !== undefined) {
    if (typeof node.additionalProperties !== 'object')
      problems.push(`${path}: additionalProperties must be a schema`);
    else lint(node.additionalProperties as Json, `${path}{}`, problems);
  }
  if (node.properties !== undefined) {
    if (node.type !== 'object') problems.push(`${path}: properties on a non-object`);
    const props = node.properties as Record<string, Json>;
    for (const r of (node.required as string[] | undefined) ?? []) {
      if (!(r in props)) problems.push(`${path}: required ${r} is not a property`);
    }
    for (const [name, p] of Object.entries(props)) {
      if (typeof p.description !== 'string' || p.description.trim() === '') {
        problems.push(`${path}.${name}: no description`);
      }
      lint(p, `${path}.${name}`, problems);
    }
  }
}

for (const kind of kinds) {
  test(`${kind} CRD is a structural schema with a description on every field`, () => {
    const crd = buildCrd(kind) as {
      spec: {
        versions: {
          schema: { openAPIV3Schema: Json };
          subresources: Json;
          additionalPrinterColumns: Json[];
        }[];
      };
    };
    const version = crd.spec.versions[0]!;
    const root = version.schema.openAPIV3Schema;
    // At the root the apiserver owns metadata: only `type: object` is allowed there, not even a
    // description (kube-apiserver rejects the CRD otherwise).
    const props = root.properties as Record<string, Json>;
    assert.deepEqual(props.metadata, { type: 'object' });
    const problems: string[] = [];
    lint(
      {
        ...root,
        properties: { ...props, metadata: { ...props.metadata, description: 'owned by the apiserver' } },
      },
      kind,
      problems,
    );
    assert.deepEqual(problems.slice(0, 20), []);
    assert.deepEqual(version.subresources, { status: {} });
    assert.equal(version.additionalPrinterColumns.length, PRINTER_COLUMNS[kind].length);
  });
}

test('every CRD stays well below the 1.5 MiB etcd value limit (server-side apply adds managedFields)', () => {
  for (const kind of kinds) {
    const size = JSON.stringify(buildCrd(kind)).length;
    assert.ok(size < 1_000_000, `${kind} CRD is ${size} bytes of JSON`);
  }
});

test('kubectl explain finds the guide fields with their meaning', () => {
  const files = crdFiles();
  const [doc] = parseYamlStream(files['ray.io_rayclusters.yaml']!);
  const crd = doc!.value as Json;
  let node = (crd.spec as { versions: { schema: { openAPIV3Schema: Json } }[] }).versions[0]!.schema
    .openAPIV3Schema;
  for (const p of ['spec', 'autoscalerOptions', 'cooldownPeriodSeconds']) {
    node = (node.properties as Record<string, Json>)[p]!;
  }
  assert.equal(node.type, 'integer');
  assert.match(node.description as string, /seconds between two scaling decisions/);
  assert.equal(node.minimum, 0);
});

test('RayCluster printer columns include KubeRay wide columns', () => {
  const wide = PRINTER_COLUMNS.RayCluster.filter((c) => c.priority === 1).map((c) => c.name);
  assert.deepEqual(wide, ['tpus', 'head pod IP', 'head service IP']);
});

test('firstSentence cuts at a sentence end, not inside "e.g."', () => {
  assert.equal(firstSentence('Name of the port. Must be unique.'), 'Name of the port.');
  assert.equal(firstSentence('Use e.g. foo. Then more'), 'Use e.g. foo.');
  assert.equal(firstSentence('No period'), 'No period');
});

test('the structural lint catches what the apiserver rejects', () => {
  const bad: Json = {
    type: 'object',
    properties: {
      a: { type: 'object', patternProperties: { '^.*$': { type: 'string' } }, description: 'a' },
      b: { anyOf: [{ const: 'x' }, { const: 'y' }], description: 'b' },
      c: { type: ['string', 'null'], description: 'c' },
      d: { type: 'string' },
      e: { type: 'array', description: 'e' },
      f: { $ref: '#/defs/x', description: 'f' },
      g: { type: 'number', exclusiveMinimum: 0, description: 'g' },
    },
  };
  const problems: string[] = [];
  lint(bad, 'X', problems);
  for (const want of [
    'X.a: forbidden keyword patternProperties',
    'X.b: anyOf is only allowed for int-or-string',
    'X.c: type must be one of',
    'X.d: no description',
    'X.e: array without a single items schema',
    'X.f: forbidden keyword $ref',
    'X.g: exclusiveMinimum must be boolean',
  ]) {
    assert.ok(
      problems.some((p) => p.startsWith(want)),
      `expected "${want}" in ${problems.join('; ')}`,
    );
  }
});

test('RayJob and RayService also serve ray.io/v1alpha1 (not storage, same schema shape, conversion None) as KubeRay 1.7', () => {
  for (const kind of kinds) {
    const crd = buildCrd(kind) as { spec: { versions: Json[]; conversion?: unknown } };
    const names = crd.spec.versions.map((v) => v.name);
    if (kind !== 'RayJob' && kind !== 'RayService') {
      assert.deepEqual(names, ['v1'], kind);
      continue;
    }
    assert.deepEqual(names, ['v1', 'v1alpha1'], kind);
    const [v1, alpha] = crd.spec.versions;
    assert.equal(alpha!.served, true);
    assert.equal(alpha!.storage, false);
    assert.equal(v1!.storage, true);
    // No conversion webhook: the default (None) only rewrites apiVersion, so the shapes must match.
    assert.equal(crd.spec.conversion, undefined);
    const shape = (x: unknown): string =>
      JSON.stringify(x, (k, v: unknown) => (k === 'description' && typeof v === 'string' ? undefined : v));
    assert.equal(shape(alpha!.schema), shape(v1!.schema), `${kind} v1alpha1 schema differs from v1`);
    assert.deepEqual(alpha!.subresources, { status: {} });
  }
});
