// The native autoscaler end to end on the rig's real control plane (KWOK runs the pods) with REAL
// Ray 2.58 providing the signals: a local Ray head (0 CPUs, --no-monitor) and, for each worker pod
// the RayCluster controller creates, a real Ray worker posing as that pod (RAY_CLOUD_INSTANCE_ID =
// pod name), started when the pod appears and stopped when it is deleted — the kubelet's part.
// KWOK pod IPs are not dialable (10.x), so the actuator's signal/drain seams point at the local
// head; everything else (policy, drain, guarded patch, controller, events, status) is the real path.
//
//   1. demand: a job needs 3 CPUs → replicas 0 → 3 (AutoscalerScaledUp, pending-demand), 3 Ray
//      workers join, the job finishes; idle for idleTimeoutSeconds → drained, replicas → 0 through
//      workersToDelete, the pods go, the list is cleared; no scale-up after that.
//   2. Ray unreachable: no decision at all (replicas untouched although idle-timeout would apply),
//      status.autoscaler.rayReachable false with the reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RayCluster } from '../../api/v1/index.ts';
import { newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import { isTerminalJobStatus } from '../../ray/jobs.ts';
import { freePort, type LocalRayHead, type LocalRayWorker } from '../../ray/testing/localRay.ts';
import { Events, Pods, RayClusters, type KubeObject } from '../../runtime/resources.ts';
import { KubeClient } from '../../runtime/transport.ts';
import {
  groupRayStartParams,
  inNamespace,
  minMax,
  rayCluster,
  withHeadRayStartParams,
  withNativeAutoscaling,
  withWorkers,
} from '../../testing/builders.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { until } from '../../testing/wait.ts';
import { ANNOTATION_LAST_SCALE, parseLastScale } from './patch.ts';
import { localRaySeams, patientRayEnv, startRayHeadWithRetry } from './testing.ts';

type RC = KubeObject & RayCluster;
const venv = process.env.KURAY_RAY_VENV ?? join(import.meta.dirname, '..', '..', '..', '.venv', 'ray');

describe('native autoscaler on the rig with real Ray signals', { timeout: 600_000 }, () => {
  let rig: Rig;
  let ns: string;
  let client: KubeClient;
  let op: InProcessOperator;
  let ray: LocalRayHead;
  /** Where the actuator's seams send GCS calls (the local head, or a dead port). */
  let rayAddress = '';
  const workers = new Map<string, Promise<LocalRayWorker | undefined>>();
  let bridging = true;
  let bridge: Promise<void> | undefined;
  /** Why a bridged Ray worker did not start (shown when a wait times out). */
  const startFailures: string[] = [];

  before(async () => {
    rig = await useRig();
    ns = await newNamespace(rig, 'autoscaler-act');
    client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 100, burst: 200 });
    patientRayEnv(); // a loaded shared machine exceeds Ray's 30 s startup limits
    ray = await startRayHeadWithRetry({ venv, numCpus: 0, noMonitor: true });
    rayAddress = ray.gcsAddress;
    op = await startOperator(rig, [ns], {
      autoscaler: {
        syncPeriodMs: 1000,
        actuator: localRaySeams(() => rayAddress),
      },
    });
  });

  after(async () => {
    bridging = false;
    await bridge;
    await op?.stop();
    for (const w of workers.values()) await (await w)?.stop();
    await ray?.stop();
    client?.close();
  });

  /** The kubelet's part: a real Ray worker per live worker pod of `cluster`, stopped when the pod goes. */
  function startBridge(cluster: string): void {
    bridge = (async () => {
      while (bridging) {
        const pods = (
          await client.list<KubeObject>(Pods, ns, {
            labelSelector: `ray.io/cluster=${cluster},ray.io/node-type=worker`,
          })
        ).items;
        const live = new Set(pods.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name!));
        for (const name of live) {
          if (!workers.has(name)) {
            // A worker that fails to start is started again, as a kubelet restarts a container.
            const w = ray.addWorker({ podName: name, group: 'workers', numCpus: 1 }).catch((err: unknown) => {
              startFailures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
              workers.delete(name);
              return undefined;
            });
            workers.set(name, w);
          }
        }
        for (const [name, w] of workers) {
          if (!live.has(name)) {
            workers.delete(name);
            await (await w)?.stop();
          }
        }
        await sleep(500);
      }
    })();
  }

  const get = (name: string) => client.get<RC>(RayClusters, ns, name);
  const livePods = async (cluster: string) =>
    (
      await client.list<KubeObject>(Pods, ns, {
        labelSelector: `ray.io/cluster=${cluster},ray.io/node-type=worker`,
      })
    ).items.filter((p) => !p.metadata.deletionTimestamp);
  const events = async (cluster: string) =>
    (
      (await client.list<KubeObject>(Events, ns, { fieldSelector: `involvedObject.name=${cluster}` }))
        .items as unknown as {
        reason: string;
        message: string;
        type: string;
      }[]
    ).filter((e) => e.reason.startsWith('Autoscaler'));

  test('demand grows the group, the Ray nodes join, the job finishes; idle workers go after idleTimeoutSeconds', async (t) => {
    await client.create<RC>(
      RayClusters,
      rayCluster(
        'demand',
        inNamespace(ns),
        withNativeAutoscaling({ cooldownPeriodSeconds: 2, idleTimeoutSeconds: 8 }),
        withHeadRayStartParams({ 'num-cpus': '0' }),
        withWorkers(0, minMax(0, 3), groupRayStartParams({ 'num-cpus': '1' })),
      ) as RC,
    );
    startBridge('demand');
    await until(
      'the autoscaler looked at the cluster',
      async () => (await get('demand')).status?.autoscaler?.rayReachable === true,
      { timeoutMs: 90_000, describe: async () => JSON.stringify((await get('demand')).status) },
    );
    assert.equal((await get('demand')).spec.workerGroupSpecs![0]!.replicas, 0, 'no demand: nothing to add');

    // 3 one-CPU tasks; the head has no CPU, so all 3 are pending demand.
    const script = join(ray.tempDir, 'three.py');
    writeFileSync(
      script,
      [
        'import ray, time',
        'ray.init()',
        '@ray.remote(num_cpus=1)',
        'def work(i):',
        '    time.sleep(3)',
        '    return ray.get_runtime_context().get_node_id()',
        'nodes = ray.get([work.remote(i) for i in range(3)])',
        'print("NODES", len(set(nodes)), flush=True)',
      ].join('\n'),
    );
    const job = await ray.dashboard.submitJob({ entrypoint: `${venv}/bin/python ${script}` });
    const t0 = Date.now();
    const phase = (what: string) => {
      t.diagnostic(`${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    };

    const grown = await until(
      'replicas 0 → 3',
      async () => {
        const rc = await get('demand');
        return rc.spec.workerGroupSpecs![0]!.replicas === 3 ? rc : undefined;
      },
      { timeoutMs: 90_000 },
    );
    assert.ok(parseLastScale(grown).workers !== undefined, `${ANNOTATION_LAST_SCALE} records the scale time`);
    phase('replicas 0 → 3');
    const ups = (await events('demand')).filter((e) => e.reason === 'AutoscalerScaledUp');
    assert.ok(ups.length >= 1);
    assert.match(ups[0]!.message, /worker group workers: replicas 0 → 3\. Rule pending-demand/);

    const done = await until(
      'the job to finish on the new Ray nodes',
      async () => {
        const j = await ray.dashboard.getJob(job);
        return j && isTerminalJobStatus(j.status) ? j : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 1000 },
    );
    phase('job finished');
    const logs = await ray.dashboard.jobLogs(job);
    assert.equal(done.status, 'SUCCEEDED', logs.slice(-2000));
    assert.match(logs, /NODES [1-3]/);

    // Idle for 8 s → every worker is drained and listed; the controller deletes exactly those.
    const shrunk = await until(
      'replicas 3 → 0 and the pods gone',
      async () => {
        const rc = await get('demand');
        const pods = await livePods('demand');
        return rc.spec.workerGroupSpecs![0]!.replicas === 0 && pods.length === 0 ? rc : undefined;
      },
      {
        timeoutMs: 180_000,
        // What the autoscaler saw and did: status, its Events in order, the pods and the Ray nodes.
        describe: async () => {
          const rc = await get('demand');
          const evs = (await events('demand')).map((e) => `${e.reason}: ${e.message}`);
          const pods = (await livePods('demand')).map((p) => p.metadata.name);
          return [
            `status.autoscaler ${JSON.stringify(rc.status?.autoscaler)}`,
            `workersToDelete ${JSON.stringify(rc.spec.workerGroupSpecs![0]!.scaleStrategy?.workersToDelete)}`,
            `live pods ${JSON.stringify(pods)}; bridged Ray workers ${JSON.stringify([...workers.keys()])}`,
            `Ray workers that failed to start: ${startFailures.join('\n') || 'none'}`,
            'events:',
            ...evs,
          ].join('\n');
        },
      },
    );
    phase('replicas 3 → 0, pods gone');
    for (const f of startFailures) t.diagnostic(`a Ray worker was started again: ${f}`);
    for (const e of await events('demand')) t.diagnostic(`${e.reason}: ${e.message}`);
    const downs = (await events('demand')).filter((e) => e.reason === 'AutoscalerScaledDown');
    assert.ok(downs.length >= 1);
    assert.ok(
      downs.every((e) => /Rule idle-timeout/.test(e.message)),
      downs.map((e) => e.message).join('\n'),
    );
    await until('workersToDelete cleared by the RayCluster controller', async () => {
      const rc = await get('demand');
      return (rc.spec.workerGroupSpecs![0]!.scaleStrategy?.workersToDelete ?? []).length === 0;
    });
    assert.ok(shrunk.status?.autoscaler?.groups?.[0]);
    // Nothing flaps: idle and no demand → no further scale-up.
    await sleep(4000);
    assert.equal((await get('demand')).spec.workerGroupSpecs![0]!.replicas, 0);
    assert.equal(
      (await events('demand')).filter((e) => e.reason === 'AutoscalerScaledUp').length,
      ups.length,
    );
    await client.delete(RayClusters, ns, 'demand');
  });

  test('Ray unreachable: no decision (never a blind scale-down), and the status says why', async () => {
    rayAddress = `127.0.0.1:${await freePort()}`; // nothing listens there
    await client.create<RC>(
      RayClusters,
      rayCluster(
        'blind',
        inNamespace(ns),
        withNativeAutoscaling({ cooldownPeriodSeconds: 0, idleTimeoutSeconds: 1 }),
        withWorkers(2, minMax(0, 3)),
      ) as RC,
    );
    const rc = await until(
      'status.autoscaler.rayReachable false',
      async () => {
        const c = await get('blind');
        return c.status?.autoscaler?.rayReachable === false &&
          /unreachable/.test(c.status.autoscaler.message ?? '')
          ? c
          : undefined;
      },
      { timeoutMs: 90_000 },
    );
    assert.match(rc.status!.autoscaler!.message!, /no scaling decision until it answers/);
    await sleep(4000); // several syncs
    const later = await get('blind');
    assert.equal(later.spec.workerGroupSpecs![0]!.replicas, 2);
    assert.equal(later.spec.workerGroupSpecs![0]!.scaleStrategy?.workersToDelete, undefined);
    assert.equal((await events('blind')).filter((e) => e.reason === 'AutoscalerScaledDown').length, 0);
  });
});
