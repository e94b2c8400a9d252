// Read-only questions about observed pods. Kept apart from the plan so status and plan agree on
// what "running", "ready" and "unhealthy" mean.
import type { Pod as V1Pod } from '../../compiler/k8sTypes.ts';
import { LABEL_GROUP, LABEL_NODE_TYPE } from '../../compiler/constants.ts';

export function podName(pod: V1Pod): string {
  return pod.metadata?.name ?? '';
}

export function isHeadPod(pod: V1Pod): boolean {
  return pod.metadata?.labels?.[LABEL_NODE_TYPE] === 'head';
}

export function isWorkerPod(pod: V1Pod): boolean {
  return pod.metadata?.labels?.[LABEL_NODE_TYPE] === 'worker';
}

export function podGroup(pod: V1Pod): string {
  return pod.metadata?.labels?.[LABEL_GROUP] ?? '';
}

/** A pod being deleted no longer counts toward any group, and is never deleted twice. */
export function isTerminating(pod: V1Pod): boolean {
  return pod.metadata?.deletionTimestamp != null;
}

export function isRunning(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running';
}

export function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function isRunningAndReady(pod: V1Pod): boolean {
  return isRunning(pod) && isReady(pod);
}

/**
 * Why a pod should be replaced, or undefined when it should be left alone (KubeRay's shouldDeletePod):
 * a finished pod (Failed/Succeeded) never comes back; a Running pod whose Ray container terminated only
 * comes back if the kubelet restarts it, i.e. unless restartPolicy is Never. Crash-looping pods are
 * left to the kubelet's backoff — deleting them would just move the crash elsewhere.
 */
export function unhealthyReason(pod: V1Pod): string | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') {
    return `pod phase is ${phase}${pod.status?.reason ? ` (${pod.status.reason})` : ''}`;
  }
  if (phase === 'Running' && pod.spec?.restartPolicy === 'Never') {
    const rayContainer = pod.spec.containers[0]?.name;
    const st = pod.status?.containerStatuses?.find((c) => c.name === rayContainer);
    if (st?.state?.terminated) {
      return `Ray container ${rayContainer ?? ''} terminated (exit ${st.state.terminated.exitCode}) and restartPolicy is Never`;
    }
  }
  return undefined;
}

/**
 * Order in which surplus workers are removed when the operator itself scales down (autoscaling off):
 * unscheduled before scheduled, pending before running, not-ready before ready, newest before oldest —
 * the ReplicaSet's ranking, so the pods doing useful work are the last to go.
 */
export function deletionRank(a: V1Pod, b: V1Pod): number {
  const score = (p: V1Pod): number[] => [p.spec?.nodeName ? 1 : 0, isRunning(p) ? 1 : 0, isReady(p) ? 1 : 0];
  const sa = score(a);
  const sb = score(b);
  for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sa[i]! - sb[i]!;
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  if (ta !== tb) return tb - ta;
  return podName(a) < podName(b) ? -1 : 1;
}

/** Which head to keep when more than one exists: ready, then running, then oldest. */
export function headKeepRank(a: V1Pod, b: V1Pod): number {
  return -deletionRank(a, b);
}
