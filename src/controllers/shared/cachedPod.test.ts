// The pod cache's trim keeps every field a controller reads from a cached pod: each reader of the
// pod cache gives the same answer for a pod as served and for the same pod trimmed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../compiler/k8sTypes.ts';
import { renderCluster } from '../../compiler/index.ts';
import { headEndpoint, podViewsOf } from '../../autoscaler/actuator/inputs.ts';
import {
  deletionRank,
  headKeepRank,
  isHeadPod,
  isReady,
  isRunning,
  isTerminating,
  isWorkerPod,
  podGroup,
  unhealthyReason,
} from '../raycluster/podState.ts';
import { computeStatus } from '../raycluster/status.ts';
import { defaultRayEndpoints } from '../rayservice/reconciler.ts';
import { observeSidecar } from '../rayjob/observe.ts';
import { selectedReadyPods } from '../rayservice/endpoints.ts';
import { rayCluster, workerGroup } from '../../testing/builders.ts';
import { INDEX_BY_CLUSTER, ownedPods, podClusterIndex } from './clusterPods.ts';
import { trimCachedPod } from './cachedPod.ts';
import type { Lister } from './lister.ts';
import type { KubeObject } from '../../runtime/resources.ts';

const rc = rayCluster('c', (c) => {
  c.metadata!.uid = 'uid-c';
  c.spec.workerGroupSpecs = [workerGroup('small')];
  c.spec.headGroupSpec.template.spec!.containers[0]!.ports = [{ name: 'serve', containerPort: 8123 }];
  return c;
});

/** The compiler's pods as the API server serves them back: managedFields, node, status. */
function served(): Pod[] {
  const pods = renderCluster(rc).filter((o) => o.kind === 'Pod') as unknown as Pod[];
  return pods.map((p, i) => ({
    ...structuredClone(p),
    metadata: {
      ...structuredClone(p.metadata),
      uid: `uid-${i}`,
      resourceVersion: String(100 + i),
      creationTimestamp: `2026-12-05T10:0${i}:00Z`,
      ownerReferences: [
        { apiVersion: 'ray.io/v1', kind: 'RayCluster', name: 'c', uid: 'uid-c', controller: true },
      ],
      managedFields: [{ manager: 'kuray', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: {} }],
    },
    // Only the worker is bound to a node, so the scheduled-last order differs from the ready-last one.
    spec: {
      ...structuredClone(p.spec!),
      ...(i > 0 ? { nodeName: 'kwok-node-1' } : {}),
      restartPolicy: 'Never',
    },
    status: {
      phase: 'Running',
      podIP: `10.0.0.${i + 1}`,
      hostIP: '10.1.0.1',
      conditions: [
        { type: 'Ready', status: i === 0 ? 'True' : 'False', reason: 'ContainersNotReady' },
        { type: 'PodScheduled', status: 'True' },
      ],
      containerStatuses: [
        {
          name: p.spec!.containers[0]!.name,
          ready: i === 0,
          restartCount: 0,
          image: 'rayproject/ray:2.58.0',
          imageID: '',
          state: i === 0 ? { running: {} } : { terminated: { exitCode: 1, reason: 'Error' } },
        },
        {
          name: 'ray-job-submitter',
          ready: false,
          restartCount: 0,
          image: 'x',
          imageID: '',
          state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: '2026-12-05T10:05:00Z' } },
        },
      ],
    },
  }));
}

function listerOf(pods: readonly Pod[]): Lister {
  return {
    get: (ns, name) =>
      pods.find((p) => p.metadata?.namespace === ns && p.metadata?.name === name) as KubeObject | undefined,
    byIndex: (index, value) => {
      assert.equal(index, INDEX_BY_CLUSTER);
      return pods.filter(
        (p) => podClusterIndex(p as unknown as KubeObject)[0] === value,
      ) as unknown as KubeObject[];
    },
  };
}

const trim = (pods: readonly Pod[]): Pod[] =>
  pods.map((p) => trimCachedPod(p as unknown as KubeObject) as unknown as Pod);

test('the trim drops managedFields and the spec nobody reads, and keeps metadata and status whole', () => {
  const [head] = served();
  const t = trimCachedPod(head as unknown as KubeObject) as unknown as Pod;
  const { managedFields: _m, ...meta } = head!.metadata!;
  assert.deepEqual(t.metadata, meta);
  assert.deepEqual(t.status, head!.status);
  assert.deepEqual(Object.keys(t.spec!).sort(), ['containers', 'restartPolicy']);
  assert.deepEqual(t.spec!.containers, [
    { name: head!.spec!.containers[0]!.name, ports: head!.spec!.containers[0]!.ports },
  ]);
  assert.ok(JSON.stringify(t).length < JSON.stringify(head).length / 2, 'the trim must pay for itself');
  // A watch DELETED event may carry a bare object: the trim copes with missing parts.
  assert.deepEqual(trimCachedPod({ metadata: { name: 'x' } }), { metadata: { name: 'x' } });
});

test('every reader of the pod cache answers the same for trimmed pods', () => {
  const full = served();
  const cut = trim(full);
  assert.ok(full.length >= 2, 'a head and a worker');
  const same = (what: string, f: (pods: Pod[]) => unknown): void => {
    assert.deepEqual(f(cut), f(full), what);
  };

  // RayCluster controller: pod state, the surplus-worker and head-keeping order, status.
  for (const fn of [isHeadPod, isWorkerPod, podGroup, isTerminating, isRunning, isReady, unhealthyReason])
    same(fn.name, (ps) => ps.map((p) => fn(p)));
  assert.ok(
    full.some((p) => unhealthyReason(p)),
    'a worker whose Ray container exited under Never',
  );
  same('deletionRank', (ps) => [...ps].sort(deletionRank).map((p) => p.metadata!.name));
  same('headKeepRank', (ps) => [...ps].sort(headKeepRank).map((p) => p.metadata!.name));
  same('ownedPods', (ps) => ownedPods(listerOf(ps), rc).map((p) => p.metadata!.name));
  same('computeStatus', (ps) =>
    computeStatus({
      cluster: rc,
      pods: ps,
      groups: [{ name: 'small', desiredPods: 1 }],
      now: new Date('2026-12-05T11:00:00Z'),
    }),
  );
  // Native autoscaler: worker views and the GCS address of the head.
  same('podViewsOf', (ps) => podViewsOf(ps));
  same('headEndpoint', (ps) => headEndpoint(rc, ps));
  // RayService: the head's dashboard and serve ports, the serve Service's ready endpoints.
  const head = (ps: Pod[]) => ps.find((p) => isHeadPod(p))!;
  same('defaultRayEndpoints', (ps) => defaultRayEndpoints(rc, head(ps)));
  assert.equal(defaultRayEndpoints(rc, head(cut))?.serve, 'http://10.0.0.1:8123');
  const svc = {
    metadata: { name: 's', namespace: 'default' },
    spec: { selector: { 'ray.io/cluster': 'c' } },
  };
  same('selectedReadyPods', (ps) =>
    selectedReadyPods(listerOf(ps), svc as never).map((p) => p.metadata!.name),
  );
  // RayJob in SidecarMode: the submitter container's exit in the head's status.
  same('observeSidecar', (ps) => observeSidecar(rc, listerOf(ps)));
});
