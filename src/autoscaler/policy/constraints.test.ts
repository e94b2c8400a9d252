import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { placeConstraints } from './constraints.ts';
import { cpus } from './testing.ts';

test('bundles go onto total capacity, largest first; what does not fit is the residual', () => {
  const r = placeConstraints(
    [{ total: { CPU: 4 } }, { podName: 'a', total: { CPU: 2 } }, { podName: 'b', total: { CPU: 2 } }],
    [cpus(1, 3), cpus(2, 3)],
  );
  // 2-CPU bundles first: head (2 of them), a; then 1-CPU bundles: b (2), the third is left.
  assert.deepEqual(r.residual, [cpus(1, 1)]);
  assert.deepEqual([...r.claimed].sort(), ['a', 'b']);
});

test('property: never more placed than the capacity; unit bundles leave exactly the excess', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 6 }),
      fc.array(fc.record({ n: fc.integer({ min: 1, max: 4 }), count: fc.integer({ min: 1, max: 5 }) }), {
        maxLength: 4,
      }),
      (sizes, reqs) => {
        const bins = sizes.map((s, i) => ({ podName: `p${i}`, total: { CPU: s } }));
        const constraints = reqs.map((q) => cpus(q.n, q.count));
        const r = placeConstraints(bins, constraints);
        const requested = constraints.reduce((a, c) => a + c.resources.CPU! * c.count, 0);
        const left = r.residual.reduce((a, c) => a + c.resources.CPU! * c.count, 0);
        const capacity = sizes.reduce((a, s) => a + s, 0);
        assert.ok(requested - left <= capacity);
        for (const c of r.residual) assert.ok(c.count > 0);
        for (const p of r.claimed) assert.ok(bins.some((b) => b.podName === p));
        // Unit bundles pack perfectly: the residual is exactly what exceeds the capacity.
        if (reqs.every((q) => q.n === 1)) assert.equal(left, Math.max(0, requested - capacity));
      },
    ),
  );
});
