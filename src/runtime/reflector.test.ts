// Reflector/informer against a NARROW scripted loopback server, only for faults a real API server
// cannot produce on demand: a forced 410, a silently stalled watch, a dropped connection, a 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Informer } from './informer.ts';
import { newRegistry } from './metrics.ts';
import { ConfigMaps, type KubeObject } from './resources.ts';
import { KubeClient } from './transport.ts';
import {
  json,
  loopbackKubeConfig,
  scriptedServer,
  until,
  watchStream,
  type FakeHandler,
} from './testutil.ts';

const cm = (name: string, rv: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', resourceVersion: rv, managedFields: [{ manager: 'x' }] },
  ...extra,
});
const list =
  (rv: string, items: KubeObject[]): FakeHandler =>
  (_q, res) => {
    json(res, 200, { kind: 'ConfigMapList', metadata: { resourceVersion: rv }, items });
  };

async function run(script: FakeHandler[], opts: { stallTimeoutMs?: number } = {}) {
  const srv = await scriptedServer(script);
  const client = new KubeClient(loopbackKubeConfig(srv.port), { registry: newRegistry() });
  const inf = new Informer<KubeObject>({
    client,
    resource: ConfigMaps,
    namespace: 'ns',
    backoff: { initialMs: 5, maxMs: 20 },
    stallTimeoutMs: opts.stallTimeoutMs,
  });
  const log: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => log.push(`add ${o.metadata.name} ${o.metadata.resourceVersion}`),
    onUpdate: (a, b) =>
      log.push(`update ${a.metadata.name} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}`),
  });
  inf.start();
  const stop = async () => {
    await inf.stop();
    client.close();
    await srv.close();
  };
  return { srv, inf, log, stop };
}

const watches = (urls: URL[]) => urls.filter((u) => u.searchParams.get('watch') === 'true');
const lists = (urls: URL[]) => urls.filter((u) => u.searchParams.get('watch') !== 'true');

test('lists then watches from the list RV with bookmarks and a 5–10 min timeout; an ERROR 410 event relists', async () => {
  const { srv, inf, log, stop } = await run([
    list('10', [cm('a', '1')]),
    (_q, res) => {
      const send = watchStream(res);
      send('ADDED', cm('b', '11'));
      send('MODIFIED', cm('a', '12'));
      send('BOOKMARK', { metadata: { resourceVersion: '15' } });
      send('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
      res.end();
    },
    list('16', [cm('a', '12'), cm('c', '16')]),
  ]);
  try {
    await until(() => log.includes('delete b'), 5000, 'relist');
    // A relist reports adds/updates first, then deletions of objects that vanished meanwhile.
    assert.deepEqual(log, ['add a 1', 'add b 11', 'update a 1->12', 'add c 16', 'delete b']);
    const w = watches(srv.urls);
    assert.equal(w[0]?.pathname, '/api/v1/namespaces/ns/configmaps');
    assert.equal(w[0]?.searchParams.get('resourceVersion'), '10');
    assert.equal(w[0]?.searchParams.get('allowWatchBookmarks'), 'true');
    const t = Number(w[0]?.searchParams.get('timeoutSeconds'));
    assert.ok(t >= 300 && t < 600, `timeoutSeconds ${t}`);
    assert.equal(lists(srv.urls)[0]?.searchParams.get('limit'), '500');
    await until(() => watches(srv.urls).length === 2, 5000, 'second watch');
    assert.equal(watches(srv.urls)[1]?.searchParams.get('resourceVersion'), '16');
    assert.equal(inf.reflector.stats.relistsOnGone, 1);
    assert.ok(inf.hasSynced());
    assert.equal(inf.get('ns', 'a')?.metadata.managedFields, undefined, 'managedFields stripped');
  } finally {
    await stop();
  }
});

test('a bookmark advances the RV; a watch answered 410 Gone relists', async () => {
  const { srv, log, inf, stop } = await run([
    list('10', [cm('a', '1')]),
    (_q, res) => {
      const send = watchStream(res);
      send('BOOKMARK', { metadata: { resourceVersion: '20' } });
      res.end(); // the server's timeoutSeconds elapsed: rewatch from the bookmark
    },
    (_q, res) => {
      json(res, 410, { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' });
    },
    list('30', [cm('a', '25')]),
  ]);
  try {
    await until(() => log.includes('update a 1->25'), 5000, 'relist after 410');
    const w = watches(srv.urls);
    assert.equal(w[1]?.searchParams.get('resourceVersion'), '20');
    assert.equal(inf.reflector.stats.bookmarks, 1);
    assert.equal(lists(srv.urls).length, 2);
  } finally {
    await stop();
  }
});

test('a silently stalled watch is restarted by the watchdog from the last RV, without a relist', async () => {
  const { srv, log, inf, stop } = await run(
    [
      list('10', []),
      (_q, res) => {
        watchStream(res)('ADDED', cm('x', '11'));
        // …and then nothing, with the connection left open.
      },
      (_q, res) => {
        watchStream(res)('ADDED', cm('y', '12'));
      },
    ],
    { stallTimeoutMs: 200 },
  );
  try {
    await until(() => log.includes('add y 12'), 5000, 'watch restarted');
    assert.equal(watches(srv.urls)[1]?.searchParams.get('resourceVersion'), '11');
    assert.equal(lists(srv.urls).length, 1);
    assert.ok(inf.reflector.stats.stalls >= 1);
  } finally {
    await stop();
  }
});

test('a dropped connection rewatches from the last RV; a failing list is retried, never given up', async () => {
  const { srv, log, stop } = await run([
    (_q, res) => {
      json(res, 500, { kind: 'Status', code: 500, reason: 'InternalError', message: 'boom' });
    },
    (req) => req.socket.destroy(),
    list('10', []),
    (req, res) => {
      watchStream(res)('ADDED', cm('x', '11'));
      setTimeout(() => req.socket.destroy(), 20);
    },
    (_q, res) => {
      watchStream(res)('MODIFIED', cm('x', '13'));
    },
  ]);
  try {
    await until(() => log.includes('update x 11->13'), 5000, 'rewatch after drop');
    assert.equal(lists(srv.urls).length, 3);
    assert.equal(watches(srv.urls)[1]?.searchParams.get('resourceVersion'), '11');
  } finally {
    await stop();
  }
});
