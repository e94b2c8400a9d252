// What a subject asked of the control plane, from the control plane's own /metrics (pure): the
// kube-apiserver's request counts and latency sums by verb and resource, the watch events it sent,
// and the scheduler's attempts and queue. Two scrapes bracket a subject's scenario; their difference
// divided by the pods that became ready is the cost per ready pod. The counters are global (the rig's
// own controllers, KWOK's node heartbeats and the bench's tracker count too), which is why the limit
// script is measured the same way: its row is what the rig costs for those pods with no operator.

export interface Sample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Prometheus text exposition → samples (comments, NaN and malformed lines skipped). */
export function parseProm(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const close = line.lastIndexOf('}');
    let name: string;
    let rest: string;
    const labels: Record<string, string> = {};
    if (brace >= 0 && close > brace) {
      name = line.slice(0, brace);
      for (const m of line.slice(brace + 1, close).matchAll(labelRe))
        labels[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
      rest = line.slice(close + 1);
    } else {
      const sp = line.indexOf(' ');
      if (sp < 0) continue;
      name = line.slice(0, sp);
      rest = line.slice(sp);
    }
    const value = Number(rest.trim().split(/\s+/)[0]);
    if (!Number.isFinite(value)) continue;
    out.push({ name, labels, value });
  }
  return out;
}

export type Counts = Record<string, number>;

function sumBy(
  samples: readonly Sample[],
  name: string,
  key: (l: Sample['labels']) => string | undefined,
): Counts {
  const out: Counts = {};
  for (const s of samples) {
    if (s.name !== name) continue;
    const k = key(s.labels);
    if (k === undefined) continue;
    out[k] = (out[k] ?? 0) + s.value;
  }
  return out;
}

/** "VERB resource[/subresource]", as the API server labels a request. */
function verbResource(l: Sample['labels']): string {
  const res = l.resource ?? '';
  return `${l.verb ?? '?'} ${res}${l.subresource ? `/${l.subresource}` : ''}`;
}

/** One scrape of the API server and the scheduler, reduced to what the report needs. */
export interface CpSnapshot {
  /** apiserver_request_total by "VERB resource[/sub]". */
  requests: Counts;
  /** apiserver_request_duration_seconds_sum by "VERB resource[/sub]" (WATCH/CONNECT left out: they last as long as the stream). */
  requestSeconds: Counts;
  /** apiserver_watch_events_total by kind. */
  watchEvents: Counts;
  /** apiserver_watch_events_sizes_sum by kind (bytes sent to watchers). */
  watchEventBytes: Counts;
  /** apiserver_longrunning_requests{verb="WATCH"} by resource (a gauge: open watches now). */
  watches: Counts;
  /** scheduler_schedule_attempts_total by result (scheduled, unschedulable, error). */
  schedulerAttempts: Counts;
  /** scheduler_queue_incoming_pods_total by "queue event". */
  schedulerIncoming: Counts;
  /** scheduler_pending_pods by queue (a gauge). */
  schedulerPending: Counts;
}

const longRunning = new Set(['WATCH', 'CONNECT']);

export function apiserverSnapshot(
  text: string,
): Pick<CpSnapshot, 'requests' | 'requestSeconds' | 'watchEvents' | 'watchEventBytes' | 'watches'> {
  const s = parseProm(text);
  return {
    requests: sumBy(s, 'apiserver_request_total', verbResource),
    requestSeconds: sumBy(s, 'apiserver_request_duration_seconds_sum', (l) =>
      longRunning.has(l.verb ?? '') ? undefined : verbResource(l),
    ),
    watchEvents: sumBy(s, 'apiserver_watch_events_total', (l) => l.kind ?? l.resource ?? '?'),
    watchEventBytes: sumBy(s, 'apiserver_watch_events_sizes_sum', (l) => l.kind ?? l.resource ?? '?'),
    watches: sumBy(s, 'apiserver_longrunning_requests', (l) =>
      l.verb === 'WATCH' ? (l.resource ?? '?') : undefined,
    ),
  };
}

export function schedulerSnapshot(
  text: string,
): Pick<CpSnapshot, 'schedulerAttempts' | 'schedulerIncoming' | 'schedulerPending'> {
  const s = parseProm(text);
  return {
    schedulerAttempts: sumBy(s, 'scheduler_schedule_attempts_total', (l) => l.result ?? '?'),
    schedulerIncoming: sumBy(
      s,
      'scheduler_queue_incoming_pods_total',
      (l) => `${l.queue ?? '?'} ${l.event ?? '?'}`,
    ),
    schedulerPending: sumBy(s, 'scheduler_pending_pods', (l) => l.queue ?? '?'),
  };
}

/** after − before for counters; keys absent before count from 0; zero differences dropped. */
export function diff(before: Counts, after: Counts): Counts {
  const out: Counts = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

export function sum(c: Counts, pick: (key: string) => boolean = () => true): number {
  let t = 0;
  for (const [k, v] of Object.entries(c)) if (pick(k)) t += v;
  return t;
}

const writeVerbs = new Set([
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'DELETECOLLECTION',
  'CREATE',
  'UPDATE',
  'APPLY',
]);
export const isWriteKey = (k: string): boolean => writeVerbs.has(k.split(' ')[0]!.toUpperCase());

/** The difference of two snapshots over a subject's scenario, plus the pending-pods samples taken during it. */
export interface CpWindow {
  requests: Counts;
  requestSeconds: Counts;
  watchEvents: Counts;
  watchEventBytes: Counts;
  /** Open watches at the end (a gauge, not differenced). */
  watchesAtEnd: Counts;
  schedulerAttempts: Counts;
  schedulerIncoming: Counts;
  /** Peak of scheduler_pending_pods per queue over the samples taken during the scenario. */
  schedulerPendingPeak: Counts;
  /** [seconds since start, active, backoff, unschedulable] every sample. */
  pendingSeries: [number, number, number, number][];
}

export function cpWindow(
  before: CpSnapshot,
  after: CpSnapshot,
  series: readonly { t: number; pending: Counts }[],
): CpWindow {
  const peak: Counts = {};
  for (const { pending } of series)
    for (const [q, v] of Object.entries(pending)) peak[q] = Math.max(peak[q] ?? 0, v);
  return {
    requests: diff(before.requests, after.requests),
    requestSeconds: diff(before.requestSeconds, after.requestSeconds),
    watchEvents: diff(before.watchEvents, after.watchEvents),
    watchEventBytes: diff(before.watchEventBytes, after.watchEventBytes),
    watchesAtEnd: after.watches,
    schedulerAttempts: diff(before.schedulerAttempts, after.schedulerAttempts),
    schedulerIncoming: diff(before.schedulerIncoming, after.schedulerIncoming),
    schedulerPendingPeak: peak,
    pendingSeries: series.map(({ t, pending }) => [
      t,
      pending.active ?? 0,
      pending.backoff ?? 0,
      pending.unschedulable ?? 0,
    ]),
  };
}

/** Per ready pod: what the report prints for each subject. */
export interface PerPod {
  pods: number;
  requests: number;
  writes: number;
  reads: number;
  /** The few verb/resource pairs that tell operators apart. */
  podCreates: number;
  podStatus: number;
  clusterStatus: number;
  services: number;
  events: number;
  watchEvents: number;
  watchKiB: number;
  /** API server time spent serving non-watch requests, ms per pod. */
  apiserverMs: number;
  schedAttempts: number;
  schedUnschedulable: number;
}

/**
 * Background that lands in whichever window it happens to fall into, whatever the subject: KWOK
 * renews 200 nodes' Leases in bursts (0 or ~150 PUTs in a 2 s window). Left out of the per-pod figures.
 */
const background = (resource: string): boolean => resource === 'leases';

function withoutBackground(c: Counts, resourceOf: (k: string) => string): Counts {
  const out: Counts = {};
  for (const [k, v] of Object.entries(c)) if (!background(resourceOf(k))) out[k] = v;
  return out;
}

export function perPod(w: CpWindow, pods: number): PerPod {
  const per = (x: number): number => (pods > 0 ? x / pods : NaN);
  const res = (k: string): string => (k.split(' ')[1] ?? '').split('/')[0]!;
  const r = withoutBackground(w.requests, res);
  const seconds = withoutBackground(w.requestSeconds, res);
  const events = withoutBackground(w.watchEvents, (k) => k);
  const eventBytes = withoutBackground(w.watchEventBytes, (k) => k);
  const key = (verb: string, res: string): number => r[`${verb} ${res}`] ?? 0;
  const reads = sum(r, (k) => !isWriteKey(k));
  const writes = sum(r, isWriteKey);
  return {
    pods,
    requests: per(reads + writes),
    writes: per(writes),
    reads: per(reads),
    podCreates: per(key('POST', 'pods')),
    podStatus: per(sum(r, (k) => k.endsWith(' pods/status'))),
    clusterStatus: per(sum(r, (k) => k.endsWith(' rayclusters/status'))),
    services: per(sum(r, (k) => k.split(' ')[1] === 'services' && isWriteKey(k))),
    events: per(sum(r, (k) => k.split(' ')[1] === 'events' && isWriteKey(k))),
    watchEvents: per(sum(events)),
    watchKiB: per(sum(eventBytes) / 1024),
    apiserverMs: per(sum(seconds) * 1000),
    schedAttempts: per(sum(w.schedulerAttempts)),
    schedUnschedulable: per(w.schedulerAttempts.unschedulable ?? 0),
  };
}
