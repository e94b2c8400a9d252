// applyToHTTPSOptions against a real loopback TLS server that requires a client certificate: a
// throwaway CA, server and client certificate are made with openssl at test time (nothing
// committed). Covers *-data and file forms, tls-server-name, and proxy-url through a CONNECT proxy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { KubeConfig } from './kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'kuray-kctls-'));
test.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** CA → server cert for DNS:kuray-test only (so the request works only with tls-server-name) and a client cert. */
function makePki(): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=kuray-test-ca',
    '-days',
    '1',
  );
  for (const [name, ext] of [
    ['server', 'subjectAltName=DNS:kuray-test\nextendedKeyUsage=serverAuth\n'],
    ['client', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=kuray-${name}`);
    const sign = ['-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1'];
    openssl('x509', '-req', '-in', `${name}.csr`, ...sign, '-out', `${name}.crt`, '-extfile', `${name}.ext`);
  }
}
makePki();
const pem = (name: string): string => readFileSync(join(dir, name), 'utf8');
const b64 = (name: string): string => Buffer.from(pem(name)).toString('base64');

/** A TLS server that requires a client certificate from the CA and answers with the client's CN and Authorization. */
async function tlsServer(): Promise<{ port: number; close(): Promise<void> }> {
  const srv = https.createServer(
    {
      key: pem('server.key'),
      cert: pem('server.crt'),
      ca: pem('ca.crt'),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      if (!(req.socket instanceof TLSSocket)) throw new Error('not TLS');
      const peer = req.socket.getPeerCertificate();
      res.end(JSON.stringify({ cn: peer.subject?.CN, authorization: req.headers.authorization ?? null }));
    },
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as AddressInfo).port,
    close: () =>
      new Promise((r) =>
        srv.close(() => {
          r();
        }),
      ),
  };
}

function get(kc: KubeConfig, port: number): Promise<{ cn: string; authorization: string | null }> {
  return new Promise((resolve, reject) => {
    const opts: https.RequestOptions = {};
    kc.applyToHTTPSOptions(opts).then(() => {
      const req = https.request(
        { ...opts, host: '127.0.0.1', port, path: '/', agent: opts.agent ?? false },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => {
            resolve(JSON.parse(body) as { cn: string; authorization: string | null });
          });
        },
      );
      req.on('error', reject);
      req.end();
    }, reject);
  });
}

const config = (cluster: string, user: string): string => `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: https://127.0.0.1:1, ${cluster} } }]
users: [{ name: u, user: { ${user} } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;

test('client certificate and CA as *-data: a real mTLS server accepts the request', async () => {
  const srv = await tlsServer();
  try {
    const kc = new KubeConfig();
    kc.loadFromString(
      config(
        `certificate-authority-data: ${b64('ca.crt')}, tls-server-name: kuray-test`,
        `client-certificate-data: ${b64('client.crt')}, client-key-data: ${b64('client.key')}, token: abc`,
      ),
    );
    assert.deepEqual(await get(kc, srv.port), { cn: 'kuray-client', authorization: 'Bearer abc' });
  } finally {
    await srv.close();
  }
});

test('certificate files relative to the kubeconfig; without tls-server-name or without a client cert it fails', async () => {
  const srv = await tlsServer();
  try {
    const path = join(dir, 'kubeconfig');
    writeFileSync(
      path,
      config(
        'certificate-authority: ca.crt, tls-server-name: kuray-test',
        'client-certificate: client.crt, client-key: ./client.key',
      ),
    );
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    assert.deepEqual(await get(kc, srv.port), { cn: 'kuray-client', authorization: null });

    // The certificate names kuray-test, not 127.0.0.1: verification is on and uses tls-server-name.
    writeFileSync(
      path,
      config('certificate-authority: ca.crt', 'client-certificate: client.crt, client-key: client.key'),
    );
    kc.loadFromFile(path);
    await assert.rejects(get(kc, srv.port), /kuray-test|altnames|ERR_TLS_CERT_ALTNAME_INVALID/);

    // No client certificate: the server's requestCert + rejectUnauthorized ends the handshake.
    writeFileSync(path, config('certificate-authority: ca.crt, tls-server-name: kuray-test', 'token: t'));
    kc.loadFromFile(path);
    await assert.rejects(get(kc, srv.port), /certificate required/);

    writeFileSync(path, config('certificate-authority: missing.crt', 'token: t'));
    kc.loadFromFile(path);
    await assert.rejects(
      get(kc, srv.port),
      new RegExp(`kubeconfig ${path}: cluster "c" certificate-authority ${join(dir, 'missing.crt')}: ENOENT`),
    );
  } finally {
    await srv.close();
  }
});

test('proxy-url: the request tunnels through an HTTP CONNECT proxy', async () => {
  const srv = await tlsServer();
  const connects: string[] = [];
  const proxy = http.createServer();
  proxy.on('connect', (req: http.IncomingMessage, sock: net.Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const up = net.connect(Number(port), host, () => {
      sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(sock);
      sock.pipe(up);
    });
    up.on('error', () => sock.destroy());
    sock.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  try {
    const proxyPort = (proxy.address() as AddressInfo).port;
    const kc = new KubeConfig();
    kc.loadFromString(
      config(
        `certificate-authority-data: ${b64('ca.crt')}, tls-server-name: kuray-test, proxy-url: http://127.0.0.1:${proxyPort}`,
        `client-certificate-data: ${b64('client.crt')}, client-key-data: ${b64('client.key')}`,
      ),
    );
    assert.deepEqual(await get(kc, srv.port), { cn: 'kuray-client', authorization: null });
    assert.deepEqual(connects, [`127.0.0.1:${srv.port}`]);

    kc.loadFromString(config('proxy-url: socks5://127.0.0.1:1080', 'token: t'));
    await assert.rejects(
      get(kc, srv.port),
      /proxy-url socks5:\/\/127\.0\.0\.1:1080: only http:\/\/ and https:\/\/ proxies/,
    );
  } finally {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
    await srv.close();
  }
});
