// Autoscaling end to end on the `real` rig: the control plane, the operator (RayCluster controller +
// native autoscaler, default wiring — GCS at the head pod's IP, metrics scraped from the pods'
// metrics ports) and the local node running every pod as real Ray 2.58 processes.
//
//   native demand: tasks that need more CPUs than the cluster has (the head has 0) make the group
//     grow 0 → 2, the new Ray nodes join, the tasks finish; once idle, the workers go after
//     idleTimeoutSeconds (drained, listed in workersToDelete, deleted by the controller). The cluster
//     uses Ray token auth (authOptions.mode: token): GCS refuses the autoscaler's reads and drains
//     without the token, so this also proves the token comes from the operator-created Secret.
//   native thresholds: the seed's 05-autoscaling-thresholds.yaml (sized down, see `seed05`) scales
//     up on CPU utilization under a CPU-burning job. Caveat: on the local node Ray's
//     ray_node_cpu_utilization is the whole machine's (no cgroups), so on a busy shared machine the
//     threshold is crossed by other load too; the test asserts the rule and the explanation, not
//     that our job alone caused it.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterPods, isHead, waitClusterReady } from '../../../rig/node/testing.ts';
import type { Pod } from '../../../rig/node/types.ts';
import { Events, RayClusters, Secrets, type KubeObject } from '../../runtime/resources.ts';
import {
  groupRayStartParams,
  inNamespace,
  minMax,
  rayCluster,
  withAuthOptions,
  withHeadRayStartParams,
  withNativeAutoscaling,
  withWorkers,
} from '../../testing/builders.ts';
import { until } from '../../testing/wait.ts';
import { parseYamlStream } from '../../util/yaml.ts';
import { seedFile } from '../../testing/seeds.ts';
import { DEMAND_JOB, jobResult, submitPython, useAutoscalingE2E, type RC } from './e2eSetup.ts';

/**
 * The seed's thresholds example, sized for one machine: 1 CPU per node and no `memory` start
 * param (the seed's "4Gi" is not a byte count, `ray start` rejects it; validation warns), workers
 * 1..3. autoscalerOptions are the seed's, untouched (cpu 0.7, memory 0.8, target 0.8).
 */
function seed05(ns: string): RC {
  const doc = parseYamlStream(
    readFileSync(seedFile('05-autoscaling-thresholds.yaml'), 'utf8'),
    '05-autoscaling-thresholds.yaml',
  )[0]!.value as RC;
  doc.metadata.namespace = ns;
  doc.spec.headGroupSpec.rayStartParams = { 'num-cpus': '1' };
  const g = doc.spec.workerGroupSpecs![0]!;
  g.rayStartParams = { 'num-cpus': '1' };
  g.replicas = 1;
  g.minReplicas = 1;
  g.maxReplicas = 3;
  return doc;
}

describe('autoscaling on the real rig (local node, Ray 2.58)', { timeout: 1_200_000 }, () => {
  const e2e = useAutoscalingE2E('e2e-autoscale');
  const get = (name: string) => e2e.get(name);
  const replicasOf = async (name: string) => (await get(name)).spec.workerGroupSpecs![0]!.replicas ?? 0;
  const events = async (name: string) =>
    (
      (await e2e.client.list<KubeObject>(Events, e2e.ns, { fieldSelector: `involvedObject.name=${name}` }))
        .items as unknown as { reason: string; message: string }[]
    ).filter((e) => e.reason.startsWith('Autoscaler'));
  const tokens = new Map<string, string>(); // cluster → Ray auth token (token-auth clusters)
  const dashboard = (head: Pod) =>
    e2e.dashboard(head, tokens.get(head.metadata.labels?.['ray.io/cluster'] ?? ''));
  const submit = (head: Pod, code: string) => submitPython(dashboard(head), code);

  it('native, token auth: demand grows the group, the Ray nodes join and the tasks finish; idle workers go after idleTimeoutSeconds', async () => {
    const { rig, ns, client } = e2e;
    await client.create<RC>(
      RayClusters,
      rayCluster(
        'demand',
        inNamespace(ns),
        withNativeAutoscaling({ idleTimeoutSeconds: 20, cooldownPeriodSeconds: 5 }),
        withHeadRayStartParams({ 'num-cpus': '0' }),
        withWorkers(0, minMax(0, 2), groupRayStartParams({ 'num-cpus': '1' })),
        withAuthOptions({ mode: 'token' }),
      ) as RC,
    );
    const [head] = await waitClusterReady(rig, ns, 'demand', 1);
    const secret = await client.get<KubeObject & { data: { auth_token: string } }>(Secrets, ns, 'demand');
    tokens.set('demand', Buffer.from(secret.data.auth_token, 'base64').toString('utf8'));
    await until(
      'the autoscaler reads Ray',
      async () => (await get('demand')).status?.autoscaler?.rayReachable === true,
      {
        timeoutMs: 120_000,
        describe: async () => JSON.stringify((await get('demand')).status?.autoscaler),
      },
    );

    // Two tasks of 1 CPU each on a cluster with 0 CPUs.
    const job = await submit(head!, DEMAND_JOB);
    await until('replicas 0 → 2', async () => (await replicasOf('demand')) === 2, { timeoutMs: 180_000 });
    const up = (await events('demand')).find((e) => e.reason === 'AutoscalerScaledUp');
    assert.match(up?.message ?? '', /replicas 0 → 2\. Rule pending-demand/);

    const pods = await waitClusterReady(rig, ns, 'demand', 3, 400_000);
    assert.equal(pods.filter((p) => !isHead(p)).length, 2);
    const { status, logs } = await jobResult(dashboard(head!), job);
    assert.equal(status, 'SUCCEEDED', logs.slice(-3000));
    assert.match(logs, /NODES [12]/);

    // Idle → drained and removed through workersToDelete, down to minReplicas (0).
    await until(
      'idle workers removed',
      async () =>
        (await replicasOf('demand')) === 0 &&
        (await clusterPods(rig, ns, 'demand')).filter((p) => !isHead(p)).length === 0,
      { timeoutMs: 300_000, intervalMs: 2000 },
    );
    const downs = (await events('demand')).filter((e) => e.reason === 'AutoscalerScaledDown');
    assert.ok(downs.length >= 1);
    for (const d of downs) assert.match(d.message, /Rule idle-timeout/);
    await client.delete(RayClusters, ns, 'demand');
  });

  it('native: a request_resources() floor grows the group with no tasks and keeps its idle workers until cleared', async () => {
    const { rig, ns, client } = e2e;
    await client.create<RC>(
      RayClusters,
      rayCluster(
        'floor',
        inNamespace(ns),
        withNativeAutoscaling({ idleTimeoutSeconds: 15, cooldownPeriodSeconds: 0 }),
        withHeadRayStartParams({ 'num-cpus': '0' }),
        withWorkers(0, minMax(0, 3), groupRayStartParams({ 'num-cpus': '1' })),
      ) as RC,
    );
    const [head] = await waitClusterReady(rig, ns, 'floor', 1);
    const request = async (cpus: number) => {
      const job = await submit(
        head!,
        [
          'import ray',
          'from ray.autoscaler.sdk import request_resources',
          'ray.init()',
          `request_resources(num_cpus=${cpus})`,
          'print("REQUESTED", flush=True)',
        ].join('\n'),
      );
      const { status, logs } = await jobResult(dashboard(head!), job, 180_000);
      assert.equal(status, 'SUCCEEDED', logs);
    };
    try {
      await request(2);
      // Nothing runs: only the floor asks for 2 one-CPU workers.
      await until('floor: replicas 0 → 2', async () => (await replicasOf('floor')) === 2, {
        timeoutMs: 180_000,
        intervalMs: 2000,
        describe: async () => JSON.stringify((await get('floor')).status?.autoscaler),
      });
      await waitClusterReady(rig, ns, 'floor', 3, 400_000);
      // Idle well past idleTimeoutSeconds (15 s), they stay: the floor claims them.
      await until(
        'the autoscaler to keep the idle workers for the floor',
        async () => (await get('floor')).status?.autoscaler?.groups?.[0]?.rule === 'resource-request',
        { timeoutMs: 120_000, intervalMs: 2000 },
      );
      assert.equal(await replicasOf('floor'), 2);
      // Cleared: the idle workers go.
      await request(0);
      await until(
        'floor cleared: idle workers removed',
        async () =>
          (await replicasOf('floor')) === 0 &&
          (await clusterPods(rig, ns, 'floor')).filter((p) => !isHead(p)).length === 0,
        { timeoutMs: 300_000, intervalMs: 2000 },
      );
    } finally {
      await client.delete(RayClusters, ns, 'floor');
    }
  });

  it("native: the seed's 05 thresholds scale the group up under CPU load", async () => {
    const { rig, ns, client } = e2e;
    await client.create<RC>(RayClusters, seed05(ns));
    const name = 'autoscaling-ray-cluster';
    // At least head + 1 worker: on the local node every Ray node reports the machine's CPU, so a busy
    // machine can already look like load and the group may have grown before the job starts.
    const [head] = (await waitClusterReady(rig, ns, name, 2, 400_000, true)).filter(isHead);
    // Burn the worker's CPU (and the head's) for up to 4 minutes; Ray reports utilization every 10 s.
    const job = await submit(
      head!,
      [
        'import ray, time',
        'ray.init()',
        '@ray.remote(num_cpus=1)',
        'def burn():',
        '    end = time.time() + 240',
        '    while time.time() < end: pass',
        'ray.get([burn.remote() for _ in range(2)])',
      ].join('\n'),
    );
    try {
      await until('a utilization scale-up', async () => (await replicasOf(name)) > 1, {
        timeoutMs: 240_000,
        intervalMs: 2000,
        describe: async () => JSON.stringify((await get(name)).status?.autoscaler),
      });
      const up = (await events(name)).find((e) => e.reason === 'AutoscalerScaledUp');
      assert.match(up?.message ?? '', /Rule (cpu|memory)-utilization/);
      const group = (await get(name)).status?.autoscaler?.groups?.[0];
      assert.ok(group?.inputs, 'status.autoscaler explains the decision');
    } finally {
      await dashboard(head!)
        .stopJob(job)
        .catch(() => false);
      await client.delete(RayClusters, ns, name);
    }
  });
});
