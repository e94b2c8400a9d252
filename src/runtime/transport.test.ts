import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, isAlreadyExists, isConflict, isGone, isNotFound, reasonOf } from './errors.ts';
import { microTime } from './leaderelection.ts';
import { ConfigMaps, Leases, Namespaces, objectKey, splitKey } from './resources.ts';
import { limiterKey, randomWatchTimeoutSeconds, resourcePath } from './transport.ts';

test('resource paths for core, group, namespaced, cluster-scoped and subresources', () => {
  assert.equal(resourcePath(ConfigMaps, 'ns', 'a'), '/api/v1/namespaces/ns/configmaps/a');
  assert.equal(resourcePath(ConfigMaps), '/api/v1/configmaps');
  assert.equal(
    resourcePath(Leases, 'kube-system'),
    '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases',
  );
  assert.equal(resourcePath(Namespaces, 'ignored', 'x', 'status'), '/api/v1/namespaces/x/status');
});

test('limiter keys: one per group/version/resource; subresources and names count with the resource', () => {
  assert.equal(limiterKey('/api/v1/namespaces/a/pods'), '/v1/pods');
  assert.equal(limiterKey('/api/v1/namespaces/a/pods/p/status?dryRun=All'), '/v1/pods');
  assert.equal(limiterKey('/apis/ray.io/v1/namespaces/a/rayclusters/c/status'), 'ray.io/v1/rayclusters');
  assert.equal(limiterKey('/apis/ray.io/v1/rayclusters?watch=true'), 'ray.io/v1/rayclusters');
  assert.equal(limiterKey('/api/v1/namespaces/a'), '/v1/namespaces');
  assert.equal(limiterKey('/api/v1/namespaces'), '/v1/namespaces');
  assert.equal(
    limiterKey('/apis/coordination.k8s.io/v1/namespaces/k/leases/l'),
    'coordination.k8s.io/v1/leases',
  );
  assert.equal(limiterKey('/apis'), 'other');
  assert.equal(limiterKey('/version'), 'other');
});

test('limitPerResource: a throttled resource does not hold back another (KubeRay’s per-kind budget)', async () => {
  const { Pods, Services } = await import('./resources.ts');
  const { KubeClient } = await import('./transport.ts');
  const { loopbackKubeConfig } = await import('./testutil.ts');
  const http = await import('node:http');
  const order = async (limitPerResource: boolean): Promise<string[]> => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.url?.split('/').slice(-2).join('/') ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ metadata: { name: 'x' } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as import('node:net').AddressInfo;
    // One token, then one every 200 ms: the second pod GET waits; the Service GET only if it shares its bucket.
    const client = new KubeClient(loopbackKubeConfig(port), { qps: 5, burst: 1, limitPerResource });
    try {
      await Promise.all([
        client.get(Pods, 'n', 'a'),
        client.get(Pods, 'n', 'b'),
        client.get(Services, 'n', 'c'),
      ]);
    } finally {
      client.close();
      await new Promise((r) => server.close(r));
    }
    return seen;
  };
  assert.deepEqual(await order(true), ['pods/a', 'services/c', 'pods/b']);
  assert.deepEqual(await order(false), ['pods/a', 'pods/b', 'services/c']);
});

test('typed errors classify by reason and code', () => {
  const nf = new ApiError(404, { kind: 'Status', reason: 'NotFound', message: 'x not found' }, 'GET', '/p');
  assert.ok(isNotFound(nf) && !isConflict(nf));
  assert.ok(isAlreadyExists(new ApiError(409, { kind: 'Status', reason: 'AlreadyExists' }, 'POST', '/p')));
  assert.ok(isConflict(new ApiError(409, { kind: 'Status', reason: 'Conflict' }, 'PUT', '/p')));
  assert.ok(isGone(new ApiError(410, undefined, 'GET', '/p', 'gone')));
  assert.equal(reasonOf(new ApiError(422, undefined, 'POST', '/p')), 'Invalid');
  assert.equal(isNotFound(new Error('x')), false);
});

test('watch timeouts are random in [5 min, 10 min); lease times carry microseconds', () => {
  for (let i = 0; i < 50; i++) {
    const t = randomWatchTimeoutSeconds();
    assert.ok(t >= 300 && t < 600);
  }
  assert.equal(microTime(new Date('2026-01-02T03:04:05.180Z')), '2026-01-02T03:04:05.180000Z');
  assert.equal(objectKey({ metadata: { namespace: 'a', name: 'b' } }), 'a/b');
  assert.deepEqual(splitKey('node1'), { namespace: '', name: 'node1' });
});

test('a request lost on a reused keep-alive socket the server closed is sent again on a fresh one', async () => {
  const { ConfigMaps: cm } = await import('./resources.ts');
  const { KubeClient } = await import('./transport.ts');
  const { loopbackKubeConfig, scriptedServer, json } = await import('./testutil.ts');
  const srv = await scriptedServer([
    (_req, res) => {
      json(res, 200, { metadata: { name: 'a' } });
    },
    // The server drops the connection as the second request arrives on it: no response at all.
    (req) => {
      req.socket.destroy();
    },
    (_req, res) => {
      json(res, 200, { metadata: { name: 'b' } });
    },
  ]);
  const client = new KubeClient(loopbackKubeConfig(srv.port));
  try {
    assert.equal((await client.get(cm, 'ns', 'a')).metadata.name, 'a');
    assert.equal((await client.get(cm, 'ns', 'b')).metadata.name, 'b');
    assert.equal(srv.urls.length, 3, 'the lost request was retried once');
  } finally {
    client.close();
    await srv.close();
  }
});

test('open watches never starve other requests: 150 quiet watches, then a get still answers', async () => {
  const { ConfigMaps: cm } = await import('./resources.ts');
  const { KubeClient } = await import('./transport.ts');
  const { loopbackKubeConfig, until } = await import('./testutil.ts');
  const http = await import('node:http');
  let watching = 0;
  const server = http.createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').searchParams.get('watch') === 'true') {
      // A quiet watch: headers sent, the stream stays open (each holds its HTTP/1.1 socket).
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      watching++;
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ metadata: { name: 'a' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as import('node:net').AddressInfo;
  const client = new KubeClient(loopbackKubeConfig(port), { qps: 1000, burst: 1000 });
  const stop = new AbortController();
  const watches = Array.from({ length: 150 }, (_, i) =>
    (async () => {
      const events = client.watch(cm, `ns-${String(i)}`, { signal: stop.signal });
      while (!(await events.next()).done);
    })().catch(() => undefined),
  );
  try {
    await until(() => watching === 150, 10_000, '150 open watches');
    assert.equal((await client.get(cm, 'ns', 'a')).metadata.name, 'a');
  } finally {
    stop.abort();
    await Promise.all(watches);
    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
