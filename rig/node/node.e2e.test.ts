// The local node against a real control plane (the `real` rig), with plain shell pods: env from
// the downward API / Secrets / ConfigMaps, restartPolicy and crash backoff, readiness from an HTTP
// probe, liveness restarts, `kubectl logs`, Service names resolving to pod loopback IPs, deletion
// within the grace period.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newNamespace, type Rig } from '../testing.ts';
import { until } from '../../src/testing/wait.ts';
import { execIn, getJson, isReady, realRig } from './testing.ts';
import { groupAlive } from './procs.ts';
import type { Pod } from './types.ts';

const py = (code: string) => ['python3', '-c', code];

describe('local node (real rig, shell pods)', { timeout: 600_000 }, () => {
  let rig: Rig;
  let ns: string;

  before(async () => {
    rig = await realRig();
    ns = await newNamespace(rig, 'e2e-node');
  });
  after(async () => {
    await rig?.stop();
  });

  const create = async (obj: unknown) => {
    const r = await rig.kubectl(['create', '-f', '-'], { input: JSON.stringify(obj) });
    assert.equal(r.code, 0, r.stderr);
  };
  const pod = (name: string) => getJson<Pod>(rig, ['get', 'pod', name, '-n', ns]);

  it('resolves env (fieldRef, secretKeyRef, configMapKeyRef, $(VAR)), runs init containers first, serves logs', async () => {
    await create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: ns },
      stringData: { pw: 'hunter2' },
    });
    await create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', namespace: ns },
      data: { mode: 'fast' },
    });
    await create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'env', namespace: ns, labels: { app: 'env' } },
      spec: {
        restartPolicy: 'Never',
        initContainers: [
          { name: 'init', image: 'busybox', command: ['sh', '-c', 'echo init-ran > "$TMPDIR/marker"'] },
        ],
        containers: [
          {
            name: 'main',
            image: 'busybox',
            command: ['sh', '-c'],
            args: ['cat "$TMPDIR/marker"; echo "ip=$(IP) addr=$ADDR pw=$PW mode=$MODE app=$APP ns=$NS"'],
            env: [
              { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'ADDR', value: '$(IP):6379' },
              { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'pw' } } },
              { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cm', key: 'mode' } } },
              { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
              { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            ],
          },
        ],
      },
    });
    const done = await until(
      'pod env Succeeded',
      async () => ((await pod('env')).status?.phase === 'Succeeded' ? pod('env') : undefined),
      {
        timeoutMs: 60_000,
      },
    );
    const ip = done.status!.podIP!;
    assert.match(ip, /^127\.\d+\.\d+\.\d+$/);
    assert.notEqual(ip, '127.0.0.1');
    assert.equal(done.status!.initContainerStatuses![0]!.state.terminated!.exitCode, 0);
    assert.equal(done.status!.containerStatuses![0]!.state.terminated!.reason, 'Completed');
    const logs = await rig.kubectl(['logs', 'env', '-n', ns, '-c', 'main']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, `init-ran\nip=${ip} addr=${ip}:6379 pw=hunter2 mode=fast app=env ns=${ns}\n`);
  });

  it('volumes: a ConfigMap, a Secret subPath and an emptyDir shared by init and main containers appear at their mountPaths', async () => {
    await create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'code', namespace: ns },
      data: {
        'sample_code.py': 'import os\nprint("from-configmap", sorted(os.listdir("/home/ray/samples")))\n',
      },
    });
    await create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'vols', namespace: ns },
      spec: {
        restartPolicy: 'Never',
        volumes: [
          { name: 'code', configMap: { name: 'code' } },
          { name: 'creds', secret: { secretName: 's' } },
          { name: 'scratch', emptyDir: {} },
        ],
        initContainers: [
          {
            name: 'init',
            image: 'busybox',
            command: ['sh', '-c', 'echo from-init > /scratch/handoff'],
            volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
          },
        ],
        containers: [
          {
            name: 'main',
            image: 'busybox',
            command: ['sh', '-c'],
            args: [
              'python3 /home/ray/samples/sample_code.py; cat /scratch/handoff; echo "pw=$(cat /etc/pw)"',
            ],
            volumeMounts: [
              { name: 'code', mountPath: '/home/ray/samples', readOnly: true },
              { name: 'creds', mountPath: '/etc/pw', subPath: 'pw' },
              { name: 'scratch', mountPath: '/scratch' },
            ],
          },
        ],
      },
    });
    await until(
      'pod vols Succeeded',
      async () => ((await pod('vols')).status?.phase === 'Succeeded' ? true : undefined),
      {
        timeoutMs: 60_000,
        describe: async () => JSON.stringify((await pod('vols')).status),
      },
    );
    const logs = await rig.kubectl(['logs', 'vols', '-c', 'main', '-n', ns]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, "from-configmap ['sample_code.py']\nfrom-init\npw=hunter2\n");
  });

  it('restartPolicy: OnFailure restarts a failing container with backoff; Never reports Failed with the exit code', async () => {
    const spec = (name: string, restartPolicy: string, script: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns },
      spec: { restartPolicy, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', script] }] },
    });
    // Fails the first time (no marker yet), succeeds the second: one restart, then Succeeded.
    await create(
      spec(
        'retry',
        'OnFailure',
        'if [ -e /tmp/kuray-retry-$(POD) ]; then exit 0; fi; touch /tmp/kuray-retry-$(POD); exit 3'.replaceAll(
          '$(POD)',
          ns,
        ),
      ),
    );
    await create(spec('fail', 'Never', 'echo bye; exit 7'));
    const retry = await until(
      'retry Succeeded',
      async () => {
        const p = await pod('retry');
        return p.status?.phase === 'Succeeded' ? p : undefined;
      },
      { timeoutMs: 90_000 },
    );
    assert.equal(retry.status!.containerStatuses![0]!.restartCount, 1);
    assert.equal(retry.status!.containerStatuses![0]!.lastState.terminated!.exitCode, 3);
    const fail = await until(
      'fail Failed',
      async () => {
        const p = await pod('fail');
        return p.status?.phase === 'Failed' ? p : undefined;
      },
      { timeoutMs: 60_000 },
    );
    assert.equal(fail.status!.containerStatuses![0]!.state.terminated!.exitCode, 7);
    assert.equal(fail.status!.containerStatuses![0]!.restartCount, 0);
  });

  it('readiness follows an HTTP probe; a Service name resolves to the pod IP; liveness failure restarts', async () => {
    // Serves /healthz on port 8080 of the pod IP only once /tmp/<ns>-ready exists.
    const server = `
import http.server, os, socketserver
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = os.path.exists("/tmp/${ns}-ready")
        self.send_response(200 if ok else 503); self.end_headers(); self.wfile.write(b"ok" if ok else b"no")
    def log_message(self, *a): pass
socketserver.TCPServer.allow_reuse_address = True
socketserver.TCPServer(("0.0.0.0", 8080), H).serve_forever()
`;
    await create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ port: 8080 }] },
    });
    await create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: ns, labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'python',
            command: py(server),
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: {
              httpGet: { path: '/healthz', port: 'http' },
              periodSeconds: 1,
              failureThreshold: 1,
            },
            // The liveness command removes itself from the picture once /tmp/<ns>-kill exists.
            livenessProbe: {
              exec: { command: ['sh', '-c', `test ! -e /tmp/${ns}-kill`] },
              periodSeconds: 1,
              failureThreshold: 2,
            },
          },
        ],
      },
    });
    const running = await until(
      'web Running',
      async () => {
        const p = await pod('web');
        return p.status?.containerStatuses?.[0]?.state.running ? p : undefined;
      },
      { timeoutMs: 60_000 },
    );
    // Running but not ready while the probe answers 503.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(isReady(await pod('web')), false, 'not Ready while /healthz answers 503');
    const { writeFileSync, rmSync } = await import('node:fs');
    writeFileSync(`/tmp/${ns}-ready`, '');
    try {
      await until('web Ready', async () => isReady(await pod('web')), { timeoutMs: 30_000 });
      // Another pod reaches it through the Service name (hosts file + netshim getaddrinfo).
      const client = await execIn(
        rig,
        ns,
        'web',
        'web',
        py(
          `import socket, urllib.request; print(socket.gethostbyname("web.${ns}.svc.cluster.local"), socket.gethostbyname("web"), urllib.request.urlopen("http://web.${ns}.svc:8080/healthz").read().decode())`,
        ),
      );
      assert.equal(client.code, 0, client.stderr);
      const ip = running.status!.podIP!;
      assert.equal(client.stdout.trim(), `${ip} ${ip} ok`);
      // The server bound 0.0.0.0: the node's netshim moved it onto the pod IP, off 127.0.0.1.
      const lo = await execIn(rig, ns, 'web', 'web', ['sh', '-c', 'ss -ltn | grep ":8080 "']);
      assert.match(lo.stdout, new RegExp(`${ip.replaceAll('.', '\\.')}:8080`));
      assert.doesNotMatch(lo.stdout, /0\.0\.0\.0:8080/);

      writeFileSync(`/tmp/${ns}-kill`, '');
      const restarted = await until(
        'web restarted by its liveness probe',
        async () => {
          const p = await pod('web');
          return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined;
        },
        { timeoutMs: 60_000 },
      );
      assert.ok(restarted.status!.containerStatuses![0]!.lastState.terminated);
      rmSync(`/tmp/${ns}-kill`);
      await until('web Ready again', async () => isReady(await pod('web')), { timeoutMs: 60_000 });
      const prev = await rig.kubectl(['logs', 'web', '-n', ns, '--previous']);
      assert.equal(prev.code, 0, prev.stderr);
    } finally {
      rmSync(`/tmp/${ns}-ready`, { force: true });
      rmSync(`/tmp/${ns}-kill`, { force: true });
    }
  });

  it('deletion: SIGTERM to the process group, SIGKILL after the grace period, then the pod is gone', async () => {
    await create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stubborn', namespace: ns },
      spec: {
        terminationGracePeriodSeconds: 2,
        containers: [
          {
            name: 'c',
            image: 'busybox',
            command: ['sh', '-c', 'trap "" TERM; sleep 1000 & wait; sleep 1000'],
          },
        ],
      },
    });
    await until(
      'stubborn Running',
      async () => (await pod('stubborn')).status?.containerStatuses?.[0]?.state.running !== undefined,
      {
        timeoutMs: 60_000,
      },
    );
    const { readFileSync } = await import('node:fs');
    const { nodeStateDir } = await import('./exec.ts');
    const pgid = Number(readFileSync(`${nodeStateDir(rig.dir)}/pods/${ns}_stubborn/c/pid`, 'utf8'));
    const r = await rig.kubectl(['delete', 'pod', 'stubborn', '-n', ns, '--wait=true', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    // Zombies do not count: orphans are reparented to PID 1, which may never reap them.
    const alive = groupAlive(pgid);
    assert.equal(alive, false, 'every process of the container is gone');
  });
});
