import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { percentile, ratio, summarize } from './stats.ts';

test('nearest-rank percentiles: p50 of 1…10 is 5, p99 of 1…100 is 99, p100 the max', () => {
  const ten = Array.from({ length: 10 }, (_, i) => i + 1);
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(ten, 50), 5);
  assert.equal(percentile(ten, 90), 9);
  assert.equal(percentile(hundred, 99), 99);
  assert.equal(percentile(hundred, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('summarize sorts its input and reports n, min, max, mean', () => {
  const s = summarize([3, 1, 2, 10]);
  assert.deepEqual(
    { n: s.n, min: s.min, p50: s.p50, max: s.max, mean: s.mean },
    { n: 4, min: 1, p50: 2, max: 10, mean: 4 },
  );
  assert.equal(summarize([]).n, 0);
});

test('a percentile is always one of the samples, and monotone in p', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1 }),
      fc.integer({ min: 0, max: 99 }),
      (xs, p) => {
        const s = [...xs].sort((a, b) => a - b);
        assert.ok(s.includes(percentile(s, p)));
        assert.ok(percentile(s, p) <= percentile(s, p + 1));
      },
    ),
  );
});

test('ratio is undefined when a side is missing or the divisor is 0', () => {
  assert.equal(ratio(1, 4), 0.25);
  assert.equal(ratio(undefined, 4), undefined);
  assert.equal(ratio(1, 0), undefined);
  assert.equal(ratio(NaN, 1), undefined);
});
