// numServeEndpoints from the serve Service's selector over the pod cache: the pods the EndpointSlice
// controller would make ready endpoints of, and no others.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, Service } from '../../compiler/k8sTypes.ts';
import { clusterKey, INDEX_BY_CLUSTER, podClusterIndex } from '../shared/clusterPods.ts';
import type { KubeObject } from '../../runtime/resources.ts';
import type { Lister } from '../shared/lister.ts';
import { countReadyEndpoints, selectedReadyPods } from './endpoints.ts';

function pod(
  name: string,
  labels: Record<string, string>,
  over: Partial<Pod['status']> = {},
  ns = 'ns',
): Pod {
  return {
    metadata: { name, namespace: ns, labels },
    spec: { containers: [] },
    status: {
      phase: 'Running',
      podIP: '10.0.0.1',
      conditions: [{ type: 'Ready', status: 'True' }],
      ...over,
    },
  };
}

/** The pod cache's cluster index, built with the informer's own index function. */
function cache(pods: Pod[]): Pick<Lister, 'byIndex'> {
  return {
    byIndex: (index: string, key: string) =>
      index === INDEX_BY_CLUSTER
        ? (pods as KubeObject[]).filter((p) => podClusterIndex(p).includes(key))
        : [],
  };
}

const svc: Service = {
  metadata: { name: 'rs-serve-svc', namespace: 'ns' },
  spec: {
    selector: { 'ray.io/cluster': 'blue', 'ray.io/serve': 'true' },
    ports: [{ name: 'serve', port: 8000 }],
  },
};
const serving = { 'ray.io/cluster': 'blue', 'ray.io/serve': 'true' };

test('counts the ready pods the serve Service selects', () => {
  const pods = [
    pod('head', serving),
    pod('worker', { ...serving, 'ray.io/node-type': 'worker' }),
    pod('not-serving', { 'ray.io/cluster': 'blue', 'ray.io/serve': 'false' }),
    pod('other-cluster', { 'ray.io/cluster': 'green', 'ray.io/serve': 'true' }),
    pod('other-namespace', serving, {}, 'elsewhere'),
  ];
  assert.deepEqual(
    selectedReadyPods(cache(pods), svc).map((p) => p.metadata?.name),
    ['head', 'worker'],
  );
  assert.equal(clusterKey('ns', 'blue'), 'ns/blue');
});

test('not ready, no IP yet, terminating or finished pods are no endpoints', () => {
  const pods = [
    pod('unready', serving, { conditions: [{ type: 'Ready', status: 'False' }] }),
    pod('no-ip', serving, { podIP: undefined }),
    pod('failed', serving, { phase: 'Failed' }),
    {
      ...pod('deleting', serving),
      metadata: { ...pod('deleting', serving).metadata, deletionTimestamp: '2026-12-05T00:00:00Z' },
    },
  ] as Pod[];
  assert.equal(countReadyEndpoints(cache(pods), svc), 0);
  assert.equal(countReadyEndpoints(cache([...pods, pod('ok', serving)]), svc), 1);
});

test('no Service, or one without a cluster in its selector, has no endpoints', () => {
  assert.equal(countReadyEndpoints(cache([pod('head', serving)]), undefined), 0);
  const noCluster: Service = { ...svc, spec: { ...svc.spec, selector: { 'ray.io/serve': 'true' } } };
  assert.equal(countReadyEndpoints(cache([pod('head', serving)]), noCluster), 0);
});
