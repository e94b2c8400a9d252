// Rig lifecycle: rigs side by side, `rig up`/`down` leaving nothing behind, and faults (port in
// use, a component that exits at start, a crashed owner, stale state) giving clear errors with the
// component's log and no leftover process.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { RigStartError, startRig, type Rig } from './harness.ts';
import { groupAlive, isAlive, startProc } from './proc.ts';
import { portInUse } from './ports.ts';
import { rigDirOf, writeState, type RigState } from './state.ts';
import { repoRoot } from './versions.ts';
import { portList } from './components.ts';

const run = promisify(execFile);
const node = process.execPath;
const cli = join(repoRoot, 'rig', 'cli.ts');
const quiet = (): void => undefined;

async function allGone(pids: number[], ports: number[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (pids.some(groupAlive) && Date.now() < deadline) await sleep(100);
  assert.deepEqual(pids.filter(groupAlive), [], 'every started process is gone');
  for (const p of ports) assert.equal(await portInUse(p), false, `port ${p} is free`);
}

describe('rig lifecycle', () => {
  test('two rigs run side by side with their own ports and API; stop leaves no process or port', async () => {
    const rigs: Rig[] = await Promise.all([
      startRig({ name: `side-a-${process.pid}`, profile: 'none', crdDir: false, log: quiet }),
      startRig({ name: `side-b-${process.pid}`, profile: 'none', crdDir: false, log: quiet }),
    ]);
    try {
      const [a, b] = rigs as [Rig, Rig];
      assert.notEqual(a.server, b.server);
      const portsA = portList(a.ports());
      const portsB = portList(b.ports());
      assert.equal(new Set([...portsA, ...portsB]).size, portsA.length + portsB.length);
      // Same object name, different clusters: each apiserver has its own etcd.
      assert.equal((await a.kubectl(['create', 'namespace', 'only-in-a'])).code, 0);
      assert.match((await b.kubectl(['get', 'namespace', 'only-in-a'])).stderr, /NotFound/);
      const v = JSON.parse((await a.kubectl(['version', '-o', 'json'])).stdout) as {
        serverVersion: { gitVersion: string };
      };
      assert.match(v.serverVersion.gitVersion, /^v1\.36\.\d+$/);
      // restartApiserver: a new process on the same port, same data (etcd keeps it).
      const before = a.pids()['kube-apiserver'];
      await a.restartApiserver();
      assert.notEqual(a.pids()['kube-apiserver'], before);
      assert.equal(groupAlive(before!), false);
      assert.equal(
        (await a.kubectl(['get', 'namespace', 'only-in-a', '-o', 'name'])).stdout.trim(),
        'namespace/only-in-a',
      );
    } finally {
      const pids = rigs.flatMap((r) => Object.values(r.pids()));
      const ports = rigs.flatMap((r) => portList(r.ports()));
      const dirs = rigs.map((r) => r.dir);
      await Promise.all(rigs.map((r) => r.stop()));
      await allGone(pids, ports);
      for (const d of dirs) assert.equal(existsSync(d), false);
    }
  });

  test('`rig up` survives the command, kubectl sees the fake nodes, `rig down` leaves nothing', async () => {
    const name = `cli-${process.pid}`;
    const up = await run(node, [cli, 'up', '--name', name, '--no-crds'], {
      cwd: repoRoot,
      maxBuffer: 1 << 20,
    });
    const kubeconfig = /export KUBECONFIG="([^"]+)"/.exec(up.stdout)?.[1];
    assert.ok(kubeconfig, up.stdout);
    const state = JSON.parse(
      (
        await run(node, [
          '-e',
          `process.stdout.write(require('fs').readFileSync(${JSON.stringify(join(rigDirOf(name), 'state.json'))}, 'utf8'))`,
        ])
      ).stdout,
    ) as RigState;
    const pids = Object.values(state.processes).map((p) => p.pid);
    const ports = portList(state.ports);
    try {
      assert.equal(state.ownerPid, 0);
      assert.ok(pids.every(groupAlive), 'the rig outlives `rig up`');
      const nodes = await run(state.binaries.kubectl, ['get', 'nodes', '-o', 'name'], {
        env: { ...process.env, KUBECONFIG: kubeconfig },
      });
      assert.match(nodes.stdout, /node\/g5-xlarge-0/);
      const status = await run(node, [cli, 'status', '--name', name], { cwd: repoRoot });
      assert.match(status.stdout, /kube-apiserver\s+pid \d+\s+port \d+\s+running/);
      // A second rig with the same name is refused while the first runs.
      await assert.rejects(startRig({ name, profile: 'none', crdDir: false, log: quiet }), /already running/);
    } finally {
      await run(node, [cli, 'down', '--name', name], { cwd: repoRoot });
    }
    await allGone(pids, ports);
    assert.equal(existsSync(rigDirOf(name)), false);
  });

  test('a port in use: clear error naming the component with its log, nothing left running', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const err = await startRig({
        profile: 'none',
        crdDir: false,
        ports: { apiserver: port },
        log: quiet,
      }).then(
        () => assert.fail('started despite the port conflict'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof RigStartError);
      assert.match(err.message, /kube-apiserver exited during startup/);
      assert.match(err.message, /address already in use/);
      assert.ok(err.pids.etcd && err.pids['kube-apiserver']);
      await allGone(
        Object.values(err.pids),
        portList(err.ports!).filter((p) => p !== port),
      );
    } finally {
      blocker.close();
    }
  });

  test('a component that exits at start: its own error lines are in the message, nothing left running', async () => {
    const err = await startRig({
      profile: 'none',
      crdDir: false,
      extraArgs: { 'kube-scheduler': ['--no-such-flag'] },
      log: quiet,
    }).then(
      () => assert.fail('started with a bad flag'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof RigStartError);
    assert.match(err.message, /kube-scheduler exited during startup/);
    assert.match(err.message, /unknown flag: --no-such-flag/);
    assert.deepEqual(Object.keys(err.pids), [
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
    ]);
    await allGone(Object.values(err.pids), portList(err.ports!));
  });

  test('a rig whose owner is SIGKILLed is reaped', async () => {
    const name = `crash-${process.pid}`;
    const script =
      `import { startRig } from ${JSON.stringify(join(repoRoot, 'rig', 'harness.ts'))};` +
      `const r = await startRig({ name: ${JSON.stringify(name)}, profile: 'none', crdDir: false, log: () => {} });` +
      `process.stdout.write(JSON.stringify(r.pids()) + '\\n'); setInterval(() => {}, 1000);`;
    const child = spawn(node, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', (code) => {
        reject(new Error(`rig owner exited early (${code})`));
      });
    });
    const pids = Object.values(JSON.parse(line) as Record<string, number>);
    assert.ok(pids.every(groupAlive));
    child.kill('SIGKILL');
    await allGone(pids, []);
    const deadline = Date.now() + 10_000;
    while (existsSync(rigDirOf(name)) && Date.now() < deadline) await sleep(100);
    assert.equal(existsSync(rigDirOf(name)), false);
  });

  test('stale state from a crashed run is cleaned up on the next start', async () => {
    const name = `stale-${process.pid}`;
    const dir = rigDirOf(name);
    mkdirSync(join(dir, 'logs'), { recursive: true });
    // A leftover "component" and an owner PID that no longer exists (a finished child).
    const leftover = startProc({
      name: 'leftover',
      command: 'sleep',
      args: ['300'],
      log: join(dir, 'logs', 'x.log'),
    });
    const dead = spawn('true');
    await new Promise((resolve) => dead.on('exit', resolve));
    const stale: RigState = {
      version: 1,
      name,
      dir,
      profile: 'none',
      createdAt: new Date().toISOString(),
      ownerPid: dead.pid!,
      server: 'https://127.0.0.1:1',
      kubeconfigPath: join(dir, 'kubeconfig'),
      ports: { etcdClient: 1, etcdPeer: 2, apiserver: 3, controllerManager: 4, scheduler: 5, kwok: 6 },
      binaries: {} as RigState['binaries'],
      processes: {
        leftover: { pid: leftover, command: 'sleep', args: ['300'], log: join(dir, 'logs', 'x.log') },
      },
      ready: true,
    };
    writeState(stale);
    writeFileSync(join(dir, 'marker'), 'old');
    const msgs: string[] = [];
    const rig = await startRig({ name, profile: 'none', crdDir: false, log: (m) => msgs.push(m) });
    try {
      assert.equal(isAlive(leftover), false, 'the leftover process was killed');
      assert.equal(existsSync(join(dir, 'marker')), false, 'the old state was removed');
      assert.ok(
        msgs.some((m) => m.includes(`removed stale rig ${name}`) || m.includes(`stale state of ${name}`)),
        msgs.join('\n'),
      );
    } finally {
      await rig.stop();
    }
  });
});
