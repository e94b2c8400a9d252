// Test builders for the policy, cert-manager style:
//   group('g', withBounds(1, 10), withReplicas(2), withWorkers(worker('w0', busy()), worker('w1', idleFor(90_000))))
import { DEFAULT_POLICY_OPTIONS } from './options.ts';
import type { BundleDemand, GangDemand, GroupInput, PolicyOptions, Resources, WorkerState } from './types.ts';

export const NOW = 1_800_000_000_000;

type Mut<T> = { -readonly [K in keyof T]: T[K] };
export type GroupOption = (g: Mut<GroupInput>) => void;
export type WorkerOption = (w: Mut<WorkerState>) => void;

export function group(name: string, ...opts: GroupOption[]): GroupInput {
  const g: Mut<GroupInput> = {
    name,
    minReplicas: 0,
    maxReplicas: 10,
    replicas: 0,
    nodeShape: { CPU: 2 },
    workers: [],
    demand: { bundles: [], gangs: [] },
    options: DEFAULT_POLICY_OPTIONS,
    nowMs: NOW,
  };
  for (const o of opts) o(g);
  return g;
}

export const withBounds =
  (min: number, max: number): GroupOption =>
  (g) => {
    g.minReplicas = min;
    g.maxReplicas = max;
  };
export const withReplicas =
  (n: number): GroupOption =>
  (g) => {
    g.replicas = n;
  };
export const withShape =
  (r: Resources): GroupOption =>
  (g) => {
    g.nodeShape = r;
  };
/** Sets the workers and, unless withReplicas follows, replicas = number of non-terminating workers. */
export const withWorkers =
  (...ws: WorkerState[]): GroupOption =>
  (g) => {
    g.workers = ws;
    g.replicas = ws.filter((w) => w.phase !== 'terminating').length;
  };
export const withOptions =
  (o: Partial<PolicyOptions>): GroupOption =>
  (g) => {
    g.options = { ...g.options, ...o };
  };
export const withDemand =
  (...bundles: BundleDemand[]): GroupOption =>
  (g) => {
    g.demand = { ...g.demand, bundles };
  };
export const withGangs =
  (...gangs: GangDemand[]): GroupOption =>
  (g) => {
    g.demand = { ...g.demand, gangs };
  };
export const withLastScale =
  (agoMs: number): GroupOption =>
  (g) => {
    g.lastScaleTimeMs = g.nowMs - agoMs;
  };

export function worker(podName: string, ...opts: WorkerOption[]): WorkerState {
  const w: Mut<WorkerState> = { podName, phase: 'running', total: { CPU: 2 }, available: { CPU: 0 } };
  for (const o of opts) o(w);
  return w;
}

/** Busy: resources in use, not idle. */
export const busy =
  (cpu?: number): WorkerOption =>
  (w) => {
    w.idleSinceMs = undefined;
    if (cpu !== undefined) w.cpuUtilization = cpu;
  };
export const idleFor =
  (ms: number): WorkerOption =>
  (w) => {
    w.idleSinceMs = NOW - ms;
    w.available = w.total;
    w.cpuUtilization ??= 0.02;
  };
export const launching = (): WorkerOption => (w) => {
  w.phase = 'pending';
  w.total = undefined;
  w.available = undefined;
};
/** Pending (no Ray node yet) for `ms` since its pod was created. */
export const launchingFor =
  (ms: number): WorkerOption =>
  (w) => {
    launching()(w);
    w.pendingSinceMs = NOW - ms;
  };
export const terminating = (): WorkerOption => (w) => {
  w.phase = 'terminating';
};
export const cpu =
  (u: number): WorkerOption =>
  (w) => {
    w.cpuUtilization = u;
  };
export const mem =
  (u: number): WorkerOption =>
  (w) => {
    w.memoryUtilization = u;
  };
export const free =
  (r: Resources): WorkerOption =>
  (w) => {
    w.available = r;
  };

export function cpus(n: number, count: number): BundleDemand {
  return { resources: { CPU: n }, count };
}
