import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.ts';
import { Expectations, observeExpectations } from './expectations.ts';
import { Informer } from './informer.ts';
import { newRegistry } from './metrics.ts';
import { Pods, type KubeObject } from './resources.ts';
import { KubeClient } from './transport.ts';
import { loopbackKubeConfig } from './testutil.ts';

test('counted creations are satisfied only once all are observed', () => {
  const e = new Expectations({ clock: new FakeClock() });
  assert.equal(e.satisfied('ns/c'), true, 'no record: satisfied');
  e.expectCreations('ns/c', 3);
  e.creationObserved('ns/c');
  e.creationObserved('ns/c');
  assert.equal(e.satisfied('ns/c'), false);
  e.creationObserved('ns/c');
  assert.equal(e.satisfied('ns/c'), true);
  e.creationObserved('ns/c'); // extra observations never go negative
  e.expectCreations('ns/c', 1);
  assert.equal(e.satisfied('ns/c'), false);
});

test('named deletions: only the expected names count, and each name counts once', () => {
  const e = new Expectations({ clock: new FakeClock() });
  e.expectDeletions('ns/c', ['w1', 'w2']);
  e.deletionObserved('ns/c', 'other');
  e.deletionObserved('ns/c', 'w1');
  e.deletionObserved('ns/c', 'w1');
  assert.equal(e.satisfied('ns/c'), false);
  assert.deepEqual(e.pending('ns/c')?.delNames, ['w2']);
  e.deletionObserved('ns/c', 'w2');
  assert.equal(e.satisfied('ns/c'), true);
});

test('counted deletions: deletionTimestamp and the final delete of one pod count once', () => {
  const e = new Expectations({ clock: new FakeClock() });
  e.expectDeletions('k', 2);
  e.deletionObserved('k', 'p1'); // deletionTimestamp seen
  e.deletionObserved('k', 'p1'); // DELETED event
  assert.equal(e.satisfied('k'), false);
  e.deletionObserved('k', 'p2');
  assert.equal(e.satisfied('k'), true);
});

test('expectations expire after the TTL (5 min default) so a lost event cannot wedge a controller', () => {
  const clock = new FakeClock();
  const e = new Expectations({ clock });
  e.expectCreations('k', ['a']);
  clock.advance(5 * 60_000);
  assert.equal(e.satisfied('k'), false);
  clock.advance(1);
  assert.equal(e.satisfied('k'), true);
  e.delete('k');
  assert.equal(e.pending('k'), undefined);
});

test('observeExpectations lowers expectations from informer events, keyed by the owner', () => {
  const client = new KubeClient(loopbackKubeConfig(1), { registry: newRegistry() });
  const inf = new Informer<KubeObject>({ client, resource: Pods });
  const e = new Expectations({ clock: new FakeClock() });
  observeExpectations(e, inf, (o) => {
    const c = o.metadata.labels?.['ray.io/cluster'];
    return c ? `${o.metadata.namespace ?? ''}/${c}` : undefined;
  });
  const p = (name: string, rv: string, deleting = false): KubeObject => ({
    metadata: {
      name,
      namespace: 'ns',
      resourceVersion: rv,
      labels: { 'ray.io/cluster': 'rc' },
      ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
  });
  inf.replace([p('old', '1')], '1');
  e.expectCreations('ns/rc', ['w1', 'w2']);
  inf.apply('ADDED', p('w1', '2'));
  assert.equal(e.satisfied('ns/rc'), false, 'a stale cache must not look satisfied');
  inf.apply('ADDED', p('w2', '3'));
  assert.equal(e.satisfied('ns/rc'), true);
  e.expectDeletions('ns/rc', ['old', 'w1']);
  inf.apply('MODIFIED', p('old', '4', true));
  inf.apply('DELETED', p('old', '5', true));
  assert.equal(e.satisfied('ns/rc'), false);
  inf.apply('DELETED', p('w1', '6'));
  assert.equal(e.satisfied('ns/rc'), true);
});
