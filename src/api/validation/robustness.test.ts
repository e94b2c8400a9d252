// validate() serves an admission webhook: whatever a client sends, it must answer (never throw), and a
// broken field must be reported as an error rather than crash a semantic rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlStream } from '../../util/yaml.ts';
import { validate } from './index.ts';
import { SEED_EXAMPLES } from '../../testing/seeds.ts';

const seeds = SEED_EXAMPLES;
const base = parseYamlStream(readFileSync(join(seeds, '02-advanced-gpu-production.yaml'), 'utf8'))[0]!.value;

/** Every path (as key lists) of a JSON value. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (typeof v === 'object' && v !== null)
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

const allPaths = paths(base).filter((p) => p.length > 0);

function setAt(obj: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(obj) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path.at(-1)!] = value;
  return copy;
}

test('validate never throws when any field of a real spec is replaced by arbitrary JSON', () => {
  fc.assert(
    fc.property(fc.constantFrom(...allPaths), fc.jsonValue({ maxDepth: 2 }), (path, value) => {
      const r = validate(setAt(base, path, value));
      assert.ok(Array.isArray(r.errors) && Array.isArray(r.warnings) && Array.isArray(r.infos));
    }),
    { numRuns: 400 },
  );
});

test('a field replaced by a value of another JSON type is always an error', () => {
  const typed = allPaths.filter((p) => {
    let cur: unknown = base;
    for (const k of p) cur = (cur as Record<string | number, unknown>)[k];
    return typeof cur === 'string' || typeof cur === 'number' || typeof cur === 'boolean';
  });
  fc.assert(
    fc.property(fc.constantFrom(...typed), (path) => {
      let cur: unknown = base;
      for (const k of path) cur = (cur as Record<string | number, unknown>)[k];
      // An object is never a valid scalar; apiVersion/kind are checked by the dispatcher instead.
      const r = validate(setAt(base, path, { not: 'a scalar' }));
      assert.ok(
        r.errors.length > 0,
        `no error for an object at ${path.join('.')} (was ${JSON.stringify(cur)})`,
      );
    }),
    { numRuns: 200 },
  );
});

test('arbitrary top-level JSON is answered, not thrown', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 3 }), (v) => {
      const r = validate(v);
      assert.ok(Array.isArray(r.errors));
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), (spec) => {
      validate({ apiVersion: 'ray.io/v1', kind: 'RayCluster', metadata: { name: 'x' }, spec });
      validate({ apiVersion: 'ray.io/v1', kind: 'RayJob', metadata: { name: 'x' }, spec });
      validate({ apiVersion: 'ray.io/v1', kind: 'RayService', metadata: { name: 'x' }, spec });
      validate({ apiVersion: 'ray.io/v1', kind: 'RayCronJob', metadata: { name: 'x' }, spec });
      validate({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x' }, spec });
      validate({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec });
    }),
    { numRuns: 200 },
  );
});
