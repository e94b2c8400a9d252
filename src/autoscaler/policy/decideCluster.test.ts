import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideCluster } from './decideCluster.ts';
import { busy, cpus, group, idleFor, withBounds, withShape, withWorkers, worker } from './testing.ts';

test('demand that fits the head or existing workers adds nothing; the rest goes to the group that fits', () => {
  const cpuGroup = group('cpu', withBounds(0, 10), withWorkers(worker('c0', busy())));
  const d = decideCluster({
    groups: [cpuGroup],
    headAvailable: { CPU: 2 },
    demand: { bundles: [cpus(1, 4)], gangs: [] },
  });
  assert.equal(d.decisions[0]!.replicas, 2); // 2 on the head, 2 more → one 2-CPU worker
  assert.deepEqual(d.infeasible, { bundles: [], gangs: [] });
});

test('CPU-only demand prefers the group without GPUs; GPU demand goes to the GPU group', () => {
  const gpu = group('gpu', withBounds(0, 4), withShape({ CPU: 8, GPU: 1 }));
  const cpu = group('cpu', withBounds(0, 4), withShape({ CPU: 4 }));
  const d = decideCluster({
    groups: [gpu, cpu],
    demand: { bundles: [cpus(4, 1), { resources: { CPU: 1, GPU: 1 }, count: 2 }], gangs: [] },
  });
  const [g, c] = d.decisions;
  assert.equal(g!.replicas, 2);
  assert.equal(c!.replicas, 1);
});

test('demand no group can hold is reported infeasible and does not block idle removal', () => {
  const g = group('g', withBounds(0, 4), withWorkers(worker('idle', idleFor(600_000))));
  const d = decideCluster({ groups: [g], demand: { bundles: [cpus(64, 1)], gangs: [] } });
  assert.deepEqual(d.infeasible.bundles, [cpus(64, 1)]);
  assert.equal(d.decisions[0]!.reason.rule, 'idle-timeout');
});

test('demand about to land on an idle worker keeps it', () => {
  const g = group('g', withBounds(0, 4), withWorkers(worker('idle', idleFor(600_000))));
  const d = decideCluster({ groups: [g], demand: { bundles: [cpus(1, 1)], gangs: [] } });
  assert.equal(d.decisions[0]!.kind, 'none');
  assert.match(d.decisions[0]!.reason.message, /pending demand/);
});
