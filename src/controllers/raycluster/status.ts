// The RayCluster status as a pure function of the spec, the compiler's desired counts and what the
// cache shows. The reconciler writes it only when `statusChanged` says so, which is what makes a
// reconcile of a converged cluster cost zero API writes.
import { canonicalJSON } from '../../util/canonical.ts';
import type { Pod as V1Pod, Service as V1Service } from '../../compiler/k8sTypes.ts';
import type { Condition, RayCluster, RayClusterStatus } from '../../api/v1/index.ts';
import { MAX_REPLICAS_DEFAULT } from '../../api/v1/index.ts';
import {
  COND_HEAD_READY,
  COND_PROVISIONED,
  COND_REPLICA_FAILURE,
  COND_SUSPENDED,
  COND_SUSPENDING,
  COND_WORKERS_UPDATED,
  conditionTrue,
  type ConditionInput,
  removeCondition,
  setCondition,
} from './conditions.ts';
import {
  headKeepRank,
  isHeadPod,
  isRunning,
  isRunningAndReady,
  isTerminating,
  isWorkerPod,
} from './podState.ts';
import { desiredResources } from './resources.ts';
import type { GroupProgress } from './rolling.ts';

export interface ReconcileFailure {
  /** A ReplicaFailure reason: FailedCreateHeadPod, FailedCreateWorkerPod, FailedDeleteWorkerPod, … */
  reason: string;
  message: string;
  /** A wait, not an error (e.g. for mTLS certificates): look again after this long instead of backing off. */
  requeueAfterMs?: number;
}

export interface StatusInput {
  cluster: RayCluster;
  groups: readonly { name: string; desiredPods: number }[];
  pods: readonly V1Pod[];
  headService?: V1Service | undefined;
  failure?: ReconcileFailure | undefined;
  /** upgradeStrategy RollingUpdate: updated/total worker pods per group (./rolling.ts); absent otherwise. */
  rolling?: readonly GroupProgress[] | undefined;
  now: Date;
}

/** The WorkerPodsUpdated condition: `n/m pods updated` and the per-group counts. */
export function rollingCondition(progress: readonly GroupProgress[]): ConditionInput {
  const updated = progress.reduce((n, g) => n + g.updated, 0);
  const total = progress.reduce((n, g) => n + g.total, 0);
  const groups = progress.map((g) => `${g.group} ${g.updated}/${g.total}`).join(', ');
  const done = updated === total;
  return {
    type: COND_WORKERS_UPDATED,
    status: done ? 'True' : 'False',
    reason: done ? 'AllWorkerPodsUpdated' : 'RollingUpdateInProgress',
    message: `${updated}/${total} pods updated${groups ? ` (${groups})` : ''}`,
  };
}

const int32 = (n: number): number => Math.min(n, MAX_REPLICAS_DEFAULT);

/** Why the head is not ready, most specific first: a container's waiting/terminated reason, then the pod's. */
function headNotReadyReason(head: V1Pod): { reason: string; message: string } {
  for (const cs of head.status?.containerStatuses ?? []) {
    if (cs.ready) continue;
    const st = cs.state?.waiting ?? cs.state?.terminated;
    if (st?.reason) return { reason: st.reason, message: st.message ?? `container ${cs.name} is not ready` };
  }
  const readyCond = head.status?.conditions?.find((c) => c.type === 'Ready');
  if (readyCond?.reason) return { reason: readyCond.reason, message: readyCond.message ?? '' };
  const scheduled = head.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (scheduled) return { reason: scheduled.reason ?? 'Unschedulable', message: scheduled.message ?? '' };
  return { reason: 'Unknown', message: `head pod phase is ${head.status?.phase ?? 'unknown'}` };
}

function endpoints(svc: V1Service | undefined): Record<string, string> | undefined {
  const ports = svc?.spec?.ports;
  if (!ports?.length) return undefined;
  const out: Record<string, string> = {};
  for (const p of ports) {
    if (!p.name) continue;
    const target = p.targetPort ?? p.port;
    out[p.name] = String(p.nodePort ? p.nodePort : target);
  }
  return out;
}

/** HeadPodReady: missing, running and ready, or why not (the container's reason first). */
export function headReadyCondition(head: V1Pod | undefined): ConditionInput {
  if (!head)
    return {
      type: COND_HEAD_READY,
      status: 'False',
      reason: 'HeadPodNotFound',
      message: 'no head pod exists',
    };
  if (isRunningAndReady(head))
    return { type: COND_HEAD_READY, status: 'True', reason: 'HeadPodRunningAndReady', message: '' };
  return { type: COND_HEAD_READY, status: 'False', ...headNotReadyReason(head) };
}

/** RayClusterProvisioned is sticky, as in KubeRay: it records that the cluster came up once. */
export function provisionedCondition(
  allReady: boolean,
  wasProvisioned: boolean,
  readyWorkers: number,
  desiredWorkers: number,
): ConditionInput {
  if (allReady || wasProvisioned)
    return {
      type: COND_PROVISIONED,
      status: 'True',
      reason: 'AllPodRunningAndReadyFirstTime',
      message: 'all Ray pods were running and ready',
    };
  return {
    type: COND_PROVISIONED,
    status: 'False',
    reason: 'RayClusterPodsProvisioning',
    message: `${readyWorkers}/${desiredWorkers} workers ready`,
  };
}

/**
 * RayClusterSuspending/RayClusterSuspended. Suspension is atomic: once started it finishes even if
 * spec.suspend flips back meanwhile. Returns the conditions to set (none when neither applies).
 */
export function suspendConditions(
  specSuspend: boolean,
  suspending: boolean,
  livePods: number,
  hadSuspendConditions: boolean,
): ConditionInput[] {
  if (suspending && livePods > 0)
    return [
      {
        type: COND_SUSPENDING,
        status: 'True',
        reason: 'RayClusterSuspending',
        message: `${livePods} pods left to delete`,
      },
      { type: COND_SUSPENDED, status: 'False', reason: 'RayClusterSuspending', message: '' },
    ];
  if (suspending && specSuspend)
    return [
      { type: COND_SUSPENDING, status: 'False', reason: 'RayClusterSuspended', message: '' },
      { type: COND_SUSPENDED, status: 'True', reason: 'RayClusterSuspended', message: 'all pods deleted' },
    ];
  if (hadSuspendConditions)
    return [
      { type: COND_SUSPENDING, status: 'False', reason: 'RayClusterResumed', message: '' },
      { type: COND_SUSPENDED, status: 'False', reason: 'RayClusterResumed', message: '' },
    ];
  return [];
}

/** status.state: suspended, or ready (sticky like KubeRay while not suspending), else none. */
export function clusterState(
  suspended: boolean,
  allReady: boolean,
  prevState: RayClusterStatus['state'],
  suspending: boolean,
): RayClusterStatus['state'] {
  if (suspended) return 'suspended';
  if (allReady || (prevState === 'ready' && !suspending)) return 'ready';
  return undefined;
}

/** status.head: the head pod's name and IP, the head Service's name and IP (the pod's when headless). */
export function headInfo(
  head: V1Pod | undefined,
  headService: V1Service | undefined,
): RayClusterStatus['head'] {
  const svcIP = headService?.spec?.clusterIP;
  const info = {
    ...(head?.metadata?.name ? { podName: head.metadata.name } : {}),
    ...(head?.status?.podIP ? { podIP: head.status.podIP } : {}),
    ...(headService?.metadata?.name ? { serviceName: headService.metadata.name } : {}),
    ...(svcIP && svcIP !== 'None'
      ? { serviceIP: svcIP }
      : head?.status?.podIP
        ? { serviceIP: head.status.podIP }
        : {}),
  };
  return Object.keys(info).length ? info : undefined;
}

export function computeStatus(input: StatusInput): RayClusterStatus {
  const { cluster, pods, headService, failure } = input;
  const now = input.now.toISOString();
  const prev = cluster.status ?? {};
  const generation = cluster.metadata?.generation;
  const live = pods.filter((p) => !isTerminating(p));
  const head = live.filter(isHeadPod).sort(headKeepRank)[0];
  const workers = live.filter(isWorkerPod);
  const specs = cluster.spec.workerGroupSpecs ?? [];

  const desiredWorkers = input.groups.reduce((n, g) => n + g.desiredPods, 0);
  const readyWorkers = workers.filter(isRunningAndReady).length;
  const allReady =
    !failure &&
    head !== undefined &&
    isRunningAndReady(head) &&
    readyWorkers === desiredWorkers &&
    workers.length === desiredWorkers;

  let conds: Condition[] = [...(prev.conditions ?? [])];
  const set = (c: ConditionInput) => {
    conds = setCondition(conds, c, now);
  };

  set(headReadyCondition(head));
  set(provisionedCondition(allReady, conditionTrue(conds, COND_PROVISIONED), readyWorkers, desiredWorkers));
  if (failure)
    set({ type: COND_REPLICA_FAILURE, status: 'True', reason: failure.reason, message: failure.message });
  else conds = removeCondition(conds, COND_REPLICA_FAILURE);
  if (input.rolling) set(rollingCondition(input.rolling));
  else conds = removeCondition(conds, COND_WORKERS_UPDATED);

  const suspending = cluster.spec.suspend === true || conditionTrue(conds, COND_SUSPENDING);
  const hadSuspend = conds.some((c) => c.type === COND_SUSPENDING || c.type === COND_SUSPENDED);
  for (const c of suspendConditions(cluster.spec.suspend === true, suspending, live.length, hadSuspend))
    set(c);

  const state = clusterState(conditionTrue(conds, COND_SUSPENDED), allReady, prev.state, suspending);
  const stateTransitionTimes =
    state && state !== prev.state
      ? { ...prev.stateTransitionTimes, [state]: now }
      : prev.stateTransitionTimes;

  const totals = desiredResources(cluster, input.groups);
  const status: RayClusterStatus = {
    ...(state ? { state } : {}),
    ...(failure ? { reason: failure.message } : {}),
    desiredCPU: totals.cpu.toString(),
    desiredMemory: totals.memory.toString(),
    desiredGPU: totals.gpu.toString(),
    desiredTPU: totals.tpu.toString(),
    readyWorkerReplicas: readyWorkers,
    availableWorkerReplicas: workers.filter(isRunning).length,
    desiredWorkerReplicas: int32(desiredWorkers),
    minWorkerReplicas: int32(specs.reduce((n, g) => n + g.minReplicas * (g.numOfHosts ?? 1), 0)),
    maxWorkerReplicas: int32(specs.reduce((n, g) => n + g.maxReplicas * (g.numOfHosts ?? 1), 0)),
    conditions: conds,
    ...(stateTransitionTimes ? { stateTransitionTimes } : {}),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  const eps = endpoints(headService);
  if (eps) status.endpoints = eps;
  const hi = headInfo(head, headService);
  if (hi) status.head = hi;
  status.lastUpdateTime = statusChanged(prev, status) ? now : (prev.lastUpdateTime ?? now);
  return status;
}

/**
 * Whether `next` differs from `prev` in anything but lastUpdateTime (KubeRay's inconsistency check) and
 * status.autoscaler (the native autoscaler's member, never written by this controller).
 */
export function statusChanged(prev: RayClusterStatus | undefined, next: RayClusterStatus): boolean {
  const strip = (s: RayClusterStatus | undefined) => {
    if (!s) return '{}';
    const { lastUpdateTime: _ignored, autoscaler: _theirs, ...rest } = s;
    return canonicalJSON(rest);
  };
  return strip(prev) !== strip(next);
}
