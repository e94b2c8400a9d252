import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseClusterStatus } from './clusterStatus.ts';
import { RayHttpBodyError } from './http.ts';

const testdata = join(import.meta.dirname, '..', 'autoscaler', 'signals', 'testdata');

test('real /api/cluster_status under demand: exact shapes (not camelCased), PG demand, usage', () => {
  const v: unknown = JSON.parse(readFileSync(join(testdata, 'cluster_status.demand.json'), 'utf8'));
  const s = parseClusterStatus(v, 'u');
  assert.equal(s.hasMonitorData, true);
  assert.deepEqual(s.resourceDemand, [
    { shape: { CPU: 1 }, count: 2 },
    { shape: { CPU: 2 }, count: 6 },
    { shape: { CPU: 1, custom_thing: 1 }, count: 1 },
  ]);
  assert.deepEqual(s.pgDemand, [
    { bundles: [{ shape: { CPU: 1 }, count: 2 }], strategy: 'STRICT_SPREAD', count: 2 },
  ]);
  assert.deepEqual(s.usage.CPU, [2, 2]);
  assert.ok('objectStoreMemory' in s.usage, 'usage keys are camelCased by the dashboard');
});

test('no monitor running: no demand data rather than an error; garbage is a typed error', () => {
  const s = parseClusterStatus(
    { result: true, msg: '', data: { autoscalingStatus: null, clusterStatus: null } },
    'u',
  );
  assert.equal(s.hasMonitorData, false);
  assert.deepEqual(s.resourceDemand, []);
  assert.throws(() => parseClusterStatus({ nope: 1 }, 'u'), RayHttpBodyError);
});
