// Turns run results into the printed tables, the ratios and the goal verdicts (pure).
import type { CpWindow } from './cpmetrics.ts';
import type { RequestCounts } from './promtext.ts';
import type { BurstResult, ScaleResult, ScenarioName, SteadyResult, Subject } from './scenarios.ts';
import { median, ratio } from './stats.ts';

export interface OperatorCost {
  cpuSeconds: number;
  rssMiB: number;
  peakRssMiB: number;
  requests: RequestCounts;
  reads: number;
  writes: number;
}

export interface RunResult {
  scenario: ScenarioName;
  subject: Subject;
  /** The round of a repeated scenario (bench --repeat), 0-based; absent in older files: 0. */
  round?: number;
  ok: boolean;
  error?: string;
  burst?: BurstResult;
  scale?: ScaleResult;
  steady?: SteadyResult;
  /** The operator process over the whole run (from ready to the end of the scenario). */
  operator?: OperatorCost;
  /** Remote control plane only: connections the subject (and the script) opened through the proxy, and bytes each way. */
  proxy?: { connections: number; upKiB: number; downKiB: number };
  /** What the control plane did during the scenario (its own /metrics, differenced). */
  controlPlane?: CpWindow;
  /** CPU seconds of each rig component during the run (the rig's own cost, reported apart). */
  rigCpuSeconds: Record<string, number>;
  wallSeconds: number;
}

export interface Goal {
  name: string;
  target: string;
  /** The median over the rounds when the scenario was repeated. */
  value?: number;
  met?: boolean;
  /** Each round's value, in round order, when there were several. */
  rounds?: number[];
}

/** Fixed-width table with | separators (valid Markdown, aligned in a terminal). */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    '| ' + widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ') + ' |';
  return [line(headers), '| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |', ...rows.map(line)].join(
    '\n',
  );
}

/** A number for a table: '—' when missing, fewer decimals as it grows. */
export function fmt(v: number | undefined, digits?: number): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  const d = digits ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  return v.toFixed(d);
}

function rigTotal(r: RunResult): number {
  return Object.values(r.rigCpuSeconds).reduce((a, b) => a + b, 0);
}

const roundOf = (r: RunResult): number => r.round ?? 0;

function find(
  results: readonly RunResult[],
  scenario: ScenarioName,
  subject: Subject,
  round = 0,
): RunResult | undefined {
  return results.find((r) => r.scenario === scenario && r.subject === subject && roundOf(r) === round);
}

/** Each round's value of `metric` for `num` over `den`, and their median. */
interface Paired {
  value?: number;
  rounds?: number[];
}

/**
 * `num`'s metric over `den`'s, paired round by round (the two ran back to back, so they share the
 * machine's state of the moment); a subject run only in round 0 (the limit) serves every round.
 */
function paired(
  results: readonly RunResult[],
  scenario: ScenarioName,
  num: Subject,
  den: Subject,
  metric: (r: RunResult) => number | undefined,
): Paired {
  const rounds = [
    ...new Set(results.filter((r) => r.scenario === scenario && r.subject === num).map(roundOf)),
  ];
  const values = rounds
    .sort((a, b) => a - b)
    .map((round) => {
      const n = find(results, scenario, num, round);
      const d = find(results, scenario, den, round) ?? find(results, scenario, den, 0);
      return ratio(n && metric(n), d && metric(d));
    })
    .filter((v): v is number => v !== undefined);
  return ofRounds(values, median);
}

/** The largest value of `metric` over `subject`'s rounds (a count that must stay 0 in every round). */
function worst(
  results: readonly RunResult[],
  scenario: ScenarioName,
  subject: Subject,
  metric: (r: RunResult) => number | undefined,
): Paired {
  const values = results
    .filter((r) => r.scenario === scenario && r.subject === subject)
    .map(metric)
    .filter((v): v is number => v !== undefined);
  return ofRounds(values, (vs) => Math.max(...vs));
}

/** One value per round → the verdict's value (`pick` of them), with every round's only when several. */
function ofRounds(values: number[], pick: (values: number[]) => number): Paired {
  if (values.length === 0) return {};
  return values.length > 1 ? { value: pick(values), rounds: values } : { value: values[0]! };
}

/** The subject, and its round (`#1`, `#2`, …) when its scenario was repeated. */
export function runName(r: RunResult, all: readonly RunResult[]): string {
  const repeated = all.some((x) => x.scenario === r.scenario && roundOf(x) > 0);
  return r.subject + (repeated ? ` #${roundOf(r) + 1}` : '');
}

function mark(r: RunResult, all: readonly RunResult[]): string {
  return runName(r, all) + (r.error ? ' (failed)' : r.ok ? '' : ' (timed out)');
}

export function burstTable(results: readonly RunResult[]): string {
  const rows = results
    .filter((r) => r.scenario === 'burst')
    .map((r) => {
      const b = r.burst;
      return [
        mark(r, results),
        b ? `${b.runningPods}/${b.pods}` : '—',
        fmt(b?.secondsToAllCreated),
        fmt(b?.secondsToAllBound),
        fmt(b?.secondsToAllRunning),
        fmt(b?.secondsToAllReady),
        fmt(b?.podsPerSecond),
        fmt(b?.clusterReady.p50),
        fmt(b?.clusterReady.p99),
        fmt(b?.podStartup.p50),
        fmt(b?.podStartup.p99),
        fmt(b?.podScheduling?.p50),
        fmt(b?.podBoundToRunning?.p50),
        fmt(r.operator?.cpuSeconds),
        fmt(r.operator?.peakRssMiB),
        fmt(r.operator?.writes, 0),
        fmt(rigTotal(r)),
        b?.workerPodBytes !== undefined ? fmt(b.workerPodBytes / 1024) : '—',
      ];
    });
  return formatTable(
    [
      'burst',
      'pods Running',
      'all created s',
      'all bound s',
      'all Running s',
      'all ready s',
      'pods/s',
      'ready p50 s',
      'ready p99 s',
      'pod start p50 s',
      'pod start p99 s',
      'created→bound p50 s',
      'bound→Running p50 s',
      'op CPU s',
      'op peak RSS MiB',
      'op writes',
      'rig CPU s',
      'worker pod KiB',
    ],
    rows,
  );
}

export function scaleTable(results: readonly RunResult[]): string {
  const rows = results
    .filter((r) => r.scenario === 'scale')
    .map((r) => {
      const x = r.scale;
      return [
        mark(r, results),
        fmt(x?.workers, 0),
        fmt(x?.upSeconds),
        fmt(x?.upPodsPerSecond),
        fmt(x?.restSeconds),
        fmt(x?.downSeconds),
        fmt(x?.downPodsPerSecond),
        `${fmt(x?.downFirstTerminatingSeconds)}–${fmt(x?.downAllTerminatingSeconds)}`,
        fmt(r.operator?.cpuSeconds),
        fmt(r.operator?.peakRssMiB),
        fmt(r.operator?.writes, 0),
        fmt(rigTotal(r)),
      ];
    });
  return formatTable(
    [
      'scale',
      'workers',
      'up s',
      'up pods/s',
      'rest s',
      'down s',
      'down pods/s',
      'terminating s',
      'op CPU s',
      'op peak RSS MiB',
      'op writes',
      'rig CPU s',
    ],
    rows,
  );
}

export function steadyTable(results: readonly RunResult[]): string {
  const rows = results
    .filter((r) => r.scenario === 'steady')
    .map((r) => {
      const x = r.steady;
      return [
        mark(r, results),
        fmt(x?.clusters, 0),
        fmt(x?.secondsToReady),
        x ? `${fmt(x.settleSeconds, 0)} / ${fmt(x.settleWrites, 0)}` : '—',
        fmt(x?.windowSeconds, 0),
        fmt(x?.rssMiB),
        fmt(x?.peakRssMiB),
        fmt(x?.cpuSecondsInWindow),
        fmt(x?.requestsPerSecond),
        fmt(x?.writesInWindow, 0),
        fmt(rigTotal(r)),
      ];
    });
  return formatTable(
    [
      'steady',
      'clusters',
      'all ready s',
      'settle s / writes',
      'window s',
      'RSS MiB',
      'peak RSS MiB',
      'CPU s in window',
      'API req/s',
      'API writes',
      'rig CPU s',
    ],
    rows,
  );
}

export interface Ratio {
  name: string;
  /** The median over the rounds when the scenario was repeated. */
  value?: number;
  /** Each round's value, in round order, when there were several. */
  rounds?: number[];
}

export function ratios(results: readonly RunResult[]): Ratio[] {
  const b = (num: Subject, den: Subject, m: (x: NonNullable<RunResult['burst']>) => number | undefined) =>
    paired(results, 'burst', num, den, (r) => r.burst && m(r.burst));
  const sc = (num: Subject, den: Subject, m: (x: NonNullable<RunResult['scale']>) => number | undefined) =>
    paired(results, 'scale', num, den, (r) => r.scale && m(r.scale));
  const st = (m: (x: NonNullable<RunResult['steady']>) => number | undefined) =>
    paired(results, 'steady', 'kuray', 'kuberay', (r) => r.steady && m(r.steady));
  return [
    { name: 'burst pods/s, Kuray / limit', ...b('kuray', 'limit', (x) => x.podsPerSecond) },
    { name: 'burst pods/s, Kuray / KubeRay', ...b('kuray', 'kuberay', (x) => x.podsPerSecond) },
    { name: 'burst time to all ready, Kuray / limit', ...b('kuray', 'limit', (x) => x.secondsToAllReady) },
    {
      name: 'burst time to all ready, Kuray / KubeRay',
      ...b('kuray', 'kuberay', (x) => x.secondsToAllReady),
    },
    { name: 'burst ready p50, Kuray / KubeRay', ...b('kuray', 'kuberay', (x) => x.clusterReady.p50) },
    { name: 'burst ready p99, Kuray / KubeRay', ...b('kuray', 'kuberay', (x) => x.clusterReady.p99) },
    { name: 'scale up time, Kuray / limit', ...sc('kuray', 'limit', (x) => x.upSeconds) },
    { name: 'scale up time, Kuray / KubeRay', ...sc('kuray', 'kuberay', (x) => x.upSeconds) },
    { name: 'scale down time, Kuray / limit', ...sc('kuray', 'limit', (x) => x.downSeconds) },
    { name: 'scale down time, Kuray / KubeRay', ...sc('kuray', 'kuberay', (x) => x.downSeconds) },
    { name: 'steady RSS, Kuray / KubeRay', ...st((x) => x.rssMiB) },
    { name: 'steady CPU, Kuray / KubeRay', ...st((x) => x.cpuSecondsInWindow) },
  ];
}

/**
 * Issue 15's goals. `remote`: the run had a latency proxy in front of the API server, where the burst
 * goal is ≤ 0.5 × KubeRay (each at its default concurrency); locally it is ≤ 0.9 ×. A repeated
 * scenario is judged by the median of its rounds (writes at rest: by the worst round).
 */
export function goals(results: readonly RunResult[], opts: { remote?: boolean } = {}): Goal[] {
  const check = (p: Paired, ok: (v: number) => boolean): Omit<Goal, 'name' | 'target'> =>
    p.value === undefined ? {} : { ...p, met: ok(p.value) };
  const burstMax = opts.remote ? 0.5 : 0.9;
  const b = (den: Subject, m: (x: NonNullable<RunResult['burst']>) => number | undefined) =>
    paired(results, 'burst', 'kuray', den, (r) => r.burst && m(r.burst));
  const sc = (m: (x: NonNullable<RunResult['scale']>) => number | undefined) =>
    paired(results, 'scale', 'kuray', 'kuberay', (r) => r.scale && m(r.scale));
  return [
    {
      name: 'burst throughput',
      target: 'Kuray pods/s ≥ 0.8 × limit',
      ...check(
        b('limit', (x) => x.podsPerSecond),
        (v) => v >= 0.8,
      ),
    },
    {
      name: 'burst time to ready',
      target: `Kuray ≤ ${String(burstMax)} × KubeRay`,
      ...check(
        b('kuberay', (x) => x.secondsToAllReady),
        (v) => v <= burstMax,
      ),
    },
    {
      name: 'scale up',
      target: 'Kuray ≤ KubeRay',
      ...check(
        sc((x) => x.upSeconds),
        (v) => v <= 1,
      ),
    },
    {
      name: 'scale down',
      target: 'Kuray ≤ KubeRay',
      ...check(
        sc((x) => x.downSeconds),
        (v) => v <= 1,
      ),
    },
    {
      name: 'steady RSS',
      target: 'Kuray RSS ≤ KubeRay RSS',
      ...check(
        paired(results, 'steady', 'kuray', 'kuberay', (r) => r.steady?.rssMiB),
        (v) => v <= 1,
      ),
    },
    {
      name: 'steady API writes',
      target: '0 writes in the window',
      ...check(
        worst(results, 'steady', 'kuray', (r) => r.steady?.writesInWindow),
        (v) => v === 0,
      ),
    },
  ];
}

const eachRound = (x: { rounds?: number[] }): string => x.rounds?.map((v) => v.toFixed(2)).join(' ') ?? '';

export function ratiosText(rs: readonly Ratio[]): string {
  const repeated = rs.some((r) => r.rounds);
  return formatTable(
    ['ratio', repeated ? 'median' : 'value', ...(repeated ? ['each round'] : [])],
    rs.map((r) => [
      r.name,
      r.value === undefined ? '—' : r.value.toFixed(2),
      ...(repeated ? [eachRound(r)] : []),
    ]),
  );
}

export function goalsText(gs: readonly Goal[]): string {
  const repeated = gs.some((g) => g.rounds);
  return formatTable(
    [
      'goal',
      'target',
      repeated ? 'measured (median)' : 'measured',
      'met',
      ...(repeated ? ['each round'] : []),
    ],
    gs.map((g) => [
      g.name,
      g.target,
      g.value === undefined ? '—' : fmt(g.value),
      g.met === undefined ? 'n/a' : g.met ? 'yes' : 'NO',
      ...(repeated ? [eachRound(g)] : []),
    ]),
  );
}

/** CPU seconds per rig component summed over runs, and the components' peak RSS (MiB). */
export function rigTable(results: readonly RunResult[], peakRssMiB: Record<string, number>): string {
  const comps = [
    ...new Set([...results.flatMap((r) => Object.keys(r.rigCpuSeconds)), ...Object.keys(peakRssMiB)]),
  ];
  const rows = comps.map((c) => [
    c,
    fmt(results.reduce((a, r) => a + (r.rigCpuSeconds[c] ?? 0), 0)),
    fmt(peakRssMiB[c]),
  ]);
  return formatTable(['rig component', 'CPU s (all runs)', 'peak RSS MiB'], rows);
}
