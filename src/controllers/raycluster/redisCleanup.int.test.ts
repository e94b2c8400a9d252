// The Redis cleanup finalizer on the real control plane (KWOK runs the pods and completes Job pods;
// the Redis side is the e2e test's, src/e2e/gcsFaultTolerance.e2e.test.ts):
//   - a GCS FT cluster gets the finalizer before its pods; deleting it deletes the pods, runs the
//     cleanup Job once the head is gone, and the cluster is gone when the Job completes;
//   - a cluster carried over from KubeRay with the finalizer but no Redis FT deletes at once;
//   - a cleanup that never finishes is cut off after ray.io/gcs-ft-deletion-timeout, with a Warning.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RayCluster } from '../../api/v1/index.ts';
import { newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import { isNotFound } from '../../runtime/errors.ts';
import { Jobs, Pods, RayClusters, type KubeObject } from '../../runtime/resources.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { inNamespace, rayCluster, withAnnotations, withWorkers } from '../../testing/builders.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { until } from '../../testing/wait.ts';
import { REDIS_CLEANUP_FINALIZER } from './redisCleanup.ts';

type RC = KubeObject & RayCluster;

const withRedisFT = (rc: RayCluster): RayCluster => ({
  ...rc,
  spec: { ...rc.spec, gcsFaultToleranceOptions: { redisAddress: 'redis.example:6379' } },
});

describe('Redis cleanup finalizer on the rig', () => {
  let rig: Rig;
  let ns: string;
  let client: KubeClient;
  let op: InProcessOperator;

  before(async () => {
    rig = await useRig();
    ns = await newNamespace(rig, 'rc-redis-cleanup');
    client = KubeClient.fromFile(rig.kubeconfigPath);
    op = await startOperator(rig, [ns]);
  });
  after(async () => {
    await op.stop();
    client.close();
  });

  const gone = (name: string) =>
    until(`RayCluster ${name} deleted`, async () =>
      client.get(RayClusters, ns, name).then(
        () => false,
        (e: unknown) => isNotFound(e),
      ),
    );
  const pods = async (name: string) =>
    (await client.list<KubeObject>(Pods, ns, { labelSelector: `ray.io/cluster=${name}` })).items;

  test('finalizer first, then pods; on delete: pods go, the cleanup Job runs after the head, then the cluster goes', async () => {
    await client.create(RayClusters, withRedisFT(rayCluster('ft', inNamespace(ns), withWorkers(1))) as RC);
    await until('the finalizer and both pods', async () => {
      const rc = await client.get<RC>(RayClusters, ns, 'ft');
      return (
        (rc.metadata.finalizers ?? []).includes(REDIS_CLEANUP_FINALIZER) && (await pods('ft')).length === 2
      );
    });
    await client.delete(RayClusters, ns, 'ft');
    const job = await until('the cleanup Job', async () =>
      client
        .get<KubeObject & { spec: { template: { metadata: { labels: Record<string, string> } } } }>(
          Jobs,
          ns,
          'ft-redis-cleanup',
        )
        .catch(() => undefined),
    );
    assert.equal(job.spec.template.metadata.labels['ray.io/node-type'], 'redis-cleanup');
    assert.deepEqual(
      (await pods('ft')).filter(
        (p) => p.metadata.labels?.['ray.io/node-type'] === 'head' && !p.metadata.deletionTimestamp,
      ),
      [],
      'the Job starts only once the head is gone',
    );
    await gone('ft');
  });

  test("a cluster carrying KubeRay's finalizer without Redis FT finishes deleting", async () => {
    const rc = rayCluster('carried', inNamespace(ns), withWorkers(1)) as RC;
    rc.metadata.finalizers = [REDIS_CLEANUP_FINALIZER];
    await client.create(RayClusters, rc);
    await until('pods', async () => (await pods('carried')).length === 2);
    await client.delete(RayClusters, ns, 'carried');
    await gone('carried');
  });

  test('a cleanup that never finishes is cut off after ray.io/gcs-ft-deletion-timeout, with a Warning Event', async () => {
    // A Job KWOK never completes: pods that cannot be scheduled (no node has this label).
    const rc = withRedisFT(
      rayCluster('stuck', inNamespace(ns), withAnnotations({ 'ray.io/gcs-ft-deletion-timeout': '8' })),
    ) as RC;
    rc.spec.headGroupSpec.template.spec!.nodeSelector = { 'kuray.io/no-such-node': 'x' };
    await client.create(RayClusters, rc);
    await until('the finalizer', async () =>
      ((await client.get<RC>(RayClusters, ns, 'stuck')).metadata.finalizers ?? []).includes(
        REDIS_CLEANUP_FINALIZER,
      ),
    );
    await client.delete(RayClusters, ns, 'stuck');
    await gone('stuck');
    const ev = await rig.kubectl([
      'get',
      'events',
      '-n',
      ns,
      '--field-selector',
      'reason=ForceDeletedStuckCluster',
      '-o',
      'name',
    ]);
    assert.ok(ev.stdout.trim().length > 0, 'ForceDeletedStuckCluster Event');
  });
});
