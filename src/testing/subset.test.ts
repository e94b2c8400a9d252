import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subsetDiff } from './subset.ts';

test('subsetDiff: server defaults and canonical quantities pass; anything changed or lost is named', () => {
  const want = {
    spec: {
      containers: [
        {
          name: 'ray',
          resources: { limits: { cpu: '1000m', memory: '2Gi' } },
          ports: [{ containerPort: 6379 }],
        },
      ],
    },
  };
  const got = {
    spec: {
      containers: [
        {
          name: 'ray',
          resources: { limits: { cpu: '1', memory: '2Gi' } },
          ports: [{ containerPort: 6379, protocol: 'TCP' }],
        },
      ],
      volumes: [{ name: 'kube-api-access-x' }],
    },
  };
  assert.deepEqual(subsetDiff(want, got), []);
  const changed = structuredClone(got);
  changed.spec.containers[0]!.resources.limits.cpu = '2';
  changed.spec.containers[0]!.ports = [];
  assert.deepEqual(subsetDiff(want, changed), [
    '/spec/containers/ray/resources/limits/cpu: want "1000m", got "2"',
    '/spec/containers/ray/ports: 0 items, want 1',
  ]);
  assert.deepEqual(subsetDiff({ env: [{ name: 'A', value: '1' }] }, { env: [] }), ['/env/A: missing']);
});
