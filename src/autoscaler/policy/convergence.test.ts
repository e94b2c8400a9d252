// Convergence: iterate the policy against a small simulated cluster under steady load and check
// it reaches a fixed point and stays there — no flapping (no scale-up after a scale-down).
//
// The simulation: each task needs {CPU: 1} and runs forever (steady load); pods start after a few
// ticks; tasks are placed first-fit onto running workers; a worker's CPU utilization is its used
// CPUs / total; a worker with nothing placed is idle since the tick it emptied; pending tasks are
// the demand. Each tick applies the decision as the operator would (replicas, workersToDelete).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideGroup } from './decideGroup.ts';
import { DEFAULT_POLICY_OPTIONS } from './options.ts';
import type { PolicyOptions, WorkerState } from './types.ts';

interface SimPod {
  name: string;
  startsAtTick: number;
  tasks: number;
  idleSinceMs?: number;
}

interface Scenario {
  load: number;
  cpusPerWorker: number;
  min: number;
  max: number;
  initialReplicas: number;
  startDelayTicks: number;
  options: PolicyOptions;
}

const TICK_MS = 5_000;

function simulate(s: Scenario, ticks: number) {
  let pods: SimPod[] = [];
  let replicas = s.initialReplicas;
  let nextName = 0;
  let lastScale: number | undefined;
  const events: { tick: number; direction: 'up' | 'down' | 'same'; rule: string; replicas: number }[] = [];
  let pendingTasks = s.load;
  for (let t = 0; t < ticks; t++) {
    const now = 1_800_000_000_000 + t * TICK_MS;
    // The operator: create pods up to replicas.
    while (pods.length < replicas)
      pods.push({ name: `p${nextName++}`, startsAtTick: t + s.startDelayTicks, tasks: 0 });
    // Ray: place pending tasks first-fit on running workers.
    for (const p of pods) {
      if (p.startsAtTick > t) continue;
      while (pendingTasks > 0 && p.tasks < s.cpusPerWorker) {
        p.tasks++;
        pendingTasks--;
      }
      if (p.tasks === 0) p.idleSinceMs ??= now;
      else p.idleSinceMs = undefined;
    }
    const workers: WorkerState[] = pods.map((p) =>
      p.startsAtTick > t
        ? { podName: p.name, phase: 'pending' }
        : {
            podName: p.name,
            phase: 'running',
            total: { CPU: s.cpusPerWorker },
            available: { CPU: s.cpusPerWorker - p.tasks },
            cpuUtilization: p.tasks / s.cpusPerWorker,
            idleSinceMs: p.idleSinceMs,
          },
    );
    const d = decideGroup({
      name: 'g',
      minReplicas: s.min,
      maxReplicas: s.max,
      replicas,
      nodeShape: { CPU: s.cpusPerWorker },
      workers,
      demand: {
        bundles: pendingTasks > 0 ? [{ resources: { CPU: 1 }, count: pendingTasks }] : [],
        gangs: [],
      },
      options: s.options,
      lastScaleTimeMs: lastScale,
      nowMs: now,
    });
    if (d.kind === 'scale') {
      events.push({ tick: t, direction: d.direction, rule: d.reason.rule, replicas: d.replicas });
      for (const name of d.workersToDelete) {
        const p = pods.find((x) => x.name === name)!;
        assert.equal(p.tasks, 0, `deleted pod ${name} was running ${p.tasks} task(s)`);
      }
      pods = pods.filter((p) => !d.workersToDelete.includes(p.name));
      replicas = d.replicas;
      lastScale = now;
    }
  }
  return { events, replicas, pendingTasks, pods };
}

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    load: fc.integer({ min: 0, max: 40 }),
    cpusPerWorker: fc.integer({ min: 1, max: 4 }),
    min: fc.integer({ min: 0, max: 3 }),
    span: fc.integer({ min: 0, max: 15 }),
    initialReplicas: fc.integer({ min: 0, max: 20 }),
    startDelayTicks: fc.integer({ min: 0, max: 4 }),
    cpuThreshold: fc.option(fc.double({ min: 0.3, max: 1, noNaN: true }), { nil: undefined }),
    target: fc.double({ min: 0.3, max: 1, noNaN: true }),
    cooldown: fc.integer({ min: 0, max: 120 }),
    idle: fc.integer({ min: 0, max: 120 }),
    mode: fc.constantFrom<'Conservative' | 'Default' | 'Aggressive'>('Conservative', 'Default', 'Aggressive'),
  })
  .map((r) => ({
    load: r.load,
    cpusPerWorker: r.cpusPerWorker,
    min: r.min,
    max: r.min + r.span,
    initialReplicas: r.initialReplicas,
    startDelayTicks: r.startDelayTicks,
    options: {
      ...DEFAULT_POLICY_OPTIONS,
      ...(r.cpuThreshold !== undefined ? { cpuUtilizationThreshold: r.cpuThreshold } : {}),
      targetUtilizationFraction: r.target,
      cooldownPeriodSeconds: r.cooldown,
      idleTimeoutSeconds: r.idle,
      upscalingMode: r.mode,
    },
  }));

test('property: converges under steady load to a fixed point and never flaps', () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const ticks = 300; // 25 simulated minutes: far beyond every timeout in the scenario
      const { events, replicas, pendingTasks } = simulate(s, ticks);
      const last = events.at(-1);
      assert.ok(
        !last || last.tick < ticks - 60,
        `still scaling at tick ${last?.tick}: ${JSON.stringify(events.slice(-5))}`,
      );
      let sawDown = false;
      for (const e of events) {
        if (e.direction === 'down') sawDown = true;
        if (sawDown && e.direction === 'up') assert.fail(`flap: up after down: ${JSON.stringify(events)}`);
      }
      assert.ok(replicas >= s.min && replicas <= s.max);
      // Demand is served whenever maxReplicas allows it.
      const needed = Math.ceil(s.load / s.cpusPerWorker);
      if (needed <= s.max) assert.equal(pendingTasks, 0, `unserved tasks with ${replicas} replicas`);
      // Without a utilization rule, the fixed point is exactly what the load needs (within bounds).
      if (s.options.cpuUtilizationThreshold === undefined && s.initialReplicas <= s.max) {
        assert.equal(replicas, Math.min(s.max, Math.max(s.min, needed)));
      }
    }),
    { numRuns: 300 },
  );
});

test('the seed example 05 thresholds (cpu 0.7, target 0.8) settle a saturated group one worker larger', () => {
  const { events, replicas } = simulate(
    {
      load: 4,
      cpusPerWorker: 2,
      min: 1,
      max: 10,
      initialReplicas: 2,
      startDelayTicks: 2,
      options: {
        ...DEFAULT_POLICY_OPTIONS,
        cpuUtilizationThreshold: 0.7,
        targetUtilizationFraction: 0.8,
        idleTimeoutSeconds: 300,
      },
    },
    200,
  );
  // 2 workers at 100% > 70% → ceil(2 × 1 / 0.8) = 3; the third stays (removing it would breach 70%).
  assert.equal(replicas, 3);
  assert.deepEqual(
    events.map((e) => e.rule),
    ['cpu-utilization'],
  );
});
