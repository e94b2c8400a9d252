// `npm run bench:autoscaler-rest`: what the native autoscaler costs while nothing happens — operator
// CPU and GCS requests (and the GCS's own CPU) per idle native-mode cluster per minute, with 1 and
// with 100 clusters.
//
// Method. Real parts: the rig's control plane, the operator (in this process, as in the reaction
// bench; the process does nothing else during the window), and ONE real Ray 2.58 head whose GCS
// answers for every cluster. Each cluster keeps its own connection to it and is read and polled
// exactly as if it had its own GCS, so the operator's side is what 100 real clusters cost; the
// GCS's side is summed over all clusters, and divided by their number is what each cluster's GCS
// spends serving the autoscaler (one idle head node per cluster: the smallest state, so the
// cheapest per request — a state with many nodes costs more per poll on both sides). 100 real Ray
// heads would need ~40 GiB and more than 2 cores to stay up here.
//
// Variants, each measured after a warm-up on the same idle clusters:
//   before #19   5 s sync, a new connection per GCS call, no poll between syncs (what the operator did)
//   sync only    5 s sync over a kept connection
//   default      5 s sync + demand poll (500 ms at rest) over a kept connection
// CPU is reported above a baseline window with no operator running (this process idle, the GCS
// doing its own housekeeping), so the figures are what the autoscaler adds.
//
//   node bench/autoscaler-rest.ts [--window-s 60] [--warmup-s 15] [--sizes 1,100]
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActuatorDeps } from '../src/autoscaler/actuator/actuator.ts';
import { localRaySeams } from '../src/autoscaler/actuator/testing.ts';
import type { AutoscalerControllerOptions } from '../src/controllers/autoscaler/setup.ts';
import { getClusterResourceState } from '../src/ray/gcs/autoscalerState.ts';
import type { GcsClient } from '../src/ray/gcs/client.ts';
import { drainNode } from '../src/ray/gcs/drainNode.ts';
import { RayClusters } from '../src/runtime/resources.ts';
import { startOperator } from '../src/testing/operator.ts';
import { newNamespace } from '../rig/testing.ts';
import {
  firstSync,
  gcsCpuSeconds,
  log,
  machine,
  nativeCluster,
  numArg,
  startBenchEnv,
  writeResult,
  type AutoscalerBenchEnv,
  type RC,
} from './autoscalerRig.ts';
import { diffCounts, parseRequestCounts, totals } from './promtext.ts';
import { fmt, formatTable } from './report.ts';

type Variant = 'before #19' | 'sync only' | 'default';
const VARIANTS: readonly Variant[] = ['before #19', 'sync only', 'default'];

interface Measured {
  clusters: number;
  variant: Variant;
  windowS: number;
  /** This process's CPU in the window, above the no-operator baseline. */
  operatorCpuMsPerClusterMin: number;
  gcsRequestsPerClusterMin: number;
  /** gcs_server's CPU in the window, above the no-operator baseline. */
  gcsCpuMsPerClusterMin: number;
  apiRequestsInWindow: number;
  apiWritesInWindow: number;
}

interface Baseline {
  processCpuMsPerMin: number;
  gcsCpuMsPerMin: number;
}

/** CPU of this process and of the GCS per minute while no operator runs. */
async function baseline(env: AutoscalerBenchEnv, windowS: number): Promise<Baseline> {
  const cpu0 = process.cpuUsage();
  const gcs0 = gcsCpuSeconds(env.ray);
  await sleep(windowS * 1000);
  const cpu = process.cpuUsage(cpu0);
  const b = {
    processCpuMsPerMin: ((cpu.user + cpu.system) / 1000) * (60 / windowS),
    gcsCpuMsPerMin: (gcsCpuSeconds(env.ray) - gcs0) * 1000 * (60 / windowS),
  };
  log(`baseline (no operator): ${JSON.stringify(b)}`);
  return b;
}

/** Counts every GCS call the actuator makes, whichever client it goes through. */
function counted(client: GcsClient, count: { n: number }): GcsClient {
  return {
    address: client.address,
    clusterResourceState: () => {
      count.n++;
      return client.clusterResourceState();
    },
    drainNode: (r) => {
      count.n++;
      return client.drainNode(r);
    },
    close: () => {
      client.close();
    },
  };
}

/** The pre-#19 client: each call opens and closes its own HTTP/2 connection. */
function connectionPerCall(address: string, token?: string, timeoutMs?: number): GcsClient {
  return {
    address,
    clusterResourceState: () => getClusterResourceState({ address, token, timeoutMs }),
    drainNode: (r) => drainNode({ address, token, timeoutMs, ...r }),
    close: () => undefined,
  };
}

function optionsFor(
  variant: Variant,
  env: AutoscalerBenchEnv,
  count: { n: number },
): AutoscalerControllerOptions {
  const seams = localRaySeams(() => env.ray.gcsAddress);
  const dialGcs: ActuatorDeps['dialGcs'] =
    variant === 'before #19'
      ? (o) => counted(connectionPerCall(env.ray.gcsAddress, o.token, o.timeoutMs), count)
      : (o) => counted(seams.dialGcs(o), count);
  return {
    demandPoll: variant === 'default' ? undefined : false,
    actuator: { ...seams, dialGcs },
  };
}

async function measure(
  env: AutoscalerBenchEnv,
  ns: string,
  clusters: number,
  variant: Variant,
  windowS: number,
  warmupS: number,
  base: Baseline,
): Promise<Measured> {
  const count = { n: 0 };
  const op = await startOperator(env.rig, [ns], { autoscaler: optionsFor(variant, env, count) });
  try {
    await sleep(warmupS * 1000);
    const reqs0 = parseRequestCounts(await op.mgr.registry.metrics());
    const cpu0 = process.cpuUsage();
    const gcs0 = gcsCpuSeconds(env.ray);
    const n0 = count.n;
    await sleep(windowS * 1000);
    const cpu = process.cpuUsage(cpu0);
    const gcsS = gcsCpuSeconds(env.ray) - gcs0;
    const n = count.n - n0;
    const api = totals(diffCounts(reqs0, parseRequestCounts(await op.mgr.registry.metrics())));
    const perMin = (v: number) => v * (60 / windowS);
    const m: Measured = {
      clusters,
      variant,
      windowS,
      operatorCpuMsPerClusterMin:
        (perMin((cpu.user + cpu.system) / 1000) - base.processCpuMsPerMin) / clusters,
      gcsRequestsPerClusterMin: perMin(n) / clusters,
      gcsCpuMsPerClusterMin: (perMin(gcsS * 1000) - base.gcsCpuMsPerMin) / clusters,
      apiRequestsInWindow: api.reads + api.writes,
      apiWritesInWindow: api.writes,
    };
    log(`${clusters} cluster(s), ${variant}: ${JSON.stringify(m)}`);
    return m;
  } finally {
    await op.stop();
  }
}

async function main(): Promise<void> {
  const windowS = numArg('window-s', 60);
  const warmupS = numArg('warmup-s', 15);
  const i = process.argv.indexOf('--sizes');
  const sizes = (i >= 0 ? process.argv[i + 1]! : '1,100').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error('--sizes: comma list of positive integers');
  const started = new Date();
  const env = await startBenchEnv('bench-as-rest');
  try {
    const results: Measured[] = [];
    const base = await baseline(env, windowS);
    for (const size of sizes) {
      const ns = await newNamespace(env.rig, `bench-as-rest-${size}`);
      log(`creating ${size} idle native-mode cluster(s)`);
      const names = Array.from({ length: size }, (_, k) => `idle-${k}`);
      for (const name of names) await env.client.create<RC>(RayClusters, nativeCluster(name, ns));
      // One operator brings them all to their first sync (head pod Running, Ray reached).
      const op = await startOperator(env.rig, [ns], { autoscaler: optionsFor('default', env, { n: 0 }) });
      try {
        for (const name of names) await firstSync(env.client, ns, name);
      } finally {
        await op.stop();
      }
      for (const v of VARIANTS) results.push(await measure(env, ns, size, v, windowS, warmupS, base));
    }
    const m = machine();
    process.stdout.write(
      `native autoscaler at rest, per idle cluster per minute (window ${windowS} s after ${warmupS} s warm-up;` +
        ` machine: ${m.cores} cores, load ${m.loadavg1}); CPU above a no-operator baseline of` +
        ` ${fmt(base.processCpuMsPerMin)} ms/min (this process) and ${fmt(base.gcsCpuMsPerMin)} ms/min (GCS)\n` +
        formatTable(
          ['clusters', 'variant', 'operator CPU ms', 'GCS requests', 'GCS CPU ms', 'API requests in window'],
          results.map((r) => [
            String(r.clusters),
            r.variant,
            fmt(r.operatorCpuMsPerClusterMin),
            fmt(r.gcsRequestsPerClusterMin),
            fmt(r.gcsCpuMsPerClusterMin),
            `${r.apiRequestsInWindow} (${r.apiWritesInWindow} writes)`,
          ]),
        ) +
        '\n',
    );
    log(
      `wrote ${writeResult('autoscaler-rest', started, { windowS, warmupS, machine: m, baseline: base, results })}`,
    );
  } finally {
    await env.stop();
  }
}

await main();
