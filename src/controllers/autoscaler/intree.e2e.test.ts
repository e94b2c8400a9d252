// In-tree autoscaling end to end, KubeRay-compatible: `enableInTreeAutoscaling: true` puts Ray's own
// autoscaler (`ray kuberay-autoscaler`, Ray 2.58, unmodified) in the head pod as a sidecar. It reads
// the RayCluster and the pods through the API server with the head's service-account token (the
// local node projects it, as a kubelet does) and writes only `replicas` and `workersToDelete`;
// Kuray's controller carries those out and its native autoscaler stays out of the way.
//
// The same demand scenario as the native test (autoscaling.e2e.test.ts): two 1-CPU tasks on a head
// with 0 CPUs → Ray's autoscaler asks for 2 workers, they join, the tasks finish; once idle for
// idleTimeoutSeconds, Ray's autoscaler names the idle pods in workersToDelete and lowers replicas,
// and the controller deletes exactly those. Run once with Ray's default autoscaler (v2 on KubeRay,
// see ray-surface notes) and once with `version: v1`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AutoscalerOptions } from '../../api/v1/index.ts';
import { clusterPods, execIn, isHead, waitClusterReady } from '../../../rig/node/testing.ts';
import type { Pod } from '../../../rig/node/types.ts';
import { Events, RayClusters, type KubeObject } from '../../runtime/resources.ts';
import {
  groupRayStartParams,
  inNamespace,
  minMax,
  rayCluster,
  withAutoscaling,
  withHeadRayStartParams,
  withWorkers,
} from '../../testing/builders.ts';
import { until } from '../../testing/wait.ts';
import { DEMAND_JOB, jobResult, submitPython, useAutoscalingE2E, type RC } from './e2eSetup.ts';

describe("in-tree autoscaling: Ray's own autoscaler sidecar on the real rig", { timeout: 1_500_000 }, () => {
  const e2e = useAutoscalingE2E('e2e-intree');
  const get = (name: string) => e2e.get(name);
  const group = async (name: string) => (await get(name)).spec.workerGroupSpecs![0]!;
  const workers = async (name: string) =>
    (await clusterPods(e2e.rig, e2e.ns, name)).filter((p) => !isHead(p) && !p.metadata.deletionTimestamp);
  const dashboard = (head: Pod) => e2e.dashboard(head);
  const autoscalerLog = async (head: Pod) =>
    (
      await e2e.rig.kubectl(['logs', '-n', e2e.ns, head.metadata.name!, '-c', 'autoscaler', '--tail', '60'])
    ).stdout.trim();

  async function demandScenario(name: string, options: AutoscalerOptions): Promise<void> {
    const { rig, ns, client } = e2e;
    await client.create<RC>(
      RayClusters,
      rayCluster(
        name,
        inNamespace(ns),
        withAutoscaling(options),
        withHeadRayStartParams({ 'num-cpus': '0' }),
        withWorkers(0, minMax(0, 2), groupRayStartParams({ 'num-cpus': '1' })),
      ) as RC,
    );
    const [head] = await waitClusterReady(rig, ns, name, 1);
    assert.deepEqual(
      head!.spec.containers.map((c) => c.name),
      ['ray-head', 'autoscaler'],
      'the head pod carries the autoscaler sidecar',
    );
    // The sidecar's in-cluster view: the projected token and CA, and the API server from the env.
    const sa = await execIn(rig, ns, head!.metadata.name!, 'autoscaler', [
      'sh',
      '-c',
      'cat /var/run/secrets/kubernetes.io/serviceaccount/namespace; echo; test -s /var/run/secrets/kubernetes.io/serviceaccount/token && echo token',
    ]);
    assert.equal(sa.stdout.trim(), `${ns}\ntoken`, sa.stderr);

    try {
      const job = await submitPython(dashboard(head!), DEMAND_JOB);

      // Ray's autoscaler raises replicas (through the API server, with the head's service account).
      await until('Ray autoscaler: replicas 0 → 2', async () => (await group(name)).replicas === 2, {
        timeoutMs: 240_000,
        intervalMs: 2000,
        describe: () => autoscalerLog(head!),
      });
      const live = await rig.kubectl([
        'get',
        'raycluster',
        name,
        '-n',
        ns,
        '-o',
        'json',
        '--show-managed-fields',
      ]);
      const writers = (
        JSON.parse(live.stdout) as { metadata: { managedFields?: { manager?: string }[] } }
      ).metadata.managedFields?.map((f) => f.manager ?? '');
      assert.ok(writers);
      assert.ok(
        writers.some((m) => m?.startsWith('python-requests')),
        `the spec was written by Ray's autoscaler (python-requests); managers: ${writers.join(', ')}`,
      );
      const kurayDecisions = (
        (await client.list<KubeObject>(Events, ns, { fieldSelector: `involvedObject.name=${name}` }))
          .items as unknown as { reason: string }[]
      ).filter((e) => e.reason.startsWith('AutoscalerScaled'));
      assert.deepEqual(kurayDecisions, [], "Kuray's native autoscaler does not act on in-tree clusters");

      await waitClusterReady(rig, ns, name, 3, 400_000);
      const { status, logs } = await jobResult(dashboard(head!), job);
      assert.equal(status, 'SUCCEEDED', logs.slice(-3000));
      assert.match(logs, /NODES [12]/);

      // Idle → Ray's autoscaler names the pods in workersToDelete and lowers replicas; the controller
      // deletes exactly those and clears the list.
      const named = new Set<string>();
      await until(
        'idle workers removed by Ray autoscaler',
        async () => {
          const g = await group(name);
          for (const w of g.scaleStrategy?.workersToDelete ?? []) named.add(w);
          return g.replicas === 0 && (await workers(name)).length === 0;
        },
        { timeoutMs: 300_000, intervalMs: 1000, describe: () => autoscalerLog(head!) },
      );
      assert.ok(named.size > 0 || (await autoscalerLog(head!)).includes('Terminating'), 'scale-down by name');
    } finally {
      await client.delete(RayClusters, ns, name);
      await until('cluster gone', async () => (await clusterPods(rig, ns, name)).length === 0, {
        timeoutMs: 120_000,
      });
    }
  }

  it("Ray's default autoscaler (v2 under KubeRay's env): demand scales up, idle scales down", async () => {
    await demandScenario('intree-v2', { idleTimeoutSeconds: 20 });
  });

  it('autoscalerOptions.version v1: the same scenario with the v1 monitor', async () => {
    await demandScenario('intree-v1', { idleTimeoutSeconds: 20, version: 'v1' });
  });
});
