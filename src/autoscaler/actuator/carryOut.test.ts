import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Decision } from '../policy/types.ts';
import { afterDrains, strandedChanges } from './carryOut.ts';

const AT = 1_800_000_000_000;
const reason = { rule: 'idle-timeout' as const, message: 'idle', inputs: {} };
const down = (replicas: number, workersToDelete: string[]): Extract<Decision, { kind: 'scale' }> => ({
  kind: 'scale',
  group: 'g',
  replicas,
  direction: 'down',
  workersToDelete,
  reason,
});

describe('afterDrains', () => {
  test('every drain accepted: the decision as made', () => {
    const r = afterDrains(down(1, ['a', 'b']), 3, { accepted: ['a', 'b'], rejected: [] }, AT);
    assert.deepEqual(r.change, {
      group: 'g',
      replicas: 1,
      addWorkersToDelete: ['a', 'b'],
      atMs: AT,
      from: 3,
      reason,
    });
    assert.equal(r.decision.replicas, 1);
  });

  test('a rejected drain keeps its pod and its replica', () => {
    const r = afterDrains(down(1, ['a', 'b']), 3, { accepted: ['a'], rejected: ['b'] }, AT);
    assert.equal(r.change?.replicas, 2);
    assert.deepEqual(r.change?.addWorkersToDelete, ['a']);
    assert.deepEqual(r.decision.kind === 'scale' && r.decision.workersToDelete, ['a']);
  });

  test('every drain rejected: nothing to write, the decision becomes none with its reason', () => {
    const r = afterDrains(down(1, ['a', 'b']), 3, { accepted: [], rejected: ['a', 'b'] }, AT);
    assert.equal(r.change, undefined);
    assert.deepEqual(r.decision, { kind: 'none', group: 'g', replicas: 3, reason });
  });

  test('a scale-up has nothing to drain and is written as decided', () => {
    const up: Extract<Decision, { kind: 'scale' }> = { ...down(5, []), direction: 'up' };
    const r = afterDrains(up, 2, { accepted: [], rejected: [] }, AT);
    assert.equal(r.change?.replicas, 5);
    assert.equal(r.change?.from, 2);
  });
});

describe('strandedChanges', () => {
  const groups = [
    { name: 'g', minReplicas: 1, maxReplicas: 5, replicas: 3 },
    { name: 'h', minReplicas: 0, maxReplicas: 5, replicas: 1 },
  ] as unknown as Parameters<typeof strandedChanges>[1];

  test('lists draining pods nobody deletes and shrinks the group by them, not below min', () => {
    const out = strandedChanges(new Map([['g', ['a', 'b', 'c']]]), groups, new Set(), AT);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.replicas, 1);
    assert.deepEqual(out[0]!.addWorkersToDelete, ['a', 'b', 'c']);
    assert.equal(out[0]!.reason.rule, 'surplus-workers');
    assert.match(out[0]!.reason.message, /draining \(an earlier drain\)/);
  });

  test('a group already changing in this sync, or unknown, waits', () => {
    const out = strandedChanges(
      new Map([
        ['g', ['a']],
        ['h', ['x']],
        ['gone', ['y']],
      ]),
      groups,
      new Set(['g']),
      AT,
    );
    assert.deepEqual(
      out.map((c) => [c.group, c.replicas]),
      [['h', 0]],
    );
  });
});
