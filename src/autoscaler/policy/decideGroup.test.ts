import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideGroup } from './decideGroup.ts';
import {
  busy,
  cpu,
  cpus,
  free,
  group,
  idleFor,
  launching,
  launchingFor,
  mem,
  terminating,
  withBounds,
  withDemand,
  withGangs,
  withLastScale,
  withOptions,
  withReplicas,
  withWorkers,
  worker,
} from './testing.ts';

test('raises replicas to minReplicas, ignoring cooldown', () => {
  const d = decideGroup(group('g', withBounds(2, 5), withReplicas(0), withLastScale(1000)));
  assert.equal(d.kind, 'scale');
  assert.equal(d.replicas, 2);
  assert.equal(d.reason.rule, 'min-replicas');
});

test('lowers replicas to maxReplicas naming only launching or idle pods', () => {
  const d = decideGroup(
    group(
      'g',
      withBounds(0, 1),
      withWorkers(worker('a', busy()), worker('b', idleFor(1000)), worker('c', launching())),
    ),
  );
  assert.equal(d.kind, 'scale');
  assert.equal(d.replicas, 1);
  assert.equal(d.reason.rule, 'max-replicas');
  assert.deepEqual(d.kind === 'scale' && d.workersToDelete, ['c', 'b']);
});

test('pending demand: bin-packs onto free capacity first, then adds workers of the node shape', () => {
  // One worker with 1 free CPU; demand 5 × {CPU:1} → 1 fits, 4 need two 2-CPU workers.
  const d = decideGroup(
    group('g', withBounds(0, 10), withWorkers(worker('a', busy(), free({ CPU: 1 }))), withDemand(cpus(1, 5))),
  );
  assert.equal(d.kind, 'scale');
  assert.equal(d.replicas, 3);
  assert.equal(d.reason.rule, 'pending-demand');
  assert.equal(d.reason.inputs.workersNeeded, 2);
});

test('pending demand ignores cooldown but counts launching workers as capacity', () => {
  const g = group(
    'g',
    withBounds(0, 10),
    withWorkers(worker('a', busy()), worker('b', launching())),
    withDemand(cpus(2, 1)),
    withLastScale(1000),
  );
  // The launching 2-CPU worker absorbs the {CPU:2} task: nothing to add.
  assert.equal(decideGroup(g).kind, 'none');
  const more = decideGroup({ ...g, demand: { bundles: [cpus(2, 3)], gangs: [] } });
  assert.equal(more.kind, 'scale');
  assert.equal(more.replicas, 4);
});

test('Conservative mode limits a step to the running count (Ray upscaling_speed 1)', () => {
  const d = decideGroup(
    group(
      'g',
      withBounds(0, 100),
      withWorkers(worker('a', busy()), worker('b', busy())),
      withDemand(cpus(2, 20)),
      withOptions({ upscalingMode: 'Conservative' }),
    ),
  );
  assert.equal(d.replicas, 4);
  const dflt = decideGroup(
    group('g', withBounds(0, 100), withWorkers(worker('a', busy())), withDemand(cpus(2, 20))),
  );
  // Default: speed 1000, but at most 10 launching at once (Ray's AUTOSCALER_MAX_CONCURRENT_LAUNCHES).
  assert.equal(dflt.replicas, 11);
});

test('demand is capped by maxReplicas and infeasible shapes are ignored', () => {
  const d = decideGroup(
    group('g', withBounds(0, 3), withWorkers(worker('a', busy())), withDemand(cpus(2, 10), cpus(4, 1))),
  );
  assert.equal(d.replicas, 3);
  assert.equal(d.reason.inputs.demandInfeasible, 1);
  const atMax = decideGroup(
    group('g', withBounds(0, 1), withWorkers(worker('a', busy())), withDemand(cpus(2, 1))),
  );
  assert.equal(atMax.kind, 'none');
  assert.equal(atMax.reason.rule, 'max-replicas');
});

test('placement groups: STRICT_SPREAD needs one node per bundle, STRICT_PACK one node for all', () => {
  const spread = decideGroup(
    group(
      'g',
      withBounds(0, 10),
      withGangs({ id: 'pg', strategy: 'STRICT_SPREAD', bundles: [{ CPU: 1 }, { CPU: 1 }, { CPU: 1 }] }),
    ),
  );
  assert.equal(spread.replicas, 3);
  const pack = decideGroup(
    group(
      'g',
      withBounds(0, 10),
      withGangs({ id: 'pg', strategy: 'STRICT_PACK', bundles: [{ CPU: 1 }, { CPU: 1 }] }),
    ),
  );
  assert.equal(pack.replicas, 1);
});

test('CPU above threshold sizes the group to ceil(current × util / target)', () => {
  const d = decideGroup(
    group(
      'g',
      withBounds(1, 10),
      withWorkers(worker('a', busy(0.95)), worker('b', busy(0.95))),
      withOptions({ cpuUtilizationThreshold: 0.7, targetUtilizationFraction: 0.8 }),
    ),
  );
  assert.equal(d.kind, 'scale');
  assert.equal(d.replicas, 3); // ceil(2 × 0.95 / 0.8) = 3
  assert.equal(d.reason.rule, 'cpu-utilization');
  assert.equal(d.reason.inputs.threshold, 0.7);
});

test('memory threshold works the same; the larger need wins', () => {
  const d = decideGroup(
    group(
      'g',
      withBounds(1, 10),
      withWorkers(worker('a', busy(0.75), mem(1)), worker('b', busy(0.75), mem(1))),
      withOptions({
        cpuUtilizationThreshold: 0.7,
        memoryUtilizationThreshold: 0.5,
        targetUtilizationFraction: 0.5,
      }),
    ),
  );
  assert.equal(d.reason.rule, 'memory-utilization');
  assert.equal(d.replicas, 4);
});

test('utilization scale-up respects cooldown and waits for launching workers', () => {
  const base = [
    withBounds(1, 10),
    withOptions({ cpuUtilizationThreshold: 0.7, targetUtilizationFraction: 0.4, cooldownPeriodSeconds: 300 }),
  ];
  const cool = decideGroup(group('g', ...base, withWorkers(worker('a', busy(1))), withLastScale(60_000)));
  assert.equal(cool.kind, 'none');
  assert.equal(cool.reason.rule, 'cooldown');
  const wait = decideGroup(group('g', ...base, withWorkers(worker('a', busy(1)), worker('b', launching()))));
  assert.equal(wait.kind, 'none');
  assert.equal(wait.reason.rule, 'cpu-utilization');
  const go = decideGroup(group('g', ...base, withWorkers(worker('a', busy(1))), withLastScale(301_000)));
  assert.equal(go.kind, 'scale');
});

test('idle workers beyond minReplicas go after idleTimeoutSeconds, longest idle first, never busy ones', () => {
  const g = group(
    'g',
    withBounds(1, 10),
    withOptions({ idleTimeoutSeconds: 60 }),
    withWorkers(
      worker('busy', busy()),
      worker('idle-long', idleFor(600_000)),
      worker('idle-short', idleFor(30_000)),
      worker('idle-mid', idleFor(120_000)),
    ),
  );
  const d = decideGroup(g);
  assert.equal(d.kind, 'scale');
  assert.equal(d.reason.rule, 'idle-timeout');
  assert.deepEqual(d.kind === 'scale' && d.workersToDelete, ['idle-long', 'idle-mid']);
  assert.equal(d.replicas, 2);
});

test('a worker that never joins Ray does not keep idle ones; pending demand does', () => {
  const ws = withWorkers(
    worker('a', idleFor(600_000)),
    worker('b', idleFor(500_000)),
    worker('c', launching()),
  );
  const d = decideGroup(group('g', withBounds(0, 10), ws));
  assert.equal(d.reason.rule, 'idle-timeout');
  assert.deepEqual(d.kind === 'scale' && d.workersToDelete, ['a', 'b']);
  assert.equal(d.replicas, 1, 'the launching pod stays');
  const wanted = decideGroup(group('g', withBounds(0, 10), ws, withDemand(cpus(1, 3))));
  assert.notEqual(wanted.reason.rule, 'idle-timeout');
  assert.ok(wanted.kind === 'none' || wanted.workersToDelete.length === 0, 'no idle worker goes');
});

test('launch-timeout: pods that are not Ray nodes an hour after creation go, and stop counting as capacity', () => {
  const hour = 3600_000;
  const ws = withWorkers(
    worker('a', busy()),
    worker('b', launchingFor(hour)),
    worker('c', launchingFor(hour - 1)),
  );
  const d = decideGroup(group('g', withBounds(0, 10), ws, withLastScale(1000)));
  assert.equal(d.kind, 'scale');
  assert.equal(d.reason.rule, 'launch-timeout');
  assert.deepEqual(d.kind === 'scale' && d.workersToDelete, ['b'], 'c is one ms short of the hour');
  assert.equal(d.replicas, 2, 'the group shrinks by the pod it gives up on (cooldown does not hold it)');
  assert.equal(d.reason.inputs.launching, 1, 'only c still counts as launching');
  assert.match(d.reason.message, /b did not become Ray nodes within 3600s of creation/);

  // At minReplicas the replica stays: the operator replaces the pod.
  const atMin = decideGroup(group('g', withBounds(3, 10), ws));
  assert.equal(atMin.reason.rule, 'launch-timeout');
  assert.equal(atMin.replicas, 3);
  assert.match(atMin.reason.message, /replaced: minReplicas 3/);

  // A pod whose creation time is unknown is never timed out; the timeout is an option.
  assert.notEqual(
    decideGroup(group('g', withBounds(0, 10), withWorkers(worker('x', launching())))).reason.rule,
    'launch-timeout',
  );
  const short = decideGroup(group('g', withBounds(0, 10), ws, withOptions({ launchTimeoutSeconds: 60 })));
  assert.deepEqual(short.kind === 'scale' && short.workersToDelete, ['b', 'c']);
});

test('a stuck pod no longer absorbs demand: after its timeout the demand adds a worker', () => {
  // The stuck pod b (2 CPU) would otherwise count as launching capacity for the {CPU:2} task.
  const before = group(
    'g',
    withBounds(0, 10),
    withWorkers(worker('a', busy()), worker('b', launchingFor(3599_000))),
    withDemand(cpus(2, 1)),
  );
  assert.equal(decideGroup(before).kind, 'none', 'still launching: it absorbs the task');
  const after = decideGroup({ ...before, nowMs: before.nowMs + 1000 });
  assert.equal(after.reason.rule, 'launch-timeout');
  assert.equal(after.replicas, 1);
  // The next sync, with b gone (terminating), the demand rule launches a replacement.
  const next = decideGroup(
    group(
      'g',
      withBounds(0, 10),
      withWorkers(worker('a', busy()), worker('b', terminating())),
      withDemand(cpus(2, 1)),
    ),
  );
  assert.equal(next.reason.rule, 'pending-demand');
  assert.equal(next.replicas, 2);
});

test('idle removal stops at minReplicas and waits for cooldown', () => {
  const ws = withWorkers(worker('a', idleFor(600_000)), worker('b', idleFor(500_000)));
  const d = decideGroup(group('g', withBounds(1, 10), ws));
  assert.deepEqual(d.kind === 'scale' && d.workersToDelete, ['a']);
  const cool = decideGroup(
    group('g', withBounds(1, 10), ws, withOptions({ cooldownPeriodSeconds: 100 }), withLastScale(50_000)),
  );
  assert.equal(cool.kind, 'none');
  assert.equal(cool.reason.rule, 'cooldown');
});

test('hysteresis: an idle worker is kept when removing it would push utilization over the threshold', () => {
  const d = decideGroup(
    group(
      'g',
      withBounds(1, 10),
      withOptions({ cpuUtilizationThreshold: 0.7 }),
      withWorkers(worker('a', busy(1)), worker('b', busy(1)), worker('c', idleFor(600_000), cpu(0))),
    ),
  );
  // mean = 0.667 ≤ 0.7: no scale-up; removing c → 1.0 > 0.7: keep it.
  assert.equal(d.kind, 'none');
  assert.match(d.reason.message, /kept/);
});

test('terminating pods do not count; surplus pods beyond replicas are dropped if free', () => {
  const d = decideGroup(
    group(
      'g',
      withBounds(0, 10),
      withWorkers(worker('a', busy()), worker('b', idleFor(1)), worker('c', terminating())),
      withReplicas(1),
    ),
  );
  assert.equal(d.kind, 'scale');
  assert.equal(d.reason.rule, 'surplus-workers');
  assert.deepEqual(d.kind === 'scale' && d.workersToDelete, ['b']);
  assert.equal(d.replicas, 1);
});

test('steady state reports no change with the rule that was checked', () => {
  const d = decideGroup(group('g', withBounds(1, 10), withWorkers(worker('a', busy(0.3)))));
  assert.equal(d.kind, 'none');
  assert.equal(d.reason.rule, 'steady');
});
