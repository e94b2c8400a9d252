import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventRecorder } from './events.ts';
import { newRegistry } from './metrics.ts';
import { KubeClient } from './transport.ts';
import { loopbackKubeConfig } from './testutil.ts';

test('the per-object spam filter drops events over the burst, and a failing write never throws', async () => {
  // Port 1 on loopback refuses connections: writes fail, which must be logged and counted only.
  const client = new KubeClient(loopbackKubeConfig(1), { registry: newRegistry() });
  const rec = new EventRecorder({ client, burst: 3 });
  const obj = {
    apiVersion: 'ray.io/v1',
    kind: 'RayCluster',
    metadata: { name: 'c', namespace: 'ns', uid: 'u1' },
  };
  for (let i = 0; i < 10; i++) rec.normal(obj, 'CreatedWorkerPod', `created pod ${i}`);
  rec.warning(
    { ...obj, metadata: { ...obj.metadata, uid: 'u2' } },
    'Failed',
    'other object has its own budget',
  );
  await rec.flush();
  assert.equal(rec.stats.dropped, 7);
  assert.equal(rec.stats.failed, 4);
  client.close();
});
