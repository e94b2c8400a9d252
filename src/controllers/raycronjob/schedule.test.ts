import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goDurationMs, parseSchedule } from './schedule.ts';

const next = (expr: string, after: string, tz = 'UTC') =>
  parseSchedule(expr, tz).next(new Date(after)).toISOString();

describe('cron schedules (robfig ParseStandard semantics)', () => {
  it('fields, ranges, steps, names and lists', () => {
    assert.equal(next('* * * * *', '2026-12-05T10:00:30Z'), '2026-12-05T10:01:00.000Z');
    assert.equal(next('*/15 * * * *', '2026-12-05T10:01:00Z'), '2026-12-05T10:15:00.000Z');
    assert.equal(next('0 3 * * *', '2026-12-05T03:00:00Z'), '2026-12-06T03:00:00.000Z');
    assert.equal(
      next('30 9-17/4 * * mon-fri', '2026-12-05T10:00:00Z'),
      '2026-12-07T09:30:00.000Z',
      'Saturday → Monday',
    );
    assert.equal(next('0 0 1 jan,jul *', '2026-12-05T00:00:00Z'), '2027-01-01T00:00:00.000Z');
    assert.equal(next('0 12 * * 7', '2026-12-05T00:00:00Z'), '2026-12-06T12:00:00.000Z', '7 is Sunday');
    assert.equal(next('0 0 29 2 *', '2026-12-05T00:00:00Z'), '2028-02-29T00:00:00.000Z');
  });

  it('day-of-month OR day-of-week when both are restricted; AND when one is a star', () => {
    // 2026-12-05 is a Saturday. "13th or any Monday" → Monday 7th.
    assert.equal(next('0 0 13 * 1', '2026-12-05T00:00:00Z'), '2026-12-07T00:00:00.000Z');
    assert.equal(
      next('0 0 */2 * 1', '2026-12-05T00:00:00Z'),
      '2026-12-07T00:00:00.000Z',
      '*/2 is a star: AND',
    );
  });

  it('descriptors and @every', () => {
    assert.equal(next('@hourly', '2026-12-05T10:20:00Z'), '2026-12-05T11:00:00.000Z');
    assert.equal(next('@weekly', '2026-12-05T10:20:00Z'), '2026-12-06T00:00:00.000Z');
    assert.equal(next('@every 1h30m', '2026-12-05T10:20:00.400Z'), '2026-12-05T11:50:00.000Z');
    assert.equal(goDurationMs('1.5s'), 1500);
    assert.throws(() => goDurationMs('5 minutes'));
  });

  it('time zones, across daylight saving', () => {
    assert.equal(next('0 3 * * *', '2026-12-05T00:00:00Z', 'Europe/Berlin'), '2026-12-05T02:00:00.000Z');
    assert.equal(next('0 9 * * *', '2026-06-05T00:00:00Z', 'America/New_York'), '2026-06-05T13:00:00.000Z');
    // The Monday after the 2027-03-14 spring-forward in New York, at 00:30 local time.
    assert.equal(next('30 0 * * 1', '2027-03-13T12:00:00Z', 'America/New_York'), '2027-03-15T04:30:00.000Z');
  });
});
