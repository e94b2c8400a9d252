// The autoscaling timeline of one cluster, from what the native autoscaler records: one Event per
// change (src/autoscaler/actuator/explain.ts writes "worker group G: replicas A → B. Rule R: text
// [k=v, …]") and status.autoscaler (the latest decision per group, with its inputs). Pure; runs in
// the browser, tested beside explain.ts so the two formats cannot drift apart.
import type { EventObject, RayClusterObject } from './protocol.ts';

export interface Decision {
  /** ms since the epoch. */
  at: number;
  group: string;
  from: number;
  to: number;
  rule: string;
  message: string;
  inputs: Record<string, string>;
  /** "event" (a change) or "status" (the latest decision, which may be "no change"). */
  source: 'event' | 'status';
}

export interface Series {
  group: string;
  /** Step points: replicas from `at` on. */
  points: { at: number; replicas: number }[];
}

export interface Timeline {
  decisions: Decision[];
  series: Series[];
  start: number;
  end: number;
}

const messageRe =
  /^worker group (.+?): replicas (\d+) → (\d+)(?:, deleting [^.]*)?\. Rule ([\w-]+): (.*?)(?: \[(.*)\])?$/s;

/** One autoscaler Event's message, or undefined when it is not one. */
export function parseDecisionMessage(text: string): Omit<Decision, 'at' | 'source'> | undefined {
  const m = messageRe.exec(text);
  if (!m) return undefined;
  const inputs: Record<string, string> = {};
  for (const pair of (m[6] ?? '').split(', ')) {
    const i = pair.indexOf('=');
    if (i > 0) inputs[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return { group: m[1]!, from: Number(m[2]), to: Number(m[3]), rule: m[4]!, message: m[5]!, inputs };
}

function eventTime(e: EventObject): number {
  return Date.parse(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '');
}

/** The cluster's autoscaling decisions and replicas per group over time, oldest first. */
export function buildTimeline(rc: RayClusterObject, events: readonly EventObject[], now: number): Timeline {
  const decisions: Decision[] = [];
  for (const e of events) {
    if (e.involvedObject.name !== rc.metadata.name || e.involvedObject.kind !== 'RayCluster') continue;
    if (!e.reason?.startsWith('Autoscaler')) continue;
    const d = parseDecisionMessage(e.message ?? '');
    const at = eventTime(e);
    if (d && Number.isFinite(at)) decisions.push({ ...d, at, source: 'event' });
  }
  // The latest decision per group, also when it changed nothing (steady, cooldown, resource-request).
  for (const g of rc.status?.autoscaler?.groups ?? []) {
    const at = Date.parse(g.lastDecisionTime ?? '');
    if (!Number.isFinite(at) || g.rule === undefined) continue;
    const dup = decisions.some(
      (d) => d.group === g.groupName && d.rule === g.rule && Math.abs(d.at - at) < 2000,
    );
    if (dup) continue;
    const r = g.replicas ?? 0;
    decisions.push({
      at,
      group: g.groupName,
      from: r,
      to: r,
      rule: g.rule,
      message: g.message ?? '',
      inputs: g.inputs ?? {},
      source: 'status',
    });
  }
  decisions.sort((a, b) => a.at - b.at);
  const created = Date.parse(rc.metadata.creationTimestamp ?? '');
  const start = Math.min(Number.isFinite(created) ? created : now, ...decisions.map((d) => d.at));
  const series: Series[] = (rc.spec.workerGroupSpecs ?? []).map((g) => {
    const mine = decisions.filter((d) => d.group === g.groupName && d.source === 'event');
    // Known from the first decision on (a manual scale leaves no Event to draw it from); with no
    // decision, the current size over the whole range.
    const first = mine[0];
    const points = [
      first ? { at: first.at, replicas: first.from } : { at: start, replicas: g.replicas ?? 0 },
    ];
    for (const d of mine) points.push({ at: d.at, replicas: d.to });
    points.push({ at: now, replicas: g.replicas ?? 0 });
    return { group: g.groupName, points };
  });
  return { decisions, series, start, end: now };
}
