// `kubectl ray session (RAYCLUSTER | TYPE/NAME)` (KubeRay plugin v1.7): port-forwards the head
// Service's dashboard (8265) and client (10001) ports — dashboard only for a RayJob, dashboard and
// Serve (8000) for a RayService — through `kubectl port-forward`, restarting it 3 s after it drops,
// until interrupted. Kuray adds --dashboard-port/--client-port/--serve-port for the local side (two
// sessions, or a busy 8265).
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { Services, type KubeObject } from '../../runtime/resources.ts';
import {
  intFlag,
  parseTypeName,
  resourceOf,
  stdio,
  UsageError,
  withKube,
  type Io,
  type ResourceType,
} from './common.ts';
import type { Kube } from './kube.ts';
import { kubectlBinary, startKubectl } from './kubectl.ts';

const reconnectDelayMs = 3000;
const isAborted = (s: AbortSignal) => s.aborted;

interface AppPort {
  name: string;
  remote: number;
  local: number;
}

interface SessionFlags {
  verbose?: boolean;
  dashboardPort: string;
  clientPort: string;
  servePort: string;
}

/** The head Service of a RayCluster, RayJob or RayService, from its status (KubeRay's lookup). */
export function headServiceOf(
  type: ResourceType,
  status: Record<string, unknown> | undefined,
): string | undefined {
  type Head = { head?: { serviceName?: string } };
  const s = status ?? {};
  if (type === 'raycluster') return (s as Head).head?.serviceName;
  if (type === 'rayjob') return (s.rayClusterStatus as Head | undefined)?.head?.serviceName;
  return (s.activeServiceStatus as { rayClusterStatus?: Head } | undefined)?.rayClusterStatus?.head
    ?.serviceName;
}

export function sessionPorts(type: ResourceType, f: SessionFlags): AppPort[] {
  const dashboard = {
    name: 'Ray Dashboard',
    remote: 8265,
    local: intFlag('dashboard-port', f.dashboardPort),
  };
  if (type === 'rayjob') return [dashboard];
  if (type === 'rayservice')
    return [dashboard, { name: 'Ray Serve', remote: 8000, local: intFlag('serve-port', f.servePort) }];
  return [
    dashboard,
    { name: 'Ray Interactive Client', remote: 10001, local: intFlag('client-port', f.clientPort) },
  ];
}

async function session(kube: Kube, arg: string, f: SessionFlags, io: Io, signal: AbortSignal) {
  const ref = parseTypeName(arg);
  const obj = await kube.client.get<KubeObject & { status?: Record<string, unknown> }>(
    resourceOf[ref.type],
    kube.namespace,
    ref.name,
  );
  const svc = headServiceOf(ref.type, obj.status);
  if (!svc)
    throw new UsageError(`${ref.type} ${ref.name} has no head Service yet: wait until its cluster is up`);
  io.out.write(`Forwarding ports to service ${svc}\n`);
  // Only ports the Service serves: kubectl port-forward refuses the whole forward if one is missing
  // (a head whose container lists its ports without the client port 10001, like the guide's basic
  // cluster, has no such Service port; KubeRay's plugin then retries forever).
  const served = new Set(
    (
      (
        await kube.client.get<KubeObject & { spec?: { ports?: { port: number }[] } }>(
          Services,
          kube.namespace,
          svc,
        )
      ).spec?.ports ?? []
    ).map((p) => p.port),
  );
  const ports: AppPort[] = [];
  for (const p of sessionPorts(ref.type, f)) {
    if (served.has(p.remote)) {
      ports.push(p);
      io.out.write(`${p.name}: http://localhost:${p.local}\n`);
    } else io.out.write(`${p.name}: not forwarded (service ${svc} has no port ${p.remote})\n`);
  }
  if (!ports.length) throw new UsageError(`service ${svc} serves none of the session's ports`);
  io.out.write('\n');
  const args = ['port-forward', `service/${svc}`, ...ports.map((p) => `${p.local}:${p.remote}`)];
  while (!signal.aborted) {
    if (f.verbose)
      io.out.write(
        `Running: ${kubectlBinary()} ${[...kube.kubectlArgs(), '--namespace', kube.namespace, ...args].join(' ')}\n`,
      );
    const child: ChildProcess = startKubectl(kube, args);
    child.stdout!.pipe(io.out, { end: false });
    child.stderr!.pipe(io.err, { end: false });
    const stop = () => child.kill('SIGTERM');
    signal.addEventListener('abort', stop, { once: true });
    const code = await new Promise<number | string>((resolve) => {
      child.once('error', (e: NodeJS.ErrnoException) => {
        resolve(e.code === 'ENOENT' ? 'kubectl not found on PATH' : e.message);
      });
      child.once('close', (c) => {
        resolve(c ?? 0);
      });
    });
    signal.removeEventListener('abort', stop);
    // Read again: the abort happens while kubectl runs.
    if (isAborted(signal) || code === 0) return;
    io.out.write(
      `failed to port-forward: ${typeof code === 'number' ? `exit status ${code}` : code}. Retrying in ${reconnectDelayMs / 1000}s ...\n\n`,
    );
    await sleep(reconnectDelayMs, undefined, { signal }).catch(() => undefined);
  }
}

export function registerSession(parent: Command, io: Io = stdio): void {
  parent
    .command('session')
    .argument('<RESOURCE>', 'RAYCLUSTER or TYPE/NAME (raycluster, rayjob, rayservice)')
    .description('Forward local ports to the Ray resources.')
    .option('-v, --verbose', 'verbose output')
    .option('--dashboard-port <port>', 'local port for the dashboard', '8265')
    .option('--client-port <port>', 'local port for the Ray client', '10001')
    .option('--serve-port <port>', 'local port for Ray Serve', '8000')
    .action(async (arg: string, f: SessionFlags, cmd: Command) => {
      const ac = new AbortController();
      const onSignal = () => {
        ac.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await withKube(cmd, (kube) => session(kube, arg, f, io, ac.signal), io);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
