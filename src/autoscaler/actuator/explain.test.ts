import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJSON } from '../../util/canonical.ts';
import type { Decision } from '../policy/types.ts';
import {
  autoscalerStatusChanged,
  changesSomething,
  decidedStatus,
  eventMessage,
  eventReason,
  infeasibleMessage,
  statusPatch,
  waitingStatus,
} from './explain.ts';

const NOW = Date.parse('2026-11-28T16:00:00.000Z');

const up: Decision = {
  kind: 'scale',
  group: 'g',
  replicas: 3,
  direction: 'up',
  workersToDelete: [],
  reason: {
    rule: 'pending-demand',
    message: '4 CPUs pending',
    inputs: { pendingBundles: 4, newNodes: 2, x: null },
  },
};
const steady: Decision = {
  kind: 'none',
  group: 'g',
  replicas: 1,
  reason: { rule: 'steady', message: 'nothing to do', inputs: { cpu: 0.31 } },
};

describe('events', () => {
  test('reason by direction; message names the group, sizes, pods, rule and inputs', () => {
    assert.equal(eventReason(1, 3), 'AutoscalerScaledUp');
    assert.equal(eventReason(3, 1), 'AutoscalerScaledDown');
    assert.equal(eventReason(2, 2), 'AutoscalerRemovedWorkers');
    assert.equal(
      eventMessage('g', 1, 3, [], up.reason),
      'worker group g: replicas 1 → 3. Rule pending-demand: 4 CPUs pending [pendingBundles=4, newNodes=2, x=null]',
    );
    assert.match(eventMessage('g', 2, 1, ['w1'], steady.reason), /replicas 2 → 1, deleting w1\. Rule steady/);
  });

  test('long messages stay under the apiserver limit', () => {
    const many = Array.from({ length: 200 }, (_, i) => `worker-pod-${i}`);
    assert.ok(eventMessage('g', 300, 100, many, up.reason).length <= 1000);
  });

  test('changesSomething: another size or pods to delete', () => {
    assert.equal(changesSomething(up, 1), true);
    assert.equal(changesSomething(up, 3), false);
    assert.equal(changesSomething({ ...up, direction: 'same', workersToDelete: ['w'] }, 3), true);
    assert.equal(changesSomething(steady, 1), false);
  });
});

describe('status.autoscaler', () => {
  test('a decision becomes a group entry with string inputs and times', () => {
    const s = decidedStatus(undefined, [up], { g: NOW }, NOW);
    assert.deepEqual(s, {
      mode: 'native',
      rayReachable: true,
      groups: [
        {
          groupName: 'g',
          replicas: 3,
          rule: 'pending-demand',
          message: '4 CPUs pending',
          inputs: { pendingBundles: '4', newNodes: '2', x: 'null' },
          lastDecisionTime: '2026-11-28T16:00:00.000Z',
          lastScaleTime: '2026-11-28T16:00:00.000Z',
        },
      ],
    });
  });

  test('same rule and target later: the entry is kept as is, so nothing is written (moving inputs do not count)', () => {
    const first = decidedStatus(undefined, [steady], {}, NOW);
    const later = decidedStatus(
      first,
      [{ ...steady, reason: { ...steady.reason, inputs: { cpu: 0.55 } } }],
      {},
      NOW + 60_000,
    );
    assert.equal(autoscalerStatusChanged(first, later), false);
    // Pod counts do count: a stale "0 running, 3 launching" would mislead whoever reads the status.
    const joined = decidedStatus(
      first,
      [{ ...steady, reason: { ...steady.reason, inputs: { ...steady.reason.inputs, running: 3 } } }],
      {},
      NOW + 60_000,
    );
    assert.equal(autoscalerStatusChanged(first, joined), true);
    const moved = decidedStatus(first, [up], { g: NOW + 60_000 }, NOW + 60_000);
    assert.equal(autoscalerStatusChanged(first, moved), true);
  });

  test('waiting keeps the last decisions and says why', () => {
    const s = decidedStatus(undefined, [steady], {}, NOW);
    const w = waitingStatus(s, false, 'Ray GCS is unreachable');
    assert.equal(w.rayReachable, false);
    assert.equal(w.message, 'Ray GCS is unreachable');
    assert.deepEqual(w.groups, s.groups);
  });

  test('comparison ignores key order (the apiserver returns keys sorted)', () => {
    assert.equal(canonicalJSON({ b: 1, a: [{ y: 2, x: 1 }] }), canonicalJSON({ a: [{ x: 1, y: 2 }], b: 1 }));
    assert.equal(
      autoscalerStatusChanged({ rayReachable: true, mode: 'native' }, { mode: 'native', rayReachable: true }),
      false,
    );
  });
});

test('infeasible demand is named in the status message (up to 5 shapes), nothing when there is none', () => {
  assert.equal(infeasibleMessage({ bundles: [], gangs: [] }), undefined);
  assert.equal(
    infeasibleMessage({
      bundles: [{ resources: { GPU: 8 }, count: 2 }],
      gangs: [{ id: 'pg', strategy: 'STRICT_PACK', bundles: [{ CPU: 64 }] }],
    }),
    `3 pending demand item(s) fit no worker group's node shape and stay pending: [{"GPU":8},{"CPU":64}]`,
  );
});

test('status.autoscaler is replaced whole and alone; nothing is written when it is already so', () => {
  const waiting = waitingStatus(undefined, false, 'waiting: there is no head pod yet');
  const decided = decidedStatus(waiting, [up], {}, NOW);
  // A stale waiting message must go: the JSON patch replaces the member, whatever else owns it.
  assert.deepEqual(statusPatch({ autoscaler: waiting }, decided), {
    type: 'json',
    body: [{ op: 'add', path: '/status/autoscaler', value: decided }],
  });
  assert.equal(decided.message, undefined);
  assert.equal(statusPatch({ autoscaler: decided }, decided), undefined);
  // No status yet (the RayCluster controller has not written one): a merge patch creates it.
  assert.deepEqual(statusPatch(undefined, waiting), {
    type: 'merge',
    body: { status: { autoscaler: waiting } },
  });
});
