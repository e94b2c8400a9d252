// `npm run bench:console`: the web console with 500 RayClusters on the rig (default profile, KWOK
// nodes), in Debian's Chromium through playwright-core.
//
//   page load       navigation start → the list shows all N clusters (the server's watch cache is
//                   warm, as it is for a console left running; the browser's cache is cold: a new
//                   page each time, the assets served again)
//   update latency  a worker group scaled through the API (the operator in this process creates the
//                   KWOK pod) → the new replicas in that cluster's row of the open page, through the
//                   watch and the server-sent-event stream; measured from just before the PATCH
//   DOM rows        rows the virtual list keeps in the DOM with N clusters
//   stream bytes    what a new tab receives before the first change (every cluster, pod and Event)
//
//   node bench/console.ts [--clusters 500] [--loads 5] [--updates 30]
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { newNamespace, privateRig } from '../rig/testing.ts';
import { RayClusters, type KubeObject } from '../src/runtime/resources.ts';
import { KubeClient } from '../src/runtime/transport.ts';
import { consoleFor, launchBrowser } from '../src/console/testing.ts';
import { inNamespace, minMax, rayCluster, withWorkers } from '../src/testing/builders.ts';
import { startOperator } from '../src/testing/operator.ts';
import { until } from '../src/testing/wait.ts';
import { log, machine, numArg, writeResult } from './autoscalerRig.ts';
import { pool } from './limit.ts';
import { fmt, formatTable } from './report.ts';
import { summarize } from './stats.ts';

const N = numArg('clusters', 500);
const LOADS = numArg('loads', 10);
const UPDATES = numArg('updates', 50);
const started = new Date();
const name = (i: number) => `c-${String(i).padStart(4, '0')}`;

const rig = await privateRig({ profile: 'default' });
const ns = await newNamespace(rig, 'bench-console');
const client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 200, burst: 400 });
const op = await startOperator(rig, [ns]);
try {
  log(`creating ${N} RayClusters (head + a 0..3 worker group) in ${ns}`);
  const failures = await pool(
    Array.from({ length: N }, (_, i) => i),
    20,
    (i) =>
      client.create(
        RayClusters,
        rayCluster(name(i), inNamespace(ns), withWorkers(0, minMax(0, 3))) as KubeObject,
      ),
  );
  if (failures > 0) throw new Error(`${failures} creates failed`);
  await until(
    `${N} clusters ready`,
    async () => {
      const l = await client.listAll<KubeObject & { status?: { state?: string } }>(RayClusters, ns);
      return l.items.filter((c) => c.status?.state === 'ready').length === N;
    },
    { timeoutMs: 900_000, intervalMs: 5000 },
  );
  const con = await consoleFor(client, { context: 'rig-admin', user: 'admin', defaultNamespace: ns }, [ns]);
  await until(
    'the console watch has every cluster',
    () => Promise.resolve(con.hub.count('rayclusters') === N),
    {
      timeoutMs: 60_000,
    },
  );
  let streamBytes = 0;
  con.hub.subscribe((m) => (streamBytes += JSON.stringify(m).length + 8))(); // the snapshot only
  const browser = await launchBrowser();
  try {
    // Sign in once (the cookie), then time fresh pages.
    const first = await browser.context.newPage();
    await first.goto(con.url);
    await first.close();
    const loads: number[] = [];
    let domRows = 0;
    for (let i = 0; i < LOADS; i++) {
      const page = await browser.context.newPage();
      const t0 = performance.now();
      await page.goto(`${con.origin}/`);
      await page
        .getByTestId('cluster-count')
        .filter({ hasText: new RegExp(`^${N}$`) })
        .waitFor({ timeout: 60_000 });
      loads.push(performance.now() - t0);
      domRows = await page.locator('a.row').count();
      await page.close();
    }
    const page = await browser.context.newPage();
    await page.goto(`${con.origin}/`);
    await page.locator(`[data-cluster="${name(0)}"]`).waitFor();
    const updates: number[] = [];
    for (let i = 0; i < UPDATES; i++) {
      const c = name(i % 10); // rows at the top of the sorted list: in view
      const replicas = Math.floor(i / 10) % 2 === 0 ? 1 : 0;
      const t0 = performance.now();
      await client.patch(
        RayClusters,
        ns,
        c,
        [{ op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: replicas }],
        'json',
      );
      await page
        .locator(`[data-cluster="${c}"]`)
        .filter({ hasText: `workers ${replicas}` })
        .waitFor({ timeout: 30_000 });
      updates.push(performance.now() - t0);
      await sleep(200);
    }
    const load = summarize(loads);
    const upd = summarize(updates);
    const result = {
      clusters: N,
      machine: machine(),
      pageLoadMs: load,
      updateLatencyMs: upd,
      domRows,
      streamBytes,
    };
    console.log(
      formatTable(
        ['measure', 'n', 'p50 ms', 'p90 ms', 'max ms'],
        [
          ['page load (all rows listed)', String(loads.length), fmt(load.p50), fmt(load.p90), fmt(load.max)],
          ['update → row', String(updates.length), fmt(upd.p50), fmt(upd.p90), fmt(upd.max)],
        ],
      ),
    );
    console.log(
      `${N} clusters; ${domRows} rows in the DOM (virtual list); first stream frame set ${Math.round(streamBytes / 1024)} KiB`,
    );
    log(`wrote ${writeResult('console', started, result)}`);
  } finally {
    await browser.close();
    await con.close();
  }
} finally {
  await op.stop();
  client.close();
  await rig.stop();
}
