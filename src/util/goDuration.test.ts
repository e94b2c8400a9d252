import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDurationMs } from './goDuration.ts';

test('Go durations: units, sums and fractions as time.ParseDuration; anything else is not one', () => {
  assert.equal(parseGoDurationMs('90s'), 90_000);
  assert.equal(parseGoDurationMs('1h30m'), 5_400_000);
  assert.equal(parseGoDurationMs('1.5s'), 1500);
  assert.equal(parseGoDurationMs('250ms'), 250);
  assert.equal(parseGoDurationMs('2µs'), 0.002);
  assert.equal(parseGoDurationMs('0'), 0);
  for (const bad of ['', '10', '5 m', '1d', 's', '1h-', 'abc'])
    assert.equal(parseGoDurationMs(bad), undefined, bad);
});
