// Real Ray accepts what the compiler writes. The basic example (01-basic.yaml) is rendered and its
// head and one worker container are run as the kubelet would run them — the container command and
// args exactly as rendered, the pod's env with fieldRefs resolved — from the project's Ray 2.58 venv,
// on this host. Only the head Service DNS name becomes 127.0.0.1 (there is no pod network here);
// no --node-ip-address is added because Ray itself rewrites a loopback node address (and a loopback
// GCS address) to the host's own interface address, consistently for every node and client.
// `ray status` must then show 2 nodes (typed headgroup and worker-group-1, from the pods' env) with
// 4 CPUs and the 2 × 4 GiB of memory the spec asks for.
//
// The spec gets free ports, a private temp dir and a loopback dashboard host through rayStartParams
// — so this test can run beside others, and it checks that the compiler honours those parameters.
import { test } from 'node:test';
import { freePorts } from '../../rig/ports.ts';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ensureRayVenv } from '../../rig/ray/venv.ts';
import type { RayCluster } from '../api/v1/index.ts';
import { parseYamlStream } from '../util/yaml.ts';
import { renderCluster } from './index.ts';
import type { Container, Pod } from './k8sTypes.ts';
import { patientRayEnv } from '../../rig/ray/patient.ts';
import { seedFile } from '../testing/seeds.ts';

// Ray's 30 s startup limits, lifted as on the local node: this machine is shared and has 2 cores.
patientRayEnv();

const run = promisify(execFile);
const basicFile = seedFile('01-basic.yaml');
const GiB = 1024 ** 3;

/** The kubelet's view of a container's env: values as given, fieldRefs resolved against the pod. */
function podEnv(pod: Pod, c: Container): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of c.env ?? []) {
    if (e.value !== undefined) out[e.name] = e.value;
    const path = e.valueFrom?.fieldRef?.fieldPath;
    if (path === undefined) continue;
    const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
    if (path === 'metadata.name') out[e.name] = pod.metadata!.name!;
    else if (path === 'metadata.namespace') out[e.name] = pod.metadata!.namespace!;
    else if (label) out[e.name] = pod.metadata!.labels![label[1]!]!;
    else throw new Error(`unexpected fieldRef ${path}`);
  }
  return out;
}

/**
 * A container as the kubelet runs it with the pods' `restartPolicy: Always`: the rendered command
 * and args in their own process group (like PID 1), restarted when they exit — on a loaded 2-core
 * machine Ray's client server can give up on a slow raylet and take `ray start --block` down, and in
 * a cluster the kubelet restarts the container. Restarts are bounded; `stop()` ends it for good.
 */
class RayContainer {
  readonly log: string;
  restarts = 0;
  failed: string | undefined;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;
  private readonly argv: string[];
  private readonly env: Record<string, string>;

  constructor(pod: Pod, fqdn: string, env: Record<string, string>, log: string) {
    const c = pod.spec!.containers[0]!;
    assert.equal(c.args?.length, 1);
    const script = c.args[0]!.split(fqdn).join('127.0.0.1');
    const podEnvVars = Object.fromEntries(
      Object.entries(podEnv(pod, c)).map(([k, v]) => [k, v.split(fqdn).join('127.0.0.1')]),
    );
    this.argv = [...c.command!, script];
    this.env = { ...env, ...podEnvVars };
    this.log = log;
    this.start();
  }

  private start(): void {
    const fd = openSync(this.log, 'a');
    const child = spawn(this.argv[0]!, this.argv.slice(1), {
      env: this.env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    closeSync(fd);
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        resolve();
        if (this.stopping) return;
        // Daemons the dead `ray start` left behind go with it, as with a container's cgroup.
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone
        }
        if (this.restarts >= 3) {
          this.failed = `exited (${code ?? signal}) after ${this.restarts} restarts`;
          return;
        }
        this.restarts++;
        setTimeout(() => {
          if (!this.stopping) this.start();
        }, 2000);
      });
    });
  }

  tail(): string {
    return readFileSync(this.log, 'utf8').slice(-3000);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const pid = this.child?.pid;
    if (pid === undefined || this.child!.exitCode !== null || this.child!.signalCode !== null) return;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return;
    }
    const done = await Promise.race([this.exited.then(() => true), sleep(20_000).then(() => false)]);
    if (!done) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
      await this.exited;
    }
  }
}

/** Every process still mentioning our private temp dir (Ray daemons that left the process group). */
function killStragglers(needle: string): void {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) process.kill(Number(d), 'SIGKILL');
    } catch {
      // gone
    }
  }
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: GiB, TiB: 1024 ** 4 };

interface Status {
  /** Node count per node type (Ray takes the type from RAY_NODE_TYPE_NAME, the pod's ray.io/group). */
  nodesByType: Record<string, number>;
  activeNodes: number;
  cpus: number;
  memoryBytes: number;
}

/**
 * Parses Ray 2.58's `ray status`: nodes are listed per type under Active: and Idle:, e.g.
 * ` 1 headgroup`; totals under Total Usage:, e.g. ` 0.0/4.0 CPU`, ` 0B/8.00GiB memory`.
 */
function parseRayStatus(text: string): Status | undefined {
  const nodeStatus = /Node status\n-+\n([\s\S]*?)Pending:/.exec(text);
  const cpu = /^\s*[\d.]+\/([\d.]+) CPU\s*$/m.exec(text);
  const mem = /^\s*[\d.]+\w*\/([\d.]+)(B|KiB|MiB|GiB|TiB) memory\s*$/m.exec(text);
  if (!nodeStatus || !cpu || !mem) return undefined;
  const nodesByType: Record<string, number> = {};
  for (const m of nodeStatus[1]!.matchAll(/^ (\d+) (\S+)\s*$/gm)) {
    nodesByType[m[2]!] = (nodesByType[m[2]!] ?? 0) + Number(m[1]);
  }
  const activeNodes = Object.values(nodesByType).reduce((a, b) => a + b, 0);
  return { nodesByType, activeNodes, cpus: Number(cpu[1]), memoryBytes: Number(mem[1]) * UNITS[mem[2]!]! };
}

test('parseRayStatus reads a captured Ray 2.58 status', () => {
  const sample = [
    '======== Autoscaler status: 2026-11-28 15:45:49.457276 ========',
    'Node status',
    '---------------------------------------------------------------',
    'Active:',
    ' (no active nodes)',
    'Idle:',
    ' 1 headgroup',
    ' 3 worker-group-1',
    'Pending:',
    ' (no pending nodes)',
    'Resources',
    '---------------------------------------------------------------',
    'Total Usage:',
    ' 0.0/8.0 CPU',
    ' 0B/16.00GiB memory',
    ' 0B/11.76GiB object_store_memory',
    '',
  ].join('\n');
  assert.deepEqual(parseRayStatus(sample), {
    nodesByType: { headgroup: 1, 'worker-group-1': 3 },
    activeNodes: 4,
    cpus: 8,
    memoryBytes: 16 * GiB,
  });
});

test(
  'the rendered ray start commands of 01-basic bring up a 2-node Ray cluster with the spec resources',
  { timeout: 600_000 },
  async () => {
    const venv = await ensureRayVenv();
    const tempDir = mkdtempSync(join(tmpdir(), 'kuray-raystart-'));
    const [gcs, dash, client, headAgent, headMetrics, workerAgent, workerMetrics, asMetrics, dashMetrics] =
      await freePorts(9);
    const rc = parseYamlStream(readFileSync(basicFile, 'utf8'))[0]!.value as RayCluster;
    Object.assign(rc.spec.headGroupSpec.rayStartParams!, {
      port: String(gcs),
      'dashboard-port': String(dash),
      'ray-client-server-port': String(client),
      'dashboard-agent-listen-port': String(headAgent),
      'metrics-export-port': String(headMetrics),
      'dashboard-host': '127.0.0.1',
      'temp-dir': tempDir,
    });
    Object.assign(rc.spec.workerGroupSpecs![0]!.rayStartParams!, {
      'dashboard-agent-listen-port': String(workerAgent),
      'metrics-export-port': String(workerMetrics),
      'temp-dir': tempDir,
    });
    const objs = renderCluster(rc);
    const pods = objs.filter((o): o is Pod => o.kind === 'Pod');
    const head = pods.find((p) => p.metadata?.labels?.['ray.io/node-type'] === 'head')!;
    const worker = pods.find((p) => p.metadata?.labels?.['ray.io/node-type'] === 'worker')!;
    const fqdn = 'ray-cluster-head-svc.default.svc.cluster.local';

    // The compiler honours the parameters it was given, and fills in what KubeRay fills in.
    const headArgs = head.spec!.containers[0]!.args![0]!;
    for (const flag of [
      `--port=${gcs}`,
      `--dashboard-port=${dash}`,
      `--ray-client-server-port=${client}`,
      `--dashboard-agent-listen-port=${headAgent}`,
      `--metrics-export-port=${headMetrics}`,
      '--dashboard-host=127.0.0.1',
      '--memory=4294967296',
      '--num-cpus=2',
      '--object-store-memory=2147483648',
      '--block',
    ]) {
      assert.ok(headArgs.includes(` ${flag} `), `head args lack ${flag}: ${headArgs}`);
    }
    const workerArgs = worker.spec!.containers[0]!.args![0]!;
    assert.ok(workerArgs.includes(` --address=${fqdn}:${gcs} `), workerArgs);

    const baseEnv: Record<string, string> = {
      PATH: `${join(venv, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
      HOME: process.env.HOME ?? tmpdir(),
      LANG: 'C.UTF-8',
      RAY_USAGE_STATS_ENABLED: '0',
      RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S: '0',
      // Ray's otherwise fixed internal metrics ports, moved so parallel Ray instances do not clash.
      AUTOSCALER_METRIC_PORT: String(asMetrics),
      DASHBOARD_METRIC_PORT: String(dashMetrics),
      // patientRayEnv(): longer Ray startup waits on this shared 2-core machine.
      ...(process.env.PYTHONPATH ? { PYTHONPATH: process.env.PYTHONPATH } : {}),
      ...(process.env.RAY_DASHBOARD_SUBPROCESS_MODULE_WAIT_READY_TIMEOUT
        ? {
            RAY_DASHBOARD_SUBPROCESS_MODULE_WAIT_READY_TIMEOUT:
              process.env.RAY_DASHBOARD_SUBPROCESS_MODULE_WAIT_READY_TIMEOUT,
          }
        : {}),
    };
    const nodes: RayContainer[] = [];
    try {
      nodes.push(new RayContainer(head, fqdn, baseEnv, join(tempDir, 'head.log')));
      const status = async (): Promise<string> =>
        (
          await run(join(venv, 'bin', 'ray'), ['status', `--address=127.0.0.1:${gcs}`], {
            env: baseEnv,
            timeout: 60_000,
          })
        ).stdout;
      // The worker's wait-gcs-ready init container holds it until the GCS answers, and in a cluster
      // a worker that still finds no head node registered exits and is restarted by the kubelet.
      // Here: start the worker once the head node is registered (ray status lists it).
      const deadline = Date.now() + 240_000;
      for (;;) {
        if (nodes[0]!.failed) assert.fail(`head ${nodes[0]!.failed}: ${nodes[0]!.tail()}`);
        try {
          if ((parseRayStatus(await status())?.activeNodes ?? 0) >= 1) break;
        } catch {
          // GCS not up yet
        }
        if (Date.now() > deadline) assert.fail(`head never registered: ${nodes[0]!.tail()}`);
        await sleep(2000);
      }
      nodes.push(new RayContainer(worker, fqdn, baseEnv, join(tempDir, 'worker.log')));
      let last = '';
      let parsed: Status | undefined;
      for (;;) {
        for (const n of nodes) {
          if (n.failed) assert.fail(`${n.log} ${n.failed}: ${n.tail()}`);
        }
        try {
          last = await status();
          parsed = parseRayStatus(last);
          if (parsed && parsed.activeNodes === 2 && parsed.cpus === 4) break;
        } catch (err) {
          last = String(err);
        }
        if (Date.now() > deadline) assert.fail(`ray status never showed 2 nodes / 4 CPUs:\n${last}`);
        await sleep(2000);
      }
      assert.equal(parsed.activeNodes, 2, last);
      assert.deepEqual(parsed.nodesByType, { headgroup: 1, 'worker-group-1': 1 }, last);
      assert.equal(parsed.cpus, 4, last);
      // 2 × 4Gi; `ray status` prints two decimals of GiB.
      assert.ok(Math.abs(parsed.memoryBytes - 8 * GiB) < 0.01 * GiB, last);
    } finally {
      for (const n of [...nodes].reverse()) await n.stop();
      killStragglers(tempDir);
      rmSync(tempDir, { recursive: true, force: true });
    }
  },
);
