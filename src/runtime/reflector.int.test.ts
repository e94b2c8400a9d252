// Watch resilience on the REAL control plane: a private rig (restarting the shared one would
// disturb other test files) whose kube-apiserver is restarted under a running informer.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { kubeConfig, privateRig } from '../../rig/testing.ts';
import { Informer } from './informer.ts';
import { newRegistry } from './metrics.ts';
import { ConfigMaps, type KubeObject } from './resources.ts';
import { KubeClient } from './transport.ts';
import { until } from './testutil.ts';

const rig = await privateRig({ profile: 'none', crdDir: false });
after(() => rig.stop());

test('an informer survives a kube-apiserver restart and sees objects created afterwards', async () => {
  const client = new KubeClient(kubeConfig(rig), { registry: newRegistry() });
  const inf = new Informer<KubeObject>({
    client,
    resource: ConfigMaps,
    namespace: 'default',
    backoff: { initialMs: 200, maxMs: 2000 },
  });
  const added: string[] = [];
  inf.addEventHandler({ onAdd: (o) => added.push(o.metadata.name ?? '') });
  inf.start();
  try {
    assert.equal(await inf.waitForSync(AbortSignal.timeout(30_000)), true);
    await client.create(ConfigMaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'before', namespace: 'default' },
    });
    await until(() => added.includes('before'), 20_000, 'before');
    await rig.restartApiserver();
    await client.create(ConfigMaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'after', namespace: 'default' },
    });
    await until(() => added.includes('after'), 30_000, 'after the restart');
    assert.ok(inf.reflector.stats.watches >= 2, 'the watch was re-established');
    assert.equal(added.filter((n) => n === 'before').length, 1, 'no duplicate add for a cached object');
  } finally {
    await inf.stop();
    client.close();
  }
});
