import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RayClusterStatus } from '../../api/v1/index.ts';
import { clusterStatusPatch } from './statusPatch.ts';

const autoscaler = {
  mode: 'native',
  rayReachable: true,
  message: 'theirs',
} as RayClusterStatus['autoscaler'];

describe('RayCluster status patch', () => {
  test('no stored status: a merge patch of this controller’s members, never status.autoscaler', () => {
    const p = clusterStatusPatch(undefined, { state: 'ready', readyWorkerReplicas: 2, autoscaler });
    assert.deepEqual(p, { type: 'merge', body: { status: { state: 'ready', readyWorkerReplicas: 2 } } });
  });

  test('only changed members are replaced, members gone are cleared with null, status.autoscaler is never named', () => {
    const prev: RayClusterStatus = {
      state: 'ready',
      readyWorkerReplicas: 2,
      reason: 'old',
      head: { podIP: '10.0.0.1' },
      autoscaler,
    };
    const p = clusterStatusPatch(prev, {
      state: 'ready',
      readyWorkerReplicas: 3,
      head: { podIP: '10.0.0.2' },
    });
    assert.deepEqual(p, {
      type: 'json',
      body: [
        { op: 'add', path: '/status/readyWorkerReplicas', value: 3 },
        { op: 'add', path: '/status/head', value: { podIP: '10.0.0.2' } },
        { op: 'add', path: '/status/reason', value: null },
      ],
    });
  });

  test('equal members in another key order are no change; nothing changed is no patch', () => {
    const prev = { head: { podIP: 'a', podName: 'b' }, state: 'ready' } as RayClusterStatus;
    assert.equal(clusterStatusPatch(prev, { state: 'ready', head: { podName: 'b', podIP: 'a' } }), undefined);
    assert.equal(clusterStatusPatch({ state: 'ready', autoscaler }, { state: 'ready' }), undefined);
  });
});
