// The kubelet's /metrics/resource for the local node, which metrics-server scrapes for
// `kubectl top`: CPU (cumulative core-seconds) and working set per container from its process
// group, and per node from the machine (/proc/stat, /proc/meminfo). The format and names are the
// kubelet's (Prometheus text, millisecond timestamps).
//
// A container's CPU is the sum over every process ever seen in its group: processes exit, and a
// counter that went down would read as a restart. Memory is the sum of the members' RSS (shared
// pages count once per process, so it overstates what a cgroup would report).
import { readFileSync } from 'node:fs';
import { processesByGroup } from './procs.ts';

export interface MeteredContainer {
  namespace: string;
  pod: string;
  container: string;
  pgid: number;
  /** Groups exec'd into the container: they count as its own, as in a container's cgroup. */
  execGroups?: readonly number[];
  /** When this run of the container started (ISO). */
  startedAt: string;
}

export interface ContainerSample {
  namespace: string;
  pod: string;
  container: string;
  cpuSeconds: number;
  memoryBytes: number;
  startSeconds: number;
}

export interface NodeSample {
  cpuSeconds: number;
  memoryBytes: number;
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Prometheus text as the kubelet serves it. Pure. */
export function renderResourceMetrics(
  node: NodeSample,
  containers: readonly ContainerSample[],
  nowMs: number,
): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string, lines: string[]) => {
    out.push(`# HELP ${name} [STABLE] ${help}`, `# TYPE ${name} ${type}`, ...lines);
  };
  const labels = (c: ContainerSample) =>
    `{container="${esc(c.container)}",namespace="${esc(c.namespace)}",pod="${esc(c.pod)}"}`;
  const podLabels = (ns: string, pod: string) => `{namespace="${esc(ns)}",pod="${esc(pod)}"}`;
  family(
    'container_cpu_usage_seconds_total',
    'counter',
    'Cumulative cpu time consumed by the container in core-seconds',
    containers.map((c) => `container_cpu_usage_seconds_total${labels(c)} ${c.cpuSeconds} ${nowMs}`),
  );
  family(
    'container_memory_working_set_bytes',
    'gauge',
    'Current working set of the container in bytes',
    containers.map((c) => `container_memory_working_set_bytes${labels(c)} ${c.memoryBytes} ${nowMs}`),
  );
  family(
    'container_start_time_seconds',
    'gauge',
    'Start time of the container since unix epoch in seconds',
    containers.map((c) => `container_start_time_seconds${labels(c)} ${c.startSeconds} ${nowMs}`),
  );
  family(
    'node_cpu_usage_seconds_total',
    'counter',
    'Cumulative cpu time consumed by the node in core-seconds',
    [`node_cpu_usage_seconds_total ${node.cpuSeconds} ${nowMs}`],
  );
  family('node_memory_working_set_bytes', 'gauge', 'Current working set of the node in bytes', [
    `node_memory_working_set_bytes ${node.memoryBytes} ${nowMs}`,
  ]);
  const pods = new Map<string, { ns: string; pod: string; cpu: number; mem: number }>();
  for (const c of containers) {
    const k = `${c.namespace}/${c.pod}`;
    const p = pods.get(k) ?? { ns: c.namespace, pod: c.pod, cpu: 0, mem: 0 };
    p.cpu += c.cpuSeconds;
    p.mem += c.memoryBytes;
    pods.set(k, p);
  }
  family(
    'pod_cpu_usage_seconds_total',
    'counter',
    'Cumulative cpu time consumed by the pod in core-seconds',
    [...pods.values()].map((p) => `pod_cpu_usage_seconds_total${podLabels(p.ns, p.pod)} ${p.cpu} ${nowMs}`),
  );
  family(
    'pod_memory_working_set_bytes',
    'gauge',
    'Current working set of the pod in bytes',
    [...pods.values()].map((p) => `pod_memory_working_set_bytes${podLabels(p.ns, p.pod)} ${p.mem} ${nowMs}`),
  );
  family(
    'resource_scrape_error',
    'gauge',
    '1 if there was an error while getting container metrics, 0 otherwise',
    ['resource_scrape_error 0'],
  );
  return out.join('\n') + '\n';
}

/** Busy CPU seconds of the machine (all cores) and MemTotal − MemAvailable. */
export function readNodeSample(): NodeSample {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: busy is everything but idle and iowait.
  const ticks = cpu.slice(0, 8).reduce((a, b) => a + b, 0) - (cpu[3] ?? 0) - (cpu[4] ?? 0);
  const mem = Object.fromEntries(
    readFileSync('/proc/meminfo', 'utf8')
      .split('\n')
      .map((l) => /^(\w+):\s+(\d+) kB/.exec(l))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, Number(m[2]) * 1024]),
  ) as Record<string, number>;
  return { cpuSeconds: ticks / 100, memoryBytes: (mem.MemTotal ?? 0) - (mem.MemAvailable ?? 0) };
}

/** Keeps each container's CPU counter monotonic across its processes' lives. */
export class ResourceMeter {
  /** pgid → (pid:start → last CPU ns seen). */
  readonly #seen = new Map<number, Map<string, number>>();

  sample(containers: readonly MeteredContainer[]): ContainerSample[] {
    const procs = processesByGroup();
    const live = new Set(containers.map((c) => c.pgid));
    for (const g of this.#seen.keys()) if (!live.has(g)) this.#seen.delete(g);
    return containers.map((c) => {
      const seen = this.#seen.get(c.pgid) ?? new Map<string, number>();
      this.#seen.set(c.pgid, seen);
      let memoryBytes = 0;
      for (const p of [c.pgid, ...(c.execGroups ?? [])].flatMap((g) => procs.get(g) ?? [])) {
        seen.set(`${p.pid}:${p.startTicks}`, p.cpuNs);
        memoryBytes += p.rssBytes;
      }
      let cpuNs = 0;
      for (const v of seen.values()) cpuNs += v;
      return {
        namespace: c.namespace,
        pod: c.pod,
        container: c.container,
        cpuSeconds: cpuNs / 1e9,
        memoryBytes,
        startSeconds: Math.floor(Date.parse(c.startedAt) / 1000),
      };
    });
  }
}
