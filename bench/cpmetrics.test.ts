import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiserverSnapshot,
  cpWindow,
  diff,
  parseProm,
  perPod,
  schedulerSnapshot,
  type CpSnapshot,
} from './cpmetrics.ts';

const api = (
  pods: number,
  status: number,
  watchEv: number,
  secs: number,
): string => `# HELP apiserver_request_total x
# TYPE apiserver_request_total counter
apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="",verb="POST",version="v1"} ${pods}
apiserver_request_total{code="409",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="",verb="POST",version="v1"} 2
apiserver_request_total{code="200",component="apiserver",group="ray.io",resource="rayclusters",scope="resource",subresource="status",verb="PATCH",version="v1"} ${status}
apiserver_request_total{code="200",component="apiserver",group="",resource="pods",scope="namespace",subresource="",verb="WATCH",version="v1"} 3
apiserver_request_duration_seconds_sum{component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="",verb="POST",version="v1"} ${secs}
apiserver_request_duration_seconds_sum{component="apiserver",group="",resource="pods",scope="namespace",subresource="",verb="WATCH",version="v1"} 9999
apiserver_watch_events_total{group="",kind="Pod",version="v1"} ${watchEv}
apiserver_watch_events_sizes_sum{group="",kind="Pod",version="v1"} ${watchEv * 1024}
apiserver_longrunning_requests{component="apiserver",group="",resource="pods",scope="namespace",subresource="",verb="WATCH",version="v1"} 4
apiserver_longrunning_requests{component="apiserver",group="",resource="pods",scope="resource",subresource="exec",verb="CONNECT",version="v1"} 1
`;

const sched = (
  scheduled: number,
  unsched: number,
  active: number,
): string => `scheduler_schedule_attempts_total{profile="default-scheduler",result="scheduled"} ${scheduled}
scheduler_schedule_attempts_total{profile="default-scheduler",result="unschedulable"} ${unsched}
scheduler_pending_pods{queue="active"} ${active}
scheduler_pending_pods{queue="backoff"} 0
scheduler_queue_incoming_pods_total{event="PodAdd",queue="active"} ${scheduled}
`;

const snap = (a: string, s: string): CpSnapshot => ({ ...apiserverSnapshot(a), ...schedulerSnapshot(s) });

test('exposition lines: labels with escapes, no labels, timestamps, comments and NaN', () => {
  const s = parseProm('# c\nup 1 1700000000\nx{a="q\\"r",b="2"} 3.5\nbad{a="1"} NaN\n');
  assert.deepEqual(s, [
    { name: 'up', labels: {}, value: 1 },
    { name: 'x', labels: { a: 'q"r', b: '2' }, value: 3.5 },
  ]);
});

test('apiserver counters are summed by verb and resource over codes; watch durations are left out', () => {
  const a = apiserverSnapshot(api(10, 5, 7, 0.5));
  assert.deepEqual(a.requests, { 'POST pods': 12, 'PATCH rayclusters/status': 5, 'WATCH pods': 3 });
  assert.deepEqual(a.requestSeconds, { 'POST pods': 0.5 });
  assert.deepEqual(a.watches, { pods: 4 });
  assert.deepEqual(a.watchEvents, { Pod: 7 });
});

test('a window differences counters, keeps gauges at their peak, and divides by ready pods', () => {
  const before = snap(api(10, 5, 100, 1), sched(10, 0, 0));
  const after = snap(api(110, 25, 600, 3), sched(110, 20, 0));
  const w = cpWindow(before, after, [
    { t: 0, pending: { active: 40, backoff: 0 } },
    { t: 0.5, pending: { active: 10, backoff: 30, unschedulable: 2 } },
  ]);
  assert.deepEqual(w.requests, { 'POST pods': 100, 'PATCH rayclusters/status': 20 });
  assert.deepEqual(w.schedulerPendingPeak, { active: 40, backoff: 30, unschedulable: 2 });
  assert.deepEqual(w.pendingSeries, [
    [0, 40, 0, 0],
    [0.5, 10, 30, 2],
  ]);
  const p = perPod(w, 100);
  assert.equal(p.requests, 1.2);
  assert.equal(p.writes, 1.2);
  assert.equal(p.podCreates, 1);
  assert.equal(p.clusterStatus, 0.2);
  assert.equal(p.watchEvents, 5);
  assert.equal(p.watchKiB, 5);
  assert.equal(p.apiserverMs, 20);
  assert.equal(p.schedAttempts, 1.2);
  assert.equal(p.schedUnschedulable, 0.2);
  assert.ok(Number.isNaN(perPod(w, 0).requests));
});

test('diff drops unchanged keys and counts new keys from zero', () => {
  assert.deepEqual(diff({ a: 1, b: 2 }, { a: 1, b: 5, c: 4 }), { b: 3, c: 4 });
});

test("KWOK's node Lease renewals are background: left out of the per-pod figures", () => {
  const w = cpWindow(
    snap('', ''),
    snap(
      `apiserver_request_total{resource="leases",subresource="",verb="PUT"} 150
apiserver_request_total{resource="pods",subresource="",verb="POST"} 10
apiserver_watch_events_total{group="coordination.k8s.io",resource="leases",version="v1"} 300
apiserver_watch_events_total{group="",resource="pods",version="v1"} 20
`,
      '',
    ),
    [],
  );
  const p = perPod(w, 10);
  assert.equal(p.requests, 1);
  assert.equal(p.watchEvents, 2);
});
