import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupBy, podBatchMessage } from './podEvents.ts';

test('one pod keeps KubeRay’s wording; a batch is one message listing the pods', () => {
  assert.equal(podBatchMessage('Created', 'head', 'ns', ['c-head-x']), 'Created head Pod ns/c-head-x');
  assert.equal(
    podBatchMessage('Deleted', 'worker', 'ns', ['a'], 'listed in workersToDelete'),
    'Deleted worker Pod ns/a: listed in workersToDelete',
  );
  assert.equal(podBatchMessage('Created', 'worker', 'ns', ['a', 'b']), 'Created 2 worker Pods: ns/a, ns/b');
});

test('a long batch stays under the apiserver’s 1024-byte limit and says how many it left out', () => {
  const names = Array.from(
    { length: 200 },
    (_, i) => `cluster-worker-group-worker-${String(i).padStart(5, '0')}`,
  );
  const m = podBatchMessage('Created', 'worker', 'namespace', names);
  assert.ok(m.length <= 1024, String(m.length));
  assert.match(m, /^Created 200 worker Pods: namespace\/cluster-worker-group-worker-00000, /);
  const shown = m.split(', ').length;
  assert.match(m, new RegExp(` … and ${200 - shown} more$`));
});

test('groupBy keeps first-seen order', () => {
  assert.deepEqual(
    [...groupBy(['b1', 'a1', 'b2'], (s) => s[0]!).entries()],
    [
      ['b', ['b1', 'b2']],
      ['a', ['a1']],
    ],
  );
});
