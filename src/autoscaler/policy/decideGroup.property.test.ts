// Properties of decideGroup over arbitrary groups, workers, demand and options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideGroup } from './decideGroup.ts';
import { isBusy } from './idle.ts';
import type { GroupInput, PolicyOptions, UpscalingMode, WorkerState } from './types.ts';

const NOW = 1_800_000_000_000;

const workerArb = fc.record({
  phase: fc.constantFrom<WorkerState['phase']>('running', 'running', 'running', 'pending', 'terminating'),
  idleMs: fc.option(fc.integer({ min: 0, max: 900_000 }), { nil: undefined }),
  cpu: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  mem: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  freeCpu: fc.constantFrom(0, 0.5, 1, 2),
  // How long a pending pod has existed (undefined: creation time unknown).
  pendingMs: fc.option(fc.integer({ min: 0, max: 1_200_000 }), { nil: undefined }),
});

const optionsArb: fc.Arbitrary<PolicyOptions> = fc.record({
  cpuUtilizationThreshold: fc.option(fc.double({ min: 0.05, max: 1, noNaN: true }), { nil: undefined }),
  memoryUtilizationThreshold: fc.option(fc.double({ min: 0.05, max: 1, noNaN: true }), { nil: undefined }),
  targetUtilizationFraction: fc.double({ min: 0.05, max: 1, noNaN: true }),
  cooldownPeriodSeconds: fc.integer({ min: 0, max: 600 }),
  idleTimeoutSeconds: fc.integer({ min: 0, max: 600 }),
  upscalingMode: fc.constantFrom<UpscalingMode>('Conservative', 'Default', 'Aggressive'),
  maxConcurrentLaunches: fc.integer({ min: 1, max: 10 }),
  launchTimeoutSeconds: fc.integer({ min: 1, max: 900 }),
});

const groupArb: fc.Arbitrary<GroupInput> = fc
  .record({
    min: fc.integer({ min: 0, max: 4 }),
    span: fc.integer({ min: 0, max: 10 }),
    replicas: fc.integer({ min: 0, max: 16 }),
    workers: fc.array(workerArb, { maxLength: 14 }),
    bundles: fc.array(
      fc.record({ cpu: fc.constantFrom(0.5, 1, 2, 3), count: fc.integer({ min: 0, max: 30 }) }),
      { maxLength: 3 },
    ),
    gangs: fc.array(
      fc.record({
        strategy: fc.constantFrom<'PACK' | 'SPREAD' | 'STRICT_PACK' | 'STRICT_SPREAD'>(
          'PACK',
          'SPREAD',
          'STRICT_PACK',
          'STRICT_SPREAD',
        ),
        n: fc.integer({ min: 1, max: 4 }),
      }),
      { maxLength: 2 },
    ),
    options: optionsArb,
    lastScaleAgo: fc.option(fc.integer({ min: 0, max: 1_200_000 }), { nil: undefined }),
  })
  .map((r) => ({
    name: 'g',
    minReplicas: r.min,
    maxReplicas: r.min + r.span,
    replicas: r.replicas,
    nodeShape: { CPU: 2 },
    workers: r.workers.map((w, i): WorkerState => ({
      podName: `w${i}`,
      phase: w.phase,
      total: w.phase === 'pending' ? undefined : { CPU: 2 },
      available: w.phase === 'pending' ? undefined : { CPU: w.idleMs !== undefined ? 2 : w.freeCpu },
      cpuUtilization: w.cpu,
      memoryUtilization: w.mem,
      idleSinceMs: w.phase === 'running' && w.idleMs !== undefined ? NOW - w.idleMs : undefined,
      pendingSinceMs: w.phase === 'pending' && w.pendingMs !== undefined ? NOW - w.pendingMs : undefined,
    })),
    demand: {
      bundles: r.bundles.map((b) => ({ resources: { CPU: b.cpu }, count: b.count })),
      gangs: r.gangs.map((g, i) => ({
        id: `pg${i}`,
        strategy: g.strategy,
        bundles: Array.from({ length: g.n }, () => ({ CPU: 1 })),
      })),
    },
    options: r.options,
    lastScaleTimeMs: r.lastScaleAgo === undefined ? undefined : NOW - r.lastScaleAgo,
    nowMs: NOW,
  }));

const runs = { numRuns: 2000 };

test('property: the decided replicas are always within [minReplicas, maxReplicas]', () => {
  fc.assert(
    fc.property(groupArb, (g) => {
      const d = decideGroup(g);
      assert.ok(
        d.replicas >= g.minReplicas && d.replicas <= g.maxReplicas,
        `${d.replicas} ∉ [${g.minReplicas}, ${g.maxReplicas}]`,
      );
    }),
    runs,
  );
});

test('property: never deletes a busy or unknown worker, never the same pod twice', () => {
  fc.assert(
    fc.property(groupArb, (g) => {
      const d = decideGroup(g);
      if (d.kind !== 'scale') return;
      const byName = new Map(g.workers.map((w) => [w.podName, w]));
      assert.equal(new Set(d.workersToDelete).size, d.workersToDelete.length);
      for (const name of d.workersToDelete) {
        const w = byName.get(name);
        assert.ok(w, `unknown pod ${name}`);
        assert.ok(!isBusy(w), `busy pod ${name} deleted by ${d.reason.rule}`);
        assert.notEqual(w.phase, 'terminating');
      }
    }),
    runs,
  );
});

test('property: a launch-timeout deletes exactly the pods pending past the timeout, and nothing adds workers while one is due', () => {
  fc.assert(
    fc.property(groupArb, (g) => {
      const d = decideGroup(g);
      const stuck = g.workers
        .filter(
          (w) =>
            w.phase === 'pending' &&
            w.pendingSinceMs !== undefined &&
            g.nowMs - w.pendingSinceMs >= g.options.launchTimeoutSeconds * 1000,
        )
        .map((w) => w.podName)
        .sort();
      if (d.kind === 'scale' && d.reason.rule === 'launch-timeout') {
        assert.deepEqual([...d.workersToDelete].sort(), stuck);
        assert.ok(
          d.replicas <= Math.max(g.minReplicas, g.replicas),
          'a launch timeout never grows the group',
        );
      }
      // Only the bounds rules come before it: with stuck pods and bounds satisfied, it fires.
      const withinBounds = g.replicas >= g.minReplicas && g.replicas <= g.maxReplicas;
      const surplus = d.kind === 'scale' && d.reason.rule === 'surplus-workers';
      if (stuck.length && withinBounds && !surplus) assert.equal(d.reason.rule, 'launch-timeout');
    }),
    runs,
  );
});

test('property: an idle-timeout removal never takes a worker a request_resources() floor claims', () => {
  fc.assert(
    fc.property(groupArb, fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }), (g, pick) => {
      const claimed = new Set(g.workers.filter((_, i) => pick[i]).map((w) => w.podName));
      const d = decideGroup({ ...g, claimedByRequest: claimed });
      if (d.kind !== 'scale' || d.reason.rule !== 'idle-timeout') return;
      for (const name of d.workersToDelete) assert.ok(!claimed.has(name), `${name} is claimed`);
    }),
    runs,
  );
});

test('property: honours cooldown — no idle removal or utilization scale-up within cooldown', () => {
  fc.assert(
    fc.property(groupArb, (g) => {
      const d = decideGroup(g);
      const inCooldown =
        g.lastScaleTimeMs !== undefined &&
        g.nowMs - g.lastScaleTimeMs < g.options.cooldownPeriodSeconds * 1000;
      if (!inCooldown || d.kind !== 'scale') return;
      assert.ok(
        !['idle-timeout', 'cpu-utilization', 'memory-utilization'].includes(d.reason.rule),
        `${d.reason.rule} fired ${g.nowMs - g.lastScaleTimeMs!} ms after the last scale (cooldown ${g.options.cooldownPeriodSeconds}s)`,
      );
    }),
    runs,
  );
});

test('property: honours idle timeout — idle removal only names workers idle at least that long', () => {
  fc.assert(
    fc.property(groupArb, (g) => {
      const d = decideGroup(g);
      if (d.kind !== 'scale' || d.reason.rule !== 'idle-timeout') return;
      const byName = new Map(g.workers.map((w) => [w.podName, w]));
      for (const name of d.workersToDelete) {
        const w = byName.get(name)!;
        assert.ok(
          w.idleSinceMs !== undefined && g.nowMs - w.idleSinceMs >= g.options.idleTimeoutSeconds * 1000,
        );
      }
      assert.equal(d.replicas, g.replicas - d.workersToDelete.length);
    }),
    runs,
  );
});

test('property: only bounds, launch timeouts and idle timeout shrink a group; decisions are deterministic', () => {
  fc.assert(
    fc.property(groupArb, (g) => {
      const d = decideGroup(g);
      if (d.kind === 'scale' && d.direction === 'down') {
        assert.ok(['max-replicas', 'launch-timeout', 'idle-timeout'].includes(d.reason.rule), d.reason.rule);
      }
      if (d.kind === 'scale' && d.direction === 'up') {
        assert.ok(
          ['min-replicas', 'pending-demand', 'cpu-utilization', 'memory-utilization'].includes(d.reason.rule),
        );
        assert.equal(d.workersToDelete.length, 0);
      }
      assert.deepEqual(decideGroup(structuredClone(g)), d);
    }),
    runs,
  );
});
