// `npm run bench:autoscaler`: reaction time of Kuray's native autoscaler, from demand appearing to
// the scale patch, on a real control plane (rig, default profile: KWOK runs the pods) with a real
// Ray 2.58 head (0 CPUs, so every task is pending demand) providing the signals.
//
// Per repetition: a fresh native-mode RayCluster (replicas 0, max 10, 1 CPU per worker) is synced
// once; then a job asking for 2 one-CPU tasks is submitted. Three instants are taken:
//   t_submit  the Jobs API accepted the job
//   t_gcs     GCS first reports the pending demand (polled every 50 ms: Ray's own latency)
//   t_patch   a watch on the RayCluster delivers the spec with replicas > 0 (Kuray's patch)
// and reported: submit→patch (what a user sees), gcs→patch (Kuray's part: bounded by the sync
// period), submit→gcs (Ray's part: driver start + task submission). The operator runs with its
// production sync period (5 s) unless --sync-ms says otherwise.
//
//   node bench/autoscaler-reaction.ts [--reps 5] [--sync-ms 5000]
// Prints a table and writes bench/results/autoscaler-reaction-<timestamp>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RayCluster } from '../src/api/v1/index.ts';
import { localRaySeams, patientRayEnv, startRayHeadWithRetry } from '../src/autoscaler/actuator/testing.ts';
import { DEFAULT_AUTOSCALER_SYNC_MS } from '../src/controllers/autoscaler/setup.ts';
import { getClusterResourceState } from '../src/ray/gcs/autoscalerState.ts';
import type { LocalRayHead } from '../src/ray/testing/localRay.ts';
import { RayClusters, type KubeObject } from '../src/runtime/resources.ts';
import { KubeClient } from '../src/runtime/transport.ts';
import {
  groupRayStartParams,
  inNamespace,
  minMax,
  rayCluster,
  withWorkers,
} from '../src/testing/builders.ts';
import { startOperator, type InProcessOperator } from '../src/testing/operator.ts';
import { until } from '../src/testing/wait.ts';
import { newNamespace, privateRig, type Rig } from '../rig/testing.ts';

type RC = KubeObject & RayCluster;
const repo = join(import.meta.dirname, '..');
const venv = process.env.KURAY_RAY_VENV ?? join(repo, '.venv', 'ray');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

const log = (m: string): void => {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);
};

interface Rep {
  rep: number;
  submitToGcsMs: number;
  gcsToPatchMs: number;
  submitToPatchMs: number;
  replicas: number;
}

function stats(xs: number[]): { min: number; p50: number; max: number; mean: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { min: s[0]!, p50: q(0.5), max: s[s.length - 1]!, mean: s.reduce((a, b) => a + b, 0) / s.length };
}

async function pendingCpus(address: string): Promise<number> {
  const s = await getClusterResourceState({ address, timeoutMs: 2000 });
  return s.pendingResourceRequests.reduce((n, r) => n + (r.request.resources.CPU ?? 0) * r.count, 0);
}

async function oneRep(
  rep: number,
  client: KubeClient,
  ns: string,
  ray: LocalRayHead,
  script: string,
): Promise<Rep> {
  const name = `react-${rep}`;
  await client.create<RC>(
    RayClusters,
    rayCluster(
      name,
      inNamespace(ns),
      (rc) => ({
        ...rc,
        spec: { ...rc.spec, autoscalerOptions: { cooldownPeriodSeconds: 30, idleTimeoutSeconds: 600 } },
      }),
      withWorkers(0, minMax(0, 10), groupRayStartParams({ 'num-cpus': '1' })),
    ) as RC,
  );
  await until(
    `${name}: first autoscaler sync`,
    async () => {
      const rc = await client.get<RC>(RayClusters, ns, name);
      return rc.status?.autoscaler?.rayReachable === true ? rc : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 200 },
  );

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
  const t0 = performance.now();
  const job = await ray.dashboard.submitJob({ entrypoint: `${venv}/bin/python ${script}` });
  const tSubmit = performance.now();
  let tGcs: number | undefined;
  const gcsPoll = (async () => {
    while (tGcs === undefined && !abort.signal.aborted) {
      try {
        if ((await pendingCpus(ray.gcsAddress)) > 0) tGcs = performance.now();
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
  await ray.dashboard.stopJob(job);
  await client.delete(RayClusters, ns, name);
  // Let the stopped job's demand drain before the next repetition.
  await until('no pending demand', async () => (await pendingCpus(ray.gcsAddress)) === 0, {
    timeoutMs: 120_000,
  });
  const gcs = tGcs ?? p.at;
  log(
    `rep ${rep}: submit→patch ${(p.at - t0).toFixed(0)} ms (gcs→patch ${(p.at - gcs).toFixed(0)} ms), replicas → ${p.replicas}`,
  );
  return {
    rep,
    submitToGcsMs: Math.round(gcs - tSubmit),
    gcsToPatchMs: Math.round(p.at - gcs),
    submitToPatchMs: Math.round(p.at - t0),
    replicas: p.replicas,
  };
}

async function main(): Promise<void> {
  const reps = arg('reps', 5);
  const syncMs = arg('sync-ms', DEFAULT_AUTOSCALER_SYNC_MS);
  patientRayEnv(); // a loaded shared machine exceeds Ray's 30 s startup limits
  let rig: Rig | undefined;
  let ray: LocalRayHead | undefined;
  let op: InProcessOperator | undefined;
  let client: KubeClient | undefined;
  const started = new Date();
  try {
    log('starting the rig (default profile) and a local Ray head');
    [rig, ray] = await Promise.all([
      privateRig({ profile: 'default' }),
      startRayHeadWithRetry({ venv, numCpus: 0, noMonitor: true }),
    ]);
    const address = ray.gcsAddress;
    const ns = await newNamespace(rig, 'bench-autoscaler');
    client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 100, burst: 200 });
    op = await startOperator(rig, [ns], {
      autoscaler: { syncPeriodMs: syncMs, actuator: localRaySeams(() => address) },
    });
    const script = join(ray.tempDir, 'demand.py');
    writeFileSync(
      script,
      [
        'import ray, time',
        'ray.init()',
        '@ray.remote(num_cpus=1)',
        'def work():',
        '    time.sleep(600)',
        'ray.get([work.remote() for _ in range(2)])',
      ].join('\n'),
    );
    const results: Rep[] = [];
    for (let i = 1; i <= reps; i++) results.push(await oneRep(i, client, ns, ray, script));

    const rows = [
      ['submit → patch (user-visible)', stats(results.map((r) => r.submitToPatchMs))],
      ['GCS demand → patch (Kuray)', stats(results.map((r) => r.gcsToPatchMs))],
      ['submit → GCS demand (Ray)', stats(results.map((r) => r.submitToGcsMs))],
    ] as const;
    const lines = [
      `native autoscaler reaction time, ${reps} repetitions, sync period ${syncMs} ms` +
        ` (machine: ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)})`,
      `${'measure'.padEnd(32)} ${'min'.padStart(7)} ${'p50'.padStart(7)} ${'mean'.padStart(7)} ${'max'.padStart(7)}  (ms)`,
      ...rows.map(
        ([n, s]) =>
          `${n.padEnd(32)} ${s.min.toFixed(0).padStart(7)} ${s.p50.toFixed(0).padStart(7)} ${s.mean.toFixed(0).padStart(7)} ${s.max.toFixed(0).padStart(7)}`,
      ),
    ];
    process.stdout.write(lines.join('\n') + '\n');
    const outDir = join(repo, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    const file = join(
      outDir,
      `autoscaler-reaction-${started.toISOString().replaceAll(':', '-').replace(/\..*/, '')}.json`,
    );
    writeFileSync(
      file,
      JSON.stringify(
        {
          benchmark: 'autoscaler-reaction',
          startedAt: started.toISOString(),
          syncPeriodMs: syncMs,
          machine: { cores: cpus().length, loadavg1: loadavg()[0] },
          summary: Object.fromEntries(rows.map(([n, s]) => [n, s])),
          repetitions: results,
        },
        null,
        2,
      ) + '\n',
    );
    log(`wrote ${file}`);
  } finally {
    await op?.stop();
    client?.close();
    await ray?.stop();
    await rig?.stop();
  }
}

await main();
