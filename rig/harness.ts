// The rig: a real control plane on 127.0.0.1 — etcd → kube-apiserver → kube-controller-manager →
// kube-scheduler → KWOK — with fake Nodes from a profile and Kuray's CRDs installed.
//
//   const rig = await startRig({ profile: 'default' });
//   await rig.kubectl(['get', 'nodes']);
//   await rig.stop();
//
// Every process runs in its own process group and is stopped by PID. A rig owned by this process is
// also killed when the process exits (normally, by Ctrl-C / SIGTERM, or — through a small reaper
// that watches this PID — when it is SIGKILLed). A crashed run's rig is removed by the next start.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { availableBinaries, ensureBinaries } from './build.ts';
import { componentArgs, componentOrder, layout, type Component, type Ports } from './components.ts';
import { freePorts } from './ports.ts';
import { get } from './http.ts';
import { loadProfile, profileNodes, type Profile } from './profile.ts';
import { ComponentError, isAlive, startProc, stopGroup, tailFile, waitReady } from './proc.ts';
import { writeRigFiles } from './setup.ts';
import {
  anyAlive,
  destroyNow,
  isStale,
  readState,
  rigDirOf,
  statePathOf,
  sweepStaleRigs,
  writeState,
  type ProcState,
  type RigState,
} from './state.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { coreBinaries, repoRoot, type BinaryName } from './versions.ts';
import { metricsApiService, metricsServerManifests, metricsServerSetup } from './metricsServer.ts';

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface Rig {
  readonly name: string;
  readonly dir: string;
  readonly statePath: string;
  readonly kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** KUBECONFIG, KURAY_RIG_STATE, KURAY_RIG_NAME, KURAY_RIG_SERVER, KURAY_RIG_TOKEN, PATH (rig bin first). */
  readonly env: Record<string, string>;
  kubectl(args: readonly string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  stop(): Promise<void>;
  restartApiserver(): Promise<void>;
  /** Component name → PID (also the process group id). */
  pids(): Record<string, number>;
  /** Ports by role, from the state file. */
  ports(): Ports;
}

export interface RigOptions {
  /** 'default' | 'scale' | 'none' | path to a profile file (JSON/YAML). Default 'default'. */
  profile?: string;
  /** Names the state directory kuray-rig-<name>; default unique per call. */
  name?: string;
  /** CRDs to server-side apply; default $KURAY_RIG_CRD_DIR or <repo>/config/crd; false (or "") for none. */
  crdDir?: string | false;
  /** Leave the rig running when this process exits (`rig up`). */
  detached?: boolean;
  /** Fixed ports (tests of port conflicts); the rest are free ports. */
  ports?: Partial<Ports>;
  /** Extra flags per component, appended last (tests of startup failures, tuning). */
  extraArgs?: Partial<Record<Component, readonly string[]>>;
  /** Progress messages; default stderr. */
  log?: (msg: string) => void;
}

export class RigStartError extends Error {
  /** PIDs that were started and have been stopped again, for callers that verify cleanup. */
  readonly pids: Record<string, number>;
  readonly ports: Ports | undefined;
  constructor(message: string, pids: Record<string, number>, ports: Ports | undefined, cause: unknown) {
    super(message, { cause });
    this.name = 'RigStartError';
    this.pids = pids;
    this.ports = ports;
  }
}

const owned = new Map<string, RigState>();
let hooksInstalled = false;
let counter = 0;

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' handlers cannot wait: SIGKILL whatever is still owned.
  process.on('exit', () => {
    for (const s of owned.values()) destroyNow(s);
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      void (async () => {
        // Also wait for stops already under way: the program's own signal handler (the playground's
        // Ctrl-C) may have started rig.stop() first; exiting before it ends SIGKILLs the local node
        // halfway through stopping its pods and leaves Ray processes running.
        await Promise.allSettled([...[...owned.values()].map((s) => stopState(s)), ...stopping]);
        process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
      })();
    });
  }
}

function pidsOf(s: RigState): Record<string, number> {
  return Object.fromEntries(Object.entries(s.processes).map(([k, p]) => [k, p.pid]));
}

const stopping = new Set<Promise<void>>();

function stopState(s: RigState): Promise<void> {
  const p = stopStateNow(s);
  stopping.add(p);
  void p.finally(() => stopping.delete(p)).catch(() => undefined);
  return p;
}

async function stopStateNow(s: RigState): Promise<void> {
  owned.delete(s.dir);
  const names = Object.keys(s.processes).reverse();
  for (const n of names) await stopGroup(s.processes[n]!.pid);
  if (s.reaperPid) await stopGroup(s.reaperPid, 1000);
  if (!process.env.KURAY_RIG_KEEP) rmSync(s.dir, { recursive: true, force: true });
}

/** Reads the admin credentials once; readiness probes and API calls use them. */
function adminTls(dir: string): { ca: string; cert: string; key: string } {
  const l = layout(dir);
  return {
    ca: readFileSync(l.ca, 'utf8'),
    cert: readFileSync(join(l.pki, 'admin.crt'), 'utf8'),
    key: readFileSync(join(l.pki, 'admin.key'), 'utf8'),
  };
}

function probe(c: Component, s: RigState): () => Promise<boolean> {
  const p = s.ports;
  const tls = adminTls(s.dir);
  switch (c) {
    case 'etcd':
      return async () => (await get(`http://127.0.0.1:${p.etcdClient}/health`)).body.includes('"true"');
    case 'kube-apiserver':
      return async () => (await get(`${s.server}/readyz`, tls)).status === 200;
    case 'kube-controller-manager':
      return async () =>
        (await get(`https://127.0.0.1:${p.controllerManager}/healthz`, { insecure: true })).status === 200;
    case 'kube-scheduler':
      return async () =>
        (await get(`https://127.0.0.1:${p.scheduler}/healthz`, { insecure: true })).status === 200;
    case 'kwok':
      return async () => (await get(`https://127.0.0.1:${p.kwok}/healthz`, { ca: tls.ca })).status === 200;
  }
}

async function launch(
  s: RigState,
  name: string,
  proc: ProcState,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  proc.pid = startProc({
    name,
    command: proc.command,
    args: proc.args,
    log: proc.log,
    env: { ...process.env, ...proc.env },
  });
  s.processes[name] = proc;
  writeState(s);
  await waitReady(name, proc.pid, proc.log, check, timeoutMs);
}

/** Watches the owner PID; when it dies without stopping the rig, kills the rig's groups. */
function startReaper(s: RigState): number {
  const script =
    `while kill -0 ${s.ownerPid} 2>/dev/null; do sleep 1; done; ` +
    `for p in $(cat "${s.dir}/pgids" 2>/dev/null); do kill -KILL -$p 2>/dev/null; done; ` +
    `rm -rf "${s.dir}"`;
  return startProc({ name: 'reaper', command: 'sh', args: ['-c', script], log: '/dev/null' });
}

function kubectlRun(
  s: RigState,
  args: readonly string[],
  input?: string,
  timeoutMs = 120_000,
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(s.binaries.kubectl, args, {
      env: { ...process.env, KUBECONFIG: s.kubeconfigPath },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    // kubectl may exit before it reads all of stdin (a fast failure); the write then fails with
    // EPIPE. What went wrong is in its exit code and stderr, reported on close, not in the EPIPE.
    child.stdin.on('error', () => {});
    child.on('close', (code, signal) => {
      resolve({
        stdout,
        stderr: stderr + (signal ? `\n(kubectl killed by ${signal})` : ''),
        code: code ?? 1,
      });
    });
    child.stdin.end(input ?? '');
  });
}

async function kubectlOk(s: RigState, args: readonly string[], input?: string): Promise<string> {
  const r = await kubectlRun(s, args, input);
  if (r.code !== 0)
    throw new Error(`rig: kubectl ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr.trim()}`);
  return r.stdout;
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  logOnTimeout: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline)
      throw new Error(`rig: ${what} not done after ${timeoutMs / 1000}s; ${logOnTimeout}`);
    await sleep(250);
  }
}

async function createNodes(s: RigState, profile: Profile): Promise<void> {
  const nodes = profileNodes(profile);
  if (nodes.length === 0) return;
  await kubectlOk(s, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nodes }));
  const fake = new Set(
    nodes.filter((n) => n.metadata.annotations['kwok.x-k8s.io/node'] === 'fake').map((n) => n.metadata.name),
  );
  const tls = adminTls(s.dir);
  await waitFor(
    `KWOK marking ${fake.size} nodes Ready`,
    async () => {
      const r = await get(`${s.server}/api/v1/nodes`, tls, 10_000);
      const list = JSON.parse(r.body) as {
        items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
      };
      const ready = list.items.filter(
        (n) =>
          fake.has(n.metadata.name) &&
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return ready.length === fake.size;
    },
    120_000,
    `last lines of the kwok log:\n${tailFile(layout(s.dir).log('kwok'))}`,
  );
}

/** metrics-server as a rig process, registered as the metrics.k8s.io APIService. */
async function startMetricsServer(s: RigState, binary: string): Promise<void> {
  const l = layout(s.dir);
  const [port] = await freePorts(1);
  // Its RBAC first: it reads the requestheader CA from kube-system at startup.
  await kubectlOk(
    s,
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: metricsServerManifests(port!, readFileSync(l.ca, 'utf8')),
    }),
  );
  const proc: ProcState = {
    pid: 0,
    command: binary,
    args: metricsServerSetup(l, s.name, s.server, port!),
    log: l.log('metrics-server'),
  };
  await launch(
    s,
    'metrics-server',
    proc,
    async () => (await get(`https://127.0.0.1:${port}/livez`, { insecure: true })).status === 200,
    60_000,
  );
  await kubectlOk(s, [
    'wait',
    '--for=condition=Available',
    '--timeout=60s',
    `apiservice/${metricsApiService}`,
  ]);
}

function crdFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

async function installCrds(s: RigState, dir: string): Promise<void> {
  const files = crdFiles(dir);
  if (files.length === 0) return;
  const fileArgs = files.flatMap((f) => ['-f', f]);
  // Server-side: a RayCluster CRD with full schemas is far over the 256 KiB last-applied annotation.
  await kubectlOk(s, [
    'apply',
    '--server-side',
    '--force-conflicts',
    '--field-manager=kuray-rig',
    ...fileArgs,
  ]);
  await kubectlOk(s, ['wait', '--for=condition=Established', '--timeout=120s', ...fileArgs]);
}

function rigFromState(s: RigState): Rig {
  return {
    name: s.name,
    dir: s.dir,
    statePath: join(s.dir, 'state.json'),
    kubeconfigPath: s.kubeconfigPath,
    server: s.server,
    env: rigEnv(s),
    kubectl: (args, opts) => kubectlRun(s, args, opts?.input, opts?.timeoutMs),
    stop: () => stopState(s),
    restartApiserver: async () => {
      const p = s.processes['kube-apiserver'];
      if (!p) throw new Error('rig: no kube-apiserver in this rig');
      await stopGroup(p.pid);
      await launch(s, 'kube-apiserver', p, probe('kube-apiserver', s), 60_000);
    },
    pids: () => pidsOf(s),
    ports: () => ({ ...s.ports }),
  };
}

export function rigEnv(s: RigState): Record<string, string> {
  const l = layout(s.dir);
  let token = '';
  try {
    token = readFileSync(l.tokens, 'utf8').split(',')[0] ?? '';
  } catch {
    // stopped
  }
  return {
    KUBECONFIG: s.kubeconfigPath,
    KURAY_RIG_STATE: join(s.dir, 'state.json'),
    KURAY_RIG_NAME: s.name,
    KURAY_RIG_SERVER: s.server,
    KURAY_RIG_TOKEN: token,
    PATH: `${l.bin}:${process.env.PATH ?? ''}`,
  };
}

/** Attaches to a running rig by state-file path or rig name. stop() on it stops that rig. */
export function attachRig(statePathOrName: string): Rig {
  const path = statePathOrName.includes('/') ? statePathOrName : statePathOf(statePathOrName);
  const s = readState(path);
  if (!anyAlive(s)) throw new Error(`rig: ${s.name} is not running (state ${path}); start it again`);
  return rigFromState(s);
}

export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const name = opts.name ?? `t${process.pid}-${++counter}`;
  if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(name))
    throw new Error(`rig: bad name ${JSON.stringify(name)} (use a-z, 0-9, -)`);
  const profile = loadProfile(opts.profile ?? 'default');
  for (const n of sweepStaleRigs()) log(`rig: removed stale rig ${n} (its owner process is gone)`);
  const dir = rigDirOf(name);
  if (existsSync(dir)) {
    let existing: RigState | undefined;
    try {
      existing = readState(join(dir, 'state.json'));
    } catch {
      existing = undefined;
    }
    if (existing && anyAlive(existing) && !isStale(existing)) {
      throw new Error(
        `rig: a rig named ${name} is already running (pids ${JSON.stringify(pidsOf(existing))}); ` +
          `stop it with \`npm run rig -- down --name ${name}\``,
      );
    }
    log(`rig: removing stale state of ${name} at ${dir}`);
    if (existing) destroyNow(existing);
    else rmSync(dir, { recursive: true, force: true });
  }

  // helm is not part of the control plane: linked into bin/ when built (`rig build`), not required.
  const needed: readonly BinaryName[] = profile.metricsServer
    ? [...coreBinaries, 'metrics-server']
    : coreBinaries;
  const binaries = { ...availableBinaries(), ...(await ensureBinaries(needed, log)) };
  const free = await freePorts(6);
  const ports: Ports = {
    etcdClient: opts.ports?.etcdClient ?? free[0]!,
    etcdPeer: opts.ports?.etcdPeer ?? free[1]!,
    apiserver: opts.ports?.apiserver ?? free[2]!,
    controllerManager: opts.ports?.controllerManager ?? free[3]!,
    scheduler: opts.ports?.scheduler ?? free[4]!,
    kwok: opts.ports?.kwok ?? free[5]!,
  };
  const l = layout(dir);
  const server = `https://127.0.0.1:${ports.apiserver}`;
  writeRigFiles(l, name, server, binaries);
  const s: RigState = {
    version: 1,
    name,
    dir,
    profile: profile.name,
    createdAt: new Date().toISOString(),
    ownerPid: process.pid,
    server,
    kubeconfigPath: l.kubeconfig,
    ports,
    binaries,
    processes: {},
    ready: false,
  };
  writeState(s);
  owned.set(dir, s);
  installHooks();
  s.reaperPid = startReaper(s);
  writeState(s);

  const started = Date.now();
  try {
    for (const c of componentOrder) {
      const proc: ProcState = {
        pid: 0,
        command: binaries[c],
        args: [...componentArgs(c, l, ports), ...(opts.extraArgs?.[c] ?? [])],
        log: l.log(c),
      };
      await launch(s, c, proc, probe(c, s), c === 'kube-apiserver' ? 120_000 : 90_000);
    }
    await createNodes(s, profile);
    const tls = adminTls(dir);
    await waitFor(
      'the default ServiceAccount (kube-controller-manager)',
      async () =>
        (await get(`${server}/api/v1/namespaces/default/serviceaccounts/default`, tls)).status === 200,
      60_000,
      `last lines of the controller-manager log:\n${tailFile(l.log('kube-controller-manager'))}`,
    );
    const crdDir = opts.crdDir ?? process.env.KURAY_RIG_CRD_DIR ?? join(repoRoot, 'config', 'crd');
    if (crdDir) await installCrds(s, crdDir);
    for (const x of profile.extraProcesses ?? []) {
      const proc: ProcState = {
        pid: 0,
        command: x.command,
        args: [...x.args],
        log: l.log(x.name),
        env: { ...x.env, KUBECONFIG: l.kubeconfig },
      };
      proc.pid = startProc({
        name: x.name,
        command: proc.command,
        args: proc.args,
        log: proc.log,
        env: { ...process.env, ...proc.env },
      });
      s.processes[x.name] = proc;
    }
    if (profile.metricsServer) await startMetricsServer(s, binaries['metrics-server']);
  } catch (err) {
    const pids = pidsOf(s);
    await stopState(s);
    const msg = err instanceof Error ? err.message : String(err);
    throw new RigStartError(msg + '\n(rig stopped: every process it started is gone)', pids, ports, err);
  }
  if (opts.detached) {
    // From now on only `rig down` stops it: no owner, no reaper, no exit hook.
    owned.delete(dir);
    s.ownerPid = 0;
    if (s.reaperPid) await stopGroup(s.reaperPid, 1000);
    delete s.reaperPid;
  }
  s.ready = true;
  writeState(s);
  log(
    `rig: ${name} ready in ${((Date.now() - started) / 1000).toFixed(1)}s at ${server} (profile ${profile.name}, state ${dir})`,
  );
  return rigFromState(s);
}

export { ComponentError, isAlive };
