// E2E on real Ray 2.58 (project venv), loopback only: a 2-CPU head and one 2-CPU worker posing as
// pod "e2e-w-0" of group "workers". A job submitted through the Jobs API asks for more CPUs than
// exist; the signal reader must return that demand (from GCS), both nodes' utilization (from their
// metrics ports), and the policy must ask for the workers the demand needs. After the job is
// stopped the worker turns idle and the policy names exactly that pod for deletion.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isJobAlreadyExists } from '../../ray/dashboard.ts';
import { gcsClient, type GcsClient } from '../../ray/gcs/client.ts';
import { isTerminalJobStatus } from '../../ray/jobs.ts';
import { startLocalRayHead, type LocalRayHead } from '../../ray/testing/localRay.ts';
import { decideCluster } from '../policy/decideCluster.ts';
import { DEFAULT_POLICY_OPTIONS } from '../policy/options.ts';
import type { WorkerState } from '../policy/types.ts';
import { readClusterSignals, type ClusterSignals } from './read.ts';
import { patientRayEnv } from '../../../rig/ray/patient.ts';

// Ray's 30 s startup limits, lifted as on the local node: this machine is shared and has 2 cores.
patientRayEnv();

const venv = process.env.KURAY_RAY_VENV ?? join(import.meta.dirname, '..', '..', '..', '.venv', 'ray');

let head: LocalRayHead | undefined;
/** One kept connection for every read and drain, as the actuator holds one per cluster. */
let gcs: GcsClient | undefined;
after(async () => {
  gcs?.close();
  await head?.stop();
});

async function poll<T>(what: string, ms: number, f: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await f();
    if (v !== undefined) return v;
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function workersOf(s: ClusterSignals, group: string): WorkerState[] {
  return s.nodes
    .filter((n) => n.group === group && n.alive)
    .map((n) => ({
      podName: n.podName,
      phase: 'running',
      total: n.total,
      available: n.available,
      idleSinceMs: n.idleSinceMs,
      cpuUtilization: s.metrics.get(n.podName)?.cpuUtilization,
      memoryUtilization: s.metrics.get(n.podName)?.memoryUtilization,
    }));
}

test('reads real demand, utilization and idleness from Ray 2.58, and the policy acts on them', async () => {
  // --no-monitor, as with in-tree autoscaling: GCS must serve demand without Ray's monitor.
  head = await startLocalRayHead({ venv, numCpus: 2, noMonitor: true });
  gcs = gcsClient({ address: head.gcsAddress });
  const worker = await head.addWorker({ podName: 'e2e-w-0', group: 'workers', numCpus: 2 });
  const dash = head.dashboard;
  assert.equal((await dash.version()).ray_version, '2.58.0');

  // 7 one-CPU tasks that hold their CPU for 5 minutes: 4 run (head 2 + worker 2), 3 stay pending.
  const script = join(head.tempDir, 'demand.py');
  writeFileSync(
    script,
    [
      'import ray, time',
      'ray.init()',
      '@ray.remote(num_cpus=1)',
      'def hold():',
      '    time.sleep(300)',
      'print("submitting", flush=True)',
      'ray.get([hold.remote() for _ in range(7)])',
    ].join('\n'),
  );
  const id = await dash.submitJob({
    entrypoint: `${venv}/bin/python ${script}`,
    submission_id: 'kuray-e2e-demand',
  });
  assert.equal(id, 'kuray-e2e-demand');
  await assert.rejects(dash.submitJob({ entrypoint: 'true', submission_id: id }), isJobAlreadyExists);
  assert.equal(await dash.getJob('no-such-job'), undefined);

  const targets = [
    { podName: 'head', url: head.metricsUrl },
    { podName: worker.podName, url: worker.metricsUrl },
  ];
  const busy = await poll('3 pending {CPU: 1} and metrics of both nodes', 90_000, async () => {
    const s = await readClusterSignals({ gcs: gcs!, metricsTargets: targets });
    const pending = s.demand.bundles.find(
      (b) => b.resources.CPU === 1 && Object.keys(b.resources).length === 1,
    );
    // Ray reports metrics every 10 s: wait until both nodes' reports show their 2 CPUs in use.
    const reported = s.metrics.size === 2 && [...s.metrics.values()].every((m) => m.logical.CPU?.used === 2);
    return pending?.count === 3 && reported ? s : undefined;
  });
  const w = busy.nodes.find((n) => n.podName === 'e2e-w-0')!;
  assert.equal(w.group, 'workers');
  assert.equal(w.idle, false);
  assert.equal(w.total.CPU, 2);
  assert.equal(w.available.CPU ?? 0, 0);
  assert.ok(busy.nodes.find((n) => n.isHead));
  for (const m of busy.metrics.values()) {
    assert.ok(m.cpuUtilization !== undefined && m.cpuUtilization >= 0 && m.cpuUtilization <= 1);
    assert.ok(m.memoryUtilization !== undefined && m.memoryUtilization > 0 && m.memoryUtilization <= 1);
    assert.equal(m.logical.CPU?.available, 0);
  }
  assert.equal((await dash.getJob(id))?.status, 'RUNNING');
  // Without a monitor the dashboard has no demand data at all; GCS had it above.
  assert.equal((await dash.clusterStatus()).hasMonitorData, false);
  // A busy node rejects an idle-termination drain: the guard against deleting a pod that got work.
  const rejected = await gcs.drainNode({
    nodeId: w.nodeId,
    reason: 'IDLE_TERMINATION',
    message: 'e2e',
  });
  assert.equal(rejected.accepted, false);
  assert.notEqual(rejected.rejectionReason, '');

  const headNode = busy.nodes.find((n) => n.isHead)!;
  const group = {
    name: 'workers',
    minReplicas: 0,
    maxReplicas: 5,
    replicas: 1,
    nodeShape: { CPU: 2 },
    workers: workersOf(busy, 'workers'),
    options: { ...DEFAULT_POLICY_OPTIONS, idleTimeoutSeconds: 1, cooldownPeriodSeconds: 0 },
    nowMs: busy.readAtMs,
  };
  const up = decideCluster({ groups: [group], headAvailable: headNode.available, demand: busy.demand });
  const d = up.decisions[0]!;
  assert.equal(d.kind, 'scale');
  assert.equal(d.reason.rule, 'pending-demand');
  assert.equal(d.replicas, 3); // 3 pending one-CPU tasks → 2 more 2-CPU workers

  // Stop the job: the tasks die, the worker turns idle, and only it may go.
  await dash.stopJob(id);
  const final = await poll('job terminal', 60_000, async () => {
    const j = await dash.getJob(id);
    return j && isTerminalJobStatus(j.status) ? j : undefined;
  });
  assert.equal(final.status, 'STOPPED');
  assert.match(await dash.jobLogs(id), /submitting/);
  const idle = await poll('worker idle', 60_000, async () => {
    const s = await readClusterSignals({ gcs: gcs! });
    const n = s.nodes.find((x) => x.podName === 'e2e-w-0');
    return n?.idle && s.demand.bundles.length === 0 ? s : undefined;
  });
  await sleep(1_100); // past the 1 s idle timeout
  const down = decideCluster({
    groups: [{ ...group, workers: workersOf(idle, 'workers'), nowMs: Date.now() }],
    demand: idle.demand,
  });
  const dd = down.decisions[0]!;
  assert.equal(dd.kind, 'scale');
  assert.equal(dd.reason.rule, 'idle-timeout');
  assert.deepEqual(dd.kind === 'scale' && dd.workersToDelete, ['e2e-w-0']);
  assert.equal(dd.replicas, 0);
  // Before deleting the pod, drain its Ray node: an idle node accepts.
  const idleNode = idle.nodes.find((x) => x.podName === 'e2e-w-0')!;
  const drained = await gcs.drainNode({
    nodeId: idleNode.nodeId,
    reason: 'IDLE_TERMINATION',
    message: 'kuray e2e: idle',
  });
  assert.deepEqual(drained, { accepted: true, rejectionReason: '' });
  await poll('worker draining', 30_000, async () => {
    const s = await readClusterSignals({ gcs: gcs! });
    const n = s.nodes.find((x) => x.podName === 'e2e-w-0');
    return n && (!n.alive || !n.idle) ? n : undefined;
  });
  assert.equal(await dash.deleteJob(id), true);
});
