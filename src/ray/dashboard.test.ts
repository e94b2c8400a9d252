// Loopback tests of the dashboard client's HTTP behaviour: the headers it sends (no browser
// markers, which make Ray answer 405/403), how statuses and transport failures become typed errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { DashboardClient, isJobAlreadyExists } from './dashboard.ts';
import { RayHttpConnectionError, RayHttpStatusError, RayHttpTimeoutError } from './http.ts';
import { freePort } from './testing/localRay.ts';

const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
const server: Server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    const json = (status: number, v: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    if (req.url === '/api/jobs/' && req.method === 'POST') {
      const r = JSON.parse(body) as { submission_id?: string };
      if (r.submission_id === 'dup') {
        res.writeHead(500);
        res.end('Job with submission_id dup already exists. Please use a different submission_id.');
      } else json(200, { job_id: r.submission_id, submission_id: r.submission_id });
    } else if (req.url === '/api/jobs/missing') {
      res.writeHead(404);
      res.end('Job missing does not exist');
    } else if (req.url === '/api/version') {
      json(200, { version: '4', ray_version: '2.58.0', ray_commit: 'c', session_name: 's' });
    } else if (req.url?.startsWith('/slow/')) {
      // never answers; the client must time out
    } else json(500, { error: 'unexpected' });
  });
});
const port = await freePort();
await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
after(() => {
  server.closeAllConnections();
  server.close();
});
const client = new DashboardClient({ baseUrl: `http://127.0.0.1:${port}/`, timeoutMs: 2_000, token: 'tok' });

test('sends JSON without browser headers, with X-Ray-Authorization, dropping undefined fields', async () => {
  const id = await client.submitJob({
    entrypoint: 'python x.py',
    submission_id: 'a',
    runtime_env: undefined,
  });
  assert.equal(id, 'a');
  const r = seen.at(-1)!;
  assert.deepEqual(JSON.parse(r.body), { entrypoint: 'python x.py', submission_id: 'a' });
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.headers['x-ray-authorization'], 'Bearer tok');
  for (const h of Object.keys(r.headers))
    assert.ok(!/^(sec-fetch-|origin$|referer$)/.test(h), `browser header ${h}`);
  assert.doesNotMatch(String(r.headers['user-agent']), /^Mozilla/);
});

test('statuses become typed results and errors', async () => {
  assert.equal(await client.getJob('missing'), undefined);
  const dup = await client.submitJob({ entrypoint: 'x', submission_id: 'dup' }).catch((e: unknown) => e);
  assert.ok(dup instanceof RayHttpStatusError && dup.status === 500);
  assert.ok(isJobAlreadyExists(dup));
  assert.equal((await client.version()).ray_version, '2.58.0');
});

test('timeouts and refused connections are distinct typed errors', async () => {
  const slow = new DashboardClient({ baseUrl: `http://127.0.0.1:${port}/slow`, timeoutMs: 200 });
  await assert.rejects(slow.version(), RayHttpTimeoutError);
  const closed = await freePort();
  const refused = new DashboardClient({ baseUrl: `http://127.0.0.1:${closed}`, timeoutMs: 2_000 });
  await assert.rejects(
    refused.version(),
    (e: unknown) => e instanceof RayHttpConnectionError && e.code === 'ECONNREFUSED',
  );
});
