// `npm run bench:summary -- [--since 2026-12-06T00:00] [files…]`: the goals over many bench runs.
//
// One run is one sample: on this 2-core machine the burst ratio moved 0.75–1.00 between runs of
// the same code (bench/README.md), so "met in one run" says little. This reads the saved results
// (default: every bench/results/*.json), pools the runs made with the same settings, recomputes
// each goal with today's definitions (report.ts goals(), so older files are judged alike) and
// prints per goal: how many runs met it, the median (nearest rank) and every value in run order.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { formatTable, goals, type RunResult } from './report.ts';
import { percentile } from './stats.ts';

/** The parts of a saved result file the summary reads. */
export interface SavedRun {
  file: string;
  startedAt: string;
  args: Record<string, unknown> & { latencyMs?: number };
  results: readonly RunResult[];
}

export interface GoalSummary {
  name: string;
  target: string;
  /** Runs that measured this goal. */
  n: number;
  met: number;
  median?: number;
  /** In run order. */
  values: readonly number[];
}

export interface SettingsGroup {
  /** What the pooled runs share: size, QPS/burst, concurrency, latency, extra Kuray flags. */
  settings: string;
  files: readonly string[];
  goals: readonly GoalSummary[];
}

/** Runs are comparable only with the same settings (the run order, --peer-first, is not one). */
export function settingsKey(a: SavedRun['args']): string {
  const flags = [...((a.kurayFlags as string[]) ?? []), ...((a.kurayNodeFlags as string[]) ?? [])];
  return [
    `size ${String(a.size)}`,
    `qps ${String(a.qps)}/${String(a.burst)}`,
    `concurrency ${String(a.concurrency)}`,
    `latency ${a.latencyMs ?? 0} ms`,
    ...(a.cpuProf ? ['cpu-prof'] : []),
    // A repeated run's value is a median of rounds: a different sample from a single pair's.
    ...Object.entries((a.repeat as Record<string, number> | undefined) ?? {})
      .filter(([sc, n]) => n > 1 && ((a.scenarios as string[] | undefined)?.includes(sc) ?? true))
      .map(([sc, n]) => `repeat ${sc}=${n}`),
    ...(flags.length ? [`kuray ${flags.join(' ')}`] : []),
  ].join(', ');
}

export function summarizeRuns(runs: readonly SavedRun[]): SettingsGroup[] {
  const groups = new Map<string, SavedRun[]>();
  for (const r of [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
    const k = settingsKey(r.args);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups].map(([settings, rs]) => {
    const perRun = rs.map((r) => goals(r.results, { remote: (r.args.latencyMs ?? 0) > 0 }));
    const names = perRun[0]!.map((g) => ({ name: g.name, target: g.target }));
    return {
      settings,
      files: rs.map((r) => r.file),
      goals: names.map(({ name, target }, i) => {
        const measured = perRun.map((gs) => gs[i]!).filter((g) => g.value !== undefined);
        const values = measured.map((g) => g.value!);
        const median = percentile(
          [...values].sort((a, b) => a - b),
          50,
        );
        return {
          name,
          target,
          n: measured.length,
          met: measured.filter((g) => g.met).length,
          ...(values.length ? { median } : {}),
          values,
        };
      }),
    };
  });
}

export function summaryText(groups: readonly SettingsGroup[]): string {
  return groups
    .map((g) =>
      [
        `${g.settings}: ${g.files.length} run(s), ${g.files[0]} … ${g.files.at(-1)}`,
        formatTable(
          ['goal', 'target', 'runs met', 'median', 'each run'],
          g.goals
            .filter((x) => x.n > 0)
            .map((x) => [
              x.name,
              x.target,
              `${x.met}/${x.n}`,
              x.median === undefined ? '—' : x.median.toFixed(2),
              x.values.map((v) => v.toFixed(2)).join(' '),
            ]),
        ),
      ].join('\n'),
    )
    .join('\n\n');
}

function main(argv: readonly string[]): void {
  let since = '';
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--since' || a.startsWith('--since=')) since = a.includes('=') ? a.slice(8) : (argv[++i] ?? '');
    else if (a.startsWith('--'))
      throw new Error(`bench:summary: unknown flag ${a}; usage: [--since ISO] [files…]`);
    else files.push(a);
  }
  const dir = join(import.meta.dirname, 'results');
  const paths = files.length
    ? files
    : readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => join(dir, f));
  const runs = paths
    .map((p) => ({ ...(JSON.parse(readFileSync(p, 'utf8')) as Omit<SavedRun, 'file'>), file: basename(p) }))
    .filter((r) => Array.isArray(r.results) && r.startedAt >= since);
  if (runs.length === 0) throw new Error(`bench:summary: no results${since ? ` since ${since}` : ''}`);
  process.stdout.write(summaryText(summarizeRuns(runs)) + '\n');
}

if (import.meta.main) main(process.argv.slice(2));
