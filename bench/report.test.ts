import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmt, formatTable, goals } from './report.ts';
import type { RunResult } from './report.ts';
import { summarize } from './stats.ts';

test('tables are aligned Markdown: a header rule and every cell padded to its column', () => {
  const t = formatTable(
    ['subject', 'pods/s'],
    [
      ['kuray', '52.1'],
      ['limit', '60'],
    ],
  );
  assert.equal(
    t,
    ['| subject | pods/s |', '| ------- | ------ |', '| kuray   | 52.1   |', '| limit   | 60     |'].join(
      '\n',
    ),
  );
});

test('numbers: a dash when missing, fewer decimals as they grow', () => {
  assert.equal(fmt(undefined), '—');
  assert.equal(fmt(NaN), '—');
  assert.equal(fmt(1.234), '1.23');
  assert.equal(fmt(12.34), '12.3');
  assert.equal(fmt(1234.5), '1235');
  assert.equal(fmt(3, 0), '3');
});

function burstRun(
  subject: RunResult['subject'],
  podsPerSecond: number,
  secondsToAllReady: number,
): RunResult {
  return {
    scenario: 'burst',
    subject,
    ok: true,
    rigCpuSeconds: {},
    wallSeconds: 1,
    burst: {
      clusters: 1,
      pods: 1,
      timedOut: false,
      runningPods: 1,
      readyClusters: 1,
      secondsToAllCreated: secondsToAllReady,
      secondsToAllBound: secondsToAllReady,
      secondsToAllRunning: secondsToAllReady,
      secondsToAllReady,
      podsPerSecond,
      clusterReady: summarize([1]),
      podStartup: summarize([1]),
      podScheduling: summarize([0.5]),
      podBoundToRunning: summarize([0.5]),
    },
  };
}

test('goals: throughput against the limit, time to ready against KubeRay; missing data is n/a, not a pass', () => {
  const g = goals([burstRun('limit', 100, 10), burstRun('kuray', 85, 12), burstRun('kuberay', 20, 30)]);
  const byName = Object.fromEntries(g.map((x) => [x.name, x]));
  assert.equal(byName['burst throughput']!.met, true);
  assert.equal(byName['burst throughput']!.value, 0.85);
  assert.equal(byName['burst time to ready']!.met, true);
  assert.equal(byName['steady RSS']!.met, undefined);
  const slow = goals([burstRun('limit', 100, 10), burstRun('kuray', 70, 28), burstRun('kuberay', 20, 30)]);
  assert.equal(slow.find((x) => x.name === 'burst throughput')!.met, false);
  assert.equal(slow.find((x) => x.name === 'burst time to ready')!.met, false);
  // Locally the burst goal is 0.9 × KubeRay; behind the latency proxy it is 0.5 ×.
  const close = [burstRun('limit', 100, 10), burstRun('kuray', 85, 12), burstRun('kuberay', 20, 14)];
  assert.equal(goals(close).find((x) => x.name === 'burst time to ready')!.met, true);
  assert.equal(goals(close, { remote: true }).find((x) => x.name === 'burst time to ready')!.met, false);
  assert.equal(goals(close).find((x) => x.name === 'scale down')!.met, undefined);
});
