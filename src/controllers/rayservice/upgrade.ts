// Which RayClusters a RayService should have, as pure decisions over its spec, its status and the
// clusters' annotations (KubeRay v1.7.0 shouldPrepareNewCluster, shouldUpdateCluster,
// isZeroDowntimeUpgradeEnabled, cleanUpRayClusterInstance).
//
//   same spec hash                         → nothing to do
//   only worker groups appended at the end → update the cluster in place (no new cluster)
//   anything else                          → a new pending cluster (NewCluster, incremental), or
//                                            nothing at all (None: the change waits)
import type { RayCluster, RayService } from '../../api/v1/index.ts';
import { KUBERAY_VERSION } from '../../compiler/constants.ts';
import { conditionTrue } from '../raycluster/conditions.ts';
import {
  ANNOTATION_HASH,
  ANNOTATION_KUBERAY_VERSION,
  ANNOTATION_NUM_WORKER_GROUPS,
  COND_READY,
  COND_ROLLBACK_IN_PROGRESS,
  COND_UPGRADE_IN_PROGRESS,
  DEFAULT_DELETION_DELAY_S,
  REASON,
} from './constants.ts';
import { clusterSpecHash, isKurayHash } from './hash.ts';

export type UpgradeType = 'NewCluster' | 'NewClusterWithIncrementalUpgrade' | 'None';

/**
 * The effective strategy: spec.upgradeStrategy.type, else the operator's default (KubeRay's
 * ENABLE_ZERO_DOWNTIME env: anything but "false" means NewCluster).
 */
export function upgradeType(rs: RayService, zeroDowntimeDefault = true): UpgradeType {
  const t = rs.spec.upgradeStrategy?.type;
  if (t) return t;
  return zeroDowntimeDefault ? 'NewCluster' : 'None';
}

export function isIncremental(rs: RayService): boolean {
  return rs.spec.upgradeStrategy?.type === 'NewClusterWithIncrementalUpgrade';
}

const annotation = (rc: RayCluster, k: string): string | undefined => rc.metadata?.annotations?.[k];

/** The cluster was built from the current rayClusterConfig (a KubeRay-made cluster is taken as current). */
export function specMatches(rs: RayService, rc: RayCluster): boolean {
  const h = annotation(rc, ANNOTATION_HASH);
  return !isKurayHash(h) || h === clusterSpecHash(rs.spec.rayClusterConfig);
}

/** The current spec equals the cluster's except for worker groups appended after its own. */
export function onlyGroupsAppended(rs: RayService, rc: RayCluster): boolean {
  const h = annotation(rc, ANNOTATION_HASH);
  const n = Number(annotation(rc, ANNOTATION_NUM_WORKER_GROUPS));
  const goal = rs.spec.rayClusterConfig.workerGroupSpecs?.length ?? 0;
  if (!isKurayHash(h) || !Number.isInteger(n) || n < 0 || goal < n) return false;
  return h === clusterSpecHash(rs.spec.rayClusterConfig, n);
}

/** In-place update of an existing cluster: appended worker groups, or adopting another operator's cluster. */
export function shouldUpdateCluster(rs: RayService, rc: RayCluster | undefined, active: boolean): boolean {
  if (!rc) return false;
  if (active) {
    // During an upgrade the new spec belongs to the pending cluster only.
    if (conditionTrue(rs.status?.conditions, COND_UPGRADE_IN_PROGRESS)) return false;
    if (annotation(rc, ANNOTATION_KUBERAY_VERSION) !== KUBERAY_VERSION) return true;
    if (!isKurayHash(annotation(rc, ANNOTATION_HASH))) return true;
  }
  if (specMatches(rs, rc)) return false;
  return onlyGroupsAppended(rs, rc);
}

/** Whether to name a new pending cluster now (it is created on the next reconcile). */
export function shouldPrepareNewCluster(
  rs: RayService,
  active: RayCluster | undefined,
  pending: RayCluster | undefined,
  pendingServing: boolean,
  zeroDowntimeDefault = true,
): boolean {
  if (pendingServing) return false;
  if (conditionTrue(rs.status?.conditions, COND_ROLLBACK_IN_PROGRESS)) return false;
  if (!active && !pending) return true; // a new RayService: its first cluster
  const cluster = (pending ?? active)!;
  if (specMatches(rs, cluster) || onlyGroupsAppended(rs, cluster)) return false;
  return upgradeType(rs, zeroDowntimeDefault) !== 'None';
}

/**
 * rayClusterDeletionDelaySeconds in ms; 0 while the RayService itself is being deleted, and after an
 * initializing timeout (a cluster that never served has no traffic to drain).
 */
export function deletionDelayMs(rs: RayService): number {
  if (rs.metadata?.deletionTimestamp) return 0;
  const ready = rs.status?.conditions?.find((c) => c.type === COND_READY);
  if (ready?.status === 'False' && ready.reason === REASON.initializingTimeout) return 0;
  return (rs.spec.rayClusterDeletionDelaySeconds ?? DEFAULT_DELETION_DELAY_S) * 1000;
}

export interface CleanupPlan {
  /** Clusters whose time has come (or all of them, when the RayService is being deleted). */
  delete: string[];
  /** Clusters seen for the first time as neither active nor pending, with their deletion time. */
  schedule: { name: string; at: number }[];
  /** Some cluster still has to go (scheduled or being deleted). */
  remaining: boolean;
}

/**
 * Clusters of the RayService that are neither active nor pending go `rayClusterDeletionDelaySeconds`
 * after they are first seen so (the old cluster of a blue/green upgrade keeps answering requests
 * that are still in flight, and clients that resolved it late, while traffic moves away).
 */
export function planCleanup(
  rs: RayService,
  clusters: readonly RayCluster[],
  scheduled: ReadonlyMap<string, number>,
  now: number,
): CleanupPlan {
  const deleting = Boolean(rs.metadata?.deletionTimestamp);
  const keep = new Set(
    deleting
      ? []
      : [rs.status?.activeServiceStatus?.rayClusterName, rs.status?.pendingServiceStatus?.rayClusterName],
  );
  const plan: CleanupPlan = { delete: [], schedule: [], remaining: false };
  for (const rc of clusters) {
    const name = rc.metadata?.name ?? '';
    if (keep.has(name)) continue;
    plan.remaining = true;
    if (rc.metadata?.deletionTimestamp) continue;
    const known = scheduled.get(name);
    const at = known ?? now + deletionDelayMs(rs);
    if (now >= at) plan.delete.push(name);
    else if (known === undefined) plan.schedule.push({ name, at });
  }
  return plan;
}
