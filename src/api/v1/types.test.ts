// The exported types line up with the KubeRay wire shape (compile-time checks, run as a unit test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Value from 'typebox/value';
import {
  API_VERSION,
  RayCluster,
  RayJob,
  RayService,
  RayCronJob,
  type RayClusterSpec,
  type WorkerGroupSpec,
} from './index.ts';

test('a typed RayCluster literal satisfies its schema', () => {
  const worker: WorkerGroupSpec = {
    groupName: 'workers',
    minReplicas: 0,
    maxReplicas: 3,
    replicas: 1,
    rayStartParams: { 'num-cpus': '1' },
    template: { spec: { containers: [{ name: 'ray-worker', image: 'rayproject/ray:2.58.0' }] } },
  };
  const spec: RayClusterSpec = {
    headGroupSpec: {
      rayStartParams: {},
      template: { spec: { containers: [{ name: 'ray-head', image: 'rayproject/ray:2.58.0' }] } },
    },
    workerGroupSpecs: [worker],
    autoscalerOptions: { upscalingMode: 'Conservative', cooldownPeriodSeconds: 30 },
  };
  const rc: RayCluster = { apiVersion: API_VERSION, kind: 'RayCluster', metadata: { name: 'c' }, spec };
  assert.deepEqual([...Value.Errors(RayCluster, rc)], []);
});

test('schemas reject wrong types and unknown enum values', () => {
  const bad = {
    apiVersion: API_VERSION,
    kind: 'RayCluster',
    spec: {
      headGroupSpec: { template: {} },
      autoscalerOptions: { upscalingMode: 'Fast', idleTimeoutSeconds: '60' },
    },
  };
  const paths = [...Value.Errors(RayCluster, bad)].map((e) => e.instancePath).sort();
  assert.deepEqual(paths, [
    '/spec/autoscalerOptions/idleTimeoutSeconds',
    '/spec/autoscalerOptions/upscalingMode',
  ]);
});

test('every kind has a schema with a description', () => {
  for (const s of [RayCluster, RayJob, RayService, RayCronJob])
    assert.ok((s as { description?: string }).description);
});
