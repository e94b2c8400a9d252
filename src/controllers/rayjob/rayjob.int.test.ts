// The RayJob controller on the real control plane (KWOK pods, no Ray: the dashboard is unreachable
// here, so these are the transitions that do not need Ray's answer). With Ray: rayjob*.e2e.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RayCluster, RayJob } from '../../api/v1/index.ts';
import { newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import { isNotFound } from '../../runtime/errors.ts';
import { Events, Jobs, RayClusters, RayJobs, Services, type KubeObject } from '../../runtime/resources.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { rayCluster } from '../../testing/builders.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { inMode, onCluster, rayJob, withJobSpec } from '../../testing/rayjobs.ts';
import { until } from '../../testing/wait.ts';

type RJ = KubeObject & RayJob;
type RC = KubeObject & RayCluster;

describe('RayJob controller on the rig', { timeout: 300_000 }, () => {
  let rig: Rig;
  let ns: string;
  let client: KubeClient;
  let op: InProcessOperator;

  before(async () => {
    rig = await useRig();
    ns = await newNamespace(rig, 'rayjob');
    client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 200, burst: 400 });
    // No Ray behind any cluster: every dashboard call fails as a dead dashboard would.
    op = await startOperator(rig, [ns], { rayjob: { dashboard: () => Promise.resolve(undefined) } });
  });
  after(async () => {
    await op.stop();
    client.close();
  });

  const create = (j: RayJob) =>
    client.create<RJ>(RayJobs, { ...j, metadata: { name: j.metadata!.name!, namespace: ns } });
  const get = (name: string) => client.get<RJ>(RayJobs, ns, name);
  const status = async (name: string) => (await get(name)).status ?? {};
  const waitFor = (name: string, what: string, ok: (j: RJ) => boolean, timeoutMs = 90_000) =>
    until(
      `${name}: ${what}`,
      async () => {
        const j = await get(name);
        return ok(j) ? j : undefined;
      },
      { timeoutMs, describe: async () => JSON.stringify(await status(name)) },
    );
  const clustersOf = async (name: string) =>
    (await client.list<RC>(RayClusters, ns, { labelSelector: `ray.io/originated-from-cr-name=${name}` }))
      .items;
  const events = async (name: string) =>
    (
      (await client.list<KubeObject>(Events, ns, { fieldSelector: `involvedObject.name=${name}` }))
        .items as unknown as { reason: string; type: string; message: string }[]
    ).map((e) => `${e.type} ${e.reason}: ${e.message}`);

  it('invalid RayJobs end ValidationFailed with the field path and an Event, and create nothing', async () => {
    const bad: RayJob[] = [
      rayJob('bad-resources', withJobSpec({ entrypointResources: '{"custom": "many"' })),
      rayJob('bad-both', withJobSpec({ clusterSelector: { 'ray.io/cluster': 'shared' } })),
      rayJob('bad-suspend', withJobSpec({ suspend: true })),
    ];
    for (const j of bad) await create(j);
    const paths = ['spec.entrypointResources', 'spec.clusterSelector', 'spec.suspend'];
    for (const [i, j] of bad.entries()) {
      const name = j.metadata!.name!;
      const done = await waitFor(
        name,
        'ValidationFailed',
        (x) => x.status?.jobDeploymentStatus === 'ValidationFailed',
      );
      assert.equal(done.status?.reason, 'ValidationFailed');
      assert.ok(done.status?.message?.includes(paths[i]!), done.status?.message);
      await until(`${name}: InvalidRayJobSpec Event`, async () =>
        (await events(name)).find((e) => e.startsWith('Warning InvalidRayJobSpec') && e.includes(paths[i]!)),
      );
      assert.deepEqual(await clustersOf(name), []);
    }
  });

  it('K8sJobMode: the cluster (name, labels, owner), the submitter Job, the <job>-head-svc; Initializing → Running', async () => {
    await create(rayJob('k8s', withJobSpec({ entrypoint: 'python /home/ray/samples/sample_code.py' })));
    // Initializing can last less than one poll on KWOK (the cluster is ready at once): wait for what
    // Initializing fixes (cluster name and job id), whatever state the job has reached since.
    const init = await waitFor('k8s', 'Initializing (cluster name and job id fixed)', (x) =>
      Boolean(x.status?.rayClusterName && x.status.jobId && x.status.jobDeploymentStatus),
    );
    const clusterName = init.status!.rayClusterName!;
    assert.match(clusterName, /^k8s-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.match(init.status!.jobId!, /^k8s-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(init.metadata.finalizers, ['ray.io/rayjob-finalizer']);
    const running = await waitFor('k8s', 'Running', (x) => x.status?.jobDeploymentStatus === 'Running');
    const rc = await client.get<RC>(RayClusters, ns, clusterName);
    assert.equal(rc.metadata.labels?.['ray.io/originated-from-crd'], 'RayJob');
    assert.equal(rc.metadata.labels?.['ray.io/originated-from-cr-name'], 'k8s');
    assert.equal(rc.metadata.labels?.['ray.io/job-submission-mode'], 'K8sJobMode');
    assert.equal(rc.metadata.ownerReferences?.[0]?.kind, 'RayJob');
    const url = `${clusterName}-head-svc.${ns}.svc.cluster.local:8265`;
    assert.equal(running.status?.dashboardURL, url);
    assert.equal(running.status?.rayClusterStatus?.state, 'ready');
    const job = await until('the submitter Job', () => client.get<KubeObject>(Jobs, ns, 'k8s'));
    const spec = job.spec as {
      backoffLimit: number;
      template: { spec: { containers: { env: { name: string; value: string }[]; args: string[] }[] } };
    };
    assert.equal(spec.backoffLimit, 2);
    const c = spec.template.spec.containers[0]!;
    assert.deepEqual(
      c.env.map((e) => `${e.name}=${e.value}`),
      [
        'PYTHONUNBUFFERED=1',
        `RAY_DASHBOARD_ADDRESS=${url}`,
        `RAY_JOB_SUBMISSION_ID=${running.status.jobId!}`,
      ],
    );
    assert.match(c.args[0]!, /--submission-id k8s-\w{5} .*-- python \/home\/ray\/samples\/sample_code.py/);
    const svc = await until('k8s-head-svc', () => client.get<KubeObject>(Services, ns, 'k8s-head-svc'));
    assert.equal((svc.spec as { selector: Record<string, string> }).selector['ray.io/cluster'], clusterName);
    const table = await rig.kubectl(['get', 'rayjob', 'k8s', '-n', ns]);
    assert.match(
      table.stdout.split('\n')[0]!,
      /JOB STATUS\s+DEPLOYMENT STATUS\s+RAY CLUSTER NAME\s+START TIME\s+END TIME\s+AGE/,
    );
    // KWOK "completes" the submitter pod without submitting anything: Ray never reports the job, so
    // the RayJob must not hang in Running — it fails with the reason once the submitter is done.
    const failed = await waitFor(
      'k8s',
      'Failed after the submitter finished without a Ray job',
      (x) => x.status?.jobDeploymentStatus === 'Failed',
      120_000,
    );
    assert.ok(
      ['AppFailed', 'JobDeploymentStatusTransitionGracePeriodExceeded'].includes(failed.status!.reason!),
      JSON.stringify(failed.status),
    );
    assert.equal(failed.status?.failed, 1);
    assert.ok(failed.status?.endTime);
  });

  it('a cluster that cannot start: preRunningDeadlineSeconds ends the job with PreRunningDeadlineExceeded', async () => {
    const unschedulable = rayJob('stuck', inMode('HTTPMode'), withJobSpec({ preRunningDeadlineSeconds: 5 }));
    unschedulable.spec.rayClusterSpec!.headGroupSpec.template.spec!.nodeSelector = { 'no-such-node': 'x' };
    await create(unschedulable);
    const s = await waitFor('stuck', 'Failed', (x) => x.status?.jobDeploymentStatus === 'Failed', 60_000);
    assert.equal(s.status?.reason, 'PreRunningDeadlineExceeded');
    assert.match(s.status?.message ?? '', /preRunningDeadlineSeconds/);
    await until('Warning RayJobFailed Event', async () =>
      (await events('stuck')).find(
        (e) => e.startsWith('Warning RayJobFailed') && e.includes('PreRunningDeadlineExceeded'),
      ),
    );
  });

  it('suspend (Kueue): Running → Suspending → Suspended deletes the cluster; resume creates a new one', async () => {
    await create(rayJob('susp', inMode('HTTPMode'), withJobSpec({ shutdownAfterJobFinishes: true })));
    const running = await waitFor('susp', 'Running', (x) => x.status?.jobDeploymentStatus === 'Running');
    const first = running.status!.rayClusterName!;
    await client.patch(RayJobs, ns, 'susp', { spec: { suspend: true } }, 'merge');
    const suspended = await waitFor(
      'susp',
      'Suspended',
      (x) => x.status?.jobDeploymentStatus === 'Suspended',
    );
    assert.equal(suspended.status?.rayClusterName, '');
    await until(`cluster ${first} deleted`, async () => {
      try {
        await client.get(RayClusters, ns, first);
        return false;
      } catch (e) {
        return isNotFound(e);
      }
    });
    await client.patch(RayJobs, ns, 'susp', { spec: { suspend: false } }, 'merge');
    const again = await waitFor('susp', 'Running again', (x) => x.status?.jobDeploymentStatus === 'Running');
    assert.notEqual(again.status?.rayClusterName, first);
    assert.equal((await clustersOf('susp')).length, 1);
  });

  it('clusterSelector naming a missing cluster: a RayClusterNotFound Event, nothing created; then it runs there', async () => {
    await create(rayJob('sel', onCluster('shared-cluster'), inMode('HTTPMode')));
    await until('RayClusterNotFound Event', async () =>
      (await events('sel')).find((e) => e.startsWith('Warning RayClusterNotFound')),
    );
    assert.equal((await status('sel')).jobDeploymentStatus, 'Initializing');
    await client.create(RayClusters, {
      ...rayCluster('shared-cluster'),
      metadata: { name: 'shared-cluster', namespace: ns },
    });
    const running = await waitFor(
      'sel',
      'Running on the selected cluster',
      (x) => x.status?.jobDeploymentStatus === 'Running',
    );
    assert.equal(running.status?.rayClusterName, 'shared-cluster');
    await assert.rejects(client.get(Services, ns, 'sel-head-svc'), isNotFound);
  });

  it('deleting a RayJob: the finalizer lets go and its cluster is garbage collected', async () => {
    await create(rayJob('gone', inMode('HTTPMode')));
    const r = await waitFor('gone', 'Running', (x) => x.status?.jobDeploymentStatus === 'Running');
    await client.delete(RayJobs, ns, 'gone');
    await until('RayJob deleted', async () => {
      try {
        await get('gone');
        return false;
      } catch (e) {
        return isNotFound(e);
      }
    });
    await until('its cluster garbage collected', async () => {
      try {
        await client.get(RayClusters, ns, r.status!.rayClusterName!);
        return false;
      } catch (e) {
        return isNotFound(e);
      }
    });
  });
});
