// Loopback tests of the Serve client: what it sends (declarative GET, the whole config as JSON on
// PUT, no browser headers), how Ray's answers are read, and what counts as a healthy proxy.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { parseServeDetails, proxyHealthy, ServeClient } from './serve.ts';
import { RayHttpBodyError, RayHttpStatusError } from './http.ts';
import { freePort } from './testing/localRay.ts';

const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
let nextGet: { status: number; body: string } = { status: 200, body: '{"applications":{}}' };
const server: Server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    if (req.url === '/-/healthz') {
      res.writeHead(200);
      res.end('success');
    } else if (req.url === '/draining/-/healthz') {
      res.writeHead(503);
      res.end('This node is being drained.');
    } else if (req.method === 'PUT') {
      const cfg = JSON.parse(body) as { applications?: unknown };
      if (!Array.isArray(cfg.applications)) {
        res.writeHead(400);
        res.end('1 validation error for ServeDeploySchema\napplications\n  Field required');
      } else {
        res.writeHead(200);
        res.end();
      }
    } else {
      res.writeHead(nextGet.status, { 'content-type': 'application/json' });
      res.end(nextGet.body);
    }
  });
});
const port = await freePort();
await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
after(() => {
  server.closeAllConnections();
  server.close();
});
const client = new ServeClient({ baseUrl: `http://127.0.0.1:${port}/`, timeoutMs: 2_000, token: 't' });

test('applications() asks the declarative API and reads app and deployment statuses', async () => {
  nextGet = {
    status: 200,
    body: JSON.stringify({
      target_capacity: 50,
      proxies: {},
      applications: {
        greeter: {
          status: 'RUNNING',
          message: '',
          route_prefix: '/greet',
          deployments: { Greeter: { status: 'HEALTHY', message: '', replicas: [] } },
        },
        adder: { status: 'DEPLOY_FAILED', message: "ModuleNotFoundError: No module named 'nope'" },
      },
    }),
  };
  const d = await client.applications();
  assert.equal(seen.at(-1)!.url, '/api/serve/applications/?api_type=declarative');
  assert.equal(seen.at(-1)!.headers['x-ray-authorization'], 'Bearer t');
  assert.equal(d.targetCapacity, 50);
  assert.deepEqual(d.applications.greeter, {
    status: 'RUNNING',
    message: '',
    deployments: { Greeter: { status: 'HEALTHY', message: '' } },
  });
  assert.equal(d.applications.adder!.status, 'DEPLOY_FAILED');
  assert.match(d.applications.adder!.message, /No module named 'nope'/);
});

test('an instance without Serve has no applications; a 503 is an error with Ray’s text', async () => {
  nextGet = { status: 200, body: JSON.stringify({ applications: {}, proxies: {} }) };
  assert.deepEqual(await client.applications(), { applications: {} });
  nextGet = { status: 503, body: 'Failed to get a response from the controller. The GCS may be down' };
  const err = await client.applications().catch((e: unknown) => e);
  assert.ok(err instanceof RayHttpStatusError && err.status === 503 && /GCS may be down/.test(err.body));
});

test('deploy() PUTs the whole config as JSON; a 400 carries Ray’s validation message', async () => {
  const cfg = { applications: [{ name: 'a', import_path: 'm:app', route_prefix: '/a' }] };
  await client.deploy(cfg);
  const put = seen.at(-1)!;
  assert.equal(put.method, 'PUT');
  assert.equal(put.url, '/api/serve/applications/');
  assert.equal(put.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(put.body), cfg);
  for (const h of Object.keys(put.headers)) assert.ok(!/^(sec-fetch-|origin$|referer$)/.test(h), h);
  const err = await client.deploy({ http_options: {} }).catch((e: unknown) => e);
  assert.ok(err instanceof RayHttpStatusError && err.status === 400 && /Field required/.test(err.body));
});

test('proxyHealthy: 200 is healthy; 503 (draining) and a refused connection are not', async () => {
  assert.equal(await proxyHealthy(`http://127.0.0.1:${port}`), true);
  assert.equal(await proxyHealthy(`http://127.0.0.1:${port}/draining`), false);
  assert.equal(await proxyHealthy(`http://127.0.0.1:${await freePort()}`, { timeoutMs: 1000 }), false);
});

test('parseServeDetails rejects shapes that are not Serve details', () => {
  assert.throws(() => parseServeDetails([], 'u'), RayHttpBodyError);
  assert.throws(() => parseServeDetails({ applications: [] }, 'u'), RayHttpBodyError);
  assert.throws(() => parseServeDetails({ applications: { a: 1 } }, 'u'), RayHttpBodyError);
});
