// The RayCluster reconciler's branches against the in-memory API (src/testing/fakeApi.ts): each test
// runs reconciles in milliseconds, no rig. The rig tests (lifecycle, rolling, resilience) cover the
// same behaviour against a real API server.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RayCluster } from '../../api/v1/index.ts';
import type { Pod } from '../../compiler/k8sTypes.ts';
import { ANNOTATION_WORKER_TEMPLATE_HASH } from '../../compiler/rollingHash.ts';
import { ApiError } from '../../runtime/errors.ts';
import { Expectations } from '../../runtime/expectations.ts';
import { nopLogger } from '../../runtime/log.ts';
import {
  Ingresses,
  PodDisruptionBudgets,
  Pods,
  RayClusters,
  RoleBindings,
  Roles,
  ServiceAccounts,
  Services,
  type GVR,
  type KubeObject,
} from '../../runtime/resources.ts';
import {
  inNamespace,
  rayCluster,
  rollingUpdate,
  withAutoscaling,
  withUID,
  withWorkers,
  workerEnv,
} from '../../testing/builders.ts';
import { FakeApi } from '../../testing/fakeApi.ts';
import { clusterKey, INDEX_BY_CLUSTER, podClusterIndex } from '../shared/clusterPods.ts';
import type { Lister } from '../shared/lister.ts';
import { RayClusterReconciler } from './reconciler.ts';

type RC = KubeObject & RayCluster;
const NS = 'default';
const ctx = { log: nopLogger, reconcileID: 't', signal: new AbortController().signal };

function harness(rc: RayCluster) {
  const api = new FakeApi();
  const expectations = new Expectations();
  const events: { type: string; reason: string; message: string }[] = [];
  // The informer's part: a pod write is observed when the store changes, unless the cache "lags".
  const h = { lagging: false };
  api.onChange = (type, r, o) => {
    if (r.resource !== 'pods' || h.lagging) return;
    const key = podClusterIndex(o)[0]!;
    if (type === 'ADDED') expectations.creationObserved(key, o.metadata.name);
    if (type === 'DELETED') expectations.deletionObserved(key, o.metadata.name);
  };
  const children = new Map<string, { resource: GVR; informer: Lister }>();
  for (const r of [Services, ServiceAccounts, Roles, RoleBindings, PodDisruptionBudgets, Ingresses])
    children.set(r.kind, { resource: r, informer: api.lister(r) });
  let n = 0;
  const reconciler = new RayClusterReconciler({
    client: api,
    clusters: api.lister(RayClusters),
    pods: api.lister(Pods, { [INDEX_BY_CLUSTER]: podClusterIndex }),
    children,
    expectations,
    events: {
      normal: (_o, reason, message) => events.push({ type: 'Normal', reason, message }),
      warning: (_o, reason, message) => events.push({ type: 'Warning', reason, message }),
    },
    log: nopLogger,
    now: () => new Date('2026-12-05T10:00:00Z'),
    randomSuffix: () => `p${String(n++).padStart(4, '0')}`,
  });
  api.put(RayClusters, rc as RC);
  const name = rc.metadata!.name!;
  return {
    api,
    events,
    expectations,
    h,
    key: clusterKey(NS, name),
    reconcile: () => reconciler.reconcile({ namespace: NS, name }, ctx),
    cluster: () => api.lister(RayClusters).get(NS, name) as RC,
    pods: (type?: 'head' | 'worker') =>
      (api.list<KubeObject>(Pods, NS) as Pod[]).filter(
        (p) => !type || p.metadata?.labels?.['ray.io/node-type'] === type,
      ),
    /** The kubelet's part: every pod Running and Ready. */
    allReady: (only?: (p: Pod) => boolean) => {
      for (const p of api.list<KubeObject>(Pods, NS) as Pod[]) {
        if (only && !only(p)) continue;
        api.put(Pods, {
          ...p,
          status: {
            phase: 'Running',
            podIP: '10.0.0.1',
            conditions: [{ type: 'Ready', status: 'True' }],
          },
        } as KubeObject);
      }
    },
    patchSpec: (ops: unknown[]) => api.patch(RayClusters, NS, name, ops, 'json'),
  };
}

const cluster = (...mods: Parameters<typeof rayCluster>[1][]) =>
  rayCluster('c', inNamespace(NS), withUID('uid-c'), ...mods);

describe('RayClusterReconciler (in-memory API)', () => {
  test('a new cluster gets its Service, head and workers, one Event per batch, and a status', async () => {
    const t = harness(cluster(withWorkers(3)));
    await t.reconcile();
    assert.equal(t.pods('head').length, 1);
    assert.equal(t.pods('worker').length, 3);
    assert.equal(t.api.writes('create', Services).length >= 1, true);
    assert.ok(t.events.some((e) => e.reason === 'CreatedWorkerPod' && /3|p000/.test(e.message)));
    assert.equal(t.api.writes('patchStatus', RayClusters).length, 1);
  });

  test('children the pods name come first; the Service alongside the pods, its failure does not hold them', async () => {
    const t = harness(cluster(withWorkers(2), withAutoscaling()));
    t.api.failNext(
      'create',
      Services,
      new ApiError(403, { reason: 'Forbidden', message: 'quota' }, 'POST', '/s'),
    );
    await assert.rejects(t.reconcile(), /FailedCreateService/);
    const creates = t.api.calls.filter((c) => c.verb === 'create').map((c) => c.resource);
    assert.ok(creates.indexOf('serviceaccounts') < creates.indexOf('pods'), creates.join(','));
    assert.equal(t.pods('worker').length, 2, 'the pods were created despite the Service');
    assert.ok(t.events.some((e) => e.reason === 'FailedToCreateService'));
    await t.reconcile();
    assert.equal(t.api.list(Services, NS).length >= 1, true, 'the next reconcile creates the Service');
    assert.equal(t.pods('worker').length, 2);
  });

  test('a converged cluster costs no API call', async () => {
    const t = harness(cluster(withWorkers(2)));
    await t.reconcile();
    t.allReady();
    await t.reconcile(); // status: ready
    assert.equal(t.cluster().status?.state, 'ready');
    const before = t.api.calls.length;
    await t.reconcile();
    assert.equal(t.api.calls.length, before);
  });

  test('scaling down without an autoscaler deletes the surplus; workersToDelete goes and is cleared', async () => {
    const t = harness(cluster(withWorkers(3)));
    await t.reconcile();
    t.allReady();
    await t.patchSpec([{ op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: 2 }]);
    await t.reconcile();
    assert.equal(t.pods('worker').length, 2);
    const victim = t.pods('worker')[0]!.metadata!.name!;
    await t.patchSpec([
      { op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: 1 },
      { op: 'add', path: '/spec/workerGroupSpecs/0/scaleStrategy', value: { workersToDelete: [victim] } },
    ]);
    await t.reconcile();
    assert.deepEqual(
      t.pods('worker').map((p) => p.metadata!.name),
      t
        .pods('worker')
        .filter((p) => p.metadata!.name !== victim)
        .map((p) => p.metadata!.name),
    );
    assert.equal(t.pods('worker').length, 1);
    await t.reconcile(); // the listed pod is gone now: the list is cleared with a test+replace patch
    assert.deepEqual(t.cluster().spec.workerGroupSpecs?.[0]?.scaleStrategy?.workersToDelete, []);
  });

  test('workersToDelete rewritten by the autoscaler meanwhile: the clearing patch fails its test, nothing is lost', async () => {
    const t = harness(cluster(withWorkers(2)));
    await t.reconcile();
    const [a] = t.pods('worker').map((p) => p.metadata!.name!);
    await t.patchSpec([
      { op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: 1 },
      { op: 'add', path: '/spec/workerGroupSpecs/0/scaleStrategy', value: { workersToDelete: [a] } },
    ]);
    await t.reconcile();
    // The autoscaler writes a new list after our reconcile read the old one.
    t.api.failNext(
      'patch',
      RayClusters,
      new ApiError(422, { reason: 'Invalid', message: 'test failed' }, 'PATCH', '/c'),
    );
    await t.reconcile(); // no throw: the 422 means "someone else changed it", the next reconcile sees it
    assert.deepEqual(t.cluster().spec.workerGroupSpecs?.[0]?.scaleStrategy?.workersToDelete, [a]);
  });

  test('suspend deletes every pod and creates none; resume brings them back', async () => {
    const t = harness(cluster(withWorkers(2)));
    await t.reconcile();
    await t.patchSpec([{ op: 'add', path: '/spec/suspend', value: true }]);
    await t.reconcile();
    assert.equal(t.pods().length, 0);
    await t.reconcile();
    assert.equal(t.cluster().status?.state, 'suspended');
    await t.patchSpec([{ op: 'replace', path: '/spec/suspend', value: false }]);
    await t.reconcile();
    assert.equal(t.pods().length, 3);
  });

  test('Recreate: a template change deletes every pod, the next reconcile creates them anew', async () => {
    const rc = cluster(withWorkers(2));
    const t = harness({ ...rc, spec: { ...rc.spec, upgradeStrategy: { type: 'Recreate' } } });
    await t.reconcile();
    const first = new Set(t.pods().map((p) => p.metadata!.name));
    await t.patchSpec([
      {
        op: 'add',
        path: '/spec/headGroupSpec/template/spec/containers/0/env',
        value: [{ name: 'A', value: '1' }],
      },
    ]);
    await t.reconcile();
    assert.equal(t.pods().length, 0);
    await t.reconcile();
    assert.equal(t.pods().length, 3);
    assert.ok(t.pods().every((p) => !first.has(p.metadata!.name)));
  });

  test('RollingUpdate: one pod per batch, the next waits for the replacement to be Ready; the head stays', async () => {
    const t = harness(cluster(withWorkers(3), rollingUpdate(1)));
    await t.reconcile();
    t.allReady();
    await t.reconcile();
    const head = t.pods('head')[0]!.metadata!.name;
    const oldHash = t.pods('worker')[0]!.metadata!.annotations![ANNOTATION_WORKER_TEMPLATE_HASH];
    await t.patchSpec([
      {
        op: 'add',
        path: '/spec/workerGroupSpecs/0/template/spec/containers/0/env',
        value: [{ name: 'A', value: '1' }],
      },
    ]);
    const hashes = () =>
      t.pods('worker').map((p) => p.metadata!.annotations![ANNOTATION_WORKER_TEMPLATE_HASH]);
    await t.reconcile();
    assert.equal(t.pods('worker').length, 3, 'delete-then-create: never more than replicas');
    assert.equal(hashes().filter((h) => h === oldHash).length, 2);
    await t.reconcile(); // the replacement is not Ready: nothing more goes
    assert.equal(hashes().filter((h) => h === oldHash).length, 2);
    const cond = t.cluster().status?.conditions?.find((c) => c.type === 'WorkerPodsUpdated');
    assert.equal(cond?.message, '1/3 pods updated (workers 1/3)');
    for (let i = 0; i < 3; i++) {
      t.allReady();
      await t.reconcile();
    }
    assert.ok(hashes().every((h) => h !== oldHash));
    assert.equal(t.pods('head')[0]!.metadata!.name, head);
    t.allReady();
    await t.reconcile();
    assert.equal(t.cluster().status?.conditions?.find((c) => c.type === 'WorkerPodsUpdated')?.status, 'True');
    assert.ok(
      t.events.some((e) => e.reason === 'DeletedWorkerPod' && /rolling update of workers/.test(e.message)),
    );
  });

  test('RollingUpdate does not fight the autoscaler: replicas changed mid-roll are honoured first', async () => {
    const t = harness(cluster(withWorkers(2, workerEnv({ name: 'A', value: '0' })), rollingUpdate(1)));
    await t.reconcile();
    t.allReady();
    await t.patchSpec([
      { op: 'replace', path: '/spec/workerGroupSpecs/0/template/spec/containers/0/env/0/value', value: '1' },
      { op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: 4 },
    ]);
    await t.reconcile(); // grows to 4 (new pods on the new template); no outdated pod goes yet
    assert.equal(t.pods('worker').length, 4);
    assert.equal(t.api.writes('delete', Pods).length, 0);
  });

  test('unsatisfied expectations: no pod writes, requeue after 1 s', async () => {
    const t = harness(cluster(withWorkers(2)));
    t.h.lagging = true;
    await t.reconcile();
    const creates = t.api.writes('create', Pods).length;
    const res = await t.reconcile();
    assert.equal(res.requeueAfter, 1000);
    assert.equal(t.api.writes('create', Pods).length, creates);
    assert.ok(t.expectations.pending(t.key));
  });

  test('a failed pod create: ReplicaFailure in status, a Warning, and an error for a rate-limited retry', async () => {
    const t = harness(cluster(withWorkers(1)));
    t.api.failNext(
      'create',
      Pods,
      new ApiError(403, { reason: 'Forbidden', message: 'quota' }, 'POST', '/p'),
    );
    await assert.rejects(t.reconcile(), /FailedCreate/);
    assert.ok(t.events.some((e) => e.type === 'Warning' && /FailedToCreate/.test(e.reason)));
    assert.equal(t.cluster().status?.conditions?.find((c) => c.type === 'ReplicaFailure')?.status, 'True');
  });

  test('a Conflict on the status write is returned for a retry, and the next reconcile writes it', async () => {
    const t = harness(cluster(withWorkers(1)));
    t.api.failNext('patchStatus', RayClusters, new ApiError(409, { reason: 'Conflict' }, 'PATCH', '/s'));
    await assert.rejects(t.reconcile(), /Conflict/);
    await t.reconcile();
    assert.ok(t.cluster().status?.conditions?.length);
  });

  test('an invalid spec: InvalidRayClusterSpec Event and status, no pods', async () => {
    const t = harness(cluster(withWorkers(1), rollingUpdate('0%')));
    await t.reconcile();
    assert.equal(t.pods().length, 0);
    assert.ok(t.events.some((e) => e.reason === 'InvalidRayClusterSpec' && /maxUnavailable/.test(e.message)));
  });
});
