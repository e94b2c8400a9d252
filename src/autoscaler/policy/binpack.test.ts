import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { packDemand, residualDemand } from './binpack.ts';

test('first-fit decreasing: big shapes first, small ones fill the gaps', () => {
  // Shape 4 CPU. 2×{3} + 2×{1}: two nodes (3+1 each), not three.
  const r = packDemand(
    [],
    {
      bundles: [
        { resources: { CPU: 1 }, count: 2 },
        { resources: { CPU: 3 }, count: 2 },
      ],
      gangs: [],
    },
    { CPU: 4 },
    10,
  );
  assert.equal(r.newNodes, 2);
});

test('existing free capacity is used before new nodes; limits and infeasible items are counted', () => {
  const r = packDemand(
    [{ CPU: 1 }, { CPU: 2 }],
    {
      bundles: [
        { resources: { CPU: 1 }, count: 9 },
        { resources: { GPU: 1 }, count: 2 },
      ],
      gangs: [],
    },
    { CPU: 2 },
    2,
  );
  assert.deepEqual(r, { newNodes: 2, placedOnExisting: 3, leftOver: 2, infeasible: 2 });
});

test('placement groups are all-or-nothing: an infeasible STRICT_PACK leaves no partial placement', () => {
  const r = packDemand(
    [{ CPU: 2 }],
    {
      bundles: [{ resources: { CPU: 2 }, count: 1 }],
      gangs: [{ id: 'pg', strategy: 'STRICT_PACK', bundles: [{ CPU: 2 }, { CPU: 2 }, { CPU: 2 }] }],
    },
    { CPU: 4 },
    5,
  );
  assert.equal(r.infeasible, 1);
  assert.equal(r.placedOnExisting, 1); // the plain bundle still got the free 2 CPUs
  assert.equal(r.newNodes, 0);
});

test('property: never more new nodes than the limit nor than items; same input, same result', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ cpu: fc.constantFrom(0.5, 1, 2, 3, 5), count: fc.integer({ min: 0, max: 50 }) }), {
        maxLength: 4,
      }),
      fc.array(fc.constantFrom(0, 1, 2), { maxLength: 5 }),
      fc.integer({ min: 0, max: 20 }),
      (bundles, free, limit) => {
        const demand = {
          bundles: bundles.map((b) => ({ resources: { CPU: b.cpu }, count: b.count })),
          gangs: [],
        };
        const r = packDemand(
          free.map((c) => ({ CPU: c })),
          demand,
          { CPU: 4 },
          limit,
        );
        const items = bundles.reduce((n, b) => n + b.count, 0);
        assert.ok(r.newNodes <= limit && r.newNodes <= items);
        assert.equal(r.placedOnExisting + r.leftOver + r.infeasible <= items, true);
        assert.deepEqual(
          packDemand(
            free.map((c) => ({ CPU: c })),
            demand,
            { CPU: 4 },
            limit,
          ),
          r,
        );
        // Lower bound: the CPUs that did not fit the free capacity need at least this many nodes.
        const feasibleCpu = bundles.filter((b) => b.cpu <= 4).reduce((s, b) => s + b.cpu * b.count, 0);
        const freeCpu = free.reduce<number>((s, c) => s + c, 0);
        if (r.leftOver === 0) assert.ok(r.newNodes >= Math.ceil((feasibleCpu - freeCpu) / 4 - 1e-9));
      },
    ),
  );
});

test('residual demand: what existing capacity cannot take, placement groups all-or-nothing', () => {
  const r = residualDemand([{ CPU: 2 }, { CPU: 1 }], {
    bundles: [{ resources: { CPU: 1 }, count: 4 }],
    gangs: [
      { id: 'fits', strategy: 'STRICT_SPREAD', bundles: [{ CPU: 1 }, { CPU: 1 }] },
      { id: 'no', strategy: 'STRICT_PACK', bundles: [{ CPU: 1 }, { CPU: 1 }] },
    ],
  });
  // The spread PG takes one CPU on each node, leaving 1 CPU: 3 of the 4 tasks remain.
  assert.deepEqual(r, {
    bundles: [{ resources: { CPU: 1 }, count: 3 }],
    gangs: [{ id: 'no', strategy: 'STRICT_PACK', bundles: [{ CPU: 1 }, { CPU: 1 }] }],
  });
});
