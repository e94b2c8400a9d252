// Informer against the REAL kube-apiserver from rig/.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { kubeConfig, newNamespace, useRig } from '../../rig/testing.ts';
import { Informer } from './informer.ts';
import { newRegistry } from './metrics.ts';
import { ConfigMaps, type KubeObject } from './resources.ts';
import { KubeClient } from './transport.ts';
import { until } from './testutil.ts';

const rig = await useRig();
const client = new KubeClient(kubeConfig(rig), { registry: newRegistry(), qps: 100, burst: 200 });
after(() => {
  client.close();
});

const cm = (
  namespace: string,
  name: string,
  data: Record<string, string>,
  labels: Record<string, string> = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, labels },
  data,
});

test('an informer sees creates, updates and deletes, with managedFields stripped', async () => {
  const ns = await newNamespace(rig, 'rt-informer');
  await client.create(ConfigMaps, cm(ns, 'before', { a: '1' }));
  const inf = new Informer<KubeObject>({ client, resource: ConfigMaps, namespace: ns });
  const log: string[] = [];
  // kube-controller-manager publishes kube-root-ca.crt into every new namespace, at its own pace.
  const ours = (o: KubeObject) => o.metadata.name !== 'kube-root-ca.crt';
  inf.addEventHandler({
    onAdd: (o) => {
      if (ours(o)) log.push(`add ${o.metadata.name}`);
    },
    onUpdate: (a, b) => {
      if (a !== b && ours(b)) log.push(`update ${b.metadata.name} ${JSON.stringify(b.data)}`);
    },
    onDelete: (o) => {
      if (ours(o)) log.push(`delete ${o.metadata.name}`);
    },
  });
  inf.start();
  try {
    assert.equal(await inf.waitForSync(AbortSignal.timeout(20_000)), true);
    assert.deepEqual(log, ['add before']);
    const created = await client.create(ConfigMaps, cm(ns, 'x', { v: '1' }));
    await until(() => log.includes('add x'), 20_000, 'add x');
    await client.update(ConfigMaps, { ...created, data: { v: '2' } });
    await until(() => log.includes('update x {"v":"2"}'), 20_000, 'update x');
    await client.delete(ConfigMaps, ns, 'x');
    await until(() => log.includes('delete x'), 20_000, 'delete x');
    assert.equal(inf.get(ns, 'x'), undefined);
    assert.equal(inf.get(ns, 'before')?.metadata.managedFields, undefined);
    const live = await client.get(ConfigMaps, ns, 'before');
    assert.ok(Array.isArray(live.metadata.managedFields), 'the server does send managedFields');
  } finally {
    await inf.stop();
  }
});

test('a label-selector informer only caches matching objects and sees a label change as delete', async () => {
  const ns = await newNamespace(rig, 'rt-selector');
  const inf = new Informer<KubeObject>({
    client,
    resource: ConfigMaps,
    namespace: ns,
    labelSelector: 'ray.io/cluster=c1',
  });
  const log: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => log.push(`add ${o.metadata.name}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}`),
  });
  inf.start();
  try {
    assert.equal(await inf.waitForSync(AbortSignal.timeout(20_000)), true);
    await client.create(ConfigMaps, cm(ns, 'other', {}, { 'ray.io/cluster': 'c2' }));
    const mine = await client.create(ConfigMaps, cm(ns, 'mine', {}, { 'ray.io/cluster': 'c1' }));
    await until(() => log.includes('add mine'), 20_000, 'add mine');
    await client.patch(ConfigMaps, ns, 'mine', { metadata: { labels: { 'ray.io/cluster': 'c3' } } }, 'merge');
    await until(() => log.includes('delete mine'), 20_000, 'label moved out');
    assert.deepEqual(log, ['add mine', 'delete mine']);
    assert.ok(mine.metadata.uid);
  } finally {
    await inf.stop();
  }
});
