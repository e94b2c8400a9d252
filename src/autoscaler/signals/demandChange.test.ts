import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeGetClusterResourceStateReply } from '../../ray/gcs/autoscalerState.ts';
import { changeKeyOf, nextPollMs, warrantsSync, type ChangeInputs } from './demandChange.ts';
import { signalsFromGcsState, type BundleDemand, type RayNodeSignal } from './gcsSignals.ts';

const node = (id: string, status: RayNodeSignal['status'] = 'IDLE'): RayNodeSignal => ({
  nodeId: id,
  podName: `pod-${id}`,
  group: 'workers',
  ip: '127.0.0.1',
  isHead: false,
  alive: status !== 'DEAD',
  status,
  idle: status === 'IDLE',
  total: { CPU: 1 },
  available: { CPU: 1 },
  activity: [],
});

function view(o: {
  nodes?: RayNodeSignal[];
  cpu1?: number;
  gpu1?: number;
  gangs?: string[];
  floor?: number;
}): ChangeInputs {
  const bundles: BundleDemand[] = [
    ...(o.cpu1 ? [{ resources: { CPU: 1 }, count: o.cpu1 }] : []),
    ...(o.gpu1 ? [{ resources: { GPU: 1, CPU: 1 }, count: o.gpu1 }] : []),
  ];
  return {
    nodes: o.nodes ?? [node('a')],
    demand: {
      bundles,
      gangs: (o.gangs ?? []).map((id) => ({ id, strategy: 'PACK', bundles: [{ CPU: 1 }] })),
      constraints: o.floor ? [{ resources: { CPU: 1 }, count: o.floor }] : [],
    },
  };
}
const key = (o: Parameters<typeof view>[0]) => changeKeyOf(view(o));

test('new or growing demand warrants a sync; shrinking or unchanged demand does not', () => {
  assert.equal(warrantsSync(key({}), key({ cpu1: 2 })), true, 'demand appears');
  assert.equal(warrantsSync(key({ cpu1: 2 }), key({ cpu1: 3 })), true, 'more of a shape');
  assert.equal(warrantsSync(key({ cpu1: 2 }), key({ cpu1: 2, gpu1: 1 })), true, 'a new shape');
  assert.equal(warrantsSync(key({ gangs: ['pg1'] }), key({ gangs: ['pg1', 'pg2'] })), true, 'a new PG');
  assert.equal(warrantsSync(key({}), key({ floor: 4 })), true, 'request_resources() set');
  assert.equal(warrantsSync(key({ floor: 4 }), key({})), true, 'request_resources() cleared');
  assert.equal(warrantsSync(key({ cpu1: 3 }), key({ cpu1: 3 })), false, 'same demand');
  assert.equal(warrantsSync(key({ cpu1: 3 }), key({ cpu1: 1 })), false, 'Ray placed some of it');
  assert.equal(warrantsSync(key({ cpu1: 3, gangs: ['pg1'] }), key({})), false, 'all placed');
});

test('the live node set matters (join, death, drain); busy/idle flips do not', () => {
  const one = [node('a')];
  assert.equal(warrantsSync(key({ nodes: one }), key({ nodes: [node('a'), node('b')] })), true, 'join');
  assert.equal(
    warrantsSync(key({ nodes: [node('a'), node('b')] }), key({ nodes: [node('a'), node('b', 'DEAD')] })),
    true,
    'death',
  );
  assert.equal(warrantsSync(key({ nodes: one }), key({ nodes: [node('a', 'DRAINING')] })), true, 'drain');
  assert.equal(warrantsSync(key({ nodes: one }), key({ nodes: [node('a', 'RUNNING')] })), false, 'busy');
  assert.equal(
    warrantsSync(key({ nodes: [node('b'), node('a')] }), key({ nodes: [node('a'), node('b')] })),
    false,
    'order',
  );
});

test('polls fast while tasks or placement groups wait, at the resting pace otherwise', () => {
  const intervals = { restMs: 500, activeMs: 200 };
  assert.equal(nextPollMs(key({}), intervals), 500);
  assert.equal(nextPollMs(key({ floor: 2 }), intervals), 500, 'a standing floor is not activity');
  assert.equal(nextPollMs(key({ cpu1: 1 }), intervals), 200);
  assert.equal(nextPollMs(key({ gangs: ['pg'] }), intervals), 200);
});

test('a real GCS reply: shapes keyed independent of resource order, demand pending', () => {
  const state = decodeGetClusterResourceStateReply(
    readFileSync(join(import.meta.dirname, 'testdata', 'gcs_cluster_resource_state.demand.bin')),
  );
  const k = changeKeyOf(signalsFromGcsState(state, 0));
  assert.deepEqual(
    [...k.bundles],
    [
      ['CPU=1', 2],
      ['CPU=2', 6],
      ['CPU=1,custom_thing=1', 1],
    ],
  );
  assert.equal(k.gangs.size, 2);
  assert.equal(k.pending, true);
  const reordered = changeKeyOf({
    nodes: [],
    demand: { bundles: [{ resources: { custom_thing: 1, CPU: 1 }, count: 1 }], gangs: [], constraints: [] },
  });
  assert.deepEqual([...reordered.bundles], [['CPU=1,custom_thing=1', 1]]);
});
