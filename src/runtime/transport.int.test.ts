// The REST client, server-side apply and the event recorder against the REAL kube-apiserver from rig/.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { kubeConfig, newNamespace, useRig } from '../../rig/testing.ts';
import { isAlreadyExists, isConflict, isNotFound, isInvalid } from './errors.ts';
import { EventRecorder } from './events.ts';
import { newRegistry } from './metrics.ts';
import { ConfigMaps, Events, type KubeObject } from './resources.ts';
import { KubeClient } from './transport.ts';
import { until } from './testutil.ts';

const rig = await useRig();
const registry = newRegistry();
const client = new KubeClient(kubeConfig(rig), { registry, qps: 100, burst: 200 });
after(() => {
  client.close();
});

test('typed errors: NotFound, AlreadyExists, Conflict on a stale update, Conflict on a failed precondition', async () => {
  const ns = await newNamespace(rig, 'rt-errors');
  await assert.rejects(client.get(ConfigMaps, ns, 'missing'), isNotFound);
  const body: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'a', namespace: ns },
    data: { k: '1' },
  };
  const a = await client.create(ConfigMaps, body);
  await assert.rejects(client.create(ConfigMaps, body), isAlreadyExists);
  await client.update(ConfigMaps, { ...a, data: { k: '2' } });
  await assert.rejects(client.update(ConfigMaps, { ...a, data: { k: '3' } }), isConflict);
  await assert.rejects(
    client.delete(ConfigMaps, ns, 'a', { preconditions: { uid: 'not-the-uid' } }),
    isConflict,
  );
  await assert.rejects(
    client.create(ConfigMaps, { ...body, metadata: { name: 'Bad_Name', namespace: ns } }),
    isInvalid,
  );
  await client.delete(ConfigMaps, ns, 'a', {
    preconditions: { uid: a.metadata.uid },
    propagationPolicy: 'Background',
  });
  await assert.rejects(client.get(ConfigMaps, ns, 'a'), isNotFound);
  const text = await registry.metrics();
  assert.match(text, /rest_client_requests_total\{code="404",method="GET",host="[^"]+"\}/);
  assert.match(text, /rest_client_requests_total\{code="201",method="POST",host="[^"]+"\}/);
});

test('patches: merge, strategic-merge and JSON patch', async () => {
  const ns = await newNamespace(rig, 'rt-patch');
  await client.create(ConfigMaps, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'p', namespace: ns },
    data: { a: '1' },
  });
  await client.patch(ConfigMaps, ns, 'p', { data: { b: '2' } }, 'merge');
  await client.patch(ConfigMaps, ns, 'p', { data: { c: '3' } }, 'strategic');
  const got = await client.patch<KubeObject>(
    ConfigMaps,
    ns,
    'p',
    [{ op: 'remove', path: '/data/a' }],
    'json',
  );
  assert.deepEqual(got.data, { b: '2', c: '3' });
});

test('server-side apply is idempotent: a second apply of the same intent leaves resourceVersion unchanged', async () => {
  const ns = await newNamespace(rig, 'rt-apply');
  const intent: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'applied', namespace: ns, labels: { 'app.kubernetes.io/created-by': 'kuray' } },
    data: { x: '1' },
  };
  const first = await client.apply<KubeObject>(ConfigMaps, intent, { fieldManager: 'kuray', force: true });
  const second = await client.apply<KubeObject>(ConfigMaps, intent, { fieldManager: 'kuray', force: true });
  assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
  const managers = (second.metadata.managedFields as { manager: string }[]).map((m) => m.manager);
  assert.ok(managers.includes('kuray'));
  const changed = await client.apply<KubeObject>(
    ConfigMaps,
    { ...intent, data: { x: '2' } },
    { fieldManager: 'kuray', force: true },
  );
  assert.notEqual(changed.metadata.resourceVersion, first.metadata.resourceVersion);
});

test('a watch streams events from a resourceVersion', async () => {
  const ns = await newNamespace(rig, 'rt-watch');
  const list = await client.list(ConfigMaps, ns);
  const ac = new AbortController();
  const seen: string[] = [];
  const done = (async () => {
    try {
      for await (const ev of client.watch(ConfigMaps, ns, {
        resourceVersion: list.metadata.resourceVersion,
        timeoutSeconds: 60,
        signal: ac.signal,
      })) {
        if (ev.type !== 'BOOKMARK') seen.push(`${ev.type} ${ev.object.metadata.name ?? ''}`);
      }
    } catch (e) {
      if (!ac.signal.aborted) throw e;
    }
  })();
  await client.create(ConfigMaps, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'w', namespace: ns },
  });
  await until(() => seen.includes('ADDED w'), 20_000, 'watch event');
  ac.abort();
  await done;
});

test('the event recorder writes core/v1 Events and aggregates repeats into count', async () => {
  const ns = await newNamespace(rig, 'rt-events');
  const owner = await client.create<KubeObject>(ConfigMaps, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'owner', namespace: ns },
  });
  const rec = new EventRecorder({ client });
  rec.normal(owner, 'CreatedWorkerPod', 'Created worker Pod ns/w1', 'CreatePod');
  rec.normal(owner, 'CreatedWorkerPod', 'Created worker Pod ns/w1', 'CreatePod');
  rec.warning(owner, 'FailedToCreatePod', 'quota exceeded');
  await rec.flush();
  const events = await client.list<
    KubeObject & {
      reason?: string;
      count?: number;
      source?: { component?: string };
      reportingComponent?: string;
    }
  >(Events, ns);
  const created = events.items.filter((e) => e.reason === 'CreatedWorkerPod');
  assert.equal(created.length, 1);
  assert.equal(created[0]?.count, 2);
  assert.equal(created[0]?.reportingComponent, 'kuray');
  assert.equal(events.items.filter((e) => e.reason === 'FailedToCreatePod').length, 1);
  assert.deepEqual(rec.stats, { created: 2, patched: 1, dropped: 0, failed: 0 });
});
