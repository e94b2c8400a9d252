import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RayNodeSignal } from './gcsSignals.ts';
import type { NodeMetrics } from './nodeMetrics.ts';
import { metricsTargetsFor, workerStatesFor } from './workers.ts';

const node = (podName: string, ip: string, extra: Partial<RayNodeSignal> = {}): RayNodeSignal => ({
  nodeId: podName || ip,
  podName,
  group: 'g',
  ip,
  isHead: false,
  alive: true,
  status: 'RUNNING',
  idle: false,
  total: { CPU: 2 },
  available: { CPU: 1 },
  activity: [],
  ...extra,
});

test('a launching pod carries its creation time, unless GCS lists a dead node of it (it joined once)', () => {
  const pods = [
    { name: 'new', group: 'g', deleting: false, createdAtMs: 1000 },
    { name: 'restarted', group: 'g', deleting: false, createdAtMs: 2000 },
    { name: 'unknown', group: 'g', deleting: false },
  ];
  const ws = workerStatesFor('g', pods, {
    nodes: [node('restarted', '10.0.0.3', { alive: false })],
    metrics: new Map(),
  });
  assert.deepEqual(
    ws.map((w) => [w.podName, w.phase, w.pendingSinceMs]),
    [
      ['new', 'pending', 1000],
      ['restarted', 'pending', undefined],
      ['unknown', 'pending', undefined],
    ],
  );
});

test('joins pods to Ray nodes by pod name, then by a unique IP; the rest are launching or terminating', () => {
  const metrics = new Map<string, NodeMetrics>([
    ['a', { ip: '10.0.0.1', isHead: false, cpuUtilization: 0.5, memoryUtilization: 0.25, logical: {} }],
  ]);
  const nodes = [
    node('a', '10.0.0.1'),
    node('', '10.0.0.2', { idle: true, idleSinceMs: 5 }),
    node('x', '10.0.0.9', { alive: false }),
  ];
  const pods = [
    { name: 'a', group: 'g', deleting: false, podIP: '10.0.0.1' },
    { name: 'b', group: 'g', deleting: false, podIP: '10.0.0.2' },
    { name: 'c', group: 'g', deleting: false },
    { name: 'd', group: 'g', deleting: true, podIP: '10.0.0.4' },
    { name: 'e', group: 'g', deleting: false, podIP: '10.0.0.5' },
    { name: 'x', group: 'g', deleting: false, podIP: '10.0.0.9' },
    { name: 'other', group: 'h', deleting: false, podIP: '10.0.0.7' },
  ];
  const ws = workerStatesFor('g', pods, { nodes, metrics }, new Set(['e']));
  assert.deepEqual(
    ws.map((w) => [w.podName, w.phase]),
    [
      ['a', 'running'],
      ['b', 'running'],
      ['c', 'pending'],
      ['d', 'terminating'],
      ['e', 'terminating'],
      ['x', 'pending'],
    ],
  );
  assert.equal(ws[0]!.cpuUtilization, 0.5);
  assert.equal(ws[1]!.idleSinceMs, 5);
  assert.deepEqual(
    metricsTargetsFor([...pods, { name: 'v6', group: 'g', deleting: false, podIP: 'fd00::1' }], 8080).map(
      (t) => t.url,
    ),
    [
      'http://10.0.0.1:8080/metrics',
      'http://10.0.0.2:8080/metrics',
      'http://10.0.0.5:8080/metrics',
      'http://10.0.0.9:8080/metrics',
      'http://10.0.0.7:8080/metrics',
      'http://[fd00::1]:8080/metrics',
    ],
  );
});
