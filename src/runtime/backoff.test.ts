import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from './backoff.ts';
import { FakeClock } from './clock.ts';

test('0.8 s doubling to a 30 s cap, jittered up to 2x, reset after 2 min without failures', () => {
  const clock = new FakeClock();
  const noJitter = new Backoff({ clock, random: () => 0 });
  const seq = Array.from({ length: 8 }, () => noJitter.next());
  assert.deepEqual(seq, [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  clock.advance(120_001);
  assert.equal(noJitter.next(), 800);
  const full = new Backoff({ clock, random: () => 0.999 });
  const d = full.next();
  assert.ok(d > 1590 && d < 1600);
});
