import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyIntent, needsUpdate } from './apply.ts';

test('needsUpdate ignores fields the server added but sees every change to ours', () => {
  const desired = { metadata: { labels: { a: '1' } }, spec: { replicas: 2, ports: [{ port: 80 }] } };
  const observed = {
    metadata: { labels: { a: '1', extra: 'x' }, resourceVersion: '5', uid: 'u' },
    spec: { replicas: 2, ports: [{ port: 80, protocol: 'TCP' }], defaulted: true },
    status: {},
  };
  assert.equal(needsUpdate(desired, observed), false);
  assert.equal(needsUpdate({ ...desired, spec: { ...desired.spec, replicas: 3 } }, observed), true);
  assert.equal(needsUpdate({ metadata: { labels: { b: '2' } } }, observed), true);
  assert.equal(
    needsUpdate({ spec: { ports: [{ port: 80 }, { port: 81 }] } }, observed),
    true,
    'array length',
  );
  assert.equal(needsUpdate({ spec: { replicas: null } }, observed), true);
  assert.equal(needsUpdate({ spec: { replicas: '2' } }, observed), true, 'types matter');
});

test('applyIntent drops server-owned metadata and status', () => {
  const intent = applyIntent({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'a',
      namespace: 'n',
      resourceVersion: '1',
      uid: 'u',
      managedFields: [],
      generation: 1,
      labels: { x: 'y' },
    },
    data: { k: 'v' },
    status: { s: 1 },
  });
  assert.deepEqual(intent, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'a', namespace: 'n', labels: { x: 'y' } },
    data: { k: 'v' },
  });
});
