// The console server's gates, which protect the viewer's credentials from other web pages: the
// Host header (DNS rebinding), the token → cookie handshake, the write header and Origin. The
// client points at a closed loopback port: these tests never reach an API server.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '../runtime/kubeconfig.ts';
import { KubeClient } from '../runtime/transport.ts';
import type { SessionInfo, ValidateResponse } from './protocol.ts';
import { startConsole, type RunningConsole } from './server.ts';

function get(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('console server gates', () => {
  let con: RunningConsole;
  let client: KubeClient;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kuray-console-static-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    client = new KubeClient(kc, { timeoutMs: 500 });
    con = await startConsole({
      client,
      identity: { context: 'x', user: 'u', server: 'https://127.0.0.1:1', defaultNamespace: 'ns' },
      namespaces: ['ns'],
      staticDir: dir,
      token: 'secret-token',
    });
  });
  after(async () => {
    await con.close();
    client.close();
  });

  it('listens on 127.0.0.1 and prints a URL with the token', () => {
    assert.match(con.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=secret-token$/);
  });

  it('the token URL sets an HttpOnly SameSite=Strict cookie and redirects; a wrong token is refused', async () => {
    const r = await get(con.url);
    assert.equal(r.status, 302);
    assert.match(
      String(r.headers['set-cookie']),
      /kuray_console_\d+=secret-token; HttpOnly; SameSite=Strict/,
    );
    assert.equal((await get(`${con.origin}/?token=nope`)).status, 401);
  });

  it('without the cookie: no page, no API', async () => {
    assert.equal((await get(`${con.origin}/`)).status, 401);
    assert.equal((await get(`${con.origin}/api/session`)).status, 401);
  });

  it('with the cookie: the page (with a CSP) and the API', async () => {
    const cookie = { cookie: `kuray_console_${new URL(con.origin).port}=secret-token` };
    const page = await get(`${con.origin}/`, { headers: cookie });
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    const s = await get(`${con.origin}/api/session`, { headers: cookie });
    assert.equal(s.status, 200);
    assert.deepEqual((JSON.parse(s.body) as SessionInfo).namespaces, ['ns']);
  });

  it('a rebound host name is refused even with the cookie', async () => {
    const port = new URL(con.origin).port;
    const r = await get(`${con.origin}/api/session`, {
      headers: {
        cookie: `kuray_console_${new URL(con.origin).port}=secret-token`,
        host: `evil.example:${port}`,
      },
    });
    assert.equal(r.status, 421);
  });

  it('writes need the X-Kuray-Console header and, when sent, our own Origin', async () => {
    const body = JSON.stringify({ yaml: 'kind: RayCluster' });
    const cookie = `kuray_console_${new URL(con.origin).port}=secret-token`;
    const noHeader = await get(`${con.origin}/api/validate`, { method: 'POST', headers: { cookie }, body });
    assert.equal(noHeader.status, 403);
    const foreign = await get(`${con.origin}/api/validate`, {
      method: 'POST',
      headers: { cookie, 'x-kuray-console': '1', origin: 'http://evil.example' },
      body,
    });
    assert.equal(foreign.status, 403);
    const ok = await get(`${con.origin}/api/validate`, {
      method: 'POST',
      headers: { cookie, 'x-kuray-console': '1', origin: con.origin },
      body,
    });
    assert.equal(ok.status, 200);
    // kuray validate's own findings come back (the object has no metadata.name, no spec).
    assert.ok((JSON.parse(ok.body) as ValidateResponse).objects[0]!.errors.length > 0);
  });
});
