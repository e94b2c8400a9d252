// Informer cache and handler semantics, driven through its ReflectorSink interface (no network).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Informer, SharedInformerFactory } from './informer.ts';
import { newRegistry } from './metrics.ts';
import { ConfigMaps, Pods, type KubeObject } from './resources.ts';
import { stripManagedFields } from './reflector.ts';
import { labelIndex, ownerUidIndex, Store } from './store.ts';
import { KubeClient } from './transport.ts';
import { loopbackKubeConfig } from './testutil.ts';

const client = new KubeClient(loopbackKubeConfig(1), { registry: newRegistry() });

const pod = (name: string, rv: string, cluster?: string, ns = 'ns'): KubeObject => ({
  metadata: {
    name,
    namespace: ns,
    resourceVersion: rv,
    labels: cluster ? { 'ray.io/cluster': cluster } : {},
    ownerReferences: cluster
      ? [
          {
            apiVersion: 'ray.io/v1',
            kind: 'RayCluster',
            name: cluster,
            uid: `uid-${cluster}`,
            controller: true,
          },
        ]
      : [],
  },
});

test('store indexes by namespace, label and owner uid, and keeps indexes right across updates', () => {
  const s = new Store<KubeObject>();
  s.addIndex('cluster', labelIndex('ray.io/cluster'));
  s.upsert(pod('a', '1', 'c1'));
  s.upsert(pod('b', '1', 'c1'));
  s.upsert(pod('c', '1', 'c2', 'other'));
  s.addIndex('owner', ownerUidIndex());
  assert.deepEqual(
    s
      .byIndex('cluster', 'ns/c1')
      .map((o) => o.metadata.name)
      .sort(),
    ['a', 'b'],
  );
  assert.deepEqual(
    s.byIndex('owner', 'uid-c2').map((o) => o.metadata.name),
    ['c'],
  );
  assert.deepEqual(
    s.list('other').map((o) => o.metadata.name),
    ['c'],
  );
  s.upsert(pod('a', '2', 'c2'));
  assert.deepEqual(
    s.byIndex('cluster', 'ns/c1').map((o) => o.metadata.name),
    ['b'],
  );
  s.remove('ns/b');
  assert.deepEqual(s.byIndex('cluster', 'ns/c1'), []);
  assert.equal(s.size, 2);
  assert.throws(() => s.byIndex('nope', 'x'), /no index/);
});

test('informer dispatches add/update(old,new)/delete from list and watch, and syncs once', async () => {
  const inf = new Informer<KubeObject>({ client, resource: Pods });
  const log: string[] = [];
  inf.addEventHandler({
    onAdd: (o, initial) => log.push(`add ${o.metadata.name} ${initial}`),
    onUpdate: (a, b) => log.push(`update ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}`),
  });
  assert.equal(inf.hasSynced(), false);
  const synced = inf.waitForSync();
  inf.replace([pod('a', '1')], '5');
  assert.equal(await synced, true);
  inf.apply('ADDED', pod('b', '6'));
  inf.apply('MODIFIED', pod('b', '7'));
  inf.apply('DELETED', pod('a', '8'));
  inf.replace([pod('b', '7')], '9'); // unchanged RV: no event
  assert.deepEqual(log, ['add a true', 'add b false', 'update 6->7', 'delete a']);
  assert.equal(inf.list().length, 1);
  assert.equal(inf.get('ns', 'b')?.metadata.resourceVersion, '7');
});

test('a handler added after sync gets the cached objects replayed; a throwing handler does not break others', () => {
  const inf = new Informer<KubeObject>({ client, resource: Pods });
  inf.replace([pod('a', '1'), pod('b', '1')], '2');
  const seen: string[] = [];
  inf.addEventHandler({
    onAdd: () => {
      throw new Error('bad handler');
    },
  });
  const remove = inf.addEventHandler({ onAdd: (o) => seen.push(o.metadata.name ?? '') });
  assert.deepEqual(seen.sort(), ['a', 'b']);
  inf.apply('ADDED', pod('c', '3'));
  assert.deepEqual(seen.sort(), ['a', 'b', 'c']);
  remove();
  inf.apply('ADDED', pod('d', '4'));
  assert.equal(seen.length, 3);
});

test('informer index by cluster label answers pods-by-cluster', () => {
  const inf = new Informer<KubeObject>({ client, resource: Pods });
  inf.addIndex('cluster', labelIndex('ray.io/cluster'));
  inf.replace([pod('h', '1', 'rc'), pod('w1', '1', 'rc'), pod('x', '1', 'other')], '2');
  assert.deepEqual(
    inf
      .byIndex('cluster', 'ns/rc')
      .map((o) => o.metadata.name)
      .sort(),
    ['h', 'w1'],
  );
});

test('the shared factory hands out one informer per resource+namespace+selector', () => {
  const f = new SharedInformerFactory({ client });
  const a = f.informer(Pods, { namespace: 'ns', labelSelector: 'ray.io/is-ray-node=yes' });
  assert.equal(f.informer(Pods, { namespace: 'ns', labelSelector: 'ray.io/is-ray-node=yes' }), a);
  assert.notEqual(f.informer(Pods, { namespace: 'ns' }), a);
  assert.notEqual(f.informer(ConfigMaps, { namespace: 'ns', labelSelector: 'ray.io/is-ray-node=yes' }), a);
  assert.equal(f.all().length, 3);
  assert.equal(f.hasSynced(), false);
});

test('a transform set on the factory is what every informer of that resource caches, and only that resource', () => {
  const f = new SharedInformerFactory({ client });
  const trim = (o: KubeObject): KubeObject => ({ metadata: { name: o.metadata.name } });
  f.setTransform(Pods, trim);
  assert.equal(f.informer(Pods, { namespace: 'a' }).reflector.transform, trim);
  assert.equal(f.informer(Pods, { namespace: 'b', labelSelector: 'x' }).reflector.transform, trim);
  assert.equal(f.informer(ConfigMaps, { namespace: 'a' }).reflector.transform, stripManagedFields);
  // Too late once an informer exists: the caches would hold objects trimmed two ways.
  assert.throws(() => {
    f.setTransform(ConfigMaps, trim);
  }, /exists already/);
});
