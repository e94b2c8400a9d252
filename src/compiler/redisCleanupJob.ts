// The Job that deletes a Redis-backed GCS's keys once its RayCluster is deleted (KubeRay v1.7.0
// buildRedisCleanupJob): the head pod reduced to its Ray container, running Ray's own
// cleanup_redis_storage against RAY_REDIS_ADDRESS for the cluster's RAY_external_storage_namespace.
// Best effort: no retry, five minutes at most; the finalizer goes either way (src/controllers/
// raycluster/redisCleanup.ts).
import type { Job, Pod } from './k8sTypes.ts';
import { LABEL_NODE_TYPE } from './constants.ts';
import { containerShell } from './rayStartCommand.ts';
import { checkLabel } from './names.ts';
import type { ClusterContext } from './context.ts';
import { hasEnv } from './env.ts';

export const REDIS_CLEANUP_NODE_TYPE = 'redis-cleanup';

/** `<cluster>-redis-cleanup`, cut to a label's 63 characters as KubeRay does. */
export function redisCleanupJobName(cluster: string): string {
  return checkLabel(`${cluster}-redis-cleanup`);
}

function cleanupScript(withUsername: boolean): string {
  const user = withUsername ? "username=os.getenv('REDIS_USERNAME', parsed.username), " : '';
  return (
    `echo "To delete the storage namespace in Redis by hand and remove the RayCluster's finalizer, see https://docs.ray.io/en/master/cluster/kubernetes/user-guides/kuberay-gcs-ft.html" && ` +
    `python -c "from ray._private.gcs_utils import cleanup_redis_storage; ` +
    `from urllib.parse import urlparse; import os; import sys; ` +
    `redis_address = os.getenv('RAY_REDIS_ADDRESS', '').split(',')[0]; ` +
    `redis_address = redis_address if '://' in redis_address else 'redis://' + redis_address; ` +
    `parsed = urlparse(redis_address); ` +
    `sys.exit(1) if not cleanup_redis_storage(host=parsed.hostname, port=parsed.port, ${user}` +
    `password=os.getenv('REDIS_PASSWORD', parsed.password or ''), use_ssl=parsed.scheme=='rediss', ` +
    `storage_namespace=os.getenv('RAY_external_storage_namespace')) else None"`
  );
}

/** The cleanup Job, from a head pod the compiler built for this cluster. */
export function buildRedisCleanupJob(ctx: ClusterContext, head: Pod): Job {
  const spec = head.spec!;
  const ray = { ...spec.containers[0]! };
  const labels = { ...head.metadata?.labels, [LABEL_NODE_TYPE]: REDIS_CLEANUP_NODE_TYPE };
  const annotations = head.metadata?.annotations ?? {};
  ray.command = containerShell(ctx.options.loginShell);
  ray.args = [cleanupScript(hasEnv(ray.env, 'REDIS_USERNAME'))];
  // No raylet or GCS runs here: nothing for probes to check.
  delete ray.livenessProbe;
  delete ray.readinessProbe;
  delete ray.startupProbe;
  ray.env = [
    ...(ray.env ?? []),
    // Redis may be restarting too: wait up to 60 s for it.
    { name: 'RAY_redis_db_connect_retries', value: '120' },
    { name: 'RAY_redis_db_connect_wait_milliseconds', value: '500' },
  ];
  // Constant work; small fixed resources, no GPU.
  ray.resources = {
    limits: { cpu: '200m', memory: '256Mi' },
    requests: { cpu: '200m', memory: '256Mi' },
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: redisCleanupJobName(ctx.name),
      namespace: ctx.namespace,
      labels,
      annotations,
      ownerReferences: [ctx.ownerReference],
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: 300,
      template: {
        metadata: { labels, annotations },
        // The wait-gcs-ready and TLS init containers wait for a head that is gone: only Ray's container.
        spec: { ...spec, containers: [ray], initContainers: [], restartPolicy: 'Never' },
      },
    },
  };
}
