import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterResourceState, GcsNodeState } from '../../ray/gcs/autoscalerState.ts';
import { FakeClock } from '../../runtime/clock.ts';
import { DemandWatch } from './demandWatch.ts';
import { signalsFromGcsState } from './gcsSignals.ts';

const gcsNode = (id: string): GcsNodeState => ({
  nodeId: id,
  instanceId: `pod-${id}`,
  rayNodeTypeName: 'workers',
  availableResources: { CPU: 1 },
  totalResources: { CPU: 1 },
  status: 'IDLE',
  idleDurationMs: 1000,
  nodeIpAddress: '127.0.0.1',
  instanceTypeName: '',
  nodeActivity: [],
  labels: {},
});

function state(o: { cpu1?: number; nodes?: string[] } = {}): ClusterResourceState {
  return {
    version: 1,
    nodes: (o.nodes ?? ['a']).map(gcsNode),
    pendingResourceRequests: o.cpu1
      ? [{ request: { resources: { CPU: 1 }, placementConstraints: [] }, count: o.cpu1 }]
      : [],
    pendingGangResourceRequests: [],
    clusterResourceConstraints: [],
    sessionName: 's',
  };
}

/** A GCS whose answer the test sets; counts the polls. */
function fakeGcs(initial = state()) {
  const g = {
    now: initial as ClusterResourceState | Error,
    calls: 0,
    clusterResourceState: () => {
      g.calls++;
      return g.now instanceof Error ? Promise.reject(g.now) : Promise.resolve(g.now);
    },
  };
  return g;
}

/** Runs due timers, then lets the polls they started finish. */
async function advance(clock: FakeClock, ms: number): Promise<void> {
  clock.advance(ms);
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

function setup() {
  const clock = new FakeClock();
  const changes: string[] = [];
  const watch = new DemandWatch({
    onChange: (k) => changes.push(k),
    intervals: { restMs: 500, activeMs: 200 },
    clock,
  });
  return { clock, changes, watch };
}

test('new demand is reported within one resting interval; the pace then quickens while it is pending', async () => {
  const { clock, changes, watch } = setup();
  const gcs = fakeGcs();
  watch.observe('ns/c', gcs, signalsFromGcsState(gcs.now as ClusterResourceState, 0));
  await advance(clock, 499);
  assert.equal(gcs.calls, 0);
  await advance(clock, 1);
  assert.equal(gcs.calls, 1, 'rest: one poll per 500 ms');
  assert.deepEqual(changes, []);
  gcs.now = state({ cpu1: 2 });
  await advance(clock, 500);
  assert.deepEqual(changes, ['ns/c'], 'demand appeared');
  await advance(clock, 200);
  assert.equal(gcs.calls, 3, 'active: one poll per 200 ms');
  assert.deepEqual(changes, ['ns/c'], 'the same demand is reported once');
  gcs.now = state({ cpu1: 1 });
  await advance(clock, 200);
  assert.deepEqual(changes, ['ns/c'], 'shrinking demand is Ray placing work');
  gcs.now = state({ cpu1: 1, nodes: ['a', 'b'] });
  await advance(clock, 200);
  assert.deepEqual(changes, ['ns/c', 'ns/c'], 'a node joined');
  gcs.now = state({ nodes: ['a', 'b'] });
  await advance(clock, 200);
  await advance(clock, 499);
  assert.equal(gcs.calls, 6, 'back to the resting pace');
  watch.close();
});

test('a sync that observes resets the baseline: what it already saw is not reported again', async () => {
  const { clock, changes, watch } = setup();
  const gcs = fakeGcs();
  watch.observe('ns/c', gcs, signalsFromGcsState(state(), 0));
  gcs.now = state({ cpu1: 3 });
  watch.observe('ns/c', gcs, signalsFromGcsState(gcs.now, 0)); // the sync saw the demand first
  await advance(clock, 500);
  assert.equal(gcs.calls, 1);
  assert.deepEqual(changes, []);
  watch.close();
});

test('a failing poll reports nothing and retries at the resting pace; unwatch and close stop polling', async () => {
  const { clock, changes, watch } = setup();
  const gcs = fakeGcs(state({ cpu1: 1 }));
  watch.observe('ns/c', gcs, signalsFromGcsState(state({ cpu1: 1 }), 0));
  gcs.now = new Error('connection refused');
  await advance(clock, 200);
  assert.equal(gcs.calls, 1);
  await advance(clock, 499);
  assert.equal(gcs.calls, 1, 'after a failure the next poll waits the resting interval');
  gcs.now = state({ cpu1: 5 });
  await advance(clock, 1);
  assert.deepEqual(changes, ['ns/c']);
  watch.unwatch('ns/c');
  assert.equal(watch.size, 0);
  await advance(clock, 5000);
  assert.equal(gcs.calls, 2);
  assert.equal(clock.pendingTimers(), 0);
});

test('a new client (head moved, token changed) replaces the old one', async () => {
  const { clock, watch } = setup();
  const old = fakeGcs();
  const next = fakeGcs();
  watch.observe('ns/c', old, signalsFromGcsState(state(), 0));
  watch.observe('ns/c', next, signalsFromGcsState(state(), 0));
  await advance(clock, 500);
  await advance(clock, 500);
  assert.equal(old.calls, 0);
  assert.equal(next.calls, 2);
  assert.equal(clock.pendingTimers(), 1, 'one poll loop per cluster');
  assert.equal(watch.polls, 2);
  watch.close();
  assert.equal(clock.pendingTimers(), 0);
});
