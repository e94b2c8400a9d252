// The two operators under test as child processes of the benchmark, each in its own process group
// (stopped by PID, also when the benchmark exits or is interrupted), each watching only its own
// namespace, with the same client limits. Their CPU and memory come from /proc, their API request
// counts from their own /metrics (rest_client_requests_total, the same metric in client-go and Kuray).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../rig/ports.ts';
import { get } from '../rig/http.ts';
import { groupAlive, startProc, stopGroup, tailFile } from '../rig/proc.ts';
import type { Rig } from '../rig/harness.ts';
import { readProcUsage, type ProcUsage } from './procfs.ts';
import { parseRequestCounts, type RequestCounts } from './promtext.ts';
import { OPERATOR_NODE_FLAGS } from '../src/operator/nodeFlags.ts';

export type OperatorName = 'kuray' | 'kuberay';

export interface Limits {
  qps: number;
  burst: number;
  /** 'default': no flag, the operator's own default (KubeRay 1, Kuray 4). */
  concurrency: number | 'default';
  /** Kubeconfig to reach the API server with (the latency proxy's); default the rig's. */
  kubeconfig?: string;
  /** Extra operator flags, last (Kuray only: experiments). */
  extraFlags?: readonly string[];
  /** Extra Node/V8 flags after the image's (Kuray only: experiments). */
  nodeFlags?: readonly string[];
}

function concurrencyFlag(l: Limits): string[] {
  return l.concurrency === 'default' ? [] : [`--reconcile-concurrency=${l.concurrency}`];
}

export interface OperatorProc {
  readonly name: OperatorName;
  readonly pid: number;
  readonly log: string;
  usage(): ProcUsage | undefined;
  requests(): Promise<RequestCounts>;
  /** The raw /metrics text (saved beside the results: reconcile and request latency histograms). */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

const repo = join(import.meta.dirname, '..');
const running = new Set<number>();
let hooked = false;

/** SIGKILLs every operator group still running when the benchmark exits, however it exits. */
function installExitHook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const pgid of running) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
}

async function waitHttp(url: string, pid: number, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pid))
      throw new Error(`bench: operator exited during startup; last lines of ${log}:\n${tailFile(log)}`);
    try {
      if ((await get(url, {}, 2000)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(
    `bench: ${url} not ready after ${timeoutMs / 1000}s; last lines of ${log}:\n${tailFile(log)}`,
  );
}

async function launch(
  name: OperatorName,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  log: string,
  metricsPort: number,
  readyUrl: string,
): Promise<OperatorProc> {
  installExitHook();
  const pid = startProc({ name, command, args, log, env });
  running.add(pid);
  const op: OperatorProc = {
    name,
    pid,
    log,
    usage: () => readProcUsage(pid),
    metrics: async () => (await get(`http://127.0.0.1:${metricsPort}/metrics`, {}, 10_000)).body,
    requests: async () => parseRequestCounts(await op.metrics()),
    stop: async () => {
      // SIGTERM first: Kuray writes its --cpu-prof profile on a graceful exit.
      await stopGroup(pid, 15_000);
      running.delete(pid);
    },
  };
  try {
    await waitHttp(readyUrl, pid, log, 90_000);
  } catch (e) {
    await op.stop();
    throw e;
  }
  return op;
}

/** `npm run build`: dist/ from the current sources (about 10 s). */
export function buildKuray(): void {
  execFileSync(
    process.execPath,
    [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: repo,
      stdio: 'inherit',
    },
  );
}

export async function startKuray(
  rig: Rig,
  namespace: string,
  limits: Limits,
  logDir: string,
  cpuProfDir?: string,
): Promise<OperatorProc> {
  const [port] = await freePorts(1);
  const log = join(logDir, `kuray-${namespace}.log`);
  // The flags the image runs the operator with (src/operator/nodeFlags.ts).
  const nodeArgs = [
    ...OPERATOR_NODE_FLAGS,
    ...(limits.nodeFlags ?? []),
    ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
  ];
  return launch(
    'kuray',
    process.execPath,
    [
      ...nodeArgs,
      join(repo, 'dist/src/cli/main.js'),
      'operator',
      `--kubeconfig=${limits.kubeconfig ?? rig.kubeconfigPath}`,
      `--watch-namespace=${namespace}`,
      `--metrics-addr=127.0.0.1:${port}`,
      `--qps=${limits.qps}`,
      `--burst=${limits.burst}`,
      ...concurrencyFlag(limits),
      '--enable-leader-election=false',
      '--log-level=warn',
      ...(limits.extraFlags ?? []),
    ],
    { ...process.env, ...rig.env, KUBECONFIG: limits.kubeconfig ?? rig.kubeconfigPath },
    log,
    port!,
    `http://127.0.0.1:${port}/readyz`,
  );
}

export async function startKubeRay(
  rig: Rig,
  binary: string,
  namespace: string,
  limits: Limits,
  logDir: string,
): Promise<OperatorProc> {
  const [metrics, probes] = await freePorts(2);
  const log = join(logDir, `kuberay-${namespace}.log`);
  return launch(
    'kuberay',
    binary,
    [
      `--kubeconfig=${limits.kubeconfig ?? rig.kubeconfigPath}`,
      `--watch-namespace=${namespace}`,
      `--metrics-addr=127.0.0.1:${metrics}`,
      `--health-probe-bind-address=127.0.0.1:${probes}`,
      '--enable-leader-election=false',
      `--qps=${limits.qps}`,
      `--burst=${limits.burst}`,
      ...concurrencyFlag(limits),
    ],
    { ...process.env, KUBECONFIG: limits.kubeconfig ?? rig.kubeconfigPath },
    log,
    metrics!,
    `http://127.0.0.1:${probes}/readyz`,
  );
}
