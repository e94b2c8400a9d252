// GCS fault tolerance with Redis: the cluster's keys (prefix `RAY<namespace>@`) outlive its pods, so
// deleting the RayCluster must delete them too (KubeRay v1.7.0, same finalizer name, so clusters
// carried over from KubeRay finish deleting here):
//
//   live cluster with Redis FT   → finalizer ray.io/gcs-ft-redis-cleanup-finalizer added first;
//   deleting, finalizer present  → delete the pods, wait for the head to be gone (its GCS must stop
//                                  writing), run the cleanup Job (src/compiler/redisCleanupJob.ts),
//                                  remove the finalizer when the Job completes — or fails (Warning:
//                                  clean by hand) — or after ray.io/gcs-ft-deletion-timeout seconds
//                                  (default 300; Warning ForceDeletedStuckCluster);
//   finalizer but nothing to do  → (RocksDB backend, FT off, ENABLE_GCS_FT_REDIS_CLEANUP=false)
//                                  removed at once.
import type { RayCluster } from '../../api/v1/index.ts';
import { externalStorageNamespace, isGcsFaultToleranceEnabled } from '../../compiler/gcsFaultTolerance.ts';
import type { CompiledCluster } from '../../compiler/index.ts';
import type { Job, Pod } from '../../compiler/k8sTypes.ts';
import { LABEL_NODE_TYPE } from '../../compiler/constants.ts';
import { redisCleanupJobName } from '../../compiler/redisCleanupJob.ts';
import type { Result } from '../../runtime/controller.ts';
import { isAlreadyExists, isNotFound } from '../../runtime/errors.ts';
import type { Logger } from '../../runtime/log.ts';
import { Jobs, Pods, RayClusters, type KubeObject } from '../../runtime/resources.ts';
import type { EventSink, RayClusterClient } from './client.ts';

export const REDIS_CLEANUP_FINALIZER = 'ray.io/gcs-ft-redis-cleanup-finalizer';
export const ANNOTATION_DELETION_TIMEOUT = 'ray.io/gcs-ft-deletion-timeout';
const DEFAULT_DELETION_TIMEOUT_S = 300;

export interface RedisCleanupDeps {
  client: RayClusterClient;
  events: EventSink;
  log: Logger;
  now: () => Date;
  /** KubeRay's ENABLE_GCS_FT_REDIS_CLEANUP (default on). */
  enabled: boolean;
}

/** Redis-backed GCS fault tolerance, whose keys the operator deletes with the cluster. */
export function wantsRedisCleanup(rc: RayCluster, enabled: boolean): boolean {
  return enabled && isGcsFaultToleranceEnabled(rc) && rc.spec.gcsFaultToleranceOptions?.backend !== 'rocksdb';
}

export function deletionTimeoutMs(rc: RayCluster): number {
  const s = Number(rc.metadata?.annotations?.[ANNOTATION_DELETION_TIMEOUT]);
  return (Number.isInteger(s) && s > 0 ? s : DEFAULT_DELETION_TIMEOUT_S) * 1000;
}

/** Complete or Failed (FailureTarget counts: it precedes Failed when the deadline passes). */
export function jobOutcome(job: Job): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? []) {
    if (c.status !== 'True') continue;
    if (c.type === 'Complete') return 'Complete';
    if (c.type === 'Failed' || c.type === 'FailureTarget') return 'Failed';
  }
  return undefined;
}

const hasFinalizer = (rc: RayCluster): boolean =>
  (rc.metadata?.finalizers ?? []).includes(REDIS_CLEANUP_FINALIZER);

/** Writes the finalizer list; resourceVersion makes it a precondition (a stale cache gets a Conflict). */
async function setFinalizers(client: RayClusterClient, rc: RayCluster, finalizers: string[]): Promise<void> {
  await client.patch(
    RayClusters,
    rc.metadata!.namespace,
    rc.metadata!.name!,
    { metadata: { resourceVersion: rc.metadata!.resourceVersion, finalizers } },
    'merge',
  );
}

/**
 * The finalizer's part of a reconcile, before anything else. Returns the reconcile's result when it
 * ends here (finalizer just added; a deleting cluster); undefined to carry on.
 */
export async function reconcileRedisCleanup(
  d: RedisCleanupDeps,
  rc: RayCluster,
  pods: readonly Pod[],
  compile: () => CompiledCluster,
): Promise<Result | undefined> {
  const wants = wantsRedisCleanup(rc, d.enabled);
  const deleting = rc.metadata?.deletionTimestamp != null;
  const obj = rc as KubeObject;
  const others = (rc.metadata?.finalizers ?? []).filter((f) => f !== REDIS_CLEANUP_FINALIZER);
  if (!deleting) {
    if (!wants || hasFinalizer(rc)) return undefined;
    // Only then the pods: a cluster never runs with Redis keys the operator would not clean.
    await setFinalizers(d.client, rc, [...(rc.metadata?.finalizers ?? []), REDIS_CLEANUP_FINALIZER]);
    return {};
  }
  if (!hasFinalizer(rc)) return {};
  const ns = rc.metadata!.namespace!;
  const storage = externalStorageNamespace(rc);
  if (!wants) {
    d.log.info(
      'removing the Redis cleanup finalizer: nothing to clean (no Redis-backed GCS fault tolerance)',
    );
    await setFinalizers(d.client, rc, others);
    return {};
  }
  const age = d.now().getTime() - Date.parse(rc.metadata!.deletionTimestamp!);
  if (age >= deletionTimeoutMs(rc)) {
    d.events.warning(
      obj,
      'ForceDeletedStuckCluster',
      `Redis cleanup did not finish within ${deletionTimeoutMs(rc) / 1000} s (annotation ${ANNOTATION_DELETION_TIMEOUT}); finalizer removed. Delete the keys of storage namespace ${storage} in Redis by hand`,
      'Delete',
    );
    await setFinalizers(d.client, rc, others);
    return {};
  }
  // The head's GCS must stop writing before its keys can go.
  const live = pods.filter((p) => p.metadata?.deletionTimestamp == null);
  for (const p of live) {
    try {
      await d.client.delete(Pods, ns, p.metadata!.name!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  if (pods.some((p) => p.metadata?.labels?.[LABEL_NODE_TYPE] === 'head')) return { requeueAfter: 2000 }; // pod events come sooner
  const name = redisCleanupJobName(rc.metadata!.name!);
  let job: Job | undefined;
  try {
    job = await d.client.get<KubeObject & Job>(Jobs, ns, name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (!job) {
    try {
      await d.client.create(Jobs, compile().redisCleanupJob() as KubeObject);
      d.events.normal(obj, 'CreatedRedisCleanupJob', `Created Redis cleanup Job ${ns}/${name}`, 'Create');
    } catch (err) {
      if (!isAlreadyExists(err)) {
        d.events.warning(
          obj,
          'FailedToCreateRedisCleanupJob',
          `Failed to create Redis cleanup Job ${ns}/${name}: ${(err as Error).message}`,
          'Create',
        );
        throw err;
      }
    }
    return { requeueAfter: 2000 };
  }
  const outcome = jobOutcome(job);
  if (!outcome) return { requeueAfter: 2000 };
  if (outcome === 'Complete')
    d.events.normal(
      obj,
      'RedisCleanupCompleted',
      `Deleted the keys of storage namespace ${storage} in Redis`,
      'Delete',
    );
  else
    d.events.warning(
      obj,
      'RedisCleanupFailed',
      `Redis cleanup Job ${ns}/${name} failed; delete the keys of storage namespace ${storage} in Redis by hand (see its logs)`,
      'Delete',
    );
  await setFinalizers(d.client, rc, others);
  return {};
}
