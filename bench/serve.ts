// `npm run bench:serve`: a RayService's blue/green upgrade with real Ray Serve 2.58 on the rig's local
// node (config/samples/ray-service.sample.yaml, head-only clusters), under a client loop of 20 req/s
// routed as kube-proxy routes (the serve Service's selector → ready pods → podIP:port, at each request,
// a new connection each; src/testing/serveLoad.ts).
//
//   time to switch    the rayClusterConfig PATCH → the serve Service's selector names the new cluster
//                     (the new cluster's head started, Ray up, both apps RUNNING, the proxy healthy)
//   first new answer  the PATCH → the first answer the client loop gets from the new cluster
//   old deleted       the PATCH → the old RayCluster gone (rayClusterDeletionDelaySeconds: 5)
//   failed requests   requests of the loop that failed during the upgrade (of sent)
//
//   node bench/serve.ts [--upgrades 2] [--rate 20]
import { performance } from 'node:perf_hooks';
import { realRig } from '../rig/node/testing.ts';
import { newNamespace } from '../rig/testing.ts';
import type { RayCluster, RayService } from '../src/api/v1/index.ts';
import { RayClusters, RayServices, Services, type KubeObject } from '../src/runtime/resources.ts';
import { KubeClient } from '../src/runtime/transport.ts';
import { startOperator } from '../src/testing/operator.ts';
import {
  SAMPLE_COLOR_PATH,
  SAMPLE_NAME,
  SAMPLE_SERVE_SVC,
  sampleRayService,
} from '../src/testing/rayservice.ts';
import { startServeLoad } from '../src/testing/serveLoad.ts';
import { until } from '../src/testing/wait.ts';
import { log, machine, numArg, writeResult } from './autoscalerRig.ts';
import { fmt, formatTable } from './report.ts';

const UPGRADES = numArg('upgrades', 2);
const RATE = numArg('rate', 20);
const COLORS = ['green', 'red', 'yellow', 'purple', 'orange'];
const started = new Date();

type RS = RayService & KubeObject;
interface Upgrade {
  from: string;
  to: string;
  switchS: number;
  firstAnswerS: number;
  oldDeletedS: number;
  sent: number;
  failed: number;
  errors: string[];
}

const rig = await realRig();
const ns = await newNamespace(rig, 'bench-serve');
const client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 200, burst: 400 });
const op = await startOperator(rig, [ns]);
try {
  const { rs, configMap } = sampleRayService();
  for (const o of [configMap, rs]) {
    const r = await rig.kubectl(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify(o) });
    if (r.code !== 0) throw new Error(r.stderr);
  }
  const get = () => client.get<RS>(RayServices, ns, SAMPLE_NAME);
  const selected = async () =>
    (
      await client.get<KubeObject & { spec: { selector?: Record<string, string> } }>(
        Services,
        ns,
        SAMPLE_SERVE_SVC,
      )
    ).spec.selector?.['ray.io/cluster'];
  const t0 = performance.now();
  let active = await until(
    'the RayService Ready',
    async () => {
      const s = await get();
      const ready = s.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return ready ? s.status?.activeServiceStatus?.rayClusterName : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 250 },
  );
  log(`Ready after ${fmt((performance.now() - t0) / 1000)} s (cluster ${active})`);

  const upgrades: Upgrade[] = [];
  for (let i = 0; i < UPGRADES; i++) {
    const load = startServeLoad({
      client,
      namespace: ns,
      service: SAMPLE_SERVE_SVC,
      path: '/greet?name=b',
      ratePerSec: RATE,
    });
    await until('the loop gets answers', () => load.report.answers.length >= RATE || undefined, {
      timeoutMs: 30_000,
    });
    const at = performance.now();
    const atLoop = Date.now() - load.report.startedAt;
    const color = COLORS[i % COLORS.length]!;
    log(`upgrade ${i + 1}: APP_COLOR → ${color}`);
    await client.patch(
      RayServices,
      ns,
      SAMPLE_NAME,
      [{ op: 'replace', path: `${SAMPLE_COLOR_PATH}/value`, value: color }],
      'json',
    );
    const to = await until(
      'the serve Service on the new cluster',
      async () => {
        const c = await selected();
        return c && c !== active ? c : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 100 },
    );
    const switchS = (performance.now() - at) / 1000;
    const firstNew = await until(
      'an answer from the new cluster',
      () => load.report.answers.find((a) => a.at >= atLoop && a.body.cluster === to),
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const firstAnswerS = (firstNew.at - atLoop) / 1000;
    const from = active;
    await until(
      `the old cluster ${from} deleted`,
      async () => {
        const l = await client.list<RayCluster & KubeObject>(RayClusters, ns);
        return l.items.every((c) => c.metadata.name !== from) || undefined;
      },
      { timeoutMs: 180_000, intervalMs: 250 },
    );
    const oldDeletedS = (performance.now() - at) / 1000;
    const report = await load.stop();
    upgrades.push({
      from,
      to,
      switchS,
      firstAnswerS,
      oldDeletedS,
      sent: report.sent,
      failed: report.failures.length,
      errors: report.failures.slice(0, 5).map((f) => f.error),
    });
    log(
      `upgrade ${i + 1}: switched after ${fmt(switchS)} s, ${report.failures.length} of ${report.sent} failed`,
    );
    active = to;
  }

  const result = { machine: machine(), ratePerSec: RATE, upgrades };
  console.log(
    formatTable(
      ['upgrade', 'time to switch (s)', 'first new answer (s)', 'old deleted (s)', 'requests', 'failed'],
      upgrades.map((u, i) => [
        `${i + 1} (${u.from} → ${u.to})`,
        fmt(u.switchS),
        fmt(u.firstAnswerS),
        fmt(u.oldDeletedS),
        String(u.sent),
        String(u.failed),
      ]),
    ),
  );
  log(`wrote ${writeResult('serve', started, result)}`);
  if (upgrades.some((u) => u.failed > 0)) process.exitCode = 1;
} finally {
  await op.stop();
  client.close();
  await rig.stop();
}
