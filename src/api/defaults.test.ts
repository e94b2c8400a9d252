import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRayClusterDefaults, applyRayJobDefaults, applySchemaDefaults } from './defaults.ts';
import type { RayCluster, RayJob } from './v1/index.ts';

const container = { name: 'ray', image: 'rayproject/ray:2.58.0', ports: [{ containerPort: 6379 }] };

function cluster(): RayCluster {
  return {
    apiVersion: 'ray.io/v1',
    kind: 'RayCluster',
    metadata: { name: 'c' },
    spec: {
      headGroupSpec: { template: { spec: { containers: [container] } } },
      workerGroupSpecs: [
        { groupName: 'w', minReplicas: 1, maxReplicas: 3, template: { spec: { containers: [container] } } },
      ],
      networkPolicy: {},
    },
  };
}

test('RayCluster gets KubeRay CRD defaults and empty rayStartParams', () => {
  const input = cluster();
  const before = structuredClone(input);
  const d = applyRayClusterDefaults(input);
  assert.deepEqual(input, before, 'input is not modified');
  const g = d.spec.workerGroupSpecs![0]!;
  assert.equal(g.replicas, 0);
  assert.equal(g.numOfHosts, 1);
  assert.equal(g.priority, 0);
  assert.equal(g.minReplicas, 1, 'given values are kept');
  assert.deepEqual(g.rayStartParams, {});
  assert.deepEqual(d.spec.headGroupSpec.rayStartParams, {});
  assert.equal(d.spec.networkPolicy?.mode, 'DenyAll');
  // Core types' defaults, as the apiserver applies them inside pod templates.
  assert.equal(d.spec.headGroupSpec.template.spec!.containers[0]!.ports![0]!.protocol, 'TCP');
  // Absent optional objects stay absent.
  assert.equal(d.spec.autoscalerOptions, undefined);
});

test('a group without min/max gets 0 and maxInt32 (CRD defaults)', () => {
  const raw = structuredClone(cluster()) as unknown as {
    spec: { workerGroupSpecs: Record<string, unknown>[] };
  };
  delete raw.spec.workerGroupSpecs[0]!.minReplicas;
  delete raw.spec.workerGroupSpecs[0]!.maxReplicas;
  const d = applyRayClusterDefaults(raw as unknown as RayCluster);
  assert.equal(d.spec.workerGroupSpecs![0]!.minReplicas, 0);
  assert.equal(d.spec.workerGroupSpecs![0]!.maxReplicas, 2147483647);
});

test('applying defaults twice changes nothing more', () => {
  const once = applyRayClusterDefaults(cluster());
  assert.deepEqual(applyRayClusterDefaults(once), once);
});

test('RayJob defaults: submissionMode, backoffLimit, ttl and the embedded cluster', () => {
  const job: RayJob = {
    apiVersion: 'ray.io/v1',
    kind: 'RayJob',
    metadata: { name: 'j' },
    spec: { entrypoint: 'python x.py', rayClusterSpec: cluster().spec },
  };
  const d = applyRayJobDefaults(job);
  assert.equal(d.spec.submissionMode, 'K8sJobMode');
  assert.equal(d.spec.backoffLimit, 0);
  assert.equal(d.spec.ttlSecondsAfterFinished, 0);
  assert.equal(d.spec.rayClusterSpec!.workerGroupSpecs![0]!.numOfHosts, 1);
  assert.deepEqual(d.spec.rayClusterSpec!.headGroupSpec.rayStartParams, {});
});

test('map values and array items are defaulted one by one', () => {
  const schema = {
    type: 'object',
    properties: {
      m: {
        type: 'object',
        additionalProperties: { type: 'object', properties: { x: { type: 'integer', default: 1 } } },
      },
      a: { type: 'array', items: { type: 'object', properties: { y: { type: 'string', default: 'z' } } } },
    },
  };
  assert.deepEqual(applySchemaDefaults(schema, { m: { k: {} }, a: [{}, { y: 'q' }] }), {
    m: { k: { x: 1 } },
    a: [{ y: 'z' }, { y: 'q' }],
  });
});
