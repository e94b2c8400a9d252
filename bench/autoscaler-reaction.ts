// `npm run bench:autoscaler`: reaction time of Kuray's native autoscaler, from demand appearing to
// the scale patch, on a real control plane (rig, default profile: KWOK runs the pods) with a real
// Ray 2.58 head (0 CPUs, so every task is pending demand) providing the signals.
//
// Two scenarios, each repeated on a fresh native-mode RayCluster (replicas 0, max 10, 1 CPU per
// worker) that the autoscaler has synced once:
//   job    a job asking for 2 one-CPU tasks is submitted (Ray starts a driver, which submits them);
//   burst  a driver already running (started and connected before the clock starts) submits 2
//          one-CPU tasks when told to: a burst of work in a live Ray program, with no job or actor
//          event before it — what a notebook, a Serve app or a Ray Data pipeline does.
// Instants:
//   t_start  the Jobs API accepted the job (job) / the driver was told to submit (burst)
//   t_gcs    GCS first reports the pending demand (the bench polls it every 50 ms: Ray's own latency)
//   t_patch  a watch on the RayCluster delivers the spec with replicas > 0 (Kuray's patch)
// reported: start→patch (what a user sees), gcs→patch (Kuray's part), start→gcs (Ray's part).
// The operator runs with its production sync period and demand poll unless told otherwise.
//
//   node bench/autoscaler-reaction.ts [--reps 20] [--sync-ms 5000] [--rest-ms 500] [--active-ms 200]
//                                     [--scenario job|burst|both]
// Prints a table and writes bench/results/autoscaler-reaction-<timestamp>.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_DEMAND_POLL } from '../src/autoscaler/signals/demandChange.ts';
import { localRaySeams } from '../src/autoscaler/actuator/testing.ts';
import { DEFAULT_AUTOSCALER_SYNC_MS } from '../src/controllers/autoscaler/setup.ts';
import { gcsClient, type GcsClient } from '../src/ray/gcs/client.ts';
import { RayClusters } from '../src/runtime/resources.ts';
import { startOperator, type InProcessOperator } from '../src/testing/operator.ts';
import { until } from '../src/testing/wait.ts';
import {
  firstSync,
  log,
  machine,
  nativeCluster,
  numArg,
  startBenchEnv,
  venv,
  writeResult,
  type AutoscalerBenchEnv,
  type RC,
} from './autoscalerRig.ts';
import { formatTable } from './report.ts';
import { summarize, type Summary } from './stats.ts';

type Scenario = 'job' | 'burst';

interface Rep {
  scenario: Scenario;
  rep: number;
  startToGcsMs: number;
  gcsToPatchMs: number;
  startToPatchMs: number;
  replicas: number;
}

async function pendingCpus(gcs: GcsClient): Promise<number> {
  const s = await gcs.clusterResourceState();
  return s.pendingResourceRequests.reduce((n, r) => n + (r.request.resources.CPU ?? 0) * r.count, 0);
}

/** The job scenario's driver: 2 one-CPU tasks at once. */
const JOB = [
  'import ray, time',
  'ray.init()',
  '@ray.remote(num_cpus=1)',
  'def work():',
  '    time.sleep(600)',
  'ray.get([work.remote() for _ in range(2)])',
];

/** The burst scenario's driver: connects, says READY, submits 2 one-CPU tasks once `go` exists. */
const BURST = [
  'import os, sys, ray, time',
  'ray.init()',
  '@ray.remote(num_cpus=1)',
  'def work():',
  '    time.sleep(600)',
  'print("READY", flush=True)',
  'while not os.path.exists(sys.argv[1]):',
  '    time.sleep(0.01)',
  'ray.get([work.remote() for _ in range(2)])',
];

async function oneRep(
  env: AutoscalerBenchEnv,
  gcs: GcsClient,
  scenario: Scenario,
  rep: number,
): Promise<Rep> {
  const { client, ns, ray } = env;
  const name = `${scenario}-${rep}`;
  await client.create<RC>(RayClusters, nativeCluster(name, ns));
  await firstSync(client, ns, name);

  const dir = ray.tempDir;
  const go = join(dir, `go-${name}`);
  let job: string | undefined;
  if (scenario === 'burst') {
    const script = join(dir, 'burst.py');
    writeFileSync(script, BURST.join('\n'));
    job = await ray.dashboard.submitJob({ entrypoint: `${venv}/bin/python ${script} ${go}` });
    const started = job;
    await until(
      'the burst driver is connected',
      async () => /READY/.test(await ray.dashboard.jobLogs(started)),
      {
        timeoutMs: 120_000,
        intervalMs: 100,
      },
    );
  }

  // Watch from now on: the first event with replicas > 0 is the patch.
  const abort = new AbortController();
  const patched = (async () => {
    for await (const ev of client.watch<RC>(RayClusters, ns, {
      fieldSelector: `metadata.name=${name}`,
      signal: abort.signal,
    })) {
      const r = ev.object.spec?.workerGroupSpecs?.[0]?.replicas ?? 0;
      if ((ev.type === 'ADDED' || ev.type === 'MODIFIED') && r > 0)
        return { at: performance.now(), replicas: r };
    }
    throw new Error('watch ended');
  })();
  // Start at a random phase of the demand poll: each cluster's poll is anchored at its first sync,
  // and Ray's submit → demand time is steady (~1.7 s), so a fixed start would always meet the poll
  // at the same point of its interval and report that one latency instead of its spread.
  await sleep(Math.random() * 1000);
  const t0 = performance.now();
  if (scenario === 'job') {
    const script = join(dir, 'job.py');
    writeFileSync(script, JOB.join('\n'));
    job = await ray.dashboard.submitJob({ entrypoint: `${venv}/bin/python ${script}` });
  } else {
    writeFileSync(go, '');
  }
  const tStart = scenario === 'job' ? performance.now() : t0;
  let tGcs: number | undefined;
  const gcsPoll = (async () => {
    while (tGcs === undefined && !abort.signal.aborted) {
      try {
        if ((await pendingCpus(gcs)) > 0) tGcs = performance.now();
      } catch {
        // a slow GCS answer: try again
      }
      await sleep(50);
    }
  })();
  const giveUp = new AbortController();
  const timeout = sleep(180_000, undefined, { signal: giveUp.signal }).then(
    () => {
      throw new Error(`${name}: no scale patch within 180 s`);
    },
    () => undefined as never, // cancelled: the patch came first
  );
  const p = await Promise.race([patched, timeout]);
  giveUp.abort();
  abort.abort();
  await gcsPoll;
  if (job) await ray.dashboard.stopJob(job);
  await client.delete(RayClusters, ns, name);
  // Let the stopped job's demand drain before the next repetition.
  await until('no pending demand', async () => (await pendingCpus(gcs)) === 0, { timeoutMs: 120_000 });
  const gcsAt = tGcs ?? p.at;
  log(
    `${name}: start→patch ${(p.at - tStart).toFixed(0)} ms (gcs→patch ${(p.at - gcsAt).toFixed(0)} ms), replicas → ${p.replicas}`,
  );
  return {
    scenario,
    rep,
    startToGcsMs: Math.round(gcsAt - tStart),
    gcsToPatchMs: Math.round(p.at - gcsAt),
    startToPatchMs: Math.round(p.at - tStart),
    replicas: p.replicas,
  };
}

function scenariosArg(): Scenario[] {
  const i = process.argv.indexOf('--scenario');
  const v = i >= 0 ? process.argv[i + 1] : 'both';
  if (v === 'job' || v === 'burst') return [v];
  if (v === 'both') return ['job', 'burst'];
  throw new Error('--scenario must be job, burst or both');
}

async function main(): Promise<void> {
  const reps = numArg('reps', 20);
  const syncMs = numArg('sync-ms', DEFAULT_AUTOSCALER_SYNC_MS);
  const demandPoll = {
    restMs: numArg('rest-ms', DEFAULT_DEMAND_POLL.restMs),
    activeMs: numArg('active-ms', DEFAULT_DEMAND_POLL.activeMs),
  };
  const scenarios = scenariosArg();
  const started = new Date();
  const env = await startBenchEnv('bench-autoscaler');
  let op: InProcessOperator | undefined;
  const gcs = gcsClient({ address: env.ray.gcsAddress, timeoutMs: 2000 });
  try {
    op = await startOperator(env.rig, [env.ns], {
      autoscaler: { syncPeriodMs: syncMs, demandPoll, actuator: localRaySeams(() => env.ray.gcsAddress) },
    });
    const results: Rep[] = [];
    for (const s of scenarios) for (let i = 1; i <= reps; i++) results.push(await oneRep(env, gcs, s, i));

    const rows: [string, Summary][] = [];
    for (const s of scenarios) {
      const of = results.filter((r) => r.scenario === s);
      const start = s === 'job' ? 'submit' : 'burst';
      rows.push(
        [`${s}: ${start} → patch (user-visible)`, summarize(of.map((r) => r.startToPatchMs))],
        [`${s}: GCS demand → patch (Kuray)`, summarize(of.map((r) => r.gcsToPatchMs))],
        [`${s}: ${start} → GCS demand (Ray)`, summarize(of.map((r) => r.startToGcsMs))],
      );
    }
    const m = machine();
    const ms = (v: number) => v.toFixed(0);
    process.stdout.write(
      `native autoscaler reaction time, ${reps} repetitions per scenario, sync period ${syncMs} ms, ` +
        `demand poll ${demandPoll.restMs}/${demandPoll.activeMs} ms (rest/active)` +
        ` (machine: ${m.cores} cores, load ${m.loadavg1})\n` +
        formatTable(
          ['measure (ms)', 'min', 'p50', 'p90', 'p99', 'max', 'mean'],
          rows.map(([n, s]) => [n, ms(s.min), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), ms(s.mean)]),
        ) +
        '\n',
    );
    const file = writeResult('autoscaler-reaction', started, {
      syncPeriodMs: syncMs,
      demandPoll,
      machine: m,
      summary: Object.fromEntries(rows),
      repetitions: results,
    });
    log(`wrote ${file}`);
  } finally {
    gcs.close();
    await op?.stop();
    await env.stop();
  }
}

await main();
