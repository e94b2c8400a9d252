import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../compiler/k8sTypes.ts';
import type { KubeObject } from '../../runtime/resources.ts';
import { INDEX_BY_CLUSTER } from '../shared/clusterPods.ts';
import { completesCluster } from './completingEvent.ts';

const pod = (name: string, cluster: string, state: 'pending' | 'running' | 'ready' | 'deleting'): Pod => ({
  metadata: {
    name,
    namespace: 'ns',
    labels: { 'ray.io/cluster': cluster },
    ...(state === 'deleting' ? { deletionTimestamp: '2026-12-05T00:00:00Z' } : {}),
  },
  status: {
    phase: state === 'pending' ? 'Pending' : 'Running',
    conditions: [{ type: 'Ready', status: state === 'ready' || state === 'deleting' ? 'True' : 'False' }],
  },
});

const cache = (pods: Pod[]) => ({
  byIndex: (index: string, key: string) => {
    assert.equal(index, INDEX_BY_CLUSTER);
    return pods.filter((p) => `ns/${p.metadata!.labels!['ray.io/cluster']}` === key) as KubeObject[];
  },
});

test('the last pod of a cluster turning Ready completes it; earlier ones and other states do not', () => {
  const head = pod('h', 'c', 'ready');
  const w1 = pod('w1', 'c', 'ready');
  const w2 = pod('w2', 'c', 'running');
  const other = pod('x', 'd', 'pending');
  assert.equal(completesCluster(cache([head, w1, w2, other]), w1), false, 'w2 is Running but not Ready');
  const w2Ready = pod('w2', 'c', 'ready');
  assert.equal(
    completesCluster(cache([head, w1, w2Ready, other]), w2Ready),
    true,
    "another cluster's pods do not count",
  );
  assert.equal(
    completesCluster(cache([head, w1, w2Ready]), pod('w3', 'c', 'running')),
    false,
    'the event pod itself must be Ready',
  );
  assert.equal(
    completesCluster(cache([head, w1, w2Ready, pod('old', 'c', 'deleting')]), w2Ready),
    true,
    'a pod on its way out is not waited for',
  );
  assert.equal(completesCluster(cache([]), pod('y', '', 'ready')), false, 'a pod of no cluster');
});
