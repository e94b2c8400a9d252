import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../compiler/k8sTypes.ts';
import { recreateHash } from '../../compiler/recreateHash.ts';
import { rayCluster, withHeadEnv, withWorkers, replicas, workerPodSpec } from '../../testing/builders.ts';
import { recreateDecision } from './recreate.ts';

const recreate = (rc: ReturnType<typeof rayCluster>) => ({
  ...rc,
  spec: { ...rc.spec, upgradeStrategy: { type: 'Recreate' as const } },
});
const head = (annotations: Record<string, string>, deleting = false): Pod => ({
  metadata: {
    name: 'c-head-x',
    labels: { 'ray.io/node-type': 'head' },
    annotations,
    ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
});

describe('upgradeStrategy Recreate', () => {
  test('the hash ignores scaling, suspend and what Kueue edits; any template change moves it', () => {
    const base = recreate(rayCluster('c', withWorkers(2)));
    const h = recreateHash(base);
    assert.equal(recreateHash(recreate(rayCluster('c', withWorkers(5)))), h);
    assert.equal(recreateHash({ ...base, spec: { ...base.spec, suspend: true } }), h);
    assert.equal(
      recreateHash(
        recreate(
          rayCluster('c', withWorkers(2, workerPodSpec({ tolerations: [{ key: 'k', operator: 'Exists' }] }))),
        ),
      ),
      h,
    );
    assert.notEqual(
      recreateHash(recreate(rayCluster('c', withHeadEnv({ name: 'A', value: '1' }), withWorkers(2)))),
      h,
    );
    assert.notEqual(
      recreateHash(
        recreate(rayCluster('c', withWorkers(2, replicas(2), workerPodSpec({ priorityClassName: 'p' })))),
      ),
      h,
    );
  });

  test('decision: same hash nothing; other hash recreate; another operator version adopted once; no live head nothing', () => {
    const rc = recreate(rayCluster('c', withWorkers(1)));
    const h = recreateHash(rc);
    const v = { 'ray.io/kuberay-version': 'v1.7.0' };
    assert.deepEqual(recreateDecision(rc, [head({ 'ray.io/upgrade-strategy-recreate-hash': h, ...v })]), {
      action: 'none',
    });
    assert.equal(
      recreateDecision(rc, [head({ 'ray.io/upgrade-strategy-recreate-hash': 'old', ...v })]).action,
      'recreate',
    );
    assert.deepEqual(recreateDecision(rc, [head({})]), {
      action: 'adopt',
      head: 'c-head-x',
      annotations: { 'ray.io/upgrade-strategy-recreate-hash': h, ...v },
    });
    assert.deepEqual(
      recreateDecision(rc, [head({ 'ray.io/upgrade-strategy-recreate-hash': 'old', ...v }, true)]),
      { action: 'none' },
    );
    assert.deepEqual(
      recreateDecision(rayCluster('c'), [head({})]),
      { action: 'none' },
      'without the strategy',
    );
  });
});
