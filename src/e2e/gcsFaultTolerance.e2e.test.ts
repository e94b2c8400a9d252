// GCS fault tolerance with real Redis (the machine's redis-server, started here with a password on a
// loopback address of its own: a pod's 127.0.0.1 is the pod itself on the local node) and real Ray:
//   - a detached actor and the job history survive deleting the head pod: the new head's GCS reloads
//     them from Redis (without fault tolerance the new GCS knows neither);
//   - the cluster carries KubeRay's finalizer from the start (as one carried over from KubeRay
//     would), and deleting it runs the cleanup Job: no key of its storage namespace is left in Redis,
//     and the RayCluster is gone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newNamespace, type Rig } from '../../rig/testing.ts';
import { clusterPods, isHead, realRig, waitClusterReady } from '../../rig/node/testing.ts';
import type { Pod } from '../../rig/node/types.ts';
import { DashboardClient } from '../ray/dashboard.ts';
import { isTerminalJobStatus } from '../ray/jobs.ts';
import { startOperator, type InProcessOperator } from '../testing/operator.ts';
import { until } from '../testing/wait.ts';
import { REDIS_CLEANUP_FINALIZER } from '../controllers/raycluster/redisCleanup.ts';

const REDIS = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';

// A detached actor with a name, restarted wherever there is room when its node goes (max_restarts).
const createActor = `
import ray
ray.init(namespace="ft")
@ray.remote(num_cpus=0, max_restarts=-1)
class Keeper:
    def ping(self):
        return "pong"
k = Keeper.options(name="keeper", lifetime="detached").remote()
print("RESULT", ray.get(k.ping.remote()))
`;
const useActor = `
import ray
ray.init(namespace="ft")
print("RESULT", ray.get(ray.get_actor("keeper").ping.remote()))
`;

describe('GCS fault tolerance with Redis on the real rig', { timeout: 900_000 }, () => {
  let rig: Rig;
  let op: InProcessOperator;
  let ns: string;
  let redis: ChildProcess;
  let uid = '';
  let firstJob = '';
  const host = `127.20.${randomInt(1, 250)}.${randomInt(1, 250)}`;
  const password = randomBytes(12).toString('hex');

  const cli = (...args: string[]) =>
    spawnSync(REDIS_CLI, ['-h', host, '-p', '6379', '--no-auth-warning', '-a', password, ...args], {
      encoding: 'utf8',
      timeout: 10_000,
    });
  const keysOf = (storageNs: string): string[] =>
    cli('--scan', '--pattern', `*${storageNs}*`)
      .stdout.split('\n')
      .filter((k) => k !== '');

  async function runJob(head: Pod, script: string): Promise<{ id: string; out: string }> {
    const dash = new DashboardClient({ baseUrl: `http://${head.status!.podIP!}:8265`, timeoutMs: 30_000 });
    const id = await dash.submitJob({ entrypoint: `python -c '${script.replaceAll("'", "'\\''")}'` });
    const done = await until(
      `job ${id}`,
      async () => {
        const j = await dash.getJob(id);
        return j && isTerminalJobStatus(j.status) ? j : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 1000 },
    );
    const logs = await dash.jobLogs(id);
    assert.equal(done.status, 'SUCCEEDED', `${done.message}\n${logs.slice(-2000)}`);
    return { id, out: logs.split('\n').find((l) => l.startsWith('RESULT')) ?? '' };
  }

  before(async () => {
    redis = spawn(
      REDIS,
      ['--bind', host, '--port', '6379', '--requirepass', password, '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore', detached: true },
    );
    await until('redis-server to answer', () => cli('ping').stdout.trim() === 'PONG', { timeoutMs: 20_000 });
    rig = await realRig();
    ns = await newNamespace(rig, 'e2e-gcs-ft');
    op = await startOperator(rig, [ns]);
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'redis-password', namespace: ns },
      stringData: { password },
    };
    assert.equal((await rig.kubectl(['create', '-f', '-'], { input: JSON.stringify(secret) })).code, 0);
  });

  after(async () => {
    await op?.stop();
    await rig?.stop();
    if (redis?.pid) {
      try {
        process.kill(-redis.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
  });

  it('a detached actor and the job history survive deleting the head pod', async () => {
    const cluster = {
      apiVersion: 'ray.io/v1',
      kind: 'RayCluster',
      // KubeRay's finalizer already there, as on a cluster KubeRay created.
      metadata: { name: 'ft', namespace: ns, finalizers: [REDIS_CLEANUP_FINALIZER] },
      spec: {
        rayVersion: '2.58.0',
        gcsFaultToleranceOptions: {
          redisAddress: `${host}:6379`,
          redisPassword: { valueFrom: { secretKeyRef: { name: 'redis-password', key: 'password' } } },
        },
        headGroupSpec: {
          rayStartParams: { 'num-cpus': '1' },
          template: {
            spec: {
              containers: [
                {
                  name: 'ray-head',
                  image: 'rayproject/ray:2.58.0',
                  resources: { limits: { cpu: '1', memory: '2Gi' }, requests: { cpu: '1', memory: '2Gi' } },
                },
              ],
            },
          },
        },
      },
    };
    const r = await rig.kubectl(['apply', '--server-side', '-f', '-'], { input: JSON.stringify(cluster) });
    assert.equal(r.code, 0, r.stderr);
    const [head] = await waitClusterReady(rig, ns, 'ft', 1, 420_000);
    const stored = await rig.kubectl(['get', 'raycluster', 'ft', '-n', ns, '-o', 'json']);
    uid = (JSON.parse(stored.stdout) as { metadata: { uid: string } }).metadata.uid;
    assert.equal(head!.metadata.annotations?.['ray.io/external-storage-namespace'], uid);

    const first = await runJob(head!, createActor);
    firstJob = first.id;
    assert.equal(first.out, 'RESULT pong');
    assert.ok(keysOf(uid).length > 0, 'the GCS writes its tables to Redis under the storage namespace');

    assert.equal(
      (await rig.kubectl(['delete', 'pod', head!.metadata.name!, '-n', ns, '--wait=false'])).code,
      0,
    );
    const next = await until(
      'a new, Ready head pod',
      async () => {
        const ps = (await clusterPods(rig, ns, 'ft')).filter(
          (p) => !p.metadata.deletionTimestamp && isHead(p),
        );
        const h = ps.find((p) => p.metadata.uid !== head!.metadata.uid);
        return h && h.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
          ? h
          : undefined;
      },
      { timeoutMs: 420_000, intervalMs: 2000 },
    );
    const dash = new DashboardClient({ baseUrl: `http://${next.status!.podIP!}:8265`, timeoutMs: 30_000 });
    const history = await until('the job history from Redis', async () => {
      const jobs = await dash.listJobs();
      return jobs.find((j) => j.submission_id === firstJob);
    });
    assert.equal(history.status, 'SUCCEEDED');
    const again = await runJob(next, useActor);
    assert.equal(again.out, 'RESULT pong', 'the detached actor is found by name and answers');
  });

  it('deleting the cluster (KubeRay finalizer) runs the cleanup Job: no key of its namespace is left in Redis', async () => {
    assert.ok(keysOf(uid).length > 0);
    assert.equal((await rig.kubectl(['delete', 'raycluster', 'ft', '-n', ns, '--wait=false'])).code, 0);
    await until(
      'the RayCluster gone',
      async () => (await rig.kubectl(['get', 'raycluster', 'ft', '-n', ns])).code !== 0,
      { timeoutMs: 300_000, intervalMs: 2000 },
    );
    assert.deepEqual(keysOf(uid), []);
    const ev = await rig.kubectl([
      'get',
      'events',
      '-n',
      ns,
      '--field-selector',
      'reason=RedisCleanupCompleted',
      '-o',
      'name',
    ]);
    assert.ok(ev.stdout.trim() !== '', 'the cleanup Job completed (not the deletion timeout)');
  });
});
