import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeGetClusterResourceStateReply } from '../../ray/gcs/autoscalerState.ts';
import { signalsFromGcsState } from './gcsSignals.ts';

const load = (f: string) =>
  decodeGetClusterResourceStateReply(readFileSync(join(import.meta.dirname, 'testdata', f)));

test('real GCS reply under demand: task shapes with counts and STRICT_SPREAD placement groups', () => {
  const state = load('gcs_cluster_resource_state.demand.bin');
  assert.equal(state.sessionName, 'session_2026-11-28_15-17-42_963237_5943');
  const s = signalsFromGcsState(state, 1_000_000);
  assert.deepEqual(s.demand.bundles, [
    { resources: { CPU: 1 }, count: 2 },
    { resources: { CPU: 2 }, count: 6 },
    { resources: { CPU: 1, custom_thing: 1 }, count: 1 },
  ]);
  assert.equal(s.demand.gangs.length, 2);
  for (const g of s.demand.gangs) {
    assert.equal(g.strategy, 'STRICT_SPREAD');
    assert.deepEqual(g.bundles, [{ CPU: 1 }, { CPU: 1 }]);
    assert.match(g.id, /^[0-9a-f]{36}$/);
  }
  const [head] = s.nodes;
  assert.equal(head!.isHead, true);
  assert.equal(head!.idle, false);
  assert.equal(head!.idleSinceMs, undefined);
  assert.equal(head!.total.CPU, 2);
  assert.equal(head!.available.CPU, undefined); // GCS omits resources with nothing available
  assert.ok(!('node:__internal_head__' in head!.total), 'identity resources are not capacity');
  assert.deepEqual(head!.activity, ['Resource: CPU currently in use.', 'Busy workers on node.']);
});

test('real GCS reply with an idle worker: pod name, group and idle-since come through', () => {
  const s = signalsFromGcsState(load('gcs_cluster_resource_state.idle-worker.bin'), 5_000_000);
  const w = s.nodes.find((n) => !n.isHead)!;
  assert.equal(w.podName, 'kas-worker-pod-0');
  assert.equal(w.group, 'workers');
  assert.equal(w.idle, true);
  assert.ok(w.idleSinceMs! < 5_000_000 && w.idleSinceMs! > 5_000_000 - 600_000);
  assert.equal(w.total.CPU, 1);
  assert.deepEqual(s.demand, { bundles: [], gangs: [], constraints: [] });
});
