// Command line of `npm run bench` (pure): sizes, the scenario/subject filter and the client limits
// every subject shares.
import type { ScenarioName, Sizes, Subject } from './scenarios.ts';

export type SizeName = 'small' | 'full';

export const SIZES: Readonly<Record<SizeName, Sizes>> = {
  // A few minutes on a shared 2-core machine.
  small: { burstClusters: 20, burstWorkers: 5, scaleWorkers: 200, steadyClusters: 100, steadySeconds: 20 },
  // Issue 7's sizes: 100 × (1 + 10) = 1,100 pods; 0 → 1,000 → 0; 1,000 idle clusters for 60 s.
  full: { burstClusters: 100, burstWorkers: 10, scaleWorkers: 1000, steadyClusters: 1000, steadySeconds: 60 },
};

export interface BenchArgs {
  size: SizeName;
  scenarios: ScenarioName[];
  subjects: Subject[];
  qps: number;
  burst: number;
  /** Reconcile concurrency of both operators, or 'default': the flag is not passed, each runs at its own default. */
  concurrency: number | 'default';
  /** Remote control plane: delay added each way by a loopback proxy in front of the API server (0: direct). */
  latencyMs: number;
  /** Extra flags for Kuray's operator (experiments such as --pod-write-parallelism=32), repeatable. */
  kurayFlags: string[];
  /** Extra V8/Node flags for Kuray's process (experiments such as --max-old-space-size=64), repeatable. */
  kurayNodeFlags: string[];
  cpuProf: boolean;
  /** Run KubeRay before Kuray in each scenario (the default order is limit, Kuray, KubeRay). */
  peerFirst: boolean;
  /**
   * Rounds of each scenario's operator pair (1: one of each). Rounds alternate which operator goes
   * first, and the ratios and goals are the median of the rounds' paired ratios.
   */
  repeat: Record<ScenarioName, number>;
}

/** One run of the plan: a subject in a scenario, in round `round` (0-based) of its repeats. */
export interface PlannedRun {
  scenario: ScenarioName;
  subject: Subject;
  round: number;
}

/** How the bench's log names a run: `burst/kuray`, or `burst/kuray #2` when its scenario repeats. */
export function planLabel(r: PlannedRun, a: BenchArgs): string {
  return `${r.scenario}/${r.subject}${a.repeat[r.scenario] > 1 ? ` #${r.round + 1}` : ''}`;
}

/** Rounds are bounded: each full-size burst round costs ~2 min, a scale round ~4, a steady round ~6. */
export const MAX_REPEAT = 9;

export const usage = `usage: npm run bench -- [--size small|full] [--only LIST] [--skip-peer] [--qps N] [--burst N]
                        [--reconcile-concurrency N|default] [--latency-ms N] [--kuray-flag F]... [--kuray-node-flag F]...
                        [--cpu-prof] [--peer-first] [--repeat N|SCENARIO=N]...
  --only LIST   comma list of scenarios (burst, scale, steady) and/or subjects (limit, kuray, peer)
  --skip-peer   do not build or run KubeRay
  --reconcile-concurrency default   pass no concurrency flag: each operator at its own default
  --latency-ms N   remote control plane: operators and the script reach the API server through a
                   loopback proxy that adds N ms each way (the bench's own watches stay direct)
  --kuray-flag F   an extra operator flag for Kuray (e.g. --kuray-flag=--pod-write-parallelism=32)
  --kuray-node-flag F   an extra Node/V8 flag for Kuray's process, after the image's
                   (e.g. --kuray-node-flag=--max-old-space-size=64, --kuray-node-flag=--heapsnapshot-signal=SIGUSR2)
  --cpu-prof    write a V8 CPU profile of each Kuray run into bench/results/
  --peer-first  run KubeRay before Kuray in each scenario (the limit still first): alternate runs
                with and without it to see what the order does to the ratios
  --repeat N    run each scenario's Kuray/KubeRay pair N times (1–${MAX_REPEAT}), alternating which goes
                first (Kuray KubeRay, KubeRay Kuray, …; the limit runs once); ratios and goals are the medians of the rounds'
                paired ratios. --repeat burst=3 repeats one scenario; use an odd N`;

const scenarioNames: readonly ScenarioName[] = ['burst', 'scale', 'steady'];

function intArg(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`bench: ${flag} needs a positive integer, got ${v}\n${usage}`);
  return n;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const out: BenchArgs = {
    size: 'small',
    scenarios: [...scenarioNames],
    subjects: ['limit', 'kuray', 'kuberay'],
    // KubeRay's defaults (--qps 100 --burst 200), and Kuray's.
    qps: 100,
    burst: 200,
    concurrency: 4,
    latencyMs: 0,
    kurayFlags: [],
    kurayNodeFlags: [],
    cpuProf: false,
    peerFirst: false,
    repeat: { burst: 1, scale: 1, steady: 1 },
  };
  let skipPeer = false;
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.includes('=') ? argv[i]!.split(/=(.*)/s, 2) : [argv[i]!, undefined];
    const value = (): string => inline ?? argv[++i] ?? '';
    switch (flag) {
      case '--size': {
        const v = value();
        if (v !== 'small' && v !== 'full')
          throw new Error(`bench: --size must be small or full, got ${v}\n${usage}`);
        out.size = v;
        break;
      }
      case '--only':
        only = value()
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
        break;
      case '--skip-peer':
        skipPeer = true;
        break;
      case '--qps':
        out.qps = intArg(flag, value());
        break;
      case '--burst':
        out.burst = intArg(flag, value());
        break;
      case '--reconcile-concurrency': {
        const v = value();
        out.concurrency = v === 'default' ? 'default' : intArg(flag, v);
        break;
      }
      case '--latency-ms': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 1000)
          throw new Error(`bench: --latency-ms needs an integer 0–1000, got ${v}\n${usage}`);
        out.latencyMs = n;
        break;
      }
      case '--kuray-flag':
        out.kurayFlags.push(value());
        break;
      case '--kuray-node-flag':
        out.kurayNodeFlags.push(value());
        break;
      case '--cpu-prof':
        out.cpuProf = true;
        break;
      case '--peer-first':
        out.peerFirst = true;
        break;
      case '--repeat': {
        const v = value();
        const m = /^(?:(burst|scale|steady)=)?(\d+)$/.exec(v);
        const n = Number(m?.[2]);
        if (!m || n < 1 || n > MAX_REPEAT)
          throw new Error(
            `bench: --repeat needs N or SCENARIO=N with N 1–${MAX_REPEAT} and SCENARIO burst, scale or steady, got ${v}\n${usage}`,
          );
        for (const sc of m[1] ? [m[1] as ScenarioName] : scenarioNames) out.repeat[sc] = n;
        break;
      }
      case '--help':
      case '-h':
        throw new Error(usage);
      default:
        throw new Error(`bench: unknown argument ${argv[i]}\n${usage}`);
    }
  }
  if (only) {
    const known = new Set<string>([...scenarioNames, 'limit', 'kuray', 'peer', 'kuberay']);
    const bad = only.filter((x) => !known.has(x));
    if (bad.length) throw new Error(`bench: --only: unknown ${bad.join(', ')}\n${usage}`);
    const sc = only.filter((x): x is ScenarioName => (scenarioNames as readonly string[]).includes(x));
    const su = only
      .map((x) => (x === 'peer' ? 'kuberay' : x))
      .filter((x): x is Subject => x === 'limit' || x === 'kuray' || x === 'kuberay');
    if (sc.length) out.scenarios = sc;
    if (su.length) out.subjects = su;
  }
  if (skipPeer) out.subjects = out.subjects.filter((s) => s !== 'kuberay');
  return out;
}

/**
 * The runs in order: per scenario, the limit first (the baseline), then Kuray, then KubeRay — or
 * KubeRay before Kuray with --peer-first. The order is a variable: each run leaves the rig a little
 * different (etcd's history, caches, KWOK's lease timers), so a comparison that always runs one
 * operator second cannot tell that from the operator. With --repeat, every further round swaps the
 * pair's order (round 0 as above, round 1 the other way, …): on a shared machine the rig's speed
 * drifts between runs, and alternating spreads that drift over both operators.
 */
export function plan(a: BenchArgs): PlannedRun[] {
  const out: PlannedRun[] = [];
  const pair = a.peerFirst ? (['kuberay', 'kuray'] as const) : (['kuray', 'kuberay'] as const);
  for (const scenario of a.scenarios) {
    for (let round = 0; round < a.repeat[scenario]; round++) {
      const order = [...(round === 0 ? ['limit' as const] : []), ...(round % 2 ? [...pair].reverse() : pair)];
      for (const subject of order) {
        if (!a.subjects.includes(subject)) continue;
        // Steady state is about an operator at rest: the script has nothing to measure there.
        if (scenario === 'steady' && subject === 'limit') continue;
        out.push({ scenario, subject, round });
      }
    }
  }
  return out;
}
