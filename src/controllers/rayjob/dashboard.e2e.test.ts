// The RayJob transitions that need Ray's answer, against the real Jobs API of ONE real Ray 2.58 head
// started on loopback, which stands in for every RayJob cluster's dashboard (the clusters themselves
// are KWOK pods on the shared rig, so each case costs seconds, not a Ray cluster start). The full path
// with Ray pods, the submitter Job and the head sidecar is rayjob.e2e.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RayCluster, RayCronJob, RayJob } from '../../api/v1/index.ts';
import { newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import { patientRayEnv } from '../../../rig/ray/patient.ts';
import { DashboardClient } from '../../ray/dashboard.ts';
import { startLocalRayHead, type LocalRayHead } from '../../ray/testing/localRay.ts';
import { isNotFound } from '../../runtime/errors.ts';
import { Events, RayClusters, RayCronJobs, RayJobs, type KubeObject } from '../../runtime/resources.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { rayCluster, withWorkers } from '../../testing/builders.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import {
  inMode,
  onCluster,
  rayJob,
  withEntrypoint,
  withJobCluster,
  withJobSpec,
} from '../../testing/rayjobs.ts';
import { until } from '../../testing/wait.ts';
import { parseYamlStream } from '../../util/yaml.ts';

type RJ = KubeObject & RayJob;
type RC = KubeObject & RayCluster;

patientRayEnv();
const venv = process.env.KURAY_RAY_VENV ?? join(import.meta.dirname, '..', '..', '..', '.venv', 'ray');

describe('RayJob against a real Ray Jobs API', { timeout: 600_000, concurrency: true }, () => {
  let rig: Rig;
  let ns: string;
  let client: KubeClient;
  let op: InProcessOperator | undefined;
  let head: LocalRayHead | undefined;

  before(async () => {
    rig = await useRig();
    ns = await newNamespace(rig, 'rayjob-ray');
    client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 200, burst: 400 });
    head = await startLocalRayHead({ venv, numCpus: 4 });
    const url = head.dashboardUrl;
    op = await startOperator(rig, [ns], {
      rayjob: { dashboard: () => Promise.resolve(new DashboardClient({ baseUrl: url, timeoutMs: 4_000 })) },
      raycronjob: true,
    });
  });
  after(async () => {
    await op?.stop();
    await head?.stop();
    client.close();
  });

  const create = (j: RayJob) =>
    client.create<RJ>(RayJobs, { ...j, metadata: { name: j.metadata!.name!, namespace: ns } });
  const get = (name: string) => client.get<RJ>(RayJobs, ns, name);
  const waitFor = (name: string, what: string, ok: (j: RJ) => boolean, timeoutMs = 120_000) =>
    until(
      `${name}: ${what}`,
      async () => {
        const j = await get(name);
        return ok(j) ? j : undefined;
      },
      { timeoutMs, intervalMs: 500, describe: async () => JSON.stringify((await get(name)).status) },
    );
  const gone = (what: string, read: () => Promise<unknown>) =>
    until(
      what,
      async () => {
        try {
          await read();
          return false;
        } catch (e) {
          return isNotFound(e);
        }
      },
      { timeoutMs: 60_000 },
    );

  it('HTTPMode: submitted with runtime env and metadata, SUCCEEDED → Complete; the cluster goes after the TTL', async () => {
    await create(
      rayJob(
        'http',
        inMode('HTTPMode'),
        withEntrypoint("python -c \"import os; print('counter', os.environ['COUNTER_NAME'])\""),
        withJobSpec({
          runtimeEnvYAML: 'env_vars:\n  COUNTER_NAME: test_counter\n',
          metadata: { team: 'ml' },
          shutdownAfterJobFinishes: true,
          ttlSecondsAfterFinished: 3,
        }),
      ),
    );
    const done = await waitFor('http', 'Complete', (j) => j.status?.jobDeploymentStatus === 'Complete');
    assert.equal(done.status?.jobStatus, 'SUCCEEDED');
    assert.equal(done.status?.succeeded, 1);
    assert.ok(done.status?.rayJobInfo?.startTime && done.status.rayJobInfo.endTime);
    const ray = await head!.dashboard.getJob(done.status.jobId!);
    assert.deepEqual(ray?.metadata, { team: 'ml' });
    assert.match(await head!.dashboard.jobLogs(done.status.jobId!), /counter test_counter/);
    await gone('the cluster deleted after ttlSecondsAfterFinished', () =>
      client.get(RayClusters, ns, done.status!.rayClusterName!),
    );
    assert.equal((await get('http')).status?.jobDeploymentStatus, 'Complete', 'the RayJob itself stays');
  });

  it('InteractiveMode: Waiting until spec.jobId names the job the user submitted, then followed to Complete', async () => {
    await create(rayJob('interactive', inMode('InteractiveMode')));
    await waitFor('interactive', 'Waiting', (j) => j.status?.jobDeploymentStatus === 'Waiting');
    const id = `interactive-${Date.now()}`;
    await head!.dashboard.submitJob({ entrypoint: 'python -c "print(2)"', submission_id: id });
    await client.patch(RayJobs, ns, 'interactive', { spec: { jobId: id } }, 'merge');
    const done = await waitFor(
      'interactive',
      'Complete',
      (j) => j.status?.jobDeploymentStatus === 'Complete',
    );
    assert.equal(done.status?.jobId, id);
  });

  it('a failing entrypoint retries backoffLimit times, each on a new cluster, then ends Failed', async () => {
    await create(
      rayJob(
        'flaky',
        inMode('HTTPMode'),
        withEntrypoint('python -c "import sys; sys.exit(3)"'),
        withJobSpec({ backoffLimit: 1 }),
      ),
    );
    const first = await waitFor('flaky', 'Running', (j) => j.status?.jobDeploymentStatus === 'Running');
    const failed = await waitFor(
      'flaky',
      'Failed after one retry',
      (j) => j.status?.jobDeploymentStatus === 'Failed',
    );
    assert.equal(failed.status?.reason, 'AppFailed');
    assert.equal(failed.status?.jobStatus, 'FAILED');
    assert.equal(failed.status?.failed, 2);
    assert.equal(failed.status?.succeeded, 0);
    assert.notEqual(
      failed.status?.rayClusterName,
      first.status?.rayClusterName,
      'the retry ran on a new cluster',
    );
    assert.notEqual(failed.status?.jobId, first.status?.jobId);
  });

  it('activeDeadlineSeconds ends a long job with DeadlineExceeded; deleting the RayJob stops the Ray job', async () => {
    await create(
      rayJob(
        'long',
        inMode('HTTPMode'),
        withEntrypoint('python -c "import time; time.sleep(600)"'),
        withJobSpec({ activeDeadlineSeconds: 15 }),
      ),
    );
    const running = await waitFor('long', 'RUNNING in Ray', (j) => j.status?.jobStatus === 'RUNNING');
    const failed = await waitFor(
      'long',
      'DeadlineExceeded',
      (j) => j.status?.jobDeploymentStatus === 'Failed',
    );
    assert.equal(failed.status?.reason, 'DeadlineExceeded');
    // The Ray job still runs (KubeRay does not stop it on a deadline); the finalizer stops it on delete.
    const id = running.status!.jobId!;
    await client.delete(RayJobs, ns, 'long');
    await gone('the RayJob deleted', () => get('long'));
    const ray = await until('Ray stopped the job', async () => {
      const j = await head!.dashboard.getJob(id);
      return j && j.status === 'STOPPED' ? j : undefined;
    });
    assert.equal(ray.status, 'STOPPED');
  });

  it('clusterSelector: runs on an existing cluster and leaves it', async () => {
    await client.create(RayClusters, {
      ...rayCluster('existing'),
      metadata: { name: 'existing', namespace: ns },
    });
    await create(
      rayJob(
        'on-existing',
        onCluster('existing'),
        inMode('HTTPMode'),
        withJobSpec({ shutdownAfterJobFinishes: true }),
      ),
    );
    const done = await waitFor(
      'on-existing',
      'Complete',
      (j) => j.status?.jobDeploymentStatus === 'Complete',
    );
    assert.equal(done.status?.rayClusterName, 'existing');
    await new Promise((r) => setTimeout(r, 3_000));
    const rc = await client.get<RC>(RayClusters, ns, 'existing');
    assert.equal(rc.metadata.deletionTimestamp, undefined);
  });

  it('deletionRules: DeleteWorkers, then DeleteCluster, then DeleteSelf, each at its TTL', async () => {
    await create(
      rayJob(
        'rules',
        inMode('HTTPMode'),
        withJobCluster(withWorkers(1)),
        withJobSpec({
          deletionStrategy: {
            deletionRules: [
              { policy: 'DeleteWorkers', condition: { jobStatus: 'SUCCEEDED', ttlSeconds: 0 } },
              { policy: 'DeleteCluster', condition: { jobStatus: 'SUCCEEDED', ttlSeconds: 8 } },
              { policy: 'DeleteSelf', condition: { jobStatus: 'SUCCEEDED', ttlSeconds: 16 } },
            ],
          },
        }),
      ),
    );
    const done = await waitFor('rules', 'Complete', (j) => j.status?.jobDeploymentStatus === 'Complete');
    const cluster = done.status!.rayClusterName!;
    const suspended = await until('worker groups suspended', async () => {
      const rc = await client.get<RC>(RayClusters, ns, cluster);
      return (rc.spec.workerGroupSpecs ?? []).every((g) => g.suspend === true) ? rc : undefined;
    });
    assert.equal(suspended.metadata.deletionTimestamp, undefined, 'the cluster itself stays until its TTL');
    await gone('the cluster (DeleteCluster)', () => client.get(RayClusters, ns, cluster));
    await gone('the RayJob (DeleteSelf)', () => get('rules'));
  });

  describe('RayCronJob (--feature-gates=RayCronJob=true)', () => {
    const cron = (name: string, entrypoint: string, extra: Partial<RayCronJob['spec']>) =>
      client.create<KubeObject>(RayCronJobs, {
        apiVersion: 'ray.io/v1',
        kind: 'RayCronJob',
        metadata: { name, namespace: ns },
        spec: {
          schedule: '* * * * *',
          jobTemplate: rayJob(
            't',
            inMode('HTTPMode'),
            withEntrypoint(entrypoint),
            withJobSpec({ shutdownAfterJobFinishes: true }),
          ).spec,
          ...extra,
        },
      });
    const childrenOf = async (name: string) =>
      (await client.list<RJ>(RayJobs, ns, { labelSelector: `ray.io/cronjob-name=${name}` })).items;

    it('config/samples/ray-cronjob.sample.yaml as written: every minute a RayJob that succeeds; the history limit prunes the older ones', async () => {
      const file = join(
        import.meta.dirname,
        '..',
        '..',
        '..',
        'config',
        'samples',
        'ray-cronjob.sample.yaml',
      );
      const sample = parseYamlStream(readFileSync(file, 'utf8'), file)[0]!.value as KubeObject & RayCronJob;
      await client.create<KubeObject>(RayCronJobs, {
        ...sample,
        metadata: { ...sample.metadata, namespace: ns },
      });
      const name = sample.metadata.name!;
      const seen = new Set<string>();
      let last: RJ[] = [];
      const two = await until(
        'a second tick succeeded and the first RayJob was pruned',
        async () => {
          const jobs = (last = await childrenOf(name));
          for (const j of jobs) seen.add(j.metadata.name!);
          const done = jobs.filter((j) => j.status?.jobDeploymentStatus === 'Complete');
          return seen.size >= 2 && jobs.length === 1 && done.length === 1 ? done[0] : undefined;
        },
        {
          timeoutMs: 200_000,
          intervalMs: 1000,
          describe: () =>
            JSON.stringify({
              seen: [...seen],
              now: last.map((j) => [
                j.metadata.name,
                j.status?.jobDeploymentStatus,
                j.status?.jobStatus,
                j.status?.message,
              ]),
            }),
        },
      );
      assert.equal(two.status?.jobStatus, 'SUCCEEDED');
      assert.match(two.metadata.name!, new RegExp(`^${name}-\\d+$`));
      const c = await client.get<KubeObject & RayCronJob>(RayCronJobs, ns, name);
      assert.ok(c.status?.lastScheduleTime && c.status.lastSuccessfulTime, JSON.stringify(c.status));
      await client.delete(RayCronJobs, ns, name);
    });

    it('concurrencyPolicy Forbid: a tick that comes while the previous RayJob runs is skipped', async () => {
      await cron('forbid', 'python -c "import time; time.sleep(600)"', { concurrencyPolicy: 'Forbid' });
      const first = await until(
        'the first RayJob running in Ray',
        async () => (await childrenOf('forbid')).find((j) => j.status?.jobStatus === 'RUNNING'),
        { timeoutMs: 100_000, intervalMs: 1000 },
      );
      const skipped = await until(
        'a JobAlreadyActive Event',
        async () =>
          (
            (await client.list<KubeObject>(Events, ns, { fieldSelector: 'involvedObject.name=forbid' }))
              .items as unknown as { reason: string; message: string }[]
          ).find((e) => e.reason === 'JobAlreadyActive'),
        { timeoutMs: 100_000, intervalMs: 1000 },
      );
      assert.match(skipped.message, new RegExp(first.metadata.name!));
      assert.deepEqual(
        (await childrenOf('forbid')).map((j) => j.metadata.name),
        [first.metadata.name],
      );
      const c = await client.get<KubeObject & RayCronJob>(RayCronJobs, ns, 'forbid');
      assert.deepEqual(
        c.status?.active?.map((a) => a.name),
        [first.metadata.name],
      );
      await client.delete(RayCronJobs, ns, 'forbid');
    });
  });
});
