// Turns run results into the printed tables, the ratios and the goal verdicts (pure).
import type { CpWindow } from './cpmetrics.ts';
import type { RequestCounts } from './promtext.ts';
import type { BurstResult, ScaleResult, ScenarioName, SteadyResult, Subject } from './scenarios.ts';
import { ratio } from './stats.ts';

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
  value?: number;
  met?: boolean;
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

function find(
  results: readonly RunResult[],
  scenario: ScenarioName,
  subject: Subject,
): RunResult | undefined {
  return results.find((r) => r.scenario === scenario && r.subject === subject);
}

const mark = (r: RunResult): string => r.subject + (r.error ? ' (failed)' : r.ok ? '' : ' (timed out)');

export function burstTable(results: readonly RunResult[]): string {
  const rows = results
    .filter((r) => r.scenario === 'burst')
    .map((r) => {
      const b = r.burst;
      return [
        mark(r),
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
        mark(r),
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
        mark(r),
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
  value?: number;
}

export function ratios(results: readonly RunResult[]): Ratio[] {
  const b = (s: Subject) => find(results, 'burst', s)?.burst;
  const sc = (s: Subject) => find(results, 'scale', s)?.scale;
  const st = (s: Subject) => find(results, 'steady', s)?.steady;
  return [
    {
      name: 'burst pods/s, Kuray / limit',
      value: ratio(b('kuray')?.podsPerSecond, b('limit')?.podsPerSecond),
    },
    {
      name: 'burst pods/s, Kuray / KubeRay',
      value: ratio(b('kuray')?.podsPerSecond, b('kuberay')?.podsPerSecond),
    },
    {
      name: 'burst time to all ready, Kuray / limit',
      value: ratio(b('kuray')?.secondsToAllReady, b('limit')?.secondsToAllReady),
    },
    {
      name: 'burst time to all ready, Kuray / KubeRay',
      value: ratio(b('kuray')?.secondsToAllReady, b('kuberay')?.secondsToAllReady),
    },
    {
      name: 'burst ready p50, Kuray / KubeRay',
      value: ratio(b('kuray')?.clusterReady.p50, b('kuberay')?.clusterReady.p50),
    },
    {
      name: 'burst ready p99, Kuray / KubeRay',
      value: ratio(b('kuray')?.clusterReady.p99, b('kuberay')?.clusterReady.p99),
    },
    { name: 'scale up time, Kuray / limit', value: ratio(sc('kuray')?.upSeconds, sc('limit')?.upSeconds) },
    {
      name: 'scale up time, Kuray / KubeRay',
      value: ratio(sc('kuray')?.upSeconds, sc('kuberay')?.upSeconds),
    },
    {
      name: 'scale down time, Kuray / limit',
      value: ratio(sc('kuray')?.downSeconds, sc('limit')?.downSeconds),
    },
    {
      name: 'scale down time, Kuray / KubeRay',
      value: ratio(sc('kuray')?.downSeconds, sc('kuberay')?.downSeconds),
    },
    { name: 'steady RSS, Kuray / KubeRay', value: ratio(st('kuray')?.rssMiB, st('kuberay')?.rssMiB) },
    {
      name: 'steady CPU, Kuray / KubeRay',
      value: ratio(st('kuray')?.cpuSecondsInWindow, st('kuberay')?.cpuSecondsInWindow),
    },
  ];
}

/**
 * Issue 15's goals. `remote`: the run had a latency proxy in front of the API server, where the burst
 * goal is ≤ 0.5 × KubeRay (each at its default concurrency); locally it is ≤ 0.9 ×.
 */
export function goals(results: readonly RunResult[], opts: { remote?: boolean } = {}): Goal[] {
  const b = (s: Subject) => find(results, 'burst', s)?.burst;
  const sc = (s: Subject) => find(results, 'scale', s)?.scale;
  const st = (s: Subject) => find(results, 'steady', s)?.steady;
  const check = (value: number | undefined, ok: (v: number) => boolean): { value?: number; met?: boolean } =>
    value === undefined ? {} : { value, met: ok(value) };
  const burstMax = opts.remote ? 0.5 : 0.9;
  return [
    {
      name: 'burst throughput',
      target: 'Kuray pods/s ≥ 0.8 × limit',
      ...check(ratio(b('kuray')?.podsPerSecond, b('limit')?.podsPerSecond), (v) => v >= 0.8),
    },
    {
      name: 'burst time to ready',
      target: `Kuray ≤ ${String(burstMax)} × KubeRay`,
      ...check(ratio(b('kuray')?.secondsToAllReady, b('kuberay')?.secondsToAllReady), (v) => v <= burstMax),
    },
    {
      name: 'scale up',
      target: 'Kuray ≤ KubeRay',
      ...check(ratio(sc('kuray')?.upSeconds, sc('kuberay')?.upSeconds), (v) => v <= 1),
    },
    {
      name: 'scale down',
      target: 'Kuray ≤ KubeRay',
      ...check(ratio(sc('kuray')?.downSeconds, sc('kuberay')?.downSeconds), (v) => v <= 1),
    },
    {
      name: 'steady RSS',
      target: 'Kuray RSS ≤ KubeRay RSS',
      ...check(ratio(st('kuray')?.rssMiB, st('kuberay')?.rssMiB), (v) => v <= 1),
    },
    {
      name: 'steady API writes',
      target: '0 writes in the window',
      ...check(st('kuray')?.writesInWindow, (v) => v === 0),
    },
  ];
}

export function ratiosText(rs: readonly Ratio[]): string {
  return formatTable(
    ['ratio', 'value'],
    rs.map((r) => [r.name, r.value === undefined ? '—' : r.value.toFixed(2)]),
  );
}

export function goalsText(gs: readonly Goal[]): string {
  return formatTable(
    ['goal', 'target', 'measured', 'met'],
    gs.map((g) => [
      g.name,
      g.target,
      g.value === undefined ? '—' : fmt(g.value),
      g.met === undefined ? 'n/a' : g.met ? 'yes' : 'NO',
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
