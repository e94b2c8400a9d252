// Every native-autoscaler decision is explained twice: an Event when it changes the cluster, and
// status.autoscaler with the rule and inputs of the latest decision per group. Pure functions.
//
// The status is rewritten only when a group's rule, target, last scale time or pod counts change
// (or Ray's reachability does) — not when an input figure such as utilization moves — so a steady
// cluster costs no writes, and a status never says "0 running, 3 launching" about running workers.
import type { AutoscalerGroupStatus, AutoscalerStatus } from '../../api/v1/index.ts';
import type { Decision, Demand, Reason } from '../policy/types.ts';
import { canonicalJSON } from '../../util/canonical.ts';

/** A decision that changes the spec: another size, or pods to delete. */
export function changesSomething(
  d: Decision,
  currentReplicas: number,
): d is Extract<Decision, { kind: 'scale' }> {
  return d.kind === 'scale' && (d.replicas !== currentReplicas || d.workersToDelete.length > 0);
}

export function eventReason(from: number, to: number): string {
  if (to > from) return 'AutoscalerScaledUp';
  if (to < from) return 'AutoscalerScaledDown';
  return 'AutoscalerRemovedWorkers';
}

function inputsText(inputs: Reason['inputs']): string {
  return Object.entries(inputs)
    .map(([k, v]) => `${k}=${v === null ? 'null' : String(v)}`)
    .join(', ');
}

const MAX_EVENT_MESSAGE = 1000; // the apiserver caps Event messages at 1024 bytes

export function eventMessage(
  group: string,
  from: number,
  to: number,
  workersToDelete: readonly string[],
  reason: Reason,
): string {
  const del = workersToDelete.length ? `, deleting ${workersToDelete.join(', ')}` : '';
  const text =
    `worker group ${group}: replicas ${from} → ${to}${del}. Rule ${reason.rule}: ${reason.message}` +
    ` [${inputsText(reason.inputs)}]`;
  return text.length > MAX_EVENT_MESSAGE ? `${text.slice(0, MAX_EVENT_MESSAGE - 1)}…` : text;
}

export function inputsForStatus(inputs: Reason['inputs']): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v === null ? 'null' : String(v)]));
}

/**
 * status.autoscaler after a sync that decided. `applied` maps a group to the replicas written and
 * when; `lastScaleMs` is every group's last scale time (annotation + this sync).
 */
/** Inputs that change only when pods come, join Ray or go: cheap to keep current, misleading when stale. */
const COUNTS = ['replicas', 'pods', 'running', 'launching'] as const;

export function decidedStatus(
  prev: AutoscalerStatus | undefined,
  decisions: readonly Decision[],
  lastScaleMs: Readonly<Record<string, number>>,
  nowMs: number,
): AutoscalerStatus {
  const prevGroups = new Map((prev?.groups ?? []).map((g) => [g.groupName, g]));
  const groups = decisions.map((d): AutoscalerGroupStatus => {
    const old = prevGroups.get(d.group);
    const last = lastScaleMs[d.group];
    const lastScaleTime = last !== undefined ? new Date(last).toISOString() : undefined;
    const same =
      old !== undefined &&
      old.rule === d.reason.rule &&
      old.replicas === d.replicas &&
      old.lastScaleTime === lastScaleTime &&
      COUNTS.every((k) => old.inputs?.[k] === inputsForStatus(d.reason.inputs)[k]);
    if (same) return old;
    return {
      groupName: d.group,
      replicas: d.replicas,
      rule: d.reason.rule,
      message: d.reason.message,
      inputs: inputsForStatus(d.reason.inputs),
      lastDecisionTime: new Date(nowMs).toISOString(),
      ...(lastScaleTime ? { lastScaleTime } : {}),
    };
  });
  return { mode: 'native', rayReachable: true, groups };
}

/** status.autoscaler.message for pending demand no group's node shape can hold; undefined when none. */
export function infeasibleMessage(infeasible: Demand): string | undefined {
  const n = infeasible.bundles.reduce((k, b) => k + b.count, 0) + infeasible.gangs.length;
  if (n === 0) return undefined;
  const shapes = [
    ...infeasible.bundles.map((b) => b.resources),
    ...infeasible.gangs.flatMap((g) => g.bundles),
  ];
  return `${n} pending demand item(s) fit no worker group's node shape and stay pending: ${JSON.stringify(shapes.slice(0, 5))}`;
}

/** status.autoscaler when nothing could be decided (head not up, GCS unreachable). Keeps the groups. */
export function waitingStatus(
  prev: AutoscalerStatus | undefined,
  rayReachable: boolean,
  message: string,
): AutoscalerStatus {
  return {
    mode: 'native',
    rayReachable,
    message,
    ...(prev?.groups ? { groups: prev.groups } : {}),
  };
}

/**
 * The write that makes status.autoscaler exactly `next` and touches no other status field, or
 * undefined when it already is. A JSON patch `add` of that one member replaces it whole, so a field
 * `next` no longer has (a waiting message) goes too. The RayCluster controller never writes this
 * member (src/controllers/raycluster/statusPatch.ts). Without a status yet, a merge patch creates it.
 */
export function statusPatch(
  status: { autoscaler?: AutoscalerStatus } | undefined,
  next: AutoscalerStatus,
):
  | { type: 'json'; body: { op: 'add'; path: '/status/autoscaler'; value: AutoscalerStatus }[] }
  | { type: 'merge'; body: { status: { autoscaler: AutoscalerStatus } } }
  | undefined {
  if (!autoscalerStatusChanged(status?.autoscaler, next)) return undefined;
  if (!status) return { type: 'merge', body: { status: { autoscaler: next } } };
  return { type: 'json', body: [{ op: 'add', path: '/status/autoscaler', value: next }] };
}

/** Whether writing `next` would change what is stored. */
export function autoscalerStatusChanged(prev: AutoscalerStatus | undefined, next: AutoscalerStatus): boolean {
  return canonicalJSON(prev ?? null) !== canonicalJSON(next);
}
