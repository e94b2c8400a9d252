// The three measured scenarios (burst, scale, steady), each run for one subject — the minimal
// script ('limit'), Kuray or KubeRay — in a fresh namespace that only that subject watches. Every
// wait is bounded; a timeout is recorded in the result, never hidden.
import { setTimeout as sleep } from 'node:timers/promises';
import { isNotFound } from '../src/runtime/errors.ts';
import { Namespaces, RayClusters, ServiceAccounts, type KubeObject } from '../src/runtime/resources.ts';
import type { KubeClient } from '../src/runtime/transport.ts';
import { inNamespace, rayCluster, withWorkers } from '../src/testing/builders.ts';
import { clusterPods, createPods, deletePods, pool } from './limit.ts';
import type { OperatorProc } from './operators.ts';
import { totals, diffCounts, type RequestCounts } from './promtext.ts';
import { summarize, type Summary } from './stats.ts';
import { Tracker, waitFor, type PodTimes } from './tracker.ts';

export type Subject = 'limit' | 'kuray' | 'kuberay';
export type ScenarioName = 'burst' | 'scale' | 'steady';

export interface BurstResult {
  clusters: number;
  pods: number;
  timedOut: boolean;
  runningPods: number;
  readyClusters: number;
  /** Start of creation → last pod seen by the watch (how fast the subject created them). */
  secondsToAllCreated: number;
  /** Start of creation → last pod bound to a node (the scheduler kept up or not). */
  secondsToAllBound: number;
  /** Start of creation → last pod Running. */
  secondsToAllRunning: number;
  /** Start of creation → last cluster ready (for the limit: its last group of pods Running). */
  secondsToAllReady: number;
  podsPerSecond: number;
  /** Per cluster: creation → ready, seconds. */
  clusterReady: Summary;
  /** Per pod (clusterloader2 pod_startup): first seen by the watch → Running, seconds. */
  podStartup: Summary;
  /** Per pod: first seen → bound to a node (the scheduler's share of podStartup), seconds. */
  podScheduling: Summary;
  /** Per pod: bound → Running (KWOK's share), seconds. */
  podBoundToRunning: Summary;
  /**
   * One Running worker pod as the API server stores and sends it (compact JSON, managedFields and
   * status included): what every write and watch event of a pod carries. Absent in older results.
   */
  workerPodBytes?: number;
}

export interface ScaleResult {
  workers: number;
  timedOut: boolean;
  upSeconds: number;
  upPodsPerSecond: number;
  downSeconds: number;
  downPodsPerSecond: number;
  /**
   * The scale-down split: first and last worker seen terminating (deletionTimestamp set, i.e. the
   * operator's DELETE was served), from the replicas patch; the rest of downSeconds is KWOK removing them.
   */
  downFirstTerminatingSeconds: number;
  downAllTerminatingSeconds: number;
  /** Between all workers Running and the scale-down: the subject's writes held still (see scale()). */
  restSeconds: number;
}

export interface SteadyResult {
  clusters: number;
  timedOut: boolean;
  secondsToReady: number;
  /** From all ready until the operator's write count held still (its Event sink draining). */
  settleSeconds: number;
  settleWrites: number;
  settleRequests: RequestCounts;
  windowSeconds: number;
  rssMiB: number;
  peakRssMiB: number;
  cpuSecondsInWindow: number;
  requestsPerSecond: number;
  readsInWindow: number;
  writesInWindow: number;
  requestsInWindow: RequestCounts;
}

export interface Sizes {
  burstClusters: number;
  burstWorkers: number;
  scaleWorkers: number;
  steadyClusters: number;
  steadySeconds: number;
}

export interface ScenarioCtx {
  /** The benchmark's own client: high limits, so it never throttles what it measures. */
  client: KubeClient;
  /** The minimal script's client: the operators' QPS/burst. */
  limitClient: KubeClient;
  limitConcurrency: number;
  /** The client limits of the operators and the script: how long an emptied bucket takes to refill. */
  qps: number;
  burst: number;
  sizes: Sizes;
  log: (msg: string) => void;
}

const s = (ms: number): number => ms / 1000;
const mib = (kib: number): number => kib / 1024;

/** Bounded waits: a minute plus a generous per-pod allowance (a loaded 2-core rig still does ≥ 5 pods/s). */
function waitBudgetMs(pods: number): number {
  return 60_000 + pods * 500;
}

export async function createNamespace(client: KubeClient, name: string): Promise<void> {
  await client.create(Namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  // The ServiceAccount admission plugin rejects pods until the namespace's default SA exists.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await client.get(ServiceAccounts, name, 'default');
      return;
    } catch (e) {
      if (!isNotFound(e) || Date.now() > deadline) throw e;
      await sleep(200);
    }
  }
}

/** Deletes a namespace and waits (bounded) until it is gone, so its teardown does not load the next run. */
export async function deleteNamespace(
  client: KubeClient,
  name: string,
  timeoutMs = 300_000,
): Promise<boolean> {
  try {
    await client.delete(Namespaces, undefined, name, { propagationPolicy: 'Background' });
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await client.get(Namespaces, undefined, name);
    } catch (e) {
      if (isNotFound(e)) return true;
    }
    await sleep(500);
  }
  return false;
}

function maxOf(values: Iterable<number | undefined>): number {
  let m = NaN;
  for (const v of values) if (v !== undefined && !(v <= m)) m = v;
  return m;
}

function createClusters(ctx: ScenarioCtx, clusters: readonly KubeObject[]): Promise<number> {
  return pool(clusters, 50, (c) => ctx.client.create(RayClusters, c));
}

function burstClusterObjects(ns: string, n: number, workers: number): KubeObject[] {
  return Array.from(
    { length: n },
    (_, i) => rayCluster(`c${i}`, inNamespace(ns), withWorkers(workers)) as unknown as KubeObject,
  );
}

export async function burst(
  ctx: ScenarioCtx,
  subject: Subject,
  ns: string,
  t: Tracker,
): Promise<BurstResult> {
  const { burstClusters: n, burstWorkers: w } = ctx.sizes;
  const pods = n * (1 + w);
  const t0 = Date.now();
  let failures: number;
  if (subject === 'limit') {
    const all = Array.from({ length: n }, (_, i) => clusterPods(ns, `c${i}`, w)).flat();
    failures = await createPods(ctx.limitClient, all, ctx.limitConcurrency);
  } else {
    failures = await createClusters(ctx, burstClusterObjects(ns, n, w));
  }
  if (failures > 0) ctx.log(`bench: burst/${subject}: ${failures} creates failed`);
  const done = (): boolean => t.count().running >= pods && (subject === 'limit' || t.readyClusters() >= n);
  const ok = await waitFor(done, waitBudgetMs(pods));
  const podList = [...t.pods.values()];
  // Ready of a cluster: the operator's status.state; for the script, its last pod Running.
  const readyAt = new Map<string, number>();
  if (subject === 'limit') {
    const byCluster = new Map<string, PodTimes[]>();
    for (const p of podList) {
      if (!p.cluster) continue;
      byCluster.set(p.cluster, [...(byCluster.get(p.cluster) ?? []), p]);
    }
    for (const [c, ps] of byCluster)
      if (ps.length === 1 + w && ps.every((p) => p.runningAt !== undefined))
        readyAt.set(c, maxOf(ps.map((p) => p.runningAt)));
  } else {
    for (const c of t.clusters.values()) if (c.readyAt !== undefined) readyAt.set(c.name, c.readyAt);
  }
  const lastRunning = maxOf(podList.map((p) => p.runningAt));
  const workerPodBytes = await storedWorkerPodBytes(ctx.client, ns);
  return {
    clusters: n,
    pods,
    timedOut: !ok,
    runningPods: t.count().running,
    readyClusters: readyAt.size,
    secondsToAllCreated: s(maxOf(podList.map((p) => p.seenAt)) - t0),
    secondsToAllBound: s(maxOf(podList.map((p) => p.scheduledAt)) - t0),
    secondsToAllRunning: s(lastRunning - t0),
    secondsToAllReady: s(maxOf(readyAt.values()) - t0),
    podsPerSecond: t.count().running / s(lastRunning - t0),
    clusterReady: summarize([...readyAt.values()].map((r) => s(r - t0))),
    podStartup: summarize(
      podList.filter((p) => p.runningAt !== undefined).map((p) => s(p.runningAt! - p.seenAt)),
    ),
    podScheduling: summarize(
      podList.filter((p) => p.scheduledAt !== undefined).map((p) => s(p.scheduledAt! - p.seenAt)),
    ),
    podBoundToRunning: summarize(
      podList
        .filter((p) => p.scheduledAt !== undefined && p.runningAt !== undefined)
        .map((p) => s(p.runningAt! - p.scheduledAt!)),
    ),
    ...(workerPodBytes !== undefined ? { workerPodBytes } : {}),
  };
}

/** The size of one worker pod as stored (see BurstResult.workerPodBytes); undefined if none is there. */
async function storedWorkerPodBytes(client: KubeClient, ns: string): Promise<number | undefined> {
  const text = await client.getText(
    `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent('ray.io/node-type=worker')}&limit=1`,
  );
  const pod = (JSON.parse(text) as { items?: unknown[] }).items?.[0];
  return pod === undefined ? undefined : Buffer.byteLength(JSON.stringify(pod));
}

async function setReplicas(client: KubeClient, ns: string, name: string, replicas: number): Promise<void> {
  await client.patch(
    RayClusters,
    ns,
    name,
    [{ op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: replicas }],
    'json',
  );
}

export async function scale(
  ctx: ScenarioCtx,
  subject: Subject,
  ns: string,
  t: Tracker,
  op: OperatorProc | undefined,
): Promise<ScaleResult> {
  const m = ctx.sizes.scaleWorkers;
  const isWorker = (p: PodTimes): boolean => p.name.includes('-workers-') || p.nodeType === 'worker';
  const budget = waitBudgetMs(m);
  let ok = true;
  let t1: number;
  if (subject === 'limit') {
    t1 = Date.now();
    await createPods(ctx.limitClient, clusterPods(ns, 'scale', m, false), ctx.limitConcurrency);
  } else {
    await createClusters(ctx, [
      rayCluster('scale', inNamespace(ns), withWorkers(0)) as unknown as KubeObject,
    ]);
    ok &&= await waitFor(() => t.readyClusters() >= 1, 120_000);
    t1 = Date.now();
    await setReplicas(ctx.client, ns, 'scale', m);
  }
  ok &&= await waitFor(() => t.count(isWorker).running >= m, budget);
  const upEnd = maxOf([...t.pods.values()].filter(isWorker).map((p) => p.runningAt));
  // The scale-down starts from rest, as a user's does: the subject's writes have held still for as
  // long as its emptied client bucket takes to refill. Started at once, it measured how many tokens
  // the scale-up left over — the faster scale-up (Kuray's) left fewer — not the scale-down.
  const rested = Date.now();
  await quiet(op, Math.ceil((ctx.burst / ctx.qps) * 1000) + 500, 30_000);
  const restSeconds = s(Date.now() - rested);
  const t2 = Date.now();
  if (subject === 'limit') {
    const names = [...t.pods.values()]
      .filter((p) => isWorker(p) && p.goneAt === undefined)
      .map((p) => p.name);
    await deletePods(ctx.limitClient, ns, names, ctx.limitConcurrency);
  } else {
    await setReplicas(ctx.client, ns, 'scale', 0);
  }
  ok &&= await waitFor(() => t.count(isWorker).existing === 0, budget);
  const workers = [...t.pods.values()].filter(isWorker);
  const downEnd = maxOf(workers.map((p) => p.goneAt));
  const terminating = workers.map((p) => p.terminatingAt).filter((x): x is number => x !== undefined);
  return {
    workers: m,
    timedOut: !ok,
    upSeconds: s(upEnd - t1),
    upPodsPerSecond: m / s(upEnd - t1),
    downSeconds: s(downEnd - t2),
    downPodsPerSecond: m / s(downEnd - t2),
    downFirstTerminatingSeconds: s(Math.min(...terminating) - t2),
    downAllTerminatingSeconds: s(Math.max(...terminating) - t2),
    restSeconds,
  };
}

/**
 * Waits until the operator's API write count has held still for `quietMs`, at most `capMs` (for the
 * script, which has no operator, just `quietMs`).
 */
async function quiet(op: OperatorProc | undefined, quietMs: number, capMs: number): Promise<void> {
  if (!op) {
    await sleep(quietMs);
    return;
  }
  const start = Date.now();
  let last = totals(await op.requests()).writes;
  let since = Date.now();
  while (Date.now() - start < capMs && Date.now() - since < quietMs) {
    await sleep(250);
    const now = totals(await op.requests()).writes;
    if (now !== last) [last, since] = [now, Date.now()];
  }
}

export async function steady(
  ctx: ScenarioCtx,
  ns: string,
  t: Tracker,
  op: OperatorProc,
): Promise<SteadyResult> {
  const n = ctx.sizes.steadyClusters;
  const t0 = Date.now();
  // Idle clusters: a head and no workers, so 1,000 clusters are 1,000 pods (and 1,000 Services).
  await createClusters(
    ctx,
    Array.from({ length: n }, (_, i) => rayCluster(`idle${i}`, inNamespace(ns)) as unknown as KubeObject),
  );
  const ok = await waitFor(() => t.readyClusters() >= n, waitBudgetMs(n));
  const secondsToReady = s(maxOf([...t.clusters.values()].map((c) => c.readyAt)) - t0);
  // Steady state begins when the operator has stopped writing: both operators send their Events
  // through a throttled sink that drains for a while after the last cluster is ready. Wait until
  // its write count holds still for 5 s (at most 3 min) and report that tail apart.
  const readyReq = await op.requests();
  const settleStart = Date.now();
  await quiet(op, 5000, 180_000);
  const before = op.usage();
  const reqBefore = await op.requests();
  const settle = diffCounts(readyReq, reqBefore);
  const w0 = Date.now();
  await sleep(ctx.sizes.steadySeconds * 1000);
  const after = op.usage();
  const reqAfter = await op.requests();
  const window = s(Date.now() - w0);
  const d = diffCounts(reqBefore, reqAfter);
  const { reads, writes } = totals(d);
  return {
    clusters: n,
    timedOut: !ok,
    secondsToReady,
    settleSeconds: s(Date.now() - settleStart) - window,
    settleWrites: totals(settle).writes,
    settleRequests: settle,
    windowSeconds: window,
    rssMiB: mib(after?.rssKiB ?? NaN),
    peakRssMiB: mib(after?.hwmKiB ?? NaN),
    cpuSecondsInWindow: (after?.cpuSeconds ?? NaN) - (before?.cpuSeconds ?? NaN),
    requestsPerSecond: (reads + writes) / window,
    readsInWindow: reads,
    writesInWindow: writes,
    requestsInWindow: d,
  };
}
