import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from './args.ts';
import type { RunResult } from './report.ts';
import { settingsKey, summarizeRuns, summaryText, type SavedRun } from './summary.ts';

// The bench's own defaults at full size, as a saved run records them.
const FULL = { ...parseArgs(['--size=full']) };

function burst(subject: RunResult['subject'], secondsToAllReady: number): RunResult {
  return {
    scenario: 'burst',
    subject,
    ok: true,
    burst: { secondsToAllReady, podsPerSecond: 1100 / secondsToAllReady } as RunResult['burst'],
    rigCpuSeconds: {},
    wallSeconds: 1,
  };
}

function run(file: string, startedAt: string, kuray: number, kuberay: number, args = FULL): SavedRun {
  return {
    file,
    startedAt,
    args,
    results: [burst('limit', 10), burst('kuray', kuray), burst('kuberay', kuberay)],
  };
}

test('pools runs with the same settings, counts the runs that met each goal and takes the median', () => {
  const groups = summarizeRuns([
    run('b.json', '2026-12-06T02:00', 9, 10), // 0.90: met
    run('a.json', '2026-12-06T01:00', 12, 12), // 1.00: missed
    run('c.json', '2026-12-06T03:00', 8, 10), // 0.80: met
    run('r.json', '2026-12-06T04:00', 15, 60, { ...FULL, latencyMs: 20 }), // remote: its own group, ≤ 0.5
  ]);
  assert.equal(groups.length, 2);
  const [local, remote] = groups;
  assert.deepEqual(local!.files, ['a.json', 'b.json', 'c.json'], 'in run order');
  const time = local!.goals.find((g) => g.name === 'burst time to ready')!;
  assert.deepEqual([time.n, time.met, time.values], [3, 2, [1, 0.9, 0.8]]);
  assert.equal(time.median, 0.9);
  assert.equal(time.target, 'Kuray ≤ 0.9 × KubeRay');
  const scale = local!.goals.find((g) => g.name === 'scale up')!;
  assert.deepEqual([scale.n, scale.median], [0, undefined], 'not measured in these runs');
  const rt = remote!.goals.find((g) => g.name === 'burst time to ready')!;
  assert.deepEqual([rt.target, rt.met, rt.n], ['Kuray ≤ 0.5 × KubeRay', 1, 1]);
  const text = summaryText(groups);
  assert.match(text, /size full, qps 100\/200, concurrency 4, latency 0 ms: 3 run\(s\)/);
  assert.match(text, /burst time to ready .*\| 2\/3 .*\| 0\.90 .*\| 1\.00 0\.90 0\.80/);
  assert.doesNotMatch(text, /scale up/, 'goals no run measured are left out');
});

test('settings: extra Kuray flags, --cpu-prof and --repeat make a group of their own; the run order does not', () => {
  const base = settingsKey(FULL);
  assert.equal(settingsKey({ ...FULL, peerFirst: true }), base);
  assert.notEqual(settingsKey({ ...FULL, kurayNodeFlags: ['--max-semi-space-size=16'] }), base);
  assert.notEqual(settingsKey({ ...FULL, cpuProf: true }), base);
  // A repeated run's values are medians of rounds: pooled apart; files from before --repeat read as 1.
  assert.match(settingsKey({ ...parseArgs(['--size=full', '--repeat=burst=3']) }), /repeat burst=3$/);
  assert.equal(settingsKey({ ...parseArgs(['--size=full', '--repeat=1']) }), base);
  // Only the scenarios that ran: `--only burst --repeat 5` is a burst repeat, nothing else.
  assert.match(
    settingsKey({ ...parseArgs(['--size=full', '--only=burst', '--repeat=5']) }),
    /, repeat burst=5$/,
  );
  const { repeat: _, ...older } = FULL;
  assert.equal(settingsKey(older), base);
});
