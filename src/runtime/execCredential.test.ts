// Exec credential plugins through KubeConfig: real `sh` plugins in a temp dir, a settable clock for
// expiry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutgoingHttpHeaders } from 'node:http';
import type { RequestOptions } from 'node:https';
import { KubeConfig } from './kubeconfig.ts';
import { json, scriptedServer } from './testutil.ts';
import { KubeClient } from './transport.ts';
import { newRegistry } from './metrics.ts';

const dir = mkdtempSync(join(tmpdir(), 'kuray-exec-'));
test.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A plugin that counts its runs, saves its KUBERNETES_EXEC_INFO and $GREETING, prints `status`. */
function plugin(name: string, status: object, exit = 0): string {
  const path = join(dir, name);
  writeFileSync(`${path}.json`, JSON.stringify({ apiVersion: '__API__', kind: 'ExecCredential', status }));
  writeFileSync(
    path,
    `#!/bin/sh
n=$(cat "$0.count" 2>/dev/null || echo 0); echo $((n+1)) > "$0.count"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$0.info"
printf '%s' "$GREETING" > "$0.env"
if [ ${exit} -ne 0 ]; then echo "no credentials for you" >&2; exit ${exit}; fi
sed -e "s#__API__#$API#" -e "s#__N__#$((n+1))#" "$0.json"
`,
  );
  chmodSync(path, 0o755);
  return path;
}

const runs = (path: string): number => Number(readFileSync(`${path}.count`, 'utf8').trim());

function execConfig(command: string, opts: { api?: string; args?: string[]; extra?: string } = {}): string {
  const api = opts.api ?? 'client.authentication.k8s.io/v1';
  return `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: { server: https://127.0.0.1:6443, certificate-authority-data: ${Buffer.from('CA PEM').toString('base64')} }
users:
- name: u
  user:
    exec:
      apiVersion: ${api}
      command: ${command}
      args: ${JSON.stringify(opts.args ?? [])}
      env: [{ name: API, value: ${api} }, { name: GREETING, value: hello }]
      interactiveMode: Never
      provideClusterInfo: true
${opts.extra ?? ''}
contexts:
- { name: x, context: { cluster: c, user: u } }
current-context: x
`;
}

async function apply(kc: KubeConfig): Promise<RequestOptions & { headers: OutgoingHttpHeaders }> {
  const o: RequestOptions = {};
  await kc.applyToHTTPSOptions(o);
  return o as RequestOptions & { headers: OutgoingHttpHeaders };
}

test('exec plugin: token with env and KUBERNETES_EXEC_INFO, cached until expirationTimestamp', async () => {
  const cmd = plugin('token.sh', { token: 'tok', expirationTimestamp: '2030-01-01T00:00:00Z' });
  let now = Date.parse('2029-12-31T23:00:00Z');
  const kc = new KubeConfig({ now: () => now });
  kc.loadFromString(execConfig(cmd));
  const [a, b] = await Promise.all([apply(kc), apply(kc)]); // concurrent callers share one run
  assert.equal(a.headers.Authorization, 'Bearer tok');
  assert.equal(b.headers.Authorization, 'Bearer tok');
  assert.equal(runs(cmd), 1);
  assert.equal(readFileSync(`${cmd}.env`, 'utf8'), 'hello');
  assert.deepEqual(JSON.parse(readFileSync(`${cmd}.info`, 'utf8')), {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    spec: {
      interactive: false,
      cluster: {
        server: 'https://127.0.0.1:6443',
        'certificate-authority-data': Buffer.from('CA PEM').toString('base64'),
      },
    },
  });
  now = Date.parse('2029-12-31T23:59:59Z');
  await apply(kc);
  assert.equal(runs(cmd), 1, 'still valid: no re-exec');
  now = Date.parse('2030-01-01T00:00:01Z');
  assert.equal((await apply(kc)).headers.Authorization, 'Bearer tok');
  assert.equal(runs(cmd), 2, 'expired: re-exec');
  kc.invalidateCredentials();
  await apply(kc);
  assert.equal(runs(cmd), 3, 'invalidated: re-exec');
});

test('exec plugin v1beta1 with a client certificate; no expiry means cached for good', async () => {
  const cmd = plugin('cert.sh', {
    clientCertificateData: '-----BEGIN CERTIFICATE-----\nC\n',
    clientKeyData: '-----BEGIN PRIVATE KEY-----\nK\n',
  });
  const kc = new KubeConfig({ now: () => Date.parse('2999-01-01T00:00:00Z') });
  kc.loadFromString(execConfig(cmd, { api: 'client.authentication.k8s.io/v1beta1' }));
  const o = await apply(kc);
  assert.equal((o.cert as Buffer).toString(), '-----BEGIN CERTIFICATE-----\nC\n');
  assert.equal((o.key as Buffer).toString(), '-----BEGIN PRIVATE KEY-----\nK\n');
  assert.equal(o.headers.Authorization, undefined);
  await apply(kc);
  assert.equal(runs(cmd), 1);
  assert.equal(
    (JSON.parse(readFileSync(`${cmd}.info`, 'utf8')) as { apiVersion: string }).apiVersion,
    'client.authentication.k8s.io/v1beta1',
  );
});

test('a static token in the kubeconfig wins over the plugin token (client-go)', async () => {
  const cmd = plugin('static.sh', { token: 'from-plugin' });
  const kc = new KubeConfig();
  kc.loadFromString(execConfig(cmd, { extra: '    token: static' }));
  assert.equal((await apply(kc)).headers.Authorization, 'Bearer static');
});

test('exec plugin failures name the command and say why', async () => {
  const failing = plugin('fail.sh', {}, 3);
  const kc = new KubeConfig();
  kc.loadFromString(execConfig(failing, { args: ['get-token', '--x'] }));
  await assert.rejects(apply(kc), (e: Error) => {
    assert.match(e.message, /exec plugin ".*fail\.sh get-token --x" exited with 3: no credentials for you/);
    return true;
  });

  const missing = join(dir, 'no-such-plugin');
  const kc2 = new KubeConfig();
  kc2.loadFromString(
    execConfig(missing).replace(
      'interactiveMode: Never',
      'interactiveMode: Never\n      installHint: install it with brew',
    ),
  );
  await assert.rejects(
    apply(kc2),
    /exec plugin ".*no-such-plugin": could not run: .*ENOENT[^]*install it with brew/,
  );

  const wrongVersion = plugin('wrong.sh', { token: 't' });
  const kc3 = new KubeConfig();
  kc3.loadFromString(
    execConfig(wrongVersion).replace(
      '{ name: API, value: client.authentication.k8s.io/v1 }',
      '{ name: API, value: v9 }',
    ),
  );
  await assert.rejects(
    apply(kc3),
    /returned apiVersion "v9", but the kubeconfig asks for client.authentication.k8s.io\/v1/,
  );

  const empty = plugin('empty.sh', {});
  const kc4 = new KubeConfig();
  kc4.loadFromString(execConfig(empty));
  await assert.rejects(apply(kc4), /returned neither status.token nor a client certificate/);
});

test('exec stanzas client-go rejects fail at load', () => {
  const kc = new KubeConfig();
  assert.throws(() => {
    kc.loadFromString(execConfig('/bin/true').replace('      interactiveMode: Never\n', ''));
  }, /kubeconfig <string>: users\[u\]\.user\.exec\.interactiveMode must be set for client\.authentication\.k8s\.io\/v1/);
  assert.throws(() => {
    kc.loadFromString(execConfig('/bin/true', { api: 'client.authentication.k8s.io/v1alpha1' }));
  }, /exec\.apiVersion is "client\.authentication\.k8s\.io\/v1alpha1": use one of client\.authentication\.k8s\.io\/v1, /);
  assert.throws(() => {
    kc.loadFromString(execConfig('/bin/true').replace('interactiveMode: Never', 'interactiveMode: Always'));
  }, /interactiveMode is Always but Kuray runs without a terminal/);
});

test('a 401 from the API server makes the next request re-run the plugin (client-go)', async () => {
  const cmd = plugin('rotating.sh', { token: 'tok-__N__' });
  const seen: (string | undefined)[] = [];
  const srv = await scriptedServer([
    (req, res) => {
      seen.push(req.headers.authorization);
      json(res, 401, { kind: 'Status', reason: 'Unauthorized', code: 401 });
    },
    (req, res) => {
      seen.push(req.headers.authorization);
      json(res, 200, { kind: 'APIVersions' });
    },
  ]);
  const kc = new KubeConfig();
  kc.loadFromString(execConfig(cmd).replace('https://127.0.0.1:6443', `http://127.0.0.1:${srv.port}`));
  const client = new KubeClient(kc, { registry: newRegistry() });
  try {
    await assert.rejects(client.request('GET', '/api'), { status: 401 });
    assert.deepEqual(await client.request('GET', '/api'), { kind: 'APIVersions' });
    assert.deepEqual(seen, ['Bearer tok-1', 'Bearer tok-2']);
    assert.equal(runs(cmd), 2);
  } finally {
    client.close();
    await srv.close();
  }
});
