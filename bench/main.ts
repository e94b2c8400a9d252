// `npm run bench`: Kuray, the minimal script (this rig's limit) and KubeRay on one rig with the
// `scale` profile (200 KWOK nodes), in one run. Prints tables, ratios and goal verdicts and writes
// bench/results/<timestamp>.json. Every process it starts (rig, operators) is stopped at the end,
// also on failure and on Ctrl-C (the rig's exit hooks and the operators' own).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { availableBinaries, ensureBinaries } from '../rig/build.ts';
import { startRig, type Rig } from '../rig/harness.ts';
import { recipeOf, recipeVersion } from '../rig/versions.ts';
import { KubeClient } from '../src/runtime/transport.ts';
import { parseArgs, plan, planLabel, SIZES, type BenchArgs, type PlannedRun } from './args.ts';
import { buildKuray, startKubeRay, startKuray, type OperatorProc } from './operators.ts';
import { readProcUsage } from './procfs.ts';
import { diffCounts, totals, type RequestCounts } from './promtext.ts';
import { cpWindow } from './cpmetrics.ts';
import { cpTable } from './cpreport.ts';
import { ControlPlaneScraper } from './cpscrape.ts';
import { startLatencyProxy, type LatencyProxy } from './latencyProxy.ts';
import {
  burstTable,
  goals,
  goalsText,
  ratios,
  ratiosText,
  rigTable,
  scaleTable,
  steadyTable,
  type RunResult,
} from './report.ts';
import { burst, createNamespace, deleteNamespace, scale, steady, type ScenarioCtx } from './scenarios.ts';
import { clusterPods, createPods } from './limit.ts';
import { Tracker, waitFor } from './tracker.ts';

const log = (m: string): void => {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);
};

interface Env {
  rig: Rig;
  args: BenchArgs;
  ctx: ScenarioCtx;
  kuberayBin?: string;
  outDir: string;
  profDir?: string;
  cp: ControlPlaneScraper;
  /** The kubeconfig operators use: the rig's, or the latency proxy's copy of it. */
  opKubeconfig: string;
  proxy?: LatencyProxy;
}

function rigCpu(rig: Rig): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(rig.pids())) {
    const u = readProcUsage(pid);
    if (u) out[name] = u.cpuSeconds;
  }
  return out;
}

async function runOne(env: Env, { scenario, subject, round }: PlannedRun): Promise<RunResult> {
  const { rig, ctx, args } = env;
  // A round of its own namespace: the previous round's may still be terminating.
  const ns = `bench-${scenario}-${subject}${round ? `-${round + 1}` : ''}`;
  const name = planLabel({ scenario, subject, round }, args);
  const started = Date.now();
  const result: RunResult = { scenario, subject, round, ok: false, rigCpuSeconds: {}, wallSeconds: 0 };
  log(`${name}: starting in namespace ${ns}`);
  await createNamespace(ctx.client, ns);
  const tracker = new Tracker(ctx.client, ns);
  let op: OperatorProc | undefined;
  let sampler: ReturnType<ControlPlaneScraper['sample']> | undefined;
  try {
    await tracker.start();
    const limits = {
      qps: args.qps,
      burst: args.burst,
      concurrency: args.concurrency,
      kubeconfig: env.opKubeconfig,
      extraFlags: args.kurayFlags,
      nodeFlags: args.kurayNodeFlags,
    };
    if (subject === 'kuray') op = await startKuray(rig, ns, limits, env.outDir, env.profDir);
    if (subject === 'kuberay') op = await startKubeRay(rig, env.kuberayBin!, ns, limits, env.outDir);
    const rig0 = rigCpu(rig);
    const op0 = op?.usage();
    const req0: RequestCounts = op ? await op.requests() : {};
    const conn0 = env.proxy?.connections() ?? 0;
    const bytes0 = env.proxy?.bytes() ?? { up: 0, down: 0 };
    const cp0 = await env.cp.snapshot();
    sampler = env.cp.sample();
    if (scenario === 'burst') result.burst = await burst(ctx, subject, ns, tracker);
    if (scenario === 'scale') result.scale = await scale(ctx, subject, ns, tracker, op);
    if (scenario === 'steady' && op) result.steady = await steady(ctx, ns, tracker, op);
    const series = await sampler.stop();
    result.controlPlane = cpWindow(cp0, await env.cp.snapshot(), series);
    if (env.proxy) {
      const b = env.proxy.bytes();
      result.proxy = {
        connections: env.proxy.connections() - conn0,
        upKiB: (b.up - bytes0.up) / 1024,
        downKiB: (b.down - bytes0.down) / 1024,
      };
    }
    const rig1 = rigCpu(rig);
    for (const [k, v] of Object.entries(rig1)) result.rigCpuSeconds[k] = v - (rig0[k] ?? v);
    if (op) {
      writeFileSync(join(env.outDir, `${subject}-${ns}.metrics.txt`), await op.metrics());
      const u = op.usage();
      const req = diffCounts(req0, await op.requests());
      result.operator = {
        cpuSeconds: (u?.cpuSeconds ?? NaN) - (op0?.cpuSeconds ?? NaN),
        rssMiB: (u?.rssKiB ?? NaN) / 1024,
        peakRssMiB: (u?.hwmKiB ?? NaN) / 1024,
        requests: req,
        ...totals(req),
      };
    }
    result.ok = !(result.burst ?? result.scale ?? result.steady)?.timedOut;
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
    log(`${name}: failed: ${result.error}`);
  } finally {
    await sampler?.stop();
    await op?.stop();
    await tracker.stop();
    if (!(await deleteNamespace(ctx.client, ns))) log(`${name}: namespace ${ns} still terminating`);
  }
  result.wallSeconds = (Date.now() - started) / 1000;
  log(`${name}: done in ${result.wallSeconds.toFixed(0)}s${result.ok ? '' : ' (NOT complete)'}`);
  return result;
}

/**
 * A fresh rig is still settling (200 nodes' first heartbeats and leases, controllers' initial
 * syncs) and its caches are cold: 50 pods created and deleted first, so the first measured run
 * (the limit) does not pay for that.
 */
async function warmUp(env: Env): Promise<void> {
  const ns = 'bench-warmup';
  const started = Date.now();
  await createNamespace(env.ctx.client, ns);
  const t = new Tracker(env.ctx.client, ns);
  try {
    await t.start();
    await createPods(env.ctx.limitClient, clusterPods(ns, 'warm', 49), env.ctx.limitConcurrency);
    await waitFor(() => t.count().running >= 50, 120_000);
  } finally {
    await t.stop();
    await deleteNamespace(env.ctx.client, ns);
  }
  log(`warm-up: 50 pods in ${((Date.now() - started) / 1000).toFixed(0)}s`);
}

function machine(): Record<string, unknown> {
  return {
    cpus: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    loadavg: loadavg(),
  };
}

async function main(): Promise<void> {
  let args: BenchArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write((e as Error).message + '\n');
    process.exitCode = 2;
    return;
  }
  const sizes = SIZES[args.size];
  const runs = plan(args);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = join(import.meta.dirname, 'results', stamp);
  mkdirSync(outDir, { recursive: true });
  const profDir = args.cpuProf ? join(outDir, 'cpu-prof') : undefined;
  log(
    `bench: size ${args.size} ${JSON.stringify(sizes)}; runs: ${runs.map((r) => planLabel(r, args)).join(', ')}`,
  );

  if (args.subjects.includes('kuray')) {
    // Kuray runs as the image runs it: the built JavaScript (npm run build), not the .ts sources.
    log('bench: building Kuray (npm run build)');
    buildKuray();
  }

  let kuberayBin: string | undefined;
  let peerVersion: string | undefined;
  if (args.subjects.includes('kuberay')) {
    peerVersion = recipeVersion(recipeOf('ray-operator'));
    if (!availableBinaries()['ray-operator'])
      log(`bench: building KubeRay ${peerVersion} from the Go module proxy (minutes)`);
    kuberayBin = (await ensureBinaries(['ray-operator'], log))['ray-operator'];
  }

  const startedAt = new Date().toISOString();
  const machineBefore = machine();
  const rig = await startRig({ profile: 'scale', name: `bench-${process.pid}`, log });
  // Remote control plane: operators and the script reach the API server through the proxy, with
  // the rig's admin kubeconfig pointed at it; the bench's own tracker and scrapes stay direct.
  let proxy: LatencyProxy | undefined;
  let opKubeconfig = rig.kubeconfigPath;
  if (args.latencyMs > 0) {
    proxy = await startLatencyProxy(Number(new URL(rig.server).port), args.latencyMs);
    opKubeconfig = join(outDir, 'kubeconfig-remote');
    writeFileSync(opKubeconfig, readFileSync(rig.kubeconfigPath, 'utf8').replaceAll(rig.server, proxy.url), {
      mode: 0o600,
    });
    log(`bench: remote control plane: ${proxy.url} adds ${args.latencyMs} ms each way`);
  }
  const client = KubeClient.fromFile(rig.kubeconfigPath, {
    qps: 5000,
    burst: 10000,
    registry: new Registry(),
    userAgent: 'kuray-bench',
  });
  const limitClient = KubeClient.fromFile(opKubeconfig, {
    qps: args.qps,
    burst: args.burst,
    registry: new Registry(),
    userAgent: 'kuray-bench-limit',
  });
  const results: RunResult[] = [];
  const rigPeakRssMiB: Record<string, number> = {};
  try {
    const env: Env = {
      rig,
      args,
      outDir,
      ...(profDir ? { profDir } : {}),
      ...(kuberayBin ? { kuberayBin } : {}),
      cp: new ControlPlaneScraper(rig),
      opKubeconfig,
      ...(proxy ? { proxy } : {}),
      // Kuray writes up to 8 pods in flight per reconcile, 4 reconciles: the script gets the same 32.
      ctx: { client, limitClient, limitConcurrency: 32, qps: args.qps, burst: args.burst, sizes, log },
    };
    await warmUp(env);
    for (const r of runs) results.push(await runOne(env, r));
    for (const [name, pid] of Object.entries(rig.pids())) {
      const u = readProcUsage(pid);
      if (u) rigPeakRssMiB[name] = u.hwmKiB / 1024;
    }
  } finally {
    client.close();
    limitClient.close();
    await proxy?.close();
    // The copy holds the rig's admin credentials: it goes with the rig.
    if (proxy) rmSync(opKubeconfig, { force: true });
    await rig.stop();
  }
  const rs = ratios(results);
  const gs = goals(results, { remote: args.latencyMs > 0 });
  const report = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { ...machineBefore, loadavgAfter: loadavg() },
    args,
    sizes,
    peer: kuberayBin ? { name: 'kuberay ray-operator', version: peerVersion, binary: kuberayBin } : undefined,
    results,
    rigPeakRssMiB,
    ratios: rs,
    goals: gs,
  };
  const file = join(import.meta.dirname, 'results', `${stamp}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  const out = [
    '',
    `Kuray benchmark, size ${args.size}, qps ${args.qps} / burst ${args.burst}, reconcile concurrency ${args.concurrency}` +
      (args.latencyMs ? `, remote control plane +${args.latencyMs} ms each way` : '') +
      (args.kurayFlags.length ? `, Kuray flags ${args.kurayFlags.join(' ')}` : '') +
      (args.kurayNodeFlags.length ? `, Kuray node flags ${args.kurayNodeFlags.join(' ')}` : '') +
      (peerVersion ? `, peer KubeRay ${peerVersion}` : ''),
    `machine: ${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB, load ${loadavg()[0]!.toFixed(1)}`,
    '',
    ...(results.some((r) => r.scenario === 'burst') ? [burstTable(results), ''] : []),
    ...(results.some((r) => r.scenario === 'scale') ? [scaleTable(results), ''] : []),
    ...(results.some((r) => r.scenario === 'steady') ? [steadyTable(results), ''] : []),
    cpTable(results),
    '',
    rigTable(results, rigPeakRssMiB),
    '',
    ratiosText(rs),
    '',
    goalsText(gs),
    '',
    `results: ${file} (operator logs${profDir ? ', CPU profiles' : ''}: ${outDir})`,
  ];
  process.stdout.write(out.join('\n') + '\n');
  if (results.some((r) => r.error)) process.exitCode = 1;
}

await main();
