import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RayCluster } from '../../api/v1/index.ts';
import { compileCluster } from '../../compiler/index.ts';
import { redisCleanupJobName } from '../../compiler/redisCleanupJob.ts';
import type { Job } from '../../compiler/k8sTypes.ts';
import { rayCluster, withAnnotations, withAutoscaling, withWorkers } from '../../testing/builders.ts';
import { deletionTimeoutMs, jobOutcome, wantsRedisCleanup } from './redisCleanup.ts';

const withRedis = (rc: RayCluster): RayCluster => ({
  ...rc,
  metadata: { ...rc.metadata, uid: '1234-uid' },
  spec: {
    ...rc.spec,
    gcsFaultToleranceOptions: {
      redisAddress: 'redis:6379',
      redisPassword: { valueFrom: { secretKeyRef: { name: 'redis', key: 'password' } } },
    },
  },
});

test('which clusters get the finalizer: Redis-backed GCS FT only, unless ENABLE_GCS_FT_REDIS_CLEANUP=false', () => {
  assert.equal(wantsRedisCleanup(withRedis(rayCluster('c')), true), true);
  assert.equal(wantsRedisCleanup(withRedis(rayCluster('c')), false), false);
  assert.equal(
    wantsRedisCleanup(rayCluster('c', withAnnotations({ 'ray.io/ft-enabled': 'true' })), true),
    true,
  );
  const rocks = withRedis(rayCluster('c'));
  rocks.spec.gcsFaultToleranceOptions = { backend: 'rocksdb' };
  assert.equal(wantsRedisCleanup(rocks, true), false);
  assert.equal(wantsRedisCleanup(rayCluster('c'), true), false);
});

test('deletion timeout from ray.io/gcs-ft-deletion-timeout, else 300 s; Job outcomes as KubeRay reads them', () => {
  assert.equal(deletionTimeoutMs(rayCluster('c')), 300_000);
  assert.equal(
    deletionTimeoutMs(rayCluster('c', withAnnotations({ 'ray.io/gcs-ft-deletion-timeout': '30' }))),
    30_000,
  );
  assert.equal(
    deletionTimeoutMs(rayCluster('c', withAnnotations({ 'ray.io/gcs-ft-deletion-timeout': 'soon' }))),
    300_000,
  );
  const job = (type: string, status = 'True'): Job => ({ status: { conditions: [{ type, status }] } });
  assert.equal(jobOutcome(job('Complete')), 'Complete');
  assert.equal(jobOutcome(job('Failed')), 'Failed');
  assert.equal(jobOutcome(job('FailureTarget')), 'Failed');
  assert.equal(jobOutcome(job('Complete', 'False')), undefined);
  assert.equal(jobOutcome({}), undefined);
});

test("the cleanup Job: the head's Ray container only, Ray's cleanup_redis_storage, best effort for 5 minutes", () => {
  const rc = withRedis(rayCluster('c', withWorkers(1), withAutoscaling()));
  const job = compileCluster(rc).redisCleanupJob();
  assert.equal(job.metadata?.name, 'c-redis-cleanup');
  assert.equal(redisCleanupJobName('x'.repeat(60)).length, 63);
  assert.deepEqual([job.spec?.backoffLimit, job.spec?.activeDeadlineSeconds], [0, 300]);
  assert.equal(job.metadata?.ownerReferences?.[0]?.name, 'c');
  const pod = job.spec!.template;
  assert.equal(pod.metadata?.labels?.['ray.io/node-type'], 'redis-cleanup');
  assert.equal(pod.spec?.restartPolicy, 'Never');
  assert.deepEqual(pod.spec?.initContainers, []);
  assert.deepEqual(
    pod.spec?.containers.map((c) => c.name),
    ['ray-head'],
    'no autoscaler sidecar',
  );
  const ray = pod.spec.containers[0]!;
  assert.equal(ray.readinessProbe, undefined);
  assert.equal(ray.livenessProbe, undefined);
  assert.deepEqual(ray.resources, {
    limits: { cpu: '200m', memory: '256Mi' },
    requests: { cpu: '200m', memory: '256Mi' },
  });
  assert.match(
    ray.args![0]!,
    /cleanup_redis_storage\(host=parsed\.hostname, port=parsed\.port, password=os\.getenv\('REDIS_PASSWORD'/,
  );
  const env = Object.fromEntries((ray.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
  assert.equal(env.RAY_external_storage_namespace, '1234-uid');
  assert.equal(env.RAY_REDIS_ADDRESS, 'redis:6379');
  assert.deepEqual(env.REDIS_PASSWORD, { secretKeyRef: { name: 'redis', key: 'password' } });
  assert.equal(env.RAY_redis_db_connect_retries, '120');
  assert.equal(ray.securityContext?.runAsNonRoot, true, 'restricted like every generated container');
});
