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

test('request_resources(): the floor grows an empty group, counting the head and launching nodes', () => {
  const g = group('g', withBounds(0, 10), withShape({ CPU: 1 }));
  const d = decideCluster({
    groups: [g],
    headTotal: { CPU: 1 },
    headAvailable: { CPU: 1 },
    demand: { bundles: [], gangs: [] },
    constraints: [cpus(1, 4)],
  });
  // 1 bundle on the head's total, 3 need workers of 1 CPU.
  assert.equal(d.decisions[0]!.replicas, 3);
  assert.equal(d.decisions[0]!.reason.rule, 'pending-demand');
  // Once those 3 are launching, the same floor asks for nothing more.
  const again = decideCluster({
    groups: [{ ...g, replicas: 3 }],
    headTotal: { CPU: 1 },
    demand: { bundles: [], gangs: [] },
    constraints: [cpus(1, 4)],
  });
  assert.equal(again.decisions[0]!.replicas, 3);
});

test('request_resources(): idle workers the floor needs stay, the others go', () => {
  const ws = ['w0', 'w1', 'w2', 'w3'].map((n) => worker(n, idleFor(600_000)));
  const g = group('g', withBounds(0, 10), withWorkers(...ws));
  const d = decideCluster({ groups: [g], demand: { bundles: [], gangs: [] }, constraints: [cpus(2, 2)] });
  const dec = d.decisions[0]!;
  assert.equal(dec.kind, 'scale');
  assert.equal(dec.replicas, 2);
  assert.deepEqual(dec.kind === 'scale' ? [...dec.workersToDelete].sort() : [], ['w2', 'w3']);

  const all = decideCluster({ groups: [g], demand: { bundles: [], gangs: [] }, constraints: [cpus(2, 4)] });
  assert.equal(all.decisions[0]!.kind, 'none');
  assert.match(all.decisions[0]!.reason.message, /request_resources\(\) needs their capacity/);
});
