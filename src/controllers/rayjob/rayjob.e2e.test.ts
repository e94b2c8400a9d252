// RayJob end to end with real Ray pods on the rig's local node: KubeRay's ray-job.sample.yaml shape
// (the script in a ConfigMap mounted at /home/ray/samples, shutdownAfterJobFinishes with a TTL) in
// K8sJobMode (a batch/v1 Job runs `ray job submit`), SidecarMode (the submitter runs beside Ray in the
// head pod) and HTTPMode (the operator submits). The three run side by side on one rig; the two
// variants are head-only to keep the run short.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RayJob } from '../../api/v1/index.ts';
import { newNamespace, type Rig } from '../../../rig/testing.ts';
import { getJson, realRig } from '../../../rig/node/testing.ts';
import type { Pod } from '../../../rig/node/types.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { until } from '../../testing/wait.ts';
import { parseYamlStream } from '../../util/yaml.ts';

const sample = join(import.meta.dirname, '..', '..', '..', 'config', 'samples', 'ray-job.sample.yaml');

/** The sample's RayJob renamed, in another mode, head-only (the head has the 1 CPU the actor needs). */
function variant(name: string, mode: 'HTTPMode' | 'SidecarMode'): RayJob {
  const job = structuredClone(parseYamlStream(readFileSync(sample, 'utf8'))[0]!.value as RayJob);
  job.metadata = { name };
  job.spec.submissionMode = mode;
  for (const g of job.spec.rayClusterSpec!.workerGroupSpecs ?? []) {
    g.replicas = 0;
    g.minReplicas = 0;
  }
  return job;
}

describe('RayJob on the real rig (local node, Ray 2.58)', { timeout: 900_000 }, () => {
  let rig: Rig;
  let ns: string;
  let op: InProcessOperator | undefined;

  before(async () => {
    rig = await realRig();
    ns = await newNamespace(rig, 'e2e-rayjob');
    op = await startOperator(rig, [ns]);
  });
  after(async () => {
    await op?.stop();
    await rig?.stop();
  });

  const job = (name: string) => getJson<RayJob>(rig, ['get', 'rayjob', name, '-n', ns]);
  const waitComplete = async (name: string) => {
    const j = await until(
      `${name}: Complete or Failed`,
      async () => {
        const x = await job(name);
        return ['Complete', 'Failed'].includes(x.status?.jobDeploymentStatus ?? '') ? x : undefined;
      },
      {
        timeoutMs: 600_000,
        intervalMs: 2000,
        describe: async () => JSON.stringify((await job(name)).status),
      },
    );
    assert.equal(
      j.status?.jobDeploymentStatus,
      'Complete',
      `${name}: ${j.status?.reason}: ${j.status?.message}`,
    );
    return j;
  };
  const clusterGone = (name: string) =>
    until(
      `RayCluster ${name} deleted after the TTL`,
      async () => {
        const r = await rig.kubectl([
          'get',
          'raycluster',
          name,
          '-n',
          ns,
          '--ignore-not-found',
          '-o',
          'name',
        ]);
        return r.code === 0 && r.stdout.trim() === '';
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );

  it('K8sJobMode, SidecarMode and HTTPMode reach SUCCEEDED / Complete; each cluster is deleted after the TTL', async () => {
    const apply = await rig.kubectl(['apply', '-n', ns, '-f', sample]);
    assert.equal(apply.code, 0, apply.stderr);
    for (const v of [variant('rayjob-sidecar', 'SidecarMode'), variant('rayjob-http', 'HTTPMode')]) {
      const r = await rig.kubectl(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify(v) });
      assert.equal(r.code, 0, r.stderr);
    }
    const [k8s, sidecar, http] = await Promise.all(
      ['rayjob-sample', 'rayjob-sidecar', 'rayjob-http'].map((n) => waitComplete(n)),
    );
    for (const j of [k8s!, sidecar!, http!]) {
      assert.equal(j.status?.jobStatus, 'SUCCEEDED', JSON.stringify(j.status));
      assert.equal(j.status?.succeeded, 1);
    }

    // K8sJobMode: the submitter Job followed the driver's output (the ConfigMap script, the runtime env).
    const logs = await rig.kubectl(['logs', 'job/rayjob-sample', '-n', ns]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /test_counter got 5/);
    // SidecarMode: the same output from the head pod's ray-job-submitter container.
    const heads = await getJson<{ items: Pod[] }>(rig, [
      'get',
      'pods',
      '-n',
      ns,
      '-l',
      `ray.io/cluster=${sidecar!.status!.rayClusterName!},ray.io/node-type=head`,
    ]);
    if (heads.items[0]) {
      const side = await rig.kubectl([
        'logs',
        heads.items[0].metadata.name!,
        '-c',
        'ray-job-submitter',
        '-n',
        ns,
      ]);
      assert.match(side.stdout, /test_counter got 5/);
    }

    await Promise.all([k8s!, sidecar!, http!].map((j) => clusterGone(j.status!.rayClusterName!)));
    const submitter = await rig.kubectl(['get', 'job', 'rayjob-sample', '-n', ns, '-o', 'name']);
    assert.equal(
      submitter.stdout.trim(),
      'job.batch/rayjob-sample',
      'the submitter Job is kept for its logs',
    );
  });
});
