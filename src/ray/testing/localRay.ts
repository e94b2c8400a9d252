// Real Ray nodes on loopback for e2e tests: a head (GCS + dashboard + metrics) and workers that
// pose as pods of a group (RAY_CLOUD_INSTANCE_ID = pod name, RAY_NODE_TYPE_NAME = group, exactly
// the env KubeRay/Kuray give worker pods), all from the project venv.
//
// Each node runs `ray start --block` in its own process group, like a pod's PID 1: stopping it is
// SIGTERM to that group (Ray tears its processes down), then SIGKILL to the group and to any
// process still naming our private temp dir. Never `ray stop`: it kills every Ray on the machine,
// including other tests'. Every port is chosen free on 127.0.0.1, including the ones Ray otherwise
// fixes (client server 10001, autoscaler metrics 44217, dashboard metrics 44227).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, closeSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DashboardClient } from '../dashboard.ts';
import { getClusterResourceState } from '../gcs/autoscalerState.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => {
        resolve(port);
      });
    });
  });
}

/** The last lines of a log file, or a note that it is missing. */
function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${path})`;
  }
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(500);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}

/** PIDs of processes whose command line mentions `needle` (our unique temp dir). */
function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) out.push(Number(d));
    } catch {
      // process gone
    }
  }
  return out.filter((p) => p !== process.pid);
}

interface Proc {
  child: ChildProcess;
  exited: Promise<void>;
}

function startBlocking(venv: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Proc {
  const fd = openSync(logFile, 'a');
  const child = spawn(join(venv, 'bin', 'ray'), ['start', '--block', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
    detached: true, // own process group, so we can signal the whole node
  });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  return { child, exited };
}

async function stopProc(p: Proc): Promise<void> {
  const pid = p.child.pid;
  if (pid === undefined || p.child.exitCode !== null || p.child.signalCode !== null) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const done = await Promise.race([p.exited.then(() => true), sleep(20_000).then(() => false)]);
  if (!done) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await p.exited;
  }
}

export interface LocalRayWorker {
  podName: string;
  group: string;
  metricsUrl: string;
  stop(): Promise<void>;
}

export interface LocalRayHead {
  gcsAddress: string;
  dashboardUrl: string;
  metricsUrl: string;
  tempDir: string;
  dashboard: DashboardClient;
  venv: string;
  addWorker(opts: { podName: string; group: string; numCpus: number }): Promise<LocalRayWorker>;
  /** Stops every node started from this head and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

const COMMON_ENV: NodeJS.ProcessEnv = {
  RAY_USAGE_STATS_ENABLED: '0',
  // Do not wait 30 s draining on SIGTERM in tests.
  RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S: '0',
  // A unique Ray-wide session must not read a user's RAY_ADDRESS.
  RAY_ADDRESS: '',
};

export async function startLocalRayHead(opts: {
  venv: string;
  numCpus: number;
  /** Start the head without Ray's monitor, as KubeRay does with in-tree autoscaling (--no-monitor). */
  noMonitor?: boolean;
}): Promise<LocalRayHead> {
  const tempDir = mkdtempSync(join(tmpdir(), 'kuray-ray-'));
  const [gcs, dash, metrics, agent, client, asMetrics, dashMetrics] = await Promise.all(
    Array.from({ length: 7 }, () => freePort()),
  );
  const procs: Proc[] = [];
  const head = startBlocking(
    opts.venv,
    [
      '--head',
      '--node-ip-address=127.0.0.1',
      `--port=${gcs}`,
      '--dashboard-host=127.0.0.1',
      `--dashboard-port=${dash}`,
      '--include-dashboard=true',
      `--metrics-export-port=${metrics}`,
      `--dashboard-agent-listen-port=${agent}`,
      `--ray-client-server-port=${client}`,
      `--num-cpus=${opts.numCpus}`,
      `--temp-dir=${tempDir}`,
      '--disable-usage-stats',
      ...(opts.noMonitor ? ['--no-monitor'] : []),
    ],
    { ...COMMON_ENV, AUTOSCALER_METRIC_PORT: String(asMetrics), DASHBOARD_METRIC_PORT: String(dashMetrics) },
    join(tempDir, 'head.log'),
  );
  procs.push(head);
  const gcsAddress = `127.0.0.1:${gcs}`;
  const dashboardUrl = `http://127.0.0.1:${dash}`;
  const dashboard = new DashboardClient({ baseUrl: dashboardUrl, timeoutMs: 5_000 });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const p of procs.reverse()) await stopProc(p);
    for (const pid of pidsMentioning(tempDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(tempDir, { recursive: true, force: true });
  };
  try {
    await waitFor('the Ray dashboard', 120_000, async () => {
      if (head.child.exitCode !== null)
        throw new Error(`ray start exited ${head.child.exitCode}; see ${tempDir}/head.log`);
      return (await dashboard.version()).ray_version;
    });
    await waitFor(
      'GCS',
      30_000,
      async () => (await getClusterResourceState({ address: gcsAddress })).nodes.length || undefined,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    gcsAddress,
    dashboardUrl,
    metricsUrl: `http://127.0.0.1:${metrics}/metrics`,
    tempDir,
    dashboard,
    venv: opts.venv,
    stop,
    async addWorker(w) {
      const [wm, wa] = await Promise.all([freePort(), freePort()]);
      const p = startBlocking(
        opts.venv,
        [
          `--address=${gcsAddress}`,
          '--node-ip-address=127.0.0.1',
          `--num-cpus=${w.numCpus}`,
          `--metrics-export-port=${wm}`,
          `--dashboard-agent-listen-port=${wa}`,
          '--disable-usage-stats',
        ],
        { ...COMMON_ENV, RAY_CLOUD_INSTANCE_ID: w.podName, RAY_NODE_TYPE_NAME: w.group },
        join(tempDir, `${w.podName}.log`),
      );
      procs.push(p);
      try {
        // One of three workers started at once sometimes never registers (alive, silent; seen in the
        // actuator e2e even on a quiet machine, also with 120 s here), while a second start of it joins
        // in seconds: give up after 60 s and let the caller start it again.
        const joined = await waitFor(`worker ${w.podName} in GCS`, 60_000, async () => {
          if (p.child.exitCode !== null) return 'exited'; // fail now: waiting on would only delay the retry
          const s = await getClusterResourceState({ address: gcsAddress });
          return s.nodes.some((n) => n.instanceId === w.podName && n.status !== 'DEAD') || undefined;
        });
        if (joined === 'exited') {
          const log = join(tempDir, `${w.podName}.log`);
          throw new Error(`worker ${w.podName} exited ${p.child.exitCode}:\n${tail(log)}`);
        }
      } catch (err) {
        // A caller that retries (a kubelet restarting a container) must not leave this one running:
        // a late join would give the pod two Ray nodes under one instance id.
        await stopProc(p);
        throw err;
      }
      return {
        podName: w.podName,
        group: w.group,
        metricsUrl: `http://127.0.0.1:${wm}/metrics`,
        stop: () => stopProc(p),
      };
    },
  };
}
