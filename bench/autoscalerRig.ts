// What the native-autoscaler benchmarks share: a private rig (default profile: KWOK runs the pods),
// ONE real local Ray 2.58 head (0 CPUs, --no-monitor, as in-tree KubeRay starts it) that stands in
// for the GCS of every RayCluster (KWOK pod IPs cannot be dialled; the actuator's seams send its GCS
// calls here), a native-mode RayCluster builder, the GCS process's CPU, and the result file.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { RayCluster } from '../src/api/v1/index.ts';
import { patientRayEnv, startRayHeadWithRetry } from '../src/autoscaler/actuator/testing.ts';
import type { LocalRayHead } from '../src/ray/testing/localRay.ts';
import { RayClusters, type KubeObject } from '../src/runtime/resources.ts';
import { KubeClient } from '../src/runtime/transport.ts';
import {
  groupRayStartParams,
  inNamespace,
  minMax,
  rayCluster,
  withNativeAutoscaling,
  withWorkers,
} from '../src/testing/builders.ts';
import { until } from '../src/testing/wait.ts';
import { newNamespace, privateRig, type Rig } from '../rig/testing.ts';
import { parseStatCpuSeconds } from './procfs.ts';

export type RC = KubeObject & RayCluster;
export const repo = join(import.meta.dirname, '..');
export const venv = process.env.KURAY_RAY_VENV ?? join(repo, '.venv', 'ray');

export const log = (m: string): void => {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);
};

/** --name N (a positive number) or the default. */
export function numArg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

export interface AutoscalerBenchEnv {
  rig: Rig;
  ray: LocalRayHead;
  ns: string;
  client: KubeClient;
  stop(): Promise<void>;
}

export async function startBenchEnv(prefix: string): Promise<AutoscalerBenchEnv> {
  patientRayEnv(); // a loaded shared machine exceeds Ray's 30 s startup limits
  log('starting the rig (default profile) and a local Ray head');
  const [rig, ray] = await Promise.all([
    privateRig({ profile: 'default' }),
    startRayHeadWithRetry({ venv, numCpus: 0, noMonitor: true }),
  ]);
  const ns = await newNamespace(rig, prefix);
  const client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 100, burst: 200 });
  return {
    rig,
    ray,
    ns,
    client,
    stop: async () => {
      client.close();
      await ray.stop();
      await rig.stop();
    },
  };
}

/** A native-mode cluster: 0..10 one-CPU workers, no idle removal during a measurement. */
export function nativeCluster(name: string, ns: string): RC {
  return rayCluster(
    name,
    inNamespace(ns),
    withNativeAutoscaling({ cooldownPeriodSeconds: 30, idleTimeoutSeconds: 600 }),
    withWorkers(0, minMax(0, 10), groupRayStartParams({ 'num-cpus': '1' })),
  ) as RC;
}

/** Waits until the autoscaler has synced `name` once (it reached Ray). */
export async function firstSync(client: KubeClient, ns: string, name: string): Promise<void> {
  await until(
    `${name}: first autoscaler sync`,
    async () => {
      const rc = await client.get<RC>(RayClusters, ns, name);
      return rc.status?.autoscaler?.rayReachable === true ? rc : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 200 },
  );
}

/** CPU seconds of the local head's gcs_server so far. */
export function gcsCpuSeconds(ray: LocalRayHead): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes('gcs_server') && cmd.includes(ray.tempDir))
        return parseStatCpuSeconds(readFileSync(`/proc/${d}/stat`, 'utf8'));
    } catch {
      // gone
    }
  }
  throw new Error('the local head has no gcs_server process');
}

export function machine(): { cores: number; loadavg1: number } {
  return { cores: cpus().length, loadavg1: Math.round(loadavg()[0]! * 10) / 10 };
}

/** Writes bench/results/<name>-<timestamp>.json; returns the path. */
export function writeResult(name: string, started: Date, body: object): string {
  const outDir = join(repo, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${name}-${started.toISOString().replaceAll(':', '-').replace(/\..*/, '')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ benchmark: name, startedAt: started.toISOString(), ...body }, null, 2) + '\n',
  );
  return file;
}
