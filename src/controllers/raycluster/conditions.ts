// metav1.Condition bookkeeping: lastTransitionTime moves only when status flips, so an unchanged
// condition never makes the status differ (and never causes a write).
import type { Condition } from '../../api/v1/index.ts';

export const COND_PROVISIONED = 'RayClusterProvisioned';
export const COND_HEAD_READY = 'HeadPodReady';
export const COND_REPLICA_FAILURE = 'ReplicaFailure';
export const COND_SUSPENDING = 'RayClusterSuspending';
export const COND_SUSPENDED = 'RayClusterSuspended';
/** upgradeStrategy RollingUpdate (Kuray-only): True when every worker pod has its group's current template. */
export const COND_WORKERS_UPDATED = 'WorkerPodsUpdated';

export interface ConditionInput {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message?: string;
}

export function setCondition(
  list: readonly Condition[],
  c: ConditionInput,
  now: string,
  observedGeneration?: number,
): Condition[] {
  const prev = list.find((x) => x.type === c.type);
  const next: Condition = {
    type: c.type,
    status: c.status,
    reason: c.reason,
    message: c.message ?? '',
    lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now,
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  return [...list.filter((x) => x.type !== c.type), next].sort((a, b) => (a.type < b.type ? -1 : 1));
}

export function removeCondition(list: readonly Condition[], type: string): Condition[] {
  return list.filter((x) => x.type !== type);
}

export function conditionTrue(list: readonly Condition[] | undefined, type: string): boolean {
  return list?.some((c) => c.type === type && c.status === 'True') ?? false;
}
