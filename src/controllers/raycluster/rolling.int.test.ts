// upgradeStrategy RollingUpdate (Kuray-only) on the real control plane (KWOK pods): a worker-template
// change replaces the group's pods a batch at a time. A watch on the pods sees every Ready change, so
// the minimum Ready count during the roll is observed, not sampled. (Recreate: lifecycle.int.test.ts.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RayCluster } from '../../api/v1/index.ts';
import type { Pod } from '../../compiler/k8sTypes.ts';
import { compileCluster } from '../../compiler/index.ts';
import {
  ANNOTATION_WORKER_TEMPLATE_COMPILER,
  ANNOTATION_WORKER_TEMPLATE_HASH,
} from '../../compiler/rollingHash.ts';
import { newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import { inNamespace, minMax, rayCluster, rollingUpdate, withWorkers } from '../../testing/builders.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { until } from '../../testing/wait.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { Events, Pods, RayClusters, type KubeObject } from '../../runtime/resources.ts';

type RC = KubeObject & RayCluster;

const isReadyWorker = (p: Pod): boolean =>
  !p.metadata?.deletionTimestamp &&
  p.metadata?.labels?.['ray.io/node-type'] === 'worker' &&
  (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

describe('RayCluster RollingUpdate on the rig', () => {
  let rig: Rig;
  let ns: string;
  let client: KubeClient;
  let op: InProcessOperator;

  before(async () => {
    rig = await useRig();
    ns = await newNamespace(rig, 'rc-roll');
    client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 200, burst: 400 });
    op = await startOperator(rig, [ns]);
  });
  after(async () => {
    await op.stop();
    client.close();
  });

  const list = async (name: string): Promise<Pod[]> =>
    (await client.list<KubeObject>(Pods, ns, { labelSelector: `ray.io/cluster=${name}` })).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    ) as Pod[];
  const get = (name: string) => client.get<RC>(RayClusters, ns, name);

  /** Watches the cluster's pods from now on; `minReady()` is the fewest Ready workers seen. */
  async function watchReady(name: string) {
    const start = await client.list<KubeObject>(Pods, ns, { labelSelector: `ray.io/cluster=${name}` });
    const pods = new Map<string, Pod>(start.items.map((p) => [p.metadata.name!, p as Pod]));
    const count = () => [...pods.values()].filter(isReadyWorker).length;
    const live = () =>
      [...pods.values()].filter(
        (p) => !p.metadata?.deletionTimestamp && p.metadata?.labels?.['ray.io/node-type'] === 'worker',
      ).length;
    let min = count();
    let max = live();
    const ac = new AbortController();
    const done = (async () => {
      try {
        for await (const ev of client.watch<KubeObject>(Pods, ns, {
          labelSelector: `ray.io/cluster=${name}`,
          resourceVersion: start.metadata.resourceVersion,
          timeoutSeconds: 300,
          signal: ac.signal,
        })) {
          if (ev.type === 'BOOKMARK') continue;
          if (ev.type === 'DELETED') pods.delete(ev.object.metadata.name!);
          else pods.set(ev.object.metadata.name!, ev.object as Pod);
          min = Math.min(min, count());
          max = Math.max(max, live());
        }
      } catch (e) {
        if (!ac.signal.aborted) throw e;
      }
    })();
    return {
      minReady: () => min,
      /** The most non-terminating workers seen at once (no surge: never above replicas). */
      maxLive: () => max,
      stop: async () => {
        ac.abort();
        await done;
      },
    };
  }

  test('a worker-template change rolls the group pod by pod, never below replicas − maxUnavailable Ready', async () => {
    const replicas = 4;
    const maxUnavailable = 1;
    await client.create<RC>(
      RayClusters,
      rayCluster(
        'roll',
        inNamespace(ns),
        withWorkers(replicas, minMax(0, 10)),
        rollingUpdate(maxUnavailable),
      ) as RC,
    );
    await until(
      'roll ready with 4 workers',
      async () => {
        const rc = await get('roll');
        return rc.status?.state === 'ready' && rc.status.readyWorkerReplicas === replicas ? rc : undefined;
      },
      { timeoutMs: 90_000, describe: async () => JSON.stringify((await get('roll')).status) },
    );
    const before = await list('roll');
    const headBefore = before.find((p) => p.metadata?.labels?.['ray.io/node-type'] === 'head')!.metadata!
      .name;
    const oldHash = before.find((p) => p.metadata?.labels?.['ray.io/node-type'] === 'worker')!.metadata!
      .annotations![ANNOTATION_WORKER_TEMPLATE_HASH];

    const watch = await watchReady('roll');
    await client.patch(
      RayClusters,
      ns,
      'roll',
      [
        {
          op: 'add',
          path: '/spec/workerGroupSpecs/0/template/spec/containers/0/env',
          value: [{ name: 'MODEL', value: 'v2' }],
        },
      ],
      'json',
    );
    const newHash = compileCluster(await get('roll')).workerTemplateHash('workers');
    assert.notEqual(newHash, oldHash);
    const final = await until(
      'every worker on the new template, all Ready, WorkerPodsUpdated True',
      async () => {
        const pods = await list('roll');
        const workers = pods.filter((p) => p.metadata?.labels?.['ray.io/node-type'] === 'worker');
        const rc = await get('roll');
        const cond = rc.status?.conditions?.find((c) => c.type === 'WorkerPodsUpdated');
        return workers.length === replicas &&
          workers.every((p) => p.metadata?.annotations?.[ANNOTATION_WORKER_TEMPLATE_HASH] === newHash) &&
          workers.every(isReadyWorker) &&
          cond?.status === 'True'
          ? { pods, cond }
          : undefined;
      },
      {
        timeoutMs: 120_000,
        describe: async () => JSON.stringify((await get('roll')).status?.conditions),
      },
    );
    await watch.stop();

    assert.ok(
      watch.minReady() >= replicas - maxUnavailable,
      `Ready workers fell to ${watch.minReady()} (floor ${replicas - maxUnavailable})`,
    );
    assert.equal(watch.minReady(), replicas - maxUnavailable, 'the roll took pods down (one at a time)');
    assert.ok(watch.maxLive() <= replicas, `${watch.maxLive()} workers at once: no surge above replicas`);
    assert.equal(final.cond.message, '4/4 pods updated (workers 4/4)');
    for (const p of final.pods.filter((x) => x.metadata?.labels?.['ray.io/node-type'] === 'worker'))
      assert.equal(p.spec?.containers[0]?.env?.find((e) => e.name === 'MODEL')?.value, 'v2');
    const head = final.pods.find((p) => p.metadata?.labels?.['ray.io/node-type'] === 'head');
    assert.equal(head?.metadata?.name, headBefore, 'the head is never restarted by a worker-only change');
    const events = (await client.list<KubeObject>(Events, ns, { fieldSelector: 'involvedObject.name=roll' }))
      .items as unknown as { reason: string; message: string }[];
    assert.ok(
      events.some((e) => e.reason === 'DeletedWorkerPod' && /rolling update of workers/.test(e.message)),
      'the roll is visible in Events',
    );
  });

  test('workers another operator made (an upgrade that changed the pods) are adopted, not restarted', async () => {
    await client.create<RC>(
      RayClusters,
      rayCluster('adopt', inNamespace(ns), withWorkers(3, minMax(0, 10)), rollingUpdate()) as RC,
    );
    await until(
      'adopt ready with 3 workers',
      async () => {
        const rc = await get('adopt');
        return rc.status?.state === 'ready' && rc.status.readyWorkerReplicas === 3 ? rc : undefined;
      },
      { timeoutMs: 90_000, describe: async () => JSON.stringify((await get('adopt')).status) },
    );
    const workers = (await list('adopt')).filter(
      (p) => p.metadata?.labels?.['ray.io/node-type'] === 'worker',
    );
    const uids = workers.map((p) => p.metadata!.uid!).sort();
    const compiled = compileCluster(await get('adopt'));
    const want = { hash: compiled.workerTemplateHash('workers'), compiler: compiled.compilerFingerprint() };
    for (const p of workers)
      assert.equal(p.metadata?.annotations?.[ANNOTATION_WORKER_TEMPLATE_COMPILER], want.compiler);

    // What a Kuray before this one left on its pods: another hash (its compiler wrote other pods), no compiler.
    for (const p of workers)
      await client.patch(
        Pods,
        ns,
        p.metadata!.name!,
        {
          metadata: {
            annotations: {
              [ANNOTATION_WORKER_TEMPLATE_HASH]: 'hash-of-an-older-kuray',
              [ANNOTATION_WORKER_TEMPLATE_COMPILER]: null,
            },
          },
        },
        'merge',
      );
    const adopted = await until(
      'every worker carries the current hash and compiler again',
      async () => {
        const now = (await list('adopt')).filter(
          (p) => p.metadata?.labels?.['ray.io/node-type'] === 'worker',
        );
        return now.length === 3 &&
          now.every(
            (p) =>
              p.metadata?.annotations?.[ANNOTATION_WORKER_TEMPLATE_HASH] === want.hash &&
              p.metadata.annotations[ANNOTATION_WORKER_TEMPLATE_COMPILER] === want.compiler,
          )
          ? now
          : undefined;
      },
      { timeoutMs: 60_000 },
    );
    assert.deepEqual(adopted.map((p) => p.metadata!.uid!).sort(), uids, 'the same pods: none restarted');
    const events = (await client.list<KubeObject>(Events, ns, { fieldSelector: 'involvedObject.name=adopt' }))
      .items as unknown as { reason: string; message: string }[];
    assert.ok(
      events.some((e) => e.reason === 'AdoptedWorkerPods'),
      'the adoption is visible in Events',
    );
    assert.ok(!events.some((e) => e.reason === 'DeletedWorkerPod'), 'no worker was deleted');
    const cond = (await get('adopt')).status?.conditions?.find((c) => c.type === 'WorkerPodsUpdated');
    assert.equal(cond?.status, 'True');
  });
});
