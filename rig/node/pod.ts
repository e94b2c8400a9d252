// One pod on the local node: its loopback IP, init containers in order, then every container as a
// process group with its own restart loop (restartPolicy, crash backoff), probes, and the status
// the API server sees. Deletion stops the groups within the grace period and removes the pod.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pods } from '../../src/runtime/resources.ts';
import type { KubeClient } from '../../src/runtime/transport.ts';
import { containerArgv, containerEnv, EnvError, isRayImage, type EnvLookups } from './env.ts';
import { ProbeState, runProbe } from './probe.ts';
import { backoffMs, podStatus, type ContainerView } from './status.ts';
import type { ContainerSpec, Pod, PodStatus } from './types.ts';
import { groupAlive, signalGroup } from './procs.ts';
import type { StartGate } from './gate.ts';
import { ServiceAccountVolume, wantsToken } from './serviceAccount.ts';
import {
  hostPathOf,
  mountTable,
  prepareVolumes,
  refreshVolumes,
  refreshable,
  type DownwardContext,
  type VolumeLookups,
} from './volumes.ts';
import type { RunningContainer } from './streaming.ts';
import { imageConfig, ImageError, type ImageConfig } from './images.ts';

export interface NodeContext {
  nodeName: string;
  hostIP: string;
  /** Per-pod directories (logs, env files) live under <stateDir>/pods. */
  stateDir: string;
  venv: string;
  /** Directory holding the `ray` wrapper; first on PATH of Ray containers. */
  shimBin: string;
  netshim: string;
  hostsFile: string;
  hostIPs: readonly string[];
  hostPorts: readonly number[];
  allocatable: Readonly<Record<string, string>>;
  client: KubeClient;
  /** The cluster CA (PEM), projected into pods as ca.crt beside their service-account token. */
  caPem: string;
  /** The API server as pods reach it: the real loopback endpoint, not the kubernetes Service's ClusterIP. */
  apiServer: { host: string; port: number };
  lookups: EnvLookups;
  /** What configMap/secret/projected volumes read from the API. */
  volumeLookups: VolumeLookups;
  log: (msg: string) => void;
  /** Holds sitecustomize.py (a copy of rig/node/py/, so no bytecode lands in the repo). */
  pyDir: string;
  /** Ray containers start through this gate (see gate.ts). */
  rayStarts: StartGate;
  /** How long a Ray container holds its start slot at most (ms). */
  rayStartHoldMs: number;
  /** Registers/unregisters a process group so a reaper can kill it if the node dies. */
  trackGroup: (pgid: number, alive: boolean) => void;
}

/** What a container process runs with; written beside its logs so tests can exec "into" the pod. */
export interface ExecSpec {
  env: Record<string, string>;
  cwd: string;
}

interface ContainerStart extends ExecSpec {
  image: ImageConfig;
}

interface Run {
  spec: ContainerSpec;
  view: ContainerView;
  pid?: number;
  exited?: Promise<void>;
  probes: ProbeState[];
  failures: number;
  stopping: boolean;
  exec?: ExecSpec;
  /** Gives back this run's Ray start slot (called once it is Ready). */
  releaseStart?: () => void;
  /** The running process's stdin when the spec asks for `stdin: true` (kubectl attach -i). */
  stdin?: NodeJS.WritableStream;
  logPath?: string;
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export function podDirName(pod: Pod): string {
  return `${pod.metadata.namespace}_${pod.metadata.name}`;
}

/** How often configMap/secret volumes are compared with their objects (a kubelet: up to ~1 min). */
const VOLUME_REFRESH_MS = 3000;

export class PodWorker {
  pod: Pod;
  readonly ip: string;
  readonly dir: string;
  readonly tmp: string;
  readonly #ctx: NodeContext;
  readonly #startTime = now();
  readonly #init: Run[];
  readonly #main: Run[];
  readonly #sa: ServiceAccountVolume | undefined;
  /** Volume name → host directory, written once before the first container starts. */
  #volumes: Promise<Map<string, string>> | undefined;
  #initialized = false;
  #initFailed = false;
  #lastWritten = '';
  #syncTimer: NodeJS.Timeout | undefined;
  #terminating: Promise<void> | undefined;
  #closed = false;
  /** Process groups exec'd into each container (kubectl exec): metered and stopped with it. */
  readonly #execGroups = new Map<string, Set<number>>();

  // A method, not the field: the flag flips while async loops are suspended.
  #isClosed(): boolean {
    return this.#closed;
  }

  constructor(pod: Pod, ip: string, tmp: string, ctx: NodeContext) {
    this.pod = pod;
    this.ip = ip;
    this.tmp = tmp;
    this.#ctx = ctx;
    this.dir = join(ctx.stateDir, 'pods', podDirName(pod));
    this.#sa = wantsToken(pod) ? new ServiceAccountVolume(this.dir, ctx.client, ctx.caPem) : undefined;
    const mk = (c: ContainerSpec): Run => ({
      spec: c,
      view: {
        name: c.name,
        image: c.image ?? '',
        state: { waiting: { reason: 'PodInitializing' } },
        lastState: {},
        restartCount: 0,
        ready: false,
        started: false,
      },
      probes: [],
      failures: 0,
      stopping: false,
    });
    this.#init = (pod.spec.initContainers ?? []).map(mk);
    this.#main = pod.spec.containers.map(mk);
    for (const r of this.#init) r.view.state = { waiting: { reason: 'PodInitializing' } };
    if (this.#init.length === 0) this.#initialized = true;
  }

  get restartPolicy(): 'Always' | 'OnFailure' | 'Never' {
    return this.pod.spec.restartPolicy ?? 'Always';
  }

  /** Starts the pod; resolves once it has been asked to run (the work continues in the background). */
  start(): void {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    mkdirSync(this.tmp, { recursive: true });
    this.#scheduleSync();
    if (this.#sa) {
      // Long-running containers keep a fresh token (ensure() is a no-op until 80 % of its lifetime).
      const sa = this.#sa;
      const timer = setInterval(() => {
        if (this.#isClosed()) clearInterval(timer);
        else sa.ensure(this.pod).catch(() => undefined);
      }, 60_000);
      timer.unref();
    }
    if ((this.pod.spec.volumes ?? []).some(refreshable)) {
      // configMap and secret volumes follow their objects (volumes.ts), once they have been written.
      const timer = setInterval(() => {
        if (this.#isClosed()) {
          clearInterval(timer);
          return;
        }
        if (!this.#volumes) return;
        void this.#volumes
          .then(() => refreshVolumes(this.dir, this.#ctx.volumeLookups, this.#downwardContext()))
          .then((changed) => {
            if (changed.length)
              this.#ctx.log(`pod ${podDirName(this.pod)}: volume files updated: ${changed.length}`);
          })
          .catch(() => undefined);
      }, VOLUME_REFRESH_MS);
      timer.unref();
    }
    void this.#runAll().catch((err: unknown) => {
      this.#ctx.log(`pod ${podDirName(this.pod)}: ${err instanceof Error ? err.stack : String(err)}`);
    });
  }

  update(pod: Pod): void {
    this.pod = pod;
    if (pod.metadata.deletionTimestamp) void this.terminate(true);
  }

  async #runAll(): Promise<void> {
    for (const r of this.#init) {
      for (;;) {
        if (this.#isClosed()) return;
        const code = await this.#runOnce(r);
        if (this.#isClosed()) return;
        if (code === 0) break;
        if (this.restartPolicy === 'Never') {
          this.#initFailed = true;
          this.#scheduleSync();
          return;
        }
        await this.#backoff(r);
      }
    }
    this.#initialized = true;
    for (const r of this.#main) r.view.state = { waiting: { reason: 'ContainerCreating' } };
    this.#scheduleSync();
    await Promise.all(this.#main.map((r) => this.#loop(r)));
  }

  async #loop(r: Run): Promise<void> {
    for (;;) {
      if (this.#isClosed()) return;
      const started = Date.now();
      const code = await this.#runOnce(r);
      if (this.#isClosed()) return;
      const policy = this.restartPolicy;
      if (policy === 'Never' || (policy === 'OnFailure' && code === 0)) return;
      if (Date.now() - started > 600_000) r.failures = 0;
      await this.#backoff(r);
    }
  }

  async #backoff(r: Run): Promise<void> {
    r.failures++;
    const ms = backoffMs(r.failures);
    r.view.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${Math.round(ms / 1000)}s restarting failed container=${r.spec.name} pod=${this.pod.metadata.name}`,
      },
    };
    this.#scheduleSync();
    const until = Date.now() + ms;
    while (!this.#isClosed() && Date.now() < until) await sleep(200);
  }

  async #execSpec(c: ContainerSpec): Promise<ContainerStart> {
    const ctx = this.#ctx;
    const image = imageConfig(c.image);
    const ray = isRayImage(c.image);
    const sysPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
    const base: Record<string, string> = {
      PATH: ray ? `${ctx.shimBin}:${join(ctx.venv, 'bin')}:${sysPath}` : sysPath,
      HOME: process.env.HOME ?? '/root',
      HOSTNAME: this.pod.metadata.name ?? '',
      LANG: 'C.UTF-8',
      TMPDIR: this.tmp,
      // Never phone home from tests; a pod may still set it.
      RAY_USAGE_STATS_ENABLED: '0',
      // What a kubelet sets from the kubernetes Service; here the API server's real loopback address,
      // since ClusterIPs are not dialable (in-cluster clients build their URL from these).
      KUBERNETES_SERVICE_HOST: ctx.apiServer.host,
      KUBERNETES_SERVICE_PORT: String(ctx.apiServer.port),
      KUBERNETES_SERVICE_PORT_HTTPS: String(ctx.apiServer.port),
    };
    if (ray) {
      base.VIRTUAL_ENV = ctx.venv;
      // Ray gives each dashboard module 30 s to start; a 2-core machine starting several Ray nodes at
      // once (tests, the playground) needs longer. Pods may still set their own value.
      base.RAY_DASHBOARD_SUBPROCESS_MODULE_WAIT_READY_TIMEOUT = '180';
      // The raylet's wait for its agents (and their port files), 30 s by default.
      base.RAY_agent_register_timeout_ms = '120000';
    }
    const own = await containerEnv({
      pod: this.pod,
      container: c,
      podIP: this.ip,
      hostIP: ctx.hostIP,
      nodeAllocatable: ctx.allocatable,
      lookups: ctx.lookups,
    });
    // The projected token volume (throws EnvError → CreateContainerConfigError while the SA is missing).
    await this.#sa?.ensure(this.pod);
    const mounts = mountTable(c, await this.#ensureVolumes(), [
      ctx.stateDir,
      this.tmp,
      ctx.venv,
      ctx.shimBin,
      ctx.pyDir,
      ctx.netshim,
      ctx.hostsFile,
    ]);
    if (image.ownHome) base.HOME = this.tmp;
    const env = { ...base, ...image.env, ...own };
    if (this.#sa) env.KURAY_SA_DIR = this.#sa.dir;
    if (own.PATH && ray) env.PATH = `${ctx.shimBin}:${join(ctx.venv, 'bin')}:${own.PATH}`;
    // Longer Ray startup waits (py/sitecustomize.py) for Ray containers only.
    if (ray) env.PYTHONPATH = own.PYTHONPATH ? `${ctx.pyDir}:${own.PYTHONPATH}` : ctx.pyDir;
    // The node's networking and per-pod temp dir; not overridable by the pod (see rig/README.md "Local node").
    Object.assign(env, {
      RAY_TMPDIR: this.tmp,
      KURAY_POD_IP: this.ip,
      KURAY_HOSTS_FILE: ctx.hostsFile,
      KURAY_POD_NAMESPACE: this.pod.metadata.namespace ?? 'default',
      KURAY_HOST_IPS: ctx.hostIPs.join(','),
      KURAY_HOST_PORTS: ctx.hostPorts.join(','),
      KURAY_RAY_VENV: ctx.venv,
      // grpc's c-ares resolver reads DNS itself; the native one goes through getaddrinfo (the shim).
      GRPC_DNS_RESOLVER: 'native',
      LD_PRELOAD: own.LD_PRELOAD ? `${ctx.netshim}:${own.LD_PRELOAD}` : ctx.netshim,
      KURAY_MOUNTS: mounts,
    });
    const workingDir = c.workingDir ? hostPathOf(c.workingDir, mounts) : undefined;
    const cwd = workingDir && existsSync(workingDir) ? workingDir : this.tmp;
    return { env, cwd, image };
  }

  /** What volume files are made of besides their objects (downwardAPI: the pod, its IPs, the node). */
  #downwardContext(): DownwardContext {
    const ctx = this.#ctx;
    return { pod: this.pod, podIP: this.ip, hostIP: ctx.hostIP, nodeAllocatable: ctx.allocatable };
  }

  /** Writes the pod's volumes once; a failure (missing ConfigMap, …) is retried on the next start. */
  #ensureVolumes(): Promise<Map<string, string>> {
    const ctx = this.#ctx;
    this.#volumes ??= prepareVolumes(this.dir, ctx.volumeLookups, this.#downwardContext(), (msg) => {
      ctx.log(`pod ${podDirName(this.pod)}: ${msg}`);
    }).catch((err: unknown) => {
      this.#volumes = undefined;
      throw err;
    });
    return this.#volumes;
  }

  /** Runs one attempt of a container; resolves with its exit code. */
  async #runOnce(r: Run): Promise<number> {
    // Ray containers start a few at a time (see gate.ts), heads ahead of workers: every other pod of
    // a cluster waits for its head.
    const isHeadPod = this.pod.metadata.labels?.['ray.io/node-type'] === 'head';
    const gated = isRayImage(r.spec.image) && this.#main.includes(r);
    let release = (): void => undefined;
    if (gated) {
      r.view.state = {
        waiting: { reason: 'ContainerCreating', message: 'waiting for a Ray start slot on the node' },
      };
      this.#scheduleSync();
      release = await this.#ctx.rayStarts.acquire(isHeadPod);
      if (this.#isClosed()) {
        release();
        return 0;
      }
    }
    r.releaseStart = release;
    const timer = setTimeout(release, this.#ctx.rayStartHoldMs);
    try {
      return await this.#runOnceGated(r);
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  async #runOnceGated(r: Run): Promise<number> {
    const c = r.spec;
    let start: ContainerStart;
    try {
      start = await this.#execSpec(c);
    } catch (err) {
      const reason =
        err instanceof EnvError || err instanceof ImageError ? err.reason : 'CreateContainerError';
      r.view.state = { waiting: { reason, message: err instanceof Error ? err.message : String(err) } };
      this.#scheduleSync();
      await sleep(2000);
      return 1;
    }
    const exec: ExecSpec = { env: start.env, cwd: start.cwd };
    r.exec = exec;
    const cdir = join(this.dir, c.name);
    mkdirSync(cdir, { recursive: true });
    writeFileSync(join(cdir, 'exec.json'), JSON.stringify(exec));
    const logPath = join(cdir, `${r.view.restartCount}.log`);
    const argv = containerArgv(c, exec.env, start.image);
    const fd = openSync(logPath, 'a');
    const startedAt = now();
    let child;
    try {
      // The executable itself may sit in a volume (the shim only sees calls made after exec).
      child = spawn(hostPathOf(argv[0]!, exec.env.KURAY_MOUNTS ?? ''), argv.slice(1), {
        env: exec.env,
        cwd: exec.cwd,
        stdio: [c.stdin ? 'pipe' : 'ignore', fd, fd],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    const pid = child.pid;
    const exit = new Promise<{ code: number; reason: string }>((resolve) => {
      child.once('error', (e) => {
        resolve({ code: 128, reason: `StartError: ${e.message}` });
      });
      child.once('exit', (code, sig) => {
        const n = code ?? 128 + (sig ? signalNumber(sig) : 0);
        resolve({ code: n, reason: n === 0 ? 'Completed' : 'Error' });
      });
    });
    if (pid === undefined) {
      const e = await exit;
      r.view.state = { waiting: { reason: 'RunContainerError', message: e.reason } };
      this.#scheduleSync();
      await sleep(1000);
      return 128;
    }
    r.pid = pid;
    r.logPath = logPath;
    if (child.stdin) {
      child.stdin.on('error', () => undefined);
      r.stdin = child.stdin;
    }
    // Terminated while this start was on its way (env lookups, the start gate): stop it right away.
    if (this.#isClosed()) signalGroup(pid, 'SIGKILL');
    writeFileSync(join(cdir, 'pid'), String(pid));
    this.#ctx.trackGroup(pid, true);
    r.view.containerID = `kuray://${pid}`;
    r.view.state = { running: { startedAt } };
    r.view.started = !c.startupProbe;
    r.view.ready = !c.readinessProbe && r.view.started;
    this.#scheduleSync();
    const probeLoop = this.#probeLoop(r, exit);
    const result = await exit;
    // Whatever the leader left behind in its group goes with it (a container's processes die together).
    signalGroup(pid, 'SIGKILL');
    this.#ctx.trackGroup(pid, false);
    r.pid = undefined;
    r.stdin = undefined;
    await probeLoop;
    const term = {
      exitCode: result.code,
      reason: result.reason,
      startedAt,
      finishedAt: now(),
      containerID: `kuray://${pid}`,
    };
    r.view.state = { terminated: term };
    r.view.ready = false;
    r.view.started = false;
    if (!this.#isClosed() && this.#willRestart(result.code)) {
      r.view.restartCount++;
      r.view.lastState = { terminated: term };
    }
    this.#scheduleSync();
    return result.code;
  }

  #willRestart(code: number): boolean {
    const p = this.restartPolicy;
    return p === 'Always' || (p === 'OnFailure' && code !== 0);
  }

  async #probeLoop(r: Run, exit: Promise<unknown>): Promise<void> {
    const c = r.spec;
    let exited = false;
    void exit.then(() => {
      exited = true;
    });
    const over = (): boolean => exited || this.#isClosed();
    const startup = c.startupProbe ? new ProbeState('startup', c.startupProbe) : undefined;
    const readiness = c.readinessProbe ? new ProbeState('readiness', c.readinessProbe) : undefined;
    const liveness = c.livenessProbe ? new ProbeState('liveness', c.livenessProbe) : undefined;
    const target = () => ({ podIP: this.ip, env: r.exec!.env, cwd: r.exec!.cwd, container: c });
    const wait = async (ms: number) => {
      const until = Date.now() + ms;
      while (!over() && Date.now() < until)
        await Promise.race([sleep(Math.min(200, until - Date.now())), exit]);
    };
    const loop = async (p: ProbeState, onChange: () => void, gate?: () => boolean) => {
      if (gate) while (!over() && !gate()) await wait(200);
      await wait(p.initialDelayMs);
      while (!over()) {
        const ok = await runProbe(p.spec, target());
        if (over()) return;
        if (p.record(ok)) onChange();
        if (p.failed && p.kind !== 'readiness' && !r.stopping) {
          this.#ctx.log(`pod ${podDirName(this.pod)}: ${p.kind} probe failed for ${c.name}; killing it`);
          void this.#stopRun(r, (this.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
          return;
        }
        if (p.kind === 'startup' && p.result) return;
        await wait(p.periodMs);
      }
    };
    const started = () => r.view.started;
    const loops: Promise<void>[] = [];
    if (startup) {
      loops.push(
        loop(startup, () => {
          r.view.started = startup.result;
          if (!readiness) r.view.ready = startup.result;
          this.#scheduleSync();
        }),
      );
    }
    if (readiness) {
      loops.push(
        loop(
          readiness,
          () => {
            r.view.ready = readiness.result;
            if (r.view.ready) r.releaseStart?.();
            this.#scheduleSync();
          },
          started,
        ),
      );
    }
    if (liveness) loops.push(loop(liveness, () => undefined, started));
    await Promise.all(loops);
  }

  /** SIGTERM to the container's group, SIGKILL after the grace period; resolves when it exited. */
  async #stopRun(r: Run, graceMs: number): Promise<void> {
    const pid = r.pid;
    if (pid === undefined) return;
    r.stopping = true;
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
    if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
    const killDeadline = Date.now() + 5000;
    while (groupAlive(pid) && Date.now() < killDeadline) await sleep(50);
    r.stopping = false;
  }

  /** Stops every container (grace from the deletion, else the pod spec); `remove` deletes the pod. */
  terminate(remove: boolean, graceOverrideMs?: number): Promise<void> {
    this.#terminating ??= (async () => {
      this.#closed = true;
      const graceS = this.pod.metadata.deletionGracePeriodSeconds as number | undefined;
      const graceMs = graceOverrideMs ?? (graceS ?? this.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
      await Promise.all([...this.#init, ...this.#main].map((r) => this.#stopRun(r, graceMs)));
      for (const g of [...this.#execGroups.values()].flatMap((set) => [...set])) signalGroup(g, 'SIGKILL');
      clearTimeout(this.#syncTimer);
      if (remove) {
        try {
          await this.#ctx.client.delete(Pods, this.pod.metadata.namespace, this.pod.metadata.name!, {
            gracePeriodSeconds: 0,
            preconditions: { uid: this.pod.metadata.uid! },
          });
        } catch {
          // already gone, or replaced by a pod of the same name
        }
      }
      rmSync(this.tmp, { recursive: true, force: true });
    })();
    return this.#terminating;
  }

  #view() {
    return {
      podIP: this.ip,
      hostIP: this.#ctx.hostIP,
      startTime: this.#startTime,
      restartPolicy: this.restartPolicy,
      init: this.#init.map((r) => r.view),
      initialized: this.#initialized,
      initFailed: this.#initFailed,
      containers: this.#main.map((r) => r.view),
    };
  }

  #scheduleSync(): void {
    if (this.#isClosed() || this.#syncTimer) return;
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = undefined;
      void this.#sync();
    }, 50);
  }

  async #sync(): Promise<void> {
    if (this.#isClosed()) return;
    const status: PodStatus = podStatus(this.#view(), this.pod.status, now());
    const body = JSON.stringify(status);
    if (body === this.#lastWritten) return;
    try {
      const updated = await this.#ctx.client.patchStatus<Pod>(
        Pods,
        this.pod.metadata.namespace,
        this.pod.metadata.name!,
        { status },
        'merge',
      );
      this.#lastWritten = body;
      if (updated.metadata.uid === this.pod.metadata.uid) this.pod = { ...this.pod, status: updated.status };
    } catch (err) {
      if (!this.#isClosed()) {
        this.#ctx.log(`pod ${podDirName(this.pod)}: status write failed: ${(err as Error).message}`);
        setTimeout(() => {
          this.#scheduleSync();
        }, 1000).unref();
      }
    }
  }

  /** Current log file of a container (or the previous run's). */
  logPath(container: string, previous: boolean): string | undefined {
    const r = [...this.#main, ...this.#init].find((x) => x.spec.name === container);
    if (!r) return undefined;
    // While a container waits to restart, its newest log is the last run's.
    let n = r.view.restartCount;
    if (!existsSync(join(this.dir, container, `${n}.log`))) n--;
    if (previous) n--;
    if (n < 0) return undefined;
    const p = join(this.dir, container, `${n}.log`);
    return existsSync(p) ? p : undefined;
  }

  /** Process groups of running containers (memory accounting, /metrics/resource). */
  groups(): { container: string; pgid: number; startedAt: string; execGroups: number[] }[] {
    return [...this.#init, ...this.#main].flatMap((r) =>
      r.pid
        ? [
            {
              container: r.spec.name,
              pgid: r.pid,
              startedAt: r.view.state.running?.startedAt ?? '',
              execGroups: [...(this.#execGroups.get(r.spec.name) ?? [])],
            },
          ]
        : [],
    );
  }

  /** A container that is running now, for exec and attach (streaming.ts). */
  running(container: string): RunningContainer | undefined {
    const r = [...this.#init, ...this.#main].find((x) => x.spec.name === container);
    if (!r?.pid || !r.exec || !r.logPath || this.#isClosed()) return undefined;
    const name = r.spec.name;
    return {
      ...r.exec,
      logPath: r.logPath,
      ...(r.stdin ? { stdin: r.stdin, stdinOnce: r.spec.stdinOnce ?? false } : {}),
      adopt: (pgid) => {
        const set = this.#execGroups.get(name) ?? new Set<number>();
        this.#execGroups.set(name, set.add(pgid));
        return () => set.delete(pgid);
      },
    };
  }
}

function signalNumber(sig: NodeJS.Signals): number {
  const n: Partial<Record<NodeJS.Signals, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGKILL: 9,
    SIGTERM: 15,
    SIGSEGV: 11,
    SIGABRT: 6,
  };
  return n[sig] ?? 0;
}
