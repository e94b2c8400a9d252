// The RayCluster controller's lifecycle on the real control plane: scale through replicas and
// through workersToDelete, suspend/resume, head loss and recovery, deletion with garbage collection,
// and a reconcile of a converged cluster that writes nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RayCluster } from '../../api/v1/index.ts';
import type { Pod } from '../../compiler/k8sTypes.ts';
import { newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import {
  inNamespace,
  minMax,
  named,
  numOfHosts,
  rayCluster,
  withAnnotations,
  withHead,
  withWorkers,
} from '../../testing/builders.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { until } from '../../testing/wait.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { Events, Ingresses, Pods, RayClusters, Services, type KubeObject } from '../../runtime/resources.ts';
import { isNotFound } from '../../runtime/errors.ts';

type RC = KubeObject & RayCluster;

describe('RayCluster lifecycle on the rig', () => {
  let rig: Rig;
  let ns: string;
  let client: KubeClient;
  let op: InProcessOperator;

  before(async () => {
    rig = await useRig();
    ns = await newNamespace(rig, 'rc-life');
    client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 200, burst: 400 });
    op = await startOperator(rig, [ns]);
  });
  after(async () => {
    await op.stop();
    client.close();
  });

  const pods = async (name: string, extra = ''): Promise<Pod[]> =>
    (
      await client.list<KubeObject>(Pods, ns, { labelSelector: `ray.io/cluster=${name}${extra}` })
    ).items.filter((p) => !p.metadata.deletionTimestamp) as Pod[];
  const workers = (name: string) => pods(name, ',ray.io/node-type=worker');
  const get = (name: string) => client.get<RC>(RayClusters, ns, name);
  const create = (rc: RayCluster) => client.create<RC>(RayClusters, rc as RC);
  const waitReady = (name: string, workersWanted: number) =>
    until(
      `${name} ready with ${workersWanted} workers`,
      async () => {
        const rc = await get(name);
        const w = await workers(name);
        return rc.status?.state === 'ready' &&
          rc.status.readyWorkerReplicas === workersWanted &&
          w.length === workersWanted
          ? rc
          : undefined;
      },
      { timeoutMs: 90_000, describe: async () => JSON.stringify((await get(name)).status) },
    );
  const patchSpec = (name: string, ops: unknown[]) => client.patch(RayClusters, ns, name, ops, 'json');
  const eventsAbout = async (name: string) =>
    (await client.list<KubeObject>(Events, ns, { fieldSelector: `involvedObject.name=${name}` }))
      .items as unknown as { reason: string; type: string }[];

  test('scale up and down through replicas (no autoscaler: the operator picks the surplus)', async () => {
    await create(rayCluster('scale', inNamespace(ns), withWorkers(2, minMax(0, 10))));
    await waitReady('scale', 2);
    await patchSpec('scale', [{ op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: 5 }]);
    await waitReady('scale', 5);
    await patchSpec('scale', [{ op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: 1 }]);
    await until('scale down to 1 worker', async () => (await workers('scale')).length === 1 || undefined);
    // replicas above max is clamped
    await patchSpec('scale', [{ op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: 50 }]);
    await until('clamped to max 10', async () => (await workers('scale')).length === 10 || undefined);
    const rc = await get('scale');
    assert.equal(rc.status?.maxWorkerReplicas, 10);
  });

  test('enableIngress makes the dashboard Ingress; workers carry replica indices, multi-host replicas their name and host index', async () => {
    await create(
      rayCluster(
        'idx',
        inNamespace(ns),
        withAnnotations({ 'kubernetes.io/ingress.class': 'nginx', 'example.com/team': 'a' }),
        withHead((h) => ({ ...h, enableIngress: true, ingressOptions: { host: 'ray.example.com' } })),
        withWorkers(3, named('cpu')),
        withWorkers(2, named('tpu'), numOfHosts(2), minMax(0, 4)),
      ),
    );
    await waitReady('idx', 7);
    const ing = await client.get<KubeObject & { spec: Record<string, unknown> }>(
      Ingresses,
      ns,
      'idx-head-ingress',
    );
    assert.equal(ing.spec.ingressClassName, 'nginx');
    assert.equal(ing.metadata.annotations?.['example.com/team'], 'a');
    assert.equal(ing.metadata.annotations?.['kubernetes.io/ingress.class'], undefined);
    assert.deepEqual(ing.spec.rules, [
      {
        host: 'ray.example.com',
        http: {
          paths: [
            {
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: 'idx-head-svc', port: { number: 8265 } } },
            },
          ],
        },
      },
    ]);
    const label = (p: Pod, k: string) => p.metadata?.labels?.[`ray.io/${k}`];
    const cpu = (await pods('idx', ',ray.io/group=cpu')).map((p) => label(p, 'worker-group-replica-index'));
    assert.deepEqual(cpu.sort(), ['0', '1', '2']);
    const tpu = await pods('idx', ',ray.io/group=tpu');
    const replicas = new Map<string, string[]>();
    for (const p of tpu) {
      const name = label(p, 'worker-group-replica-name')!;
      assert.match(name, /^tpu-[a-z0-9]{5}$/);
      replicas.set(name, [
        ...(replicas.get(name) ?? []),
        `${label(p, 'worker-group-replica-index')}/${label(p, 'replica-host-index')}`,
      ]);
    }
    assert.equal(replicas.size, 2, 'two replicas of two hosts');
    const hostsOf = [...replicas.values()].map((h) => h.sort());
    assert.deepEqual(
      hostsOf.map((h) => h.map((x) => x.split('/')[1])),
      [
        ['0', '1'],
        ['0', '1'],
      ],
    );
    assert.deepEqual(hostsOf.map((h) => h[0]!.split('/')[0]).sort(), ['0', '1']);
  });

  test('upgradeStrategy Recreate: scaling keeps the pods; a template change replaces every pod from the new spec', async () => {
    const rc = rayCluster('recreate', inNamespace(ns), withWorkers(2, minMax(0, 5)));
    await create({ ...rc, spec: { ...rc.spec, upgradeStrategy: { type: 'Recreate' } } });
    await waitReady('recreate', 2);
    const names = async () => new Set((await pods('recreate')).map((p) => p.metadata!.name!));
    const before = await names();
    await patchSpec('recreate', [{ op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: 3 }]);
    await waitReady('recreate', 3);
    const scaled = await names();
    assert.ok(
      [...before].every((n) => scaled.has(n)),
      'scaling recreated nothing',
    );
    await patchSpec('recreate', [
      {
        op: 'add',
        path: '/spec/headGroupSpec/template/spec/containers/0/env',
        value: [{ name: 'MODEL', value: 'v2' }],
      },
    ]);
    await until(
      'every pod replaced and the cluster ready again',
      async () => {
        const now = await names();
        const c = await get('recreate');
        return now.size === 4 && [...now].every((n) => !scaled.has(n)) && c.status?.readyWorkerReplicas === 3
          ? true
          : undefined;
      },
      { timeoutMs: 90_000, describe: async () => [...(await names())].join(',') },
    );
    const head = (await pods('recreate', ',ray.io/node-type=head'))[0]!;
    assert.equal(head.spec?.containers[0]?.env?.find((e) => e.name === 'MODEL')?.value, 'v2');
    assert.match(
      head.metadata?.annotations?.['ray.io/upgrade-strategy-recreate-hash'] ?? '',
      /^[0-9a-f]{40}$/,
    );
    assert.ok((await eventsAbout('recreate')).some((e) => e.reason === 'DeletedHeadPod'));
  });

  test('workersToDelete deletes exactly the listed pods and is cleared afterwards', async () => {
    await create(rayCluster('wtd', inNamespace(ns), withWorkers(3)));
    await waitReady('wtd', 3);
    const before = (await workers('wtd')).map((p) => p.metadata!.name!).sort();
    const victims = before.slice(0, 2);
    await patchSpec('wtd', [
      { op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: 1 },
      { op: 'add', path: '/spec/workerGroupSpecs/0/scaleStrategy', value: { workersToDelete: victims } },
    ]);
    const left = await until('two listed workers gone', async () => {
      const w = (await workers('wtd')).map((p) => p.metadata!.name!);
      return w.length === 1 ? w : undefined;
    });
    assert.deepEqual(left, before.slice(2), 'the unlisted worker survives');
    await until('workersToDelete cleared', async () => {
      const rc = await get('wtd');
      return (rc.spec.workerGroupSpecs?.[0]?.scaleStrategy?.workersToDelete ?? []).length === 0 || undefined;
    });
    await sleep(1000);
    assert.deepEqual(
      (await workers('wtd')).map((p) => p.metadata!.name!),
      left,
      'no replacement created',
    );
  });

  test('with in-tree autoscaling the operator never deletes random workers', async () => {
    const rc = rayCluster('auto', inNamespace(ns), withWorkers(3));
    rc.spec.enableInTreeAutoscaling = true;
    await create(rc);
    await until('3 workers', async () => (await workers('auto')).length === 3 || undefined);
    await patchSpec('auto', [{ op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: 1 }]);
    await sleep(3000);
    assert.equal((await workers('auto')).length, 3, 'surplus kept for the autoscaler to choose');
    const svcAcc = await rig.kubectl([
      'get',
      'serviceaccount,role,rolebinding',
      'auto',
      '-n',
      ns,
      '-o',
      'name',
    ]);
    assert.equal(svcAcc.code, 0, svcAcc.stderr);
    assert.equal(svcAcc.stdout.trim().split('\n').length, 3, 'autoscaler RBAC created');
  });

  test('suspend deletes every pod and reports Suspended; resume brings them back', async () => {
    await create(rayCluster('susp', inNamespace(ns), withWorkers(2)));
    await waitReady('susp', 2);
    await client.patch(RayClusters, ns, 'susp', { spec: { suspend: true } }, 'merge');
    await until('suspended with no pods', async () => {
      const rc = await get('susp');
      return rc.status?.state === 'suspended' && (await pods('susp')).length === 0 ? rc : undefined;
    });
    const rc = await get('susp');
    assert.equal(rc.status?.conditions?.find((c) => c.type === 'RayClusterSuspended')?.status, 'True');
    await client.patch(RayClusters, ns, 'susp', { spec: { suspend: false } }, 'merge');
    await waitReady('susp', 2);
    const resumed = await get('susp');
    assert.equal(resumed.status?.conditions?.find((c) => c.type === 'RayClusterSuspended')?.status, 'False');
  });

  test('a deleted head is recreated; workers are kept (KubeRay without GCS FT)', async () => {
    await create(rayCluster('headloss', inNamespace(ns), withWorkers(2)));
    await waitReady('headloss', 2);
    const [head] = await pods('headloss', ',ray.io/node-type=head');
    const workersBefore = (await workers('headloss')).map((p) => p.metadata!.name!).sort();
    await client.delete(Pods, ns, head!.metadata!.name!);
    const newHead = await until('a new head pod', async () => {
      const [h] = await pods('headloss', ',ray.io/node-type=head');
      return h && h.metadata?.name !== head!.metadata?.name && h.status?.phase === 'Running' ? h : undefined;
    });
    assert.notEqual(newHead.metadata?.name, head!.metadata?.name);
    assert.deepEqual((await workers('headloss')).map((p) => p.metadata!.name!).sort(), workersBefore);
    // Events are written asynchronously after the pod create: wait for the one we look for.
    let reasons: string[] = [];
    await until(
      'a CreatedHeadPod Event about headloss',
      async () => {
        reasons = (await eventsAbout('headloss')).map((e) => e.reason);
        return reasons.includes('CreatedHeadPod');
      },
      { timeoutMs: 30_000, describe: () => JSON.stringify(reasons) },
    );
  });

  test('a converged cluster makes no API writes', async () => {
    await create(rayCluster('quiet', inNamespace(ns), withWorkers(2)));
    const rc = await waitReady('quiet', 2);
    await sleep(1500); // let in-flight status writes settle
    const rv = (await get('quiet')).metadata.resourceVersion;
    const podRVs = (await pods('quiet')).map((p) => p.metadata?.resourceVersion).sort();
    // Force reconciles: a label change on the cluster is an event the controller reacts to.
    for (let i = 0; i < 5; i++) op.mgr.controllers[0]!.enqueue({ namespace: ns, name: 'quiet' });
    await sleep(2000);
    assert.equal((await get('quiet')).metadata.resourceVersion, rv, 'no status write');
    assert.deepEqual((await pods('quiet')).map((p) => p.metadata?.resourceVersion).sort(), podRVs);
    assert.equal(rc.status?.state, 'ready');
  });

  test('an invalid spec (minReplicas > maxReplicas) creates nothing and says why', async () => {
    await create(rayCluster('bad', inNamespace(ns), withWorkers(1, minMax(4, 2))));
    const rc = await until('status reason', async () => {
      const cur = await get('bad');
      return cur.status?.reason ? cur : undefined;
    });
    assert.match(rc.status!.reason!, /spec\.workerGroupSpecs\[0\]\.minReplicas/);
    assert.equal(
      rc.status?.conditions?.find((c) => c.type === 'ReplicaFailure')?.reason,
      'InvalidRayClusterSpec',
    );
    assert.equal((await pods('bad')).length, 0);
    const reasons = await eventsAbout('bad');
    assert.ok(reasons.some((e) => e.reason === 'InvalidRayClusterSpec' && e.type === 'Warning'));
  });

  test('deleting the RayCluster garbage-collects pods and services', async () => {
    await create(rayCluster('gone', inNamespace(ns), withWorkers(2)));
    await waitReady('gone', 2);
    const svc = await client.get<KubeObject>(Services, ns, 'gone-head-svc');
    assert.equal(svc.metadata.ownerReferences?.[0]?.kind, 'RayCluster');
    await client.delete(RayClusters, ns, 'gone', { propagationPolicy: 'Background' });
    await until(
      'pods and head service garbage-collected',
      async () => {
        const left = await client.list<KubeObject>(Pods, ns, { labelSelector: 'ray.io/cluster=gone' });
        let svcGone = false;
        try {
          await client.get(Services, ns, 'gone-head-svc');
        } catch (err) {
          svcGone = isNotFound(err);
        }
        return left.items.length === 0 && svcGone ? true : undefined;
      },
      { timeoutMs: 90_000 },
    );
  });
});
