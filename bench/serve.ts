// `npm run bench:serve`: a RayService's zero-downtime (blue/green) upgrade under load, with real Ray
// Serve on the rig's local node (profile real). One RayService runs the two demo applications of
// rig/ray/apps/kuray_demo.py on a head-only cluster; a client loop on loopback sends 20 requests/s to
// the serve Service (its EndpointSlices read at every request, as kube-proxy routes); then the
// rayClusterConfig changes (a new APP_COLOR), and the operator starts the new cluster, deploys the apps
// there, switches the Services and deletes the old cluster.
// Reported per repetition: patch → new cluster's apps RUNNING (status), patch → traffic switched (the
// first answer from the new cluster), patch → old cluster deleted, requests sent and failed.
//
//   node bench/serve.ts [--reps 3] [--rps 20]
// Prints a table and writes bench/results/serve-upgrade-<timestamp>.json.
import { join } from 'node:path';
import type { RayService } from '../src/api/v1/index.ts';
import { isNotFound } from '../src/runtime/errors.ts';
import { RayClusters, RayServices, type KubeObject } from '../src/runtime/resources.ts';
import { KubeClient } from '../src/runtime/transport.ts';
import { withHeadEnv, withHeadRayStartParams, withHeadResources } from '../src/testing/builders.ts';
import { startOperator } from '../src/testing/operator.ts';
import {
  inServiceNamespace,
  rayService,
  withClusterConfig,
  withDeletionDelay,
} from '../src/testing/rayservice.ts';
import { serveTraffic } from '../src/testing/serveTraffic.ts';
import { until } from '../src/testing/wait.ts';
import { newNamespace } from '../rig/testing.ts';
import { realRig } from '../rig/node/testing.ts';
import { log, machine, numArg, writeResult } from './autoscalerRig.ts';
import { formatTable } from './report.ts';
import { summarize } from './stats.ts';

type RS = RayService & KubeObject;
const apps = join(import.meta.dirname, '..', 'rig', 'ray', 'apps');

const clusterOf = (color: string) =>
  withClusterConfig(
    withHeadRayStartParams({ 'num-cpus': '2' }),
    withHeadResources({ limits: { cpu: '2', memory: '3Gi' }, requests: { cpu: '500m', memory: '1Gi' } }),
    withHeadEnv({ name: 'PYTHONPATH', value: apps }, { name: 'APP_COLOR', value: color }),
  );

interface Rep {
  rep: number;
  appsRunningMs: number;
  switchMs: number;
  oldClusterGoneMs: number;
  requests: number;
  failed: number;
  failures: string[];
}

async function main(): Promise<void> {
  const reps = numArg('reps', 3);
  const rps = numArg('rps', 20);
  const started = new Date();
  log('starting the real rig and the operator');
  const rig = await realRig();
  const ns = await newNamespace(rig, 'bench-serve');
  const client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 200, burst: 400 });
  const op = await startOperator(rig, [ns], { rayService: { serve: { pollMs: 1000 } } });
  const get = () => client.get<RS>(RayServices, ns, 'bench');
  const traffic = serveTraffic(client, ns, 'bench-serve-svc');
  const results: Rep[] = [];
  try {
    await client.create<RS>(
      RayServices,
      rayService('bench', inServiceNamespace(ns), clusterOf('c0'), withDeletionDelay(5)) as RS,
    );
    await until(
      'the first cluster serving',
      async () => (await traffic.ask('/greet').catch(() => undefined))?.color === 'c0',
      {
        timeoutMs: 600_000,
        intervalMs: 1000,
      },
    );
    log('serving; upgrading under load');
    for (let rep = 1; rep <= reps; rep++) {
      const color = `c${String(rep)}`;
      const old = (await get()).status!.activeServiceStatus!.rayClusterName!;
      const loop = traffic.loop('/greet?name=bench', rps);
      await new Promise((r) => setTimeout(r, 3000)); // steady traffic before the change
      const next = rayService('bench', clusterOf(color)).spec.rayClusterConfig;
      const t0 = Date.now();
      await client.patch(
        RayServices,
        ns,
        'bench',
        [{ op: 'replace', path: '/spec/rayClusterConfig', value: next }],
        'json',
      );
      const appsRunning = await until(
        `${color}: the new cluster's apps RUNNING`,
        async () => {
          const p = (await get()).status?.pendingServiceStatus;
          const a = Object.values(p?.applicationStatuses ?? {});
          const running = a.length === 2 && a.every((x) => x.status === 'RUNNING');
          const promoted = (await get()).status?.activeServiceStatus?.rayClusterName !== old;
          return running || promoted ? Date.now() : undefined;
        },
        { timeoutMs: 600_000, intervalMs: 250 },
      );
      await until(
        `${color}: answers from the new cluster`,
        () => loop.stats.firstSeen.has(color) || undefined,
        {
          timeoutMs: 600_000,
          intervalMs: 100,
        },
      );
      const switched = loop.stats.firstSeen.get(color)!;
      const gone = await until(
        `${color}: the old cluster deleted`,
        async () =>
          client.get(RayClusters, ns, old).then(
            () => undefined,
            (e: unknown) => (isNotFound(e) ? Date.now() : undefined),
          ),
        { timeoutMs: 300_000, intervalMs: 250 },
      );
      const stats = await loop.stop();
      const rec: Rep = {
        rep,
        appsRunningMs: appsRunning - t0,
        switchMs: switched - t0,
        oldClusterGoneMs: gone - t0,
        requests: stats.ok + stats.failed.length,
        failed: stats.failed.length,
        failures: stats.failed.slice(0, 5),
      };
      results.push(rec);
      log(
        `rep ${String(rep)}: switch ${String(rec.switchMs)} ms, ${String(rec.failed)}/${String(rec.requests)} failed`,
      );
    }
    const s = (f: (r: Rep) => number) => summarize(results.map(f));
    const row = (name: string, v: ReturnType<typeof summarize>) => [
      name,
      v.min.toFixed(0),
      v.p50.toFixed(0),
      v.max.toFixed(0),
    ];
    const m = machine();
    process.stdout.write(
      `RayService blue/green upgrade under ${String(rps)} requests/s, ${String(reps)} repetitions, real Ray Serve 2.58 ` +
        `(machine: ${String(m.cores)} cores, load ${String(m.loadavg1)})\n` +
        formatTable(
          ['measure', 'min', 'p50', 'max'],
          [
            row(
              'patch → new apps RUNNING (ms)',
              s((r) => r.appsRunningMs),
            ),
            row(
              'patch → traffic switched (ms)',
              s((r) => r.switchMs),
            ),
            row(
              'patch → old cluster deleted (ms)',
              s((r) => r.oldClusterGoneMs),
            ),
            row(
              'requests per upgrade',
              s((r) => r.requests),
            ),
            row(
              'failed requests per upgrade',
              s((r) => r.failed),
            ),
          ],
        ) +
        '\n',
    );
    log(`wrote ${writeResult('serve-upgrade', started, { rps, machine: m, repetitions: results })}`);
  } finally {
    await op.stop();
    client.close();
    await rig.stop();
  }
}

await main();
