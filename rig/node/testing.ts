// Helpers for e2e tests and the playground on the `real` rig: wait for the local node, apply a
// RayCluster, wait for its pods, read `ray status` through the head, and size examples down.
import { readFileSync } from 'node:fs';
import { groupRss } from './procs.ts';
import { join } from 'node:path';
import type { Rig } from '../harness.ts';
import { privateRig } from '../testing.ts';
import { podExec, nodeStateDir, type ExecResult } from './exec.ts';
import { localNodeName } from './profile.ts';
import type { Pod } from './types.ts';
import { until } from '../../src/testing/wait.ts';

/** A private rig with the `real` profile whose local node is Ready. */
export async function realRig(): Promise<Rig> {
  const rig = await privateRig({ profile: 'real' });
  await waitNodeReady(rig);
  return rig;
}

export async function waitNodeReady(rig: Rig, timeoutMs = 120_000): Promise<void> {
  await until(
    `node ${localNodeName} Ready`,
    async () => {
      const r = await rig.kubectl(['get', 'node', localNodeName, '-o', 'json']);
      if (r.code !== 0) return false;
      const n = JSON.parse(r.stdout) as {
        spec?: { taints?: unknown[] };
        status?: { conditions?: { type: string; status: string }[] };
      };
      const ready = n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      return ready && (n.spec?.taints ?? []).length === 0;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

export async function getJson<T>(rig: Rig, args: readonly string[]): Promise<T> {
  const r = await rig.kubectl([...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as T;
}

export async function clusterPods(rig: Rig, ns: string, cluster: string): Promise<Pod[]> {
  const list = await getJson<{ items: Pod[] }>(rig, [
    'get',
    'pods',
    '-n',
    ns,
    '-l',
    `ray.io/cluster=${cluster}`,
  ]);
  return list.items;
}

export function isReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function isHead(p: Pod): boolean {
  return p.metadata.labels?.['ray.io/node-type'] === 'head';
}

/** Waits until the cluster has exactly `count` pods, all Ready and not terminating. */
export async function waitClusterReady(
  rig: Rig,
  ns: string,
  cluster: string,
  count: number,
  timeoutMs = 300_000,
  /** Accept more than `count` pods (an autoscaler may already have added some). */
  atLeast = false,
): Promise<Pod[]> {
  let last: Pod[] = [];
  return until(
    `${atLeast ? 'at least ' : ''}${count} Ready pods of RayCluster ${ns}/${cluster}`,
    async () => {
      last = await clusterPods(rig, ns, cluster);
      const live = last.filter((p) => !p.metadata.deletionTimestamp);
      const enough = atLeast ? live.length >= count : live.length === count;
      return enough && live.every(isReady) ? live : undefined;
    },
    {
      timeoutMs,
      intervalMs: 1000,
      describe: () =>
        last
          .map(
            (p) =>
              `${p.metadata.name} ${p.status?.phase} ready=${isReady(p)} ${JSON.stringify(p.status?.containerStatuses?.map((c) => c.state))}`,
          )
          .join('\n'),
    },
  );
}

/** Runs a command in a container of a pod on the local node (the pod's env, IP and Ray venv). */
export function execIn(
  rig: Rig,
  ns: string,
  pod: string,
  container: string,
  argv: readonly string[],
  timeoutMs = 120_000,
): Promise<ExecResult> {
  return podExec(nodeStateDir(rig.dir), ns, pod, container, argv, { timeoutMs });
}

export interface RayStatus {
  text: string;
  /** Active + idle nodes by node type (ray.io/group). */
  nodesByType: Record<string, number>;
  nodes: number;
  cpu: number;
  /** Bytes (from the GiB/MiB figure ray status prints, rounded to MiB). */
  memoryBytes: number;
}

const units: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

/** Parses `ray status` (autoscaler summary) output. Pure. */
export function parseRayStatus(text: string): RayStatus {
  const nodesByType: Record<string, number> = {};
  let section = '';
  let cpu = 0;
  let memoryBytes = 0;
  for (const line of text.split('\n')) {
    const head =
      /^(Active|Idle|Pending|Recent failures|Total Usage|Total Constraints|Total Demands|From request_resources|Pending Demands):/.exec(
        line.trim(),
      );
    if (head) {
      section = head[1]!;
      continue;
    }
    if (section === 'Active' || section === 'Idle') {
      const m = /^\s*(\d+)\s+(\S+)\s*$/.exec(line);
      if (m) nodesByType[m[2]!] = (nodesByType[m[2]!] ?? 0) + Number(m[1]);
    }
    if (section === 'Total Usage') {
      const c = /^\s*[\d.]+\/([\d.]+) CPU\s*$/.exec(line);
      if (c) cpu = Number(c[1]);
      const mem = /^\s*[\d.]+\w*\/([\d.]+)(B|KiB|MiB|GiB|TiB) memory\s*$/.exec(line);
      if (mem) memoryBytes = Math.round((Number(mem[1]) * units[mem[2]!]!) / 1024 ** 2) * 1024 ** 2;
    }
  }
  const nodes = Object.values(nodesByType).reduce((a, b) => a + b, 0);
  return { text, nodesByType, nodes, cpu, memoryBytes };
}

/** `ray status` run inside the head container. */
export async function rayStatus(rig: Rig, ns: string, head: Pod): Promise<RayStatus> {
  const container = head.spec.containers[0]!.name;
  const r = await execIn(rig, ns, head.metadata.name!, container, ['ray', 'status'], 60_000);
  if (r.code !== 0) throw new Error(`ray status failed (${r.code}): ${r.stderr.slice(-1500)}`);
  return parseRayStatus(r.stdout);
}

/** RSS of a pod's running containers (their process groups), from the pid files the node writes. */
export function podRss(rig: Rig, ns: string, pod: Pod): number {
  let total = 0;
  for (const c of pod.spec.containers) {
    try {
      const pid = Number(
        readFileSync(
          join(nodeStateDir(rig.dir), 'pods', `${ns}_${pod.metadata.name}`, c.name, 'pid'),
          'utf8',
        ),
      );
      total += groupRss(pid);
    } catch {
      // not running
    }
  }
  return total;
}
