// The HTTP/2 transport against loopback TLS servers (node:http2 and an HTTP/1.1-only node:https):
// sharing one connection, opening more only past the server's stream limit, bodies read late, a
// connection lost mid-watch, and the fallback to HTTP/1.1 when the server does not negotiate h2.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createCa, issueCert } from '../util/x509.ts';
import { H2Pool } from './h2pool.ts';
import { KubeConfig } from './kubeconfig.ts';
import { ConfigMaps } from './resources.ts';
import { until } from './testutil.ts';
import { KubeClient } from './transport.ts';

const ca = createCa('h2pool-test-ca');
const leaf = issueCert(ca, { subject: { cn: 'apiserver' }, sans: ['127.0.0.1'], usage: 'server' });

function kubeConfigFor(port: number): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: `https://127.0.0.1:${port}`,
        caData: Buffer.from(ca.cert).toString('base64'),
        skipTLSVerify: false,
      },
    ],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

/** An h2 server answering JSON; `?watch=true` streams stay open until the server closes. */
async function h2Server(maxConcurrentStreams = 100) {
  const sessions = new Set<http2.ServerHttp2Session>();
  let watching = 0;
  const server = http2.createSecureServer({
    key: leaf.key,
    cert: leaf.cert,
    settings: { maxConcurrentStreams },
  });
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    const url = new URL(String(headers[':path']), 'https://x');
    stream.respond({ ':status': 200, 'content-type': 'application/json' });
    if (url.searchParams.get('watch') === 'true') {
      watching++;
      stream.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'w' } } })}\n`);
      return;
    }
    stream.end(
      JSON.stringify({ metadata: { name: url.pathname.split('/').pop(), auth: headers.authorization } }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    sessions,
    watching: () => watching,
    close: async () => {
      for (const s of sessions) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

test('requests share one connection, and a small reply read after an await is still whole', async () => {
  const srv = await h2Server();
  const pool = new H2Pool(new URL(`https://127.0.0.1:${srv.port}`));
  try {
    const bodies = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const res = await pool.request({ ca: ca.cert }, { method: 'GET', path: `/x/${i}`, headers: {} });
        // The server has ended and closed the stream by now: Node's own stream iterator would fail here.
        await new Promise((r) => setTimeout(r, 20));
        const chunks: Buffer[] = [];
        for await (const c of res) chunks.push(c);
        assert.ok(res.complete);
        return JSON.parse(Buffer.concat(chunks).toString()) as { metadata: { name: string } };
      }),
    );
    assert.deepEqual(
      bodies.map((b) => b.metadata.name),
      Array.from({ length: 40 }, (_, i) => String(i)),
    );
    assert.equal(srv.sessions.size, 1);
    assert.equal(pool.streams, 0);
  } finally {
    pool.close();
    await srv.close();
  }
});

test("past the server's stream limit another connection opens; requests still answer beside 25 open watches", async () => {
  const srv = await h2Server(10);
  const client = new KubeClient(kubeConfigFor(srv.port), { qps: 1000, burst: 1000 });
  const stop = new AbortController();
  const watches = Array.from({ length: 25 }, (_, i) =>
    (async () => {
      const events = client.watch(ConfigMaps, `ns-${i}`, { signal: stop.signal });
      while (!(await events.next()).done);
    })().catch(() => undefined),
  );
  try {
    await until(() => srv.watching() === 25, 10_000, '25 open watches');
    const got = await client.get(ConfigMaps, 'ns', 'a');
    assert.equal(got.metadata.name, 'a');
    assert.equal((got.metadata as { auth?: string }).auth, 'Bearer t', 'the token goes with every stream');
    const c = client.connections();
    assert.equal(c.protocol, 'h2');
    // 25 watches at 10 streams per connection: 3 connections (a 4th only if the get found them full).
    assert.ok(c.connections >= 3 && c.connections <= 4, `${c.connections} connections`);
    assert.equal(srv.sessions.size, c.connections);
  } finally {
    stop.abort();
    await Promise.all(watches);
    client.close();
    await srv.close();
  }
});

test('a connection lost mid-watch ends the watch with an error, not as if the server had ended it', async () => {
  const srv = await h2Server();
  const client = new KubeClient(kubeConfigFor(srv.port));
  try {
    const events = client.watch(ConfigMaps, 'ns');
    const first = await events.next();
    assert.equal((first.value as { type: string }).type, 'ADDED');
    for (const s of srv.sessions) s.destroy();
    await assert.rejects(events.next());
  } finally {
    client.close();
    await srv.close();
  }
});

test('a server that does not negotiate h2 is spoken to over HTTP/1.1', async () => {
  const server = https.createServer({ key: leaf.key, cert: leaf.cert }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ metadata: { name: req.httpVersion } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const client = new KubeClient(kubeConfigFor(port));
  try {
    assert.equal((await client.get(ConfigMaps, 'ns', 'a')).metadata.name, '1.1');
    assert.equal(client.connections().protocol, 'http/1.1');
    assert.equal((await client.get(ConfigMaps, 'ns', 'b')).metadata.name, '1.1');
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
