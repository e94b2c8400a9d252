// The holes issue 13 found by fuzzing, closed: each invalid spec is an error at its field path, and
// validate() answers (never throws) however the input is shaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base, set, W } from './fixtures.ts';
import { validate } from './index.ts';
import { invalidSpecs } from '../../testing/invalidSpecs.ts';

for (const c of invalidSpecs) {
  test(`invalid: ${c.name} -> ${c.path}`, () => {
    const r = validate(c.obj);
    const hit = r.errors.find((e) => e.path === c.path && c.message.test(e.message));
    assert.ok(
      hit,
      `expected an error at ${c.path} matching ${c.message}, got:\n${r.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`,
    );
    assert.ok(hit.hint.length > 0);
  });
}

test('KubeRay-style pre-quoted values and env references are valid', () => {
  const ok = set(base, `${W}.rayStartParams`, {
    resources: `"{\\"Custom1\\": 1}"`,
    'system-config': `'{"object_spilling_threshold": 0.9}'`,
    'temp-dir': '/tmp/ray',
    'node-name': '$MY_POD_NAME',
  });
  const r = validate(ok);
  assert.deepEqual(r.errors, []);
});

test("the pod bound is the operator's option", () => {
  const big = set(set(base, `${W}.replicas`, 50), `${W}.maxReplicas`, 50);
  assert.equal(validate(big).errors.length, 0);
  const r = validate(big, { maxPodsPerCluster: 20 });
  assert.match(r.errors[0]?.message ?? '', /asks for 51 pods.*at most 20/);
  assert.equal(validate(set(big, 'spec.suspend', true), { maxPodsPerCluster: 20 }).errors.length, 0);
});

test('arbitrarily deep input is answered, not a stack overflow', () => {
  let v: unknown = 1;
  for (let i = 0; i < 200_000; i++) v = [v];
  const r = validate({ apiVersion: 'ray.io/v1', kind: 'RayCluster', metadata: { name: 'x' }, spec: v });
  assert.match(r.errors[0]?.message ?? '', /nested more than 64 levels/);
  // …also when the deep object is another document of the same file.
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: { selector: { app: 'ray-head' } },
  };
  validate(svc, { objects: [{ kind: 'RayCluster', spec: v }] });
});
