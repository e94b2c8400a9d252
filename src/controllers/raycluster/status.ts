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
  conditionTrue,
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

export interface ReconcileFailure {
  /** A ReplicaFailure reason: FailedCreateHeadPod, FailedCreateWorkerPod, FailedDeleteWorkerPod, … */
  reason: string;
  message: string;
}

export interface StatusInput {
  cluster: RayCluster;
  groups: readonly { name: string; desiredPods: number }[];
  pods: readonly V1Pod[];
  headService?: V1Service | undefined;
  failure?: ReconcileFailure | undefined;
  now: Date;
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
  const set = (c: Parameters<typeof setCondition>[1]) => {
    conds = setCondition(conds, c, now);
  };

  if (!head)
    set({ type: COND_HEAD_READY, status: 'False', reason: 'HeadPodNotFound', message: 'no head pod exists' });
  else if (isRunningAndReady(head))
    set({ type: COND_HEAD_READY, status: 'True', reason: 'HeadPodRunningAndReady', message: '' });
  else set({ type: COND_HEAD_READY, status: 'False', ...headNotReadyReason(head) });

  // Provisioned is sticky, as in KubeRay: it records that the cluster came up once.
  if (allReady || conditionTrue(conds, COND_PROVISIONED))
    set({
      type: COND_PROVISIONED,
      status: 'True',
      reason: 'AllPodRunningAndReadyFirstTime',
      message: 'all Ray pods were running and ready',
    });
  else
    set({
      type: COND_PROVISIONED,
      status: 'False',
      reason: 'RayClusterPodsProvisioning',
      message: `${readyWorkers}/${desiredWorkers} workers ready`,
    });

  conds = failure
    ? setCondition(
        conds,
        { type: COND_REPLICA_FAILURE, status: 'True', reason: failure.reason, message: failure.message },
        now,
      )
    : removeCondition(conds, COND_REPLICA_FAILURE);

  // Suspension is atomic: once started it finishes even if spec.suspend flips back meanwhile.
  const suspending = cluster.spec.suspend === true || conditionTrue(conds, COND_SUSPENDING);
  if (suspending && live.length > 0) {
    set({
      type: COND_SUSPENDING,
      status: 'True',
      reason: 'RayClusterSuspending',
      message: `${live.length} pods left to delete`,
    });
    set({ type: COND_SUSPENDED, status: 'False', reason: 'RayClusterSuspending', message: '' });
  } else if (suspending && cluster.spec.suspend === true) {
    set({ type: COND_SUSPENDING, status: 'False', reason: 'RayClusterSuspended', message: '' });
    set({ type: COND_SUSPENDED, status: 'True', reason: 'RayClusterSuspended', message: 'all pods deleted' });
  } else if (conds.some((c) => c.type === COND_SUSPENDING || c.type === COND_SUSPENDED)) {
    set({ type: COND_SUSPENDING, status: 'False', reason: 'RayClusterResumed', message: '' });
    set({ type: COND_SUSPENDED, status: 'False', reason: 'RayClusterResumed', message: '' });
  }

  let state: RayClusterStatus['state'];
  if (conditionTrue(conds, COND_SUSPENDED)) state = 'suspended';
  else if (allReady || (prev.state === 'ready' && !suspending)) state = 'ready'; // sticky like KubeRay
  const stateTransitionTimes =
    state && state !== prev.state
      ? { ...prev.stateTransitionTimes, [state]: now }
      : prev.stateTransitionTimes;

  const totals = desiredResources(cluster, input.groups);
  const svcIP = headService?.spec?.clusterIP;
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
  const headInfo = {
    ...(head?.metadata?.name ? { podName: head.metadata.name } : {}),
    ...(head?.status?.podIP ? { podIP: head.status.podIP } : {}),
    ...(headService?.metadata?.name ? { serviceName: headService.metadata.name } : {}),
    ...(svcIP && svcIP !== 'None'
      ? { serviceIP: svcIP }
      : head?.status?.podIP
        ? { serviceIP: head.status.podIP }
        : {}),
  };
  if (Object.keys(headInfo).length) status.head = headInfo;
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
