import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeMetricsFromSamples } from './nodeMetrics.ts';
import { parsePrometheusText } from './prometheus.ts';

const load = (f: string) =>
  nodeMetricsFromSamples(
    parsePrometheusText(readFileSync(join(import.meta.dirname, 'testdata', f), 'utf8')).samples,
  );

test('real head under CPU load: utilization, memory and logical CPU use', () => {
  const [head, ...rest] = load('metrics.head.busy.prom');
  assert.equal(rest.length, 0);
  assert.equal(head!.ip, '192.0.2.2');
  assert.equal(head!.isHead, true);
  assert.equal(head!.cpuUtilization, 1);
  assert.equal(head!.cpuCount, 2);
  // cgroup total equals the host total here (no limit), so the cgroup view is used.
  assert.equal(head!.memUsedBytes, 1.310154752e9);
  assert.equal(head!.memTotalBytes, 2.5276514304e10);
  assert.ok(Math.abs(head!.memoryUtilization! - 1.310154752e9 / 2.5276514304e10) < 1e-12);
  assert.deepEqual(head!.logical.CPU, { used: 2, available: 0 });
});

test('real idle worker: logical CPU free, not the head', () => {
  const [w] = load('metrics.worker.idle.prom');
  assert.equal(w!.isHead, false);
  assert.deepEqual(w!.logical.CPU, { used: 0, available: 1 });
  assert.ok(w!.memoryUtilization! > 0 && w!.memoryUtilization! < 1);
});

test('an unlimited cgroup falls back to the host memory view; missing gauges stay undefined', () => {
  const text = [
    'ray_node_mem_total{ip="10.0.0.1",IsHeadNode="false"} 1000',
    'ray_node_mem_used{ip="10.0.0.1"} 250',
    'ray_node_cgroup_mem_total{ip="10.0.0.1"} 9.223372036854772e+18',
    'ray_node_cgroup_mem_used{ip="10.0.0.1"} 100',
  ].join('\n');
  const [n] = nodeMetricsFromSamples(parsePrometheusText(text).samples);
  assert.equal(n!.memoryUtilization, 0.25);
  assert.equal(n!.cpuUtilization, undefined);
});
