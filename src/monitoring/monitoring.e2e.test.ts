// The guide's monitoring chapter on the real rig: the operator installed by helm (a pod on the local
// node), two real Ray 2.58 clusters, and a real Prometheus (Debian's package, on loopback) that finds
// every target through Kubernetes pod discovery against the rig's API server, using the scrape
// configs and rules Kuray ships (config/monitoring/, generated from src/monitoring/). Debian builds
// Prometheus without its Kubernetes SD plugin, so podSd.ts serves the pod role's targets and
// __meta_kubernetes_pod_* labels over Prometheus' HTTP SD; the shipped relabel_configs run as is.
//   - cluster `monitoring-ray-cluster`: seed example 07 as written plus one worker, so heads, their
//     monitor (autoscaler metrics, 44217) and dashboard (44227) ports and workers are all scraped;
//     seed 08's ray-dashboard-svc in front of it (not Ray's in-tree autoscaler: it cannot parse seed
//     07's `memory: "4Gi"` rayStartParam and crash-loops, a pitfall of the seed, not of monitoring);
//   - cluster `native`: one head under Kuray's native autoscaler (its decision metrics);
//   - a RayJob that runs tasks and leaves a detached actor, a suspended RayJob and RayService (the
//     kuberay_job_* / kuberay_service_* series exist for any object).
// Then: every target is up; every PromQL expression of every shipped dashboard and alert returns a
// series (the test names any that does not); seed 08's Service serves Ray's metrics; deleting the
// head fires RayHeadDown within its (shortened) `for:` and it resolves after recovery; a plot is written.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getJson, isHead, realRig, waitClusterReady } from '../../rig/node/testing.ts';
import type { Pod } from '../../rig/node/types.ts';
import { newNamespace, type Rig } from '../../rig/testing.ts';
import { runTool } from '../install/exec.ts';
import { repoRoot } from '../install/manifests.ts';
import { freePort } from '../ray/testing/localRay.ts';
import { KubeClient } from '../runtime/transport.ts';
import {
  buildDist,
  chartTools,
  ok,
  RELEASE_NS as releaseNs,
  type ChartTools,
} from '../testing/chartTools.ts';
import { seedFile } from '../testing/seeds.ts';
import { until } from '../testing/wait.ts';
import { parseYamlStream, toYaml } from '../util/yaml.ts';
import { autoscalingDashboard } from './dashboards/autoscaling.ts';
import { concreteExpr, dashboardExprs } from './dashboards/grafana.ts';
import { operatorDashboard } from './dashboards/operator.ts';
import { lineChartSvg } from './plot.ts';
import { startPodSd, viaHttpSd } from './podSd.ts';
import { alertProbe, alertRules, ruleGroups } from './rules.ts';
import { scrapeConfigs } from './scrape.ts';

// The local node brings a deleted head back in seconds: a short for: lets the outage outlast it.
const HEAD_DOWN_FOR = '5s';

/** Expressions that cannot return data on this machine, and why. */
const NO_DATA_HERE: readonly { match: RegExp; why: string }[] = [
  { match: /gpu|GRAM/i, why: 'no GPU on this machine' },
  // Ray's own overlay: the comparison keeps a value only while demand exceeds the cluster.
  { match: /autoscaler_pending_resources/, why: 'shows only while resources are pending' },
  { match: /IsRetry!="0"/, why: 'counts retried tasks only; none was retried' },
];

interface PromResult {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

function promGet<T>(port: number, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        try {
          const j = JSON.parse(body) as { status: string; data: T; error?: string };
          if (j.status !== 'success') reject(new Error(`${path}: ${j.error ?? body}`));
          else resolve(j.data);
        } catch (e) {
          reject(new Error(`${path}: ${(e as Error).message}: ${body.slice(0, 200)}`));
        }
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${path}: timeout`)));
    req.end();
  });
}

function httpText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        resolve(body);
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${url}: timeout`)));
    req.end();
  });
}

describe(
  'monitoring on the real rig: Prometheus scraping the operator and real Ray',
  { timeout: 1_200_000 },
  () => {
    let rig: Rig;
    let ns: string;
    let work: string;
    let prom: ChildProcess | undefined;
    let sd: Awaited<ReturnType<typeof startPodSd>> | undefined;
    let client: KubeClient | undefined;
    let promPort = 0;
    const started = Date.now() / 1000;

    let tools: ChartTools;
    const kubectl = (args: readonly string[], input?: string) =>
      tools.kubectl(args, input !== undefined ? { input } : {});
    const apply = (obj: unknown, what: string) =>
      ok(kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(obj)), what);
    const query = (expr: string) =>
      promGet<{ result: PromResult[] }>(promPort, `/api/v1/query?query=${encodeURIComponent(expr)}`).then(
        (d) => d.result,
      );

    before(async () => {
      await buildDist();
      work = mkdtempSync(join(tmpdir(), 'kuray-monitoring-'));
      rig = await realRig();
      tools = await chartTools(rig, work);
      ns = await newNamespace(rig, 'monitoring');
      await tools.installOperator();

      // Seed 07 as written, plus one worker.
      const seed = parseYamlStream(readFileSync(seedFile('07-prometheus-head.yaml'), 'utf8'))[0]!.value as {
        spec: Record<string, unknown> & { headGroupSpec: { template: { spec: { containers: unknown[] } } } };
      };
      seed.spec.workerGroupSpecs = [
        {
          groupName: 'workers',
          replicas: 1,
          minReplicas: 1,
          maxReplicas: 2,
          rayStartParams: { 'num-cpus': '1' },
          template: {
            spec: {
              containers: [
                {
                  name: 'ray-worker',
                  image: 'rayproject/ray:2.58.0',
                  resources: { limits: { cpu: '1', memory: '2Gi' }, requests: { cpu: '1', memory: '2Gi' } },
                },
              ],
            },
          },
        },
      ];
      await apply(seed, 'seed 07 cluster');
      const svc = parseYamlStream(readFileSync(seedFile('08-dashboard-service.yaml'), 'utf8'))[0]!.value;
      await apply(svc, 'seed 08 ray-dashboard-svc');
      // One head under Kuray's native autoscaler: decisions every sync for its (empty) worker group.
      await apply(
        {
          apiVersion: 'ray.io/v1',
          kind: 'RayCluster',
          metadata: { name: 'native' },
          spec: {
            autoscalerOptions: { idleTimeoutSeconds: 60, cooldownPeriodSeconds: 5 },
            headGroupSpec: {
              rayStartParams: { 'num-cpus': '1' },
              template: {
                spec: {
                  containers: [
                    {
                      name: 'ray-head',
                      image: 'rayproject/ray:2.58.0',
                      resources: { limits: { cpu: '1', memory: '2Gi' } },
                    },
                  ],
                },
              },
            },
            workerGroupSpecs: [
              {
                groupName: 'burst',
                replicas: 0,
                minReplicas: 0,
                maxReplicas: 1,
                rayStartParams: { 'num-cpus': '1' },
                template: {
                  spec: {
                    containers: [
                      {
                        name: 'ray-worker',
                        image: 'rayproject/ray:2.58.0',
                        resources: { limits: { cpu: '1', memory: '1Gi' } },
                      },
                    ],
                  },
                },
              },
            ],
          },
        },
        'native cluster',
      );
      // The kuberay_service_* and kuberay_job_* series exist for any object: suspended ones cost nothing.
      await apply(
        {
          apiVersion: 'ray.io/v1',
          kind: 'RayService',
          metadata: { name: 'parked' },
          spec: {
            suspend: true,
            rayClusterConfig: { headGroupSpec: (seed.spec as { headGroupSpec: unknown }).headGroupSpec },
          },
        },
        'suspended RayService',
      );
      await Promise.all([
        waitClusterReady(rig, ns, 'monitoring-ray-cluster', 2, 600_000),
        waitClusterReady(rig, ns, 'native', 1, 600_000),
      ]);
      // Prometheus with Kuray's scrape configs and rules, as shipped.
      client = KubeClient.fromFile(rig.kubeconfigPath);
      sd = await startPodSd(client);
      const sdUrl = sd.url;
      const scrape = scrapeConfigs({ namespaces: [ns], operatorNamespace: releaseNs }).map((j) => ({
        ...viaHttpSd(j, sdUrl),
        scrape_interval: '2s',
        scrape_timeout: '2s',
      }));
      const groups = ruleGroups('2s').map((g) => ({
        ...g,
        rules: (g.rules as { alert: string; for: string }[]).map((r) =>
          r.alert === 'RayHeadDown' ? { ...r, for: HEAD_DOWN_FOR } : r,
        ),
      }));
      writeFileSync(join(work, 'rules.yaml'), toYaml({ groups }));
      writeFileSync(
        join(work, 'prometheus.yml'),
        toYaml({
          global: { scrape_interval: '2s', evaluation_interval: '2s' },
          rule_files: [join(work, 'rules.yaml')],
          scrape_configs: scrape,
        }),
      );
      const check = await runTool('promtool', ['check', 'config', join(work, 'prometheus.yml')]);
      assert.equal(check.code, 0, check.stdout + check.stderr);
      promPort = await freePort();
      prom = spawn(
        'prometheus',
        [
          `--config.file=${join(work, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(work, 'tsdb')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        { stdio: 'ignore', detached: true },
      );
      await until(
        'Prometheus ready',
        async () => (await httpText(`http://127.0.0.1:${promPort}/-/ready`)).includes('Ready'),
        {
          timeoutMs: 60_000,
          intervalMs: 500,
        },
      );

      // Tasks, and a detached actor that stays alive, on the seed cluster through the real RayJob path.
      await apply(
        {
          apiVersion: 'ray.io/v1',
          kind: 'RayJob',
          metadata: { name: 'work' },
          spec: {
            submissionMode: 'HTTPMode',
            clusterSelector: { 'ray.io/cluster': 'monitoring-ray-cluster' },
            entrypoint:
              'python -c "import ray; ray.init(); f = ray.remote(lambda x: x * 2); print(sum(ray.get([f.remote(i) for i in range(50)]))); ' +
              "A = ray.remote(type('Keep', (), {'ping': lambda self: 1})); a = A.options(name='keep', lifetime='detached').remote(); print(ray.get(a.ping.remote()))\"",
          },
        },
        'RayJob',
      );
      // Task metrics live while a driver does: a second job keeps running tasks until the rig stops.
      await apply(
        {
          apiVersion: 'ray.io/v1',
          kind: 'RayJob',
          metadata: { name: 'ticker' },
          spec: {
            submissionMode: 'HTTPMode',
            clusterSelector: { 'ray.io/cluster': 'monitoring-ray-cluster' },
            entrypoint:
              'python -c "import ray, time; ray.init(); f = ray.remote(lambda x: x); ' +
              '[(ray.get(f.remote(i)), time.sleep(1)) for i in range(1200)]"',
          },
        },
        'RayJob ticker',
      );
      await until(
        'the RayJob to complete',
        async () => {
          const j = await getJson<{
            status?: { jobDeploymentStatus?: string; jobStatus?: string; message?: string };
          }>(rig, ['get', 'rayjob', 'work', '-n', ns]);
          if (j.status?.jobDeploymentStatus === 'Failed')
            throw new Error(`RayJob failed: ${j.status.message}`);
          return j.status?.jobDeploymentStatus === 'Complete' ? j : undefined;
        },
        { timeoutMs: 300_000, intervalMs: 2000 },
      );
    });

    after(async () => {
      if (prom?.pid) {
        try {
          process.kill(-prom.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await sd?.close();
      client?.close();
      await rig?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('every target (operator, heads, head autoscaler and dashboard ports, workers) is up', async () => {
      const want = ['kuray-operator', 'ray-head', 'ray-head-autoscaler', 'ray-head-dashboard', 'ray-workers'];
      type Target = { labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string };
      const targets = await until(
        'every job has targets, all up',
        async () => {
          const d = await promGet<{ activeTargets: Target[] }>(promPort, '/api/v1/targets?state=active');
          const jobs = new Set(d.activeTargets.map((t) => t.labels.job));
          return want.every((j) => jobs.has(j)) && d.activeTargets.every((t) => t.health === 'up')
            ? d.activeTargets
            : undefined;
        },
        {
          timeoutMs: 120_000,
          intervalMs: 2000,
          describe: async () =>
            JSON.stringify(
              (
                await promGet<{ activeTargets: Target[] }>(promPort, '/api/v1/targets?state=active')
              ).activeTargets.map((t) => [t.labels.job, t.scrapeUrl, t.health, t.lastError]),
            ),
        },
      );
      const heads = targets.filter((t) => t.labels.job === 'ray-head');
      assert.deepEqual(heads.map((t) => t.labels.ray_io_cluster).sort(), [
        'monitoring-ray-cluster',
        'native',
      ]);
      assert.ok(heads.every((t) => t.labels.ray_io_node_type === 'head' && t.labels.namespace === ns));
      const w = targets.filter((t) => t.labels.job === 'ray-workers');
      assert.deepEqual(
        w.map((t) => t.labels.ray_io_cluster),
        ['monitoring-ray-cluster'],
      );
    });

    it('every expression of every shipped dashboard and alert returns a series (exceptions named)', async () => {
      const ray = JSON.parse(
        readFileSync(join(repoRoot, 'config/monitoring/grafana/ray-cluster.json'), 'utf8'),
      ) as unknown;
      const exprs = [
        ...dashboardExprs(ray).map((e) => ({
          where: `Ray cluster / ${e.panel}`,
          expr: concreteExpr(e.expr),
        })),
        ...dashboardExprs(operatorDashboard()).map((e) => ({
          where: `operator / ${e.panel}`,
          expr: concreteExpr(e.expr),
        })),
        ...dashboardExprs(autoscalingDashboard()).map((e) => ({
          where: `autoscaling / ${e.panel}`,
          expr: concreteExpr(e.expr),
        })),
        ...alertRules.map((r) => ({ where: `alert ${r.alert}`, expr: alertProbe(r) })),
      ];
      // Rates need two samples inside their window: give the 2 s scrapes time to fill it.
      let empty: typeof exprs = [];
      await until(
        'every expression to return data',
        async () => {
          empty = [];
          for (const e of exprs) if ((await query(e.expr)).length === 0) empty.push(e);
          return empty.every((e) => NO_DATA_HERE.some((x) => x.match.test(e.expr)));
        },
        {
          timeoutMs: 180_000,
          intervalMs: 5000,
          describe: () => empty.map((e) => `${e.where}: ${e.expr}`).join('\n'),
        },
      );
      const excused = empty.map((e) => `${e.where} (${NO_DATA_HERE.find((x) => x.match.test(e.expr))!.why})`);
      assert.ok(exprs.length > 40, `${exprs.length} expressions`);
      // Names what returned nothing, and why that is expected here.
      for (const x of excused) console.log(`no data here: ${x}`);
    });

    it("seed 08's ray-dashboard-svc selects the head, and its metrics port serves Ray's metrics", async () => {
      const svc = await getJson<{
        spec: { selector: Record<string, string>; ports: { name: string; targetPort: number }[] };
      }>(rig, ['get', 'service', 'ray-dashboard-svc', '-n', ns]);
      const sel = Object.entries(svc.spec.selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const pods = (await getJson<{ items: Pod[] }>(rig, ['get', 'pods', '-n', ns, '-l', sel])).items;
      // app: ray-head is on every head Kuray (and the guide) makes: in a namespace with two clusters the
      // guide's Service selects both heads, and a scrape through it lands on either.
      assert.ok(pods.length >= 1 && pods.every(isHead), `the Service's selector ${sel} picks heads only`);
      assert.ok(pods.some((p) => p.metadata.labels?.['ray.io/cluster'] === 'monitoring-ray-cluster'));
      const port = svc.spec.ports.find((p) => p.name === 'metrics')!.targetPort;
      // The API server keeps loopback pod addresses out of Endpoints here, so go where it would route.
      for (const p of pods) {
        const text = await httpText(`http://${p.status!.podIP!}:${port}/metrics`);
        assert.match(text, /^ray_node_cpu_utilization\{/m, p.metadata.name);
      }
    });

    it('deleting the head fires RayHeadDown within its for:, and it resolves after recovery', async () => {
      const head = (
        await getJson<{ items: Pod[] }>(rig, [
          'get',
          'pods',
          '-n',
          ns,
          '-l',
          'ray.io/cluster=monitoring-ray-cluster,ray.io/node-type=head',
        ])
      ).items[0]!;
      type Alert = { labels: Record<string, string>; state: string; activeAt: string };
      const alerts = () => promGet<{ alerts: Alert[] }>(promPort, '/api/v1/alerts').then((d) => d.alerts);
      const headDown = async () =>
        (await alerts()).find(
          (a) => a.labels.alertname === 'RayHeadDown' && a.labels.ray_io_cluster === 'monitoring-ray-cluster',
        );
      assert.equal(await headDown(), undefined, 'no RayHeadDown before');
      await ok(kubectl(['delete', 'pod', head.metadata.name!, '-n', ns, '--wait=false']), 'delete head');
      const deletedAt = Date.now();
      const firing = await until(
        'RayHeadDown firing',
        async () => ((await headDown())?.state === 'firing' ? true : undefined),
        {
          timeoutMs: 90_000,
          intervalMs: 1000,
        },
      );
      assert.ok(firing);
      console.log(
        `RayHeadDown fired ${((Date.now() - deletedAt) / 1000).toFixed(1)} s after the delete (for: ${HEAD_DOWN_FOR})`,
      );
      await waitClusterReady(rig, ns, 'monitoring-ray-cluster', 2, 600_000, true);
      await until('RayHeadDown resolved', async () => ((await headDown()) === undefined ? true : undefined), {
        timeoutMs: 180_000,
        intervalMs: 2000,
      });
    });

    it('writes a plot of the Ray nodes’ CPU and memory from this Prometheus (src/monitoring/README.md)', async () => {
      const end = Date.now() / 1000;
      const range = async (expr: string) =>
        (
          await promGet<{ result: PromResult[] }>(
            promPort,
            `/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${started}&end=${end}&step=2`,
          )
        ).result;
      const cpu = await range('max by (pod) (ray_node_cpu_utilization)');
      const mem = await range('max by (pod) (ray_node_mem_used) / 2^30');
      assert.ok(cpu.length >= 3 && mem.length >= 3, 'series for the heads and the worker');
      const svg = lineChartSvg([
        {
          title: 'Ray node CPU utilization (%), ray_node_cpu_utilization',
          series: cpu.map((s) => ({ name: s.metric.pod ?? '', points: s.values ?? [] })),
        },
        {
          title: 'Ray node memory used (GiB), ray_node_mem_used',
          series: mem.map((s) => ({ name: s.metric.pod ?? '', points: s.values ?? [] })),
        },
      ]);
      writeFileSync(join(repoRoot, 'src', 'monitoring', 'ray-nodes.svg'), svg);
    });
  },
);
