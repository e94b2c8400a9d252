// Kubeconfig loading (files, $KUBECONFIG merge, in-cluster), token/basic/impersonation headers,
// token-file rotation with a settable clock, and the errors a user gets for a broken kubeconfig.
// TLS material against a real TLS server: kubeconfig.tls.test.ts; exec plugins: execCredential.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import type { OutgoingHttpHeaders } from 'node:http';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from './kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'kuray-kubeconfig-'));
test.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(rel: string, text: string): string {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

async function apply(kc: KubeConfig): Promise<RequestOptions & { headers: OutgoingHttpHeaders }> {
  const o: RequestOptions = {};
  await kc.applyToHTTPSOptions(o);
  return o as RequestOptions & { headers: OutgoingHttpHeaders };
}

const oneUser = (user: string, cluster = 'server: https://127.0.0.1:6443') => `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { ${cluster} } }]
users: [{ name: u, user: { ${user} } }]
contexts: [{ name: x, context: { cluster: c, user: u, namespace: team-a } }]
current-context: x
`;

test('loads a file: current cluster, user and context with client-node field names', () => {
  const kc = new KubeConfig();
  kc.loadFromFile(
    file(
      'plain/config',
      oneUser(
        'token: abc',
        'server: https://k.example:6443, tls-server-name: api.k, proxy-url: http://proxy:3128',
      ),
    ),
  );
  assert.equal(kc.getCurrentContext(), 'x');
  assert.deepEqual(
    { ...kc.getCurrentCluster() },
    {
      name: 'c',
      server: 'https://k.example:6443',
      caData: undefined,
      caFile: undefined,
      skipTLSVerify: false,
      tlsServerName: 'api.k',
      proxyUrl: 'http://proxy:3128',
    },
  );
  assert.equal(kc.getCurrentUser()?.token, 'abc');
  assert.equal(kc.getContextObject(kc.getCurrentContext())?.namespace, 'team-a');
  assert.equal(kc.getCurrentNamespace(), 'team-a');
});

test('relative certificate, key and token paths resolve against the kubeconfig directory', () => {
  const kc = new KubeConfig();
  kc.loadFromFile(
    file(
      'rel/sub/config',
      oneUser(
        'client-certificate: pki/c.crt, client-key: ../k.key, tokenFile: /abs/token',
        'server: https://h:1, certificate-authority: ca.crt',
      ),
    ),
  );
  assert.equal(kc.getCurrentCluster()?.caFile, join(dir, 'rel/sub/ca.crt'));
  assert.equal(kc.getCurrentUser()?.certFile, join(dir, 'rel/sub/pki/c.crt'));
  assert.equal(kc.getCurrentUser()?.keyFile, join(dir, 'rel/k.key'));
  assert.equal(kc.getCurrentUser()?.tokenFile, '/abs/token');
});

test('$KUBECONFIG: files merge in order, the first to set a name or current-context wins; missing files are skipped', async () => {
  const a = file(
    'merge/a',
    `clusters: [{ name: shared, cluster: { server: https://from-a:1 } }]
users: [{ name: ua, user: { token: token-a } }]
`,
  );
  const b = file(
    'merge/b/config',
    `current-context: cb
clusters:
- { name: shared, cluster: { server: https://from-b:1 } }
- { name: only-b, cluster: { server: https://only-b:1, certificate-authority: ca.pem } }
users: [{ name: ua, user: { token: token-b } }]
contexts:
- { name: cb, context: { cluster: shared, user: ua } }
- { name: other, context: { cluster: only-b, user: ua } }
`,
  );
  const c = file('merge/c', `current-context: other\n`);
  const kc = new KubeConfig();
  kc.loadFromDefault({ env: { KUBECONFIG: [join(dir, 'merge/missing'), a, '', b, c].join(delimiter) } });
  assert.equal(kc.getCurrentContext(), 'cb', 'b sets current-context first');
  assert.equal(kc.getCurrentCluster()?.server, 'https://from-a:1', 'a defines "shared" first');
  assert.equal((await apply(kc)).headers.Authorization, 'Bearer token-a');
  assert.equal(kc.getCluster('only-b')?.caFile, join(dir, 'merge/b/ca.pem'), 'relative to b');
  kc.setCurrentContext('other');
  assert.equal(kc.getCurrentCluster()?.server, 'https://only-b:1');
});

test('~/.kube/config when $KUBECONFIG is unset', () => {
  file('home/.kube/config', oneUser('token: t', 'server: https://home:1'));
  const kc = new KubeConfig();
  kc.loadFromDefault({ env: {}, homeDir: join(dir, 'home') });
  assert.equal(kc.getCurrentCluster()?.server, 'https://home:1');
});

test('token file: re-read after the refresh interval, last good token kept when the file goes away', async () => {
  const tokenPath = file('rot/token', 'one\n');
  let now = 1_000_000;
  const kc = new KubeConfig({ tokenRefreshMs: 60_000, now: () => now });
  kc.loadFromString(oneUser(`tokenFile: ${tokenPath}, token: fallback`));
  assert.equal((await apply(kc)).headers.Authorization, 'Bearer one');
  writeFileSync(tokenPath, 'two');
  now += 59_000;
  assert.equal((await apply(kc)).headers.Authorization, 'Bearer one', 'cached within the interval');
  now += 1_000;
  assert.equal((await apply(kc)).headers.Authorization, 'Bearer two', 're-read after 60 s');
  unlinkSync(tokenPath);
  now += 120_000;
  assert.equal((await apply(kc)).headers.Authorization, 'Bearer two');

  const kc2 = new KubeConfig();
  kc2.loadFromString(oneUser(`tokenFile: ${join(dir, 'rot/none')}`));
  await assert.rejects(apply(kc2), /kubeconfig <string>: users\[u\]\.user\.tokenFile .*rot\/none: ENOENT/);
});

test('token, basic auth and impersonation headers; TLS verification on unless insecure-skip-tls-verify', async () => {
  const kc = new KubeConfig();
  kc.loadFromString(oneUser('token: abc, as: alice, as-uid: "42", as-groups: [g1, g2]'));
  const o = await apply(kc);
  assert.equal(o.headers.Authorization, 'Bearer abc');
  assert.equal(o.headers['Impersonate-User'], 'alice');
  assert.equal(o.headers['Impersonate-Uid'], '42');
  assert.deepEqual(o.headers['Impersonate-Group'], ['g1', 'g2']);
  assert.equal(o.rejectUnauthorized, true);

  kc.loadFromString(oneUser('username: bob, password: "s3:cret"'));
  assert.equal(
    (await apply(kc)).headers.Authorization,
    `Basic ${Buffer.from('bob:s3:cret').toString('base64')}`,
  );

  const ca = Buffer.from('CA').toString('base64');
  kc.loadFromString(
    oneUser(
      'token: t',
      `server: https://h:1, insecure-skip-tls-verify: true, certificate-authority-data: ${ca}`,
    ),
  );
  const insecure = await apply(kc);
  assert.equal(insecure.rejectUnauthorized, false);
  assert.equal(insecure.ca, undefined);
  assert.equal(kc.getCurrentCluster()?.skipTLSVerify, true);
});

test('in-cluster: service host (IPv6 bracketed), CA and rotating token from the service-account dir, namespace', async () => {
  const sa = join(dir, 'sa');
  file('sa/token', 'sa-token-1');
  file('sa/ca.crt', 'CA PEM');
  file('sa/namespace', 'ray-system\n');
  let now = 0;
  const kc = new KubeConfig({ now: () => now });
  const env = { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' };
  kc.loadFromCluster({ env, serviceAccountDir: sa });
  assert.equal(kc.getCurrentCluster()?.server, 'https://[fd00::1]:443');
  assert.equal(kc.getCurrentCluster()?.caFile, join(sa, 'ca.crt'));
  assert.equal(kc.getCurrentNamespace(), 'ray-system');
  const o = await apply(kc);
  assert.equal(o.headers.Authorization, 'Bearer sa-token-1');
  assert.equal(o.ca?.toString(), 'CA PEM');
  file('sa/token', 'sa-token-2');
  now += 60_000;
  assert.equal((await apply(kc)).headers.Authorization, 'Bearer sa-token-2');

  // The default chain falls through to in-cluster; POD_NAMESPACE wins over the file (client-go).
  const kc2 = new KubeConfig();
  kc2.loadFromDefault({
    env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', POD_NAMESPACE: 'mine' },
    homeDir: join(dir, 'nohome'),
    serviceAccountDir: sa,
  });
  assert.equal(kc2.getCurrentCluster()?.server, 'https://10.96.0.1:443');
  assert.equal(kc2.getCurrentNamespace(), 'mine');

  assert.throws(() => {
    new KubeConfig().loadFromCluster({ env: {} });
  }, /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set/);
  assert.throws(() => {
    new KubeConfig().loadFromCluster({ env, serviceAccountDir: join(dir, 'nosa') });
  }, /in-cluster config: .*nosa\/token does not exist: mount a service-account token/);
});

test('errors name the file, the key and the fix', () => {
  const kc = new KubeConfig();
  const missing = join(dir, 'err/none');
  assert.throws(
    () => {
      kc.loadFromFile(missing);
    },
    {
      message: `kubeconfig ${missing}: file does not exist: check the --kubeconfig flag or $KUBECONFIG`,
    },
  );

  const noCurrent = file('err/nocurrent', oneUser('token: t').replace('current-context: x\n', ''));
  assert.throws(
    () => {
      kc.loadFromFile(noCurrent);
    },
    {
      message: `kubeconfig ${noCurrent}: current-context is not set: run \`kubectl config use-context <name>\` (contexts: x)`,
    },
  );
  const badCurrent = file(
    'err/badcurrent',
    oneUser('token: t').replace('current-context: x', 'current-context: zz'),
  );
  assert.throws(
    () => {
      kc.loadFromFile(badCurrent);
    },
    {
      message: `kubeconfig ${badCurrent}: current-context "zz" names no entry in contexts: fix current-context or add the context (contexts: x)`,
    },
  );
  const badCluster = file(
    'err/badcluster',
    oneUser('token: t').replace('cluster: c, user', 'cluster: b, user'),
  );
  assert.throws(
    () => {
      kc.loadFromFile(badCluster);
    },
    {
      message: `kubeconfig ${badCluster}: context "x" refers to unknown cluster "b": add it under clusters or fix contexts[x].context.cluster`,
    },
  );
  const badUser = file(
    'err/baduser',
    oneUser('token: t').replace('user: u, namespace', 'user: v, namespace'),
  );
  assert.throws(
    () => {
      kc.loadFromFile(badUser);
    },
    {
      message: `kubeconfig ${badUser}: context "x" refers to unknown user "v": add it under users or fix contexts[x].context.user`,
    },
  );
  assert.throws(() => {
    kc.loadFromString(oneUser('token: t', 'certificate-authority: x'));
  }, /cluster "c" has no server: set clusters\[c\]\.cluster\.server/);
  assert.throws(() => {
    kc.loadFromString(oneUser('token: t, username: u'));
  }, /sets both a bearer token and username\/password/);
  assert.throws(
    () => {
      kc.loadFromString(oneUser('auth-provider: { name: gcp }'));
    },
    {
      message:
        'kubeconfig <string>: users[u].user.auth-provider (gcp) is not supported: the legacy gcp/azure/oidc auth providers were removed from client-go; ' +
        'use an exec credential plugin (gke-gcloud-auth-plugin, kubelogin, aws eks get-token) under users[].user.exec',
    },
  );
  assert.throws(() => {
    kc.loadFromString('clusters: [{ cluster: {} }]');
  }, /kubeconfig <string>: clusters\[0\]\.name is missing/);
  assert.throws(() => {
    kc.loadFromString(oneUser('token: 5', 'server: [1]'));
  }, /clusters\[c\]\.cluster\.server must be a string/);
  assert.throws(() => {
    kc.loadFromDefault({ env: { KUBECONFIG: join(dir, 'err/n1') } });
  }, /\$KUBECONFIG=.*err\/n1: none of these files exists/);
  assert.throws(() => {
    kc.loadFromDefault({ env: {}, homeDir: join(dir, 'nohome') });
  }, /no kubeconfig: \$KUBECONFIG is unset, .*nohome\/\.kube\/config does not exist, and this is not a pod/);
  assert.throws(() => {
    kc.setCurrentContext('nope');
  }, /current-context "nope" names no entry in contexts/);
  // A failed load leaves the previous config in place.
  kc.loadFromString(oneUser('token: t'));
  assert.throws(() => {
    kc.loadFromFile(badCluster);
  });
  assert.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
});

test('importing the operator does not load @kubernetes/client-node', () => {
  const run = new URL('../operator/run.ts', import.meta.url).href;
  // The child records every resolved module URL; importing only (the operator is not started).
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.push(r.url); return r; } });
    await import(${JSON.stringify(run)});
    console.log(JSON.stringify(seen));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const seen = JSON.parse(out) as string[];
  assert.ok(
    seen.some((u) => u.endsWith('/src/runtime/kubeconfig.ts')),
    'the hook saw the operator graph',
  );
  assert.deepEqual(
    seen.filter((u) => u.includes('/node_modules/@kubernetes/client-node/')),
    [],
  );
});
