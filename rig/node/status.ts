// Pod status from what the node observes (pure): phase, conditions (keeping each condition's
// lastTransitionTime while its status holds), container statuses. Mirrors the kubelet's
// getPhase / generateAPIPodStatus for the cases a process-based node can reach.
import type { ContainerState, ContainerStatus, PodCondition, PodStatus } from './types.ts';

export interface ContainerView {
  name: string;
  image: string;
  state: ContainerState;
  lastState: ContainerState;
  restartCount: number;
  ready: boolean;
  started: boolean;
  containerID?: string;
}

export interface PodView {
  podIP: string;
  hostIP: string;
  startTime: string;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  /** Init containers in spec order; `initialized` once the last one exited 0. */
  init: readonly ContainerView[];
  initialized: boolean;
  /** An init container failed and restartPolicy Never: the pod is Failed. */
  initFailed: boolean;
  containers: readonly ContainerView[];
}

export function podPhase(v: PodView): NonNullable<PodStatus['phase']> {
  if (v.initFailed) return 'Failed';
  if (!v.initialized) return 'Pending';
  if (v.containers.some((c) => c.state.running)) return 'Running';
  const everStarted = v.containers.some(
    (c) => c.restartCount > 0 || c.lastState.terminated || c.state.terminated,
  );
  if (!everStarted) return 'Pending';
  if (v.containers.every((c) => c.state.terminated)) {
    const allOk = v.containers.every((c) => c.state.terminated!.exitCode === 0);
    if (v.restartPolicy === 'Always') return 'Running';
    if (v.restartPolicy === 'OnFailure') return allOk ? 'Succeeded' : 'Running';
    return allOk ? 'Succeeded' : 'Failed';
  }
  // Some container waits out its crash backoff before the next start.
  return 'Running';
}

function condition(
  old: readonly PodCondition[] | undefined,
  type: string,
  ok: boolean,
  now: string,
  reason?: string,
): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  const c: PodCondition = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime:
      prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
  };
  if (!ok && reason) c.reason = reason;
  return c;
}

function toStatus(c: ContainerView): ContainerStatus {
  const s: ContainerStatus = {
    name: c.name,
    state: c.state,
    lastState: c.lastState,
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: '',
    started: c.started,
  };
  if (c.containerID) s.containerID = c.containerID;
  return s;
}

/** The full status to write; `old` is the status the API server has (PodScheduled is kept). */
export function podStatus(v: PodView, old: PodStatus | undefined, now: string): PodStatus {
  const phase = podPhase(v);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const containersReady = v.initialized && !terminal && v.containers.every((c) => c.ready);
  const conds = old?.conditions;
  const conditions: PodCondition[] = [
    condition(conds, 'PodReadyToStartContainers', !terminal, now),
    condition(conds, 'Initialized', v.initialized, now, 'ContainersNotInitialized'),
    condition(
      conds,
      'Ready',
      containersReady,
      now,
      v.initialized ? 'ContainersNotReady' : 'ContainersNotInitialized',
    ),
    condition(conds, 'ContainersReady', containersReady, now, 'ContainersNotReady'),
  ];
  const scheduled = conds?.find((c) => c.type === 'PodScheduled');
  if (scheduled) conditions.push(scheduled);
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: v.hostIP,
    hostIPs: [{ ip: v.hostIP }],
    podIP: v.podIP,
    podIPs: [{ ip: v.podIP }],
    startTime: v.startTime,
    containerStatuses: v.containers.map(toStatus),
  };
  if (v.init.length > 0) status.initContainerStatuses = v.init.map(toStatus);
  return status;
}

/** Crash-loop backoff as the kubelet: 10 s doubling to 5 min; reset after 10 min of running. */
export function backoffMs(consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return 0;
  return Math.min(10_000 * 2 ** (consecutiveFailures - 1), 300_000);
}
