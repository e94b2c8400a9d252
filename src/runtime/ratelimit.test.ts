import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FakeClock } from './clock.ts';
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  TokenBucket,
} from './ratelimit.ts';

test('per-item exponential: 5 ms doubling, capped at 1000 s, independent per item', () => {
  const l = new ItemExponentialRateLimiter<string>();
  assert.deepEqual([l.when('a'), l.when('a'), l.when('a')], [5, 10, 20]);
  assert.equal(l.when('b'), 5);
  for (let i = 0; i < 100; i++) l.when('a');
  assert.equal(l.when('a'), 1_000_000);
  l.forget('a');
  assert.equal(l.when('a'), 5);
});

test('token bucket: burst immediately, then 1/qps apart, refilling with time', () => {
  const clock = new FakeClock();
  const b = new TokenBucket(10, 3, clock);
  assert.deepEqual([b.reserve(), b.reserve(), b.reserve()], [0, 0, 0]);
  assert.equal(Math.round(b.reserve()), 100);
  assert.equal(Math.round(b.reserve()), 200);
  clock.advance(1000); // 10 tokens back, capped at burst, minus the 2 in debt
  assert.equal(b.reserve(), 0);
});

test('default controller limiter is the max of exponential and a 10 qps/100 burst bucket', () => {
  const clock = new FakeClock();
  const l = defaultControllerRateLimiter<string>(clock);
  // 100 distinct items use the burst: each gets the per-item 5 ms.
  for (let i = 0; i < 100; i++) assert.equal(l.when(`k${i}`), 5);
  // The 101st waits for the bucket (100 ms at 10 qps), longer than its own 5 ms.
  assert.equal(Math.round(l.when('k100')), 100);
});

test('max-of never returns less than any of its limiters (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 40 }), (items) => {
      const clock = new FakeClock();
      const exp = new ItemExponentialRateLimiter<string>(5, 1000);
      const exp2 = new ItemExponentialRateLimiter<string>(5, 1000);
      const max = new MaxOfRateLimiter<string>(exp, new BucketRateLimiter<string>(10, 5, clock));
      for (const it of items) assert.ok(max.when(it) >= exp2.when(it));
      for (const it of items) assert.equal(max.numRequeues(it), exp.numRequeues(it));
    }),
  );
});

test('tryTake drops instead of going into debt, so the bucket refills on time', () => {
  const clock = new FakeClock();
  const b = new TokenBucket(1, 2, clock);
  assert.deepEqual([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()], [true, true, false, false]);
  clock.advance(1000);
  assert.deepEqual([b.tryTake(), b.tryTake()], [true, false]);
});
