// The production guide on the `real` rig, as a new user follows it, on one real Ray cluster:
//   install   `helm install kuberay-operator charts/kuray-operator -n ray-system`: the local node runs
//             the chart's operator pod (image kuray-operator → the repo's built dist/) under the
//             chart's ServiceAccount and probes; the guide's checks (get pods, get crd | grep ray,
//             logs -l app.kubernetes.io/name=kuberay-operator);
//   cluster   the seed's basic RayCluster (1 head + 3 workers) forms real Ray through that operator;
//   troubleshooting (issue 18) `kubectl exec <head> -- ray status`, exec -i (stdin), exec -t (a TTY
//             of the caller's size), port-forward to the dashboard (WebSocket and the SPDY
//             fallback), `kubectl top pods -l app=ray-head`, a busy worker above an idle one,
//             `kubectl top nodes`, `get events --sort-by`; exec into a missing container, a
//             completed pod or a container that is not running fails as kubectl says it, and the
//             node keeps serving;
//   kubectl ray (issue 17) on that cluster: get cluster/nodes/workergroups, version, status, session
//             (the dashboard through the forwarded port), log (head and worker logs in a folder),
//             scale (3 → 2 workers, get shows it), delete;
//   uninstall `helm upgrade` rolls the operator, `helm uninstall` leaves no chart object, pod or
//             process behind.
// The chart's webhook is off (src/testing/chartTools.ts says why).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { groupAlive } from '../../rig/node/procs.ts';
import { localNodeName } from '../../rig/node/profile.ts';
import { getJson, isHead, parseRayStatus, realRig, waitClusterReady } from '../../rig/node/testing.ts';
import type { Pod } from '../../rig/node/types.ts';
import { newNamespace, type Rig } from '../../rig/testing.ts';
import { chartDir } from '../install/manifests.ts';
import { runTool } from '../install/exec.ts';
import {
  buildDist,
  chartTools,
  ok,
  OPERATOR_LABEL as operatorLabel,
  RELEASE_NS as releaseNs,
  type ChartTools,
} from '../testing/chartTools.ts';
import { seedFile } from '../testing/seeds.ts';
import { until } from '../testing/wait.ts';
import { parseYamlStream } from '../util/yaml.ts';

/** `kubectl top` CPU column → millicores; MEMORY → bytes. */
function topRow(out: string, name: string): { cpuMilli: number; memBytes: number } | undefined {
  const line = out.split('\n').find((l) => l.split(/\s+/)[0] === name);
  if (!line) return undefined;
  const [, cpu, mem] = line.split(/\s+/);
  const cpuMilli = cpu!.endsWith('m') ? Number(cpu!.slice(0, -1)) : Number(cpu) * 1000;
  const unit: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(mem!);
  return { cpuMilli, memBytes: m ? Number(m[1]) * (unit[m[2] ?? ''] ?? 1) : NaN };
}

describe(
  'the guide on the real rig: helm install, the basic cluster, troubleshooting',
  { timeout: 1_200_000 },
  () => {
    let rig: Rig;
    let ns: string;
    let work: string;
    let pods: Pod[] = [];
    let head: Pod;
    const children: ChildProcess[] = [];

    let tools: ChartTools;
    const env = () => tools.env();
    const kubectl: ChartTools['kubectl'] = (args, opts) => tools.kubectl(args, opts);
    const helm: ChartTools['helm'] = (args) => tools.helm(args);
    const background = (cmd: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}) => {
      const c = spawn(cmd, args, { env: { ...env(), ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr.on('data', (d: Buffer) => (out += d.toString()));
      children.push(c);
      return { child: c, output: () => out };
    };
    const operatorPods = async () =>
      (await getJson<{ items: Pod[] }>(rig, ['get', 'pods', '-n', releaseNs, '-l', operatorLabel])).items;

    before(async () => {
      await buildDist();
      work = mkdtempSync(join(tmpdir(), 'kuray-guide-'));
      rig = await realRig();
      tools = await chartTools(rig, work);
      ns = await newNamespace(rig, 'guide');
    });

    after(async () => {
      for (const c of children) c.kill('SIGKILL');
      await rig?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('install: helm runs the operator pod on the local node; the guide checks pass', async () => {
      await tools.installOperator();
      const [pod] = await until(
        'the operator pod Running and Ready on the local node',
        async () => {
          const ps = await operatorPods();
          return ps.length === 1 &&
            ps[0]!.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
            ? ps
            : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 1000 },
      );
      assert.equal(pod!.spec.nodeName, localNodeName);
      assert.equal(pod!.spec.serviceAccountName, 'kuberay-operator', "the chart's ServiceAccount");
      // The guide's checks, as written.
      const get = await ok(kubectl(['get', 'pods', '-n', releaseNs]), 'kubectl get pods -n ray-system');
      assert.match(get, /kuberay-operator-\S+\s+1\/1\s+Running/);
      const crds = await ok(kubectl(['get', 'crd']), 'kubectl get crd');
      assert.deepEqual(
        crds
          .split('\n')
          .filter((l) => l.includes('ray'))
          .map((l) => l.split(/\s+/)[0])
          .sort(),
        ['rayclusters.ray.io', 'raycronjobs.ray.io', 'rayjobs.ray.io', 'rayservices.ray.io'],
      );
      const logs = await ok(kubectl(['logs', '-n', releaseNs, '-l', operatorLabel]), 'kubectl logs -l …');
      assert.match(logs, /leader|started|controller/i, `operator logs:\n${logs}`);
    });

    it('the seed basic cluster forms real Ray through the in-cluster operator', async () => {
      const doc = parseYamlStream(readFileSync(seedFile('01-basic.yaml'), 'utf8'))[0]!.value as {
        metadata: Record<string, unknown>;
      };
      doc.metadata.namespace = ns;
      await ok(kubectl(['apply', '-f', '-'], { input: JSON.stringify(doc) }), 'kubectl apply 01-basic.yaml');
      pods = await waitClusterReady(rig, ns, 'ray-cluster', 4, 600_000);
      head = pods.find(isHead)!;
      // The operator that made them is the pod, not this process: its Events name it.
      const events = await ok(kubectl(['get', 'events', '-n', ns, '-o', 'json']), 'get events');
      assert.ok(
        (
          JSON.parse(events) as { items: { source?: { component?: string }; reportingComponent?: string }[] }
        ).items.some((e) => /kuray|kuberay/.test(e.reportingComponent ?? e.source?.component ?? '')),
        'Events from the operator',
      );
    });

    it('kubectl exec -- ray status lists every node; stdin with -i; a TTY with -t', async () => {
      const h = head.metadata.name!;
      const status = await until(
        'ray status through kubectl exec to list 4 nodes',
        async () => {
          const r = await kubectl(['exec', '-n', ns, h, '--', 'ray', 'status']);
          const s = parseRayStatus(r.stdout);
          return r.code === 0 && s.nodes === 4 ? s : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 2000 },
      );
      assert.equal(status.cpu, 8, status.text);
      // stdin, over WebSocket (kubectl's default) and over SPDY (the fallback older clients use).
      for (const extraEnv of [{}, { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }]) {
        const r = await kubectl(
          ['exec', '-i', '-n', ns, h, '--', 'python', '-c', 'import sys; print(sys.stdin.read().upper())'],
          {
            input: 'ray on kuray\n',
            extraEnv,
          },
        );
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), 'RAY ON KURAY');
      }
      // The container's environment: its pod IP and the venv's ray.
      const envOut = await ok(
        kubectl(['exec', '-n', ns, h, '--', 'sh', '-c', 'echo $KURAY_POD_IP; command -v ray']),
        'exec env',
      );
      assert.equal(envOut.split('\n')[0], head.status!.podIP);
      // Exit codes come back as kubectl's own.
      const fail = await kubectl(['exec', '-n', ns, h, '--', 'sh', '-c', 'exit 7']);
      assert.equal(fail.code, 7);
      assert.match(fail.stderr, /command terminated with exit code 7/);
      // A TTY of the caller's size: run kubectl under a pseudo-terminal of 37 rows × 111 columns.
      const script = `stty rows 37 cols 111; kubectl exec -it -n ${ns} ${h} -- sh -c 'tty; stty size'`;
      const tty = await runTool('script', ['-qec', script, '/dev/null'], { env: env() });
      assert.equal(tty.code, 0, tty.stdout + tty.stderr);
      assert.match(tty.stdout, /\/dev\/pts\/\d+/);
      assert.match(tty.stdout, /37 111/);
    });

    it('kubectl port-forward reaches the dashboard (WebSocket and SPDY)', async () => {
      for (const [i, extraEnv] of [{}, { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }].entries()) {
        const port = 18265 + i + Math.floor(Math.random() * 500);
        const pf = background(
          'kubectl',
          ['port-forward', '-n', ns, `pod/${head.metadata.name}`, `${port}:8265`],
          extraEnv,
        );
        const version = await until(
          `the dashboard through port-forward on ${port}`,
          async () => {
            const r = await fetch(`http://127.0.0.1:${port}/api/version`);
            return r.ok ? ((await r.json()) as { ray_version: string }) : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 500, describe: pf.output },
        );
        assert.equal(version.ray_version, '2.58.0');
        pf.child.kill();
      }
    });

    it('kubectl top pods/nodes: the head uses CPU and memory, a busy worker more CPU than an idle one', async () => {
      const workers = pods.filter((p) => !isHead(p));
      const [busy, idle] = [workers[0]!.metadata.name!, workers[1]!.metadata.name!];
      // A CPU-bound process in the busy worker's container (counted as the container's, as in a cgroup).
      const burn = background('kubectl', [
        'exec',
        '-n',
        ns,
        busy,
        '--',
        'python',
        '-c',
        'import time\nt=time.time()\nwhile time.time()-t<90: pass',
      ]);
      const top = await until(
        'kubectl top to show the busy worker above the idle one',
        async () => {
          const r = await kubectl(['top', 'pods', '-n', ns, '-l', 'ray.io/node-type=worker']);
          const b = topRow(r.stdout, busy);
          const i = topRow(r.stdout, idle);
          return b && i && b.cpuMilli >= 500 && b.cpuMilli > i.cpuMilli + 300 ? r.stdout : undefined;
        },
        {
          timeoutMs: 90_000,
          intervalMs: 3000,
          describe: async () => (await kubectl(['top', 'pods', '-n', ns])).stdout,
        },
      );
      burn.child.kill();
      const headTop = await ok(
        kubectl(['top', 'pods', '-n', ns, '-l', 'app=ray-head']),
        'kubectl top pods -l app=ray-head',
      );
      const h = topRow(headTop, head.metadata.name!);
      assert.ok(h && h.cpuMilli > 0 && h.memBytes > 100 * 1024 ** 2, `head: ${headTop}\nworkers: ${top}`);
      const nodes = await ok(kubectl(['top', 'nodes']), 'kubectl top nodes');
      assert.ok(topRow(nodes, localNodeName), nodes);
      const events = await ok(
        kubectl(['get', 'events', '-n', ns, '--sort-by=.metadata.creationTimestamp']),
        'get events',
      );
      assert.match(events, /ray-cluster/);
    });

    it('bad input: a missing container, a completed pod, a container not running; the node keeps serving', async () => {
      const h = head.metadata.name!;
      const missing = await kubectl(['exec', '-n', ns, h, '-c', 'nope', '--', 'true']);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /container nope is not valid for pod/);
      const pod = (name: string, spec: Record<string, unknown>) =>
        JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec });
      await ok(
        kubectl(['apply', '-f', '-'], {
          input: pod('done', {
            restartPolicy: 'Never',
            containers: [{ name: 'c', image: 'busybox', command: ['true'] }],
          }),
        }),
        'create a pod that completes',
      );
      await ok(
        kubectl(['apply', '-f', '-'], {
          input: pod('waiting', {
            initContainers: [{ name: 'init', image: 'busybox', command: ['sleep', '600'] }],
            containers: [{ name: 'main', image: 'busybox', command: ['sleep', '600'] }],
          }),
        }),
        'create a pod stuck in its init container',
      );
      await until(
        'the completed pod to reach Succeeded',
        async () => (await getJson<Pod>(rig, ['get', 'pod', 'done', '-n', ns])).status?.phase === 'Succeeded',
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      const done = await kubectl(['exec', '-n', ns, 'done', '--', 'true']);
      assert.notEqual(done.code, 0);
      assert.match(
        done.stderr,
        /cannot exec into a container in a completed pod; current phase is Succeeded/,
      );
      await until(
        'the init container to run',
        async () =>
          (await getJson<Pod>(rig, ['get', 'pod', 'waiting', '-n', ns])).status?.initContainerStatuses?.[0]
            ?.state.running !== undefined,
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      const notRunning = await kubectl(['exec', '-n', ns, 'waiting', '-c', 'main', '--', 'true']);
      assert.notEqual(notRunning.code, 0);
      assert.match(notRunning.stderr, /container not found \("main"\)/);
      // Still serving: exec into the init container that does run.
      assert.equal(
        await ok(
          kubectl(['exec', '-n', ns, 'waiting', '-c', 'init', '--', 'echo', 'alive']),
          'exec after errors',
        ),
        'alive\n',
      );
      await ok(kubectl(['delete', 'pod', 'done', 'waiting', '-n', ns, '--wait=false']), 'delete test pods');
    });

    it('kubectl ray get / version / status on the real cluster', async () => {
      const get = await ok(kubectl(['ray', 'get', 'cluster', '-n', ns]), 'kubectl ray get cluster');
      assert.match(
        get,
        /^NAME\s+NAMESPACE\s+DESIRED WORKERS\s+AVAILABLE WORKERS\s+CPUS\s+GPUS\s+TPUS\s+MEMORY\s+CONDITION\s+STATUS\s+AGE\n/,
      );
      assert.match(
        get,
        new RegExp(
          `^ray-cluster\\s+${ns}\\s+3\\s+3\\s+4\\s+0\\s+0\\s+8Gi\\s+RayClusterProvisioned\\s+ready\\s`,
          'm',
        ),
      );
      const nodes = await ok(
        kubectl(['ray', 'get', 'nodes', '-c', 'ray-cluster', '-n', ns]),
        'kubectl ray get nodes',
      );
      assert.equal(nodes.trim().split('\n').length, 5, nodes);
      const v = await ok(kubectl(['ray', 'version']), 'kubectl ray version');
      assert.match(v, /^kubectl ray plugin version: \S+\nKubeRay operator version: 0\.1\.0\n$/);
      const status = await ok(kubectl(['ray', 'status', 'ray-cluster', '-n', ns]), 'kubectl ray status');
      assert.match(status, /: ready \(RayClusterProvisioned\), 4\/4 pods ready/);
      assert.match(status, /^worker-group-1\s+worker\s+3\s+1\s+10\s+3\/3$/m);
    });

    it('kubectl ray session forwards the dashboard and client ports of the head Service', async () => {
      const [dash, client] = [
        20000 + Math.floor(Math.random() * 20000),
        40000 + Math.floor(Math.random() * 20000),
      ];
      const s = background('kubectl', [
        'ray',
        'session',
        'ray-cluster',
        '-n',
        ns,
        '--dashboard-port',
        String(dash),
        '--client-port',
        String(client),
      ]);
      const version = await until(
        'the dashboard through kubectl ray session',
        async () => {
          const r = await fetch(`http://127.0.0.1:${dash}/api/version`);
          return r.ok ? ((await r.json()) as { ray_version: string }) : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500, describe: s.output },
      );
      assert.equal(version.ray_version, '2.58.0');
      // The guide's basic cluster lists its head ports without the client port (10001), so its head
      // Service has none: the session says so and forwards the dashboard alone.
      assert.match(
        s.output(),
        new RegExp(
          `Forwarding ports to service ray-cluster-head-svc\\nRay Dashboard: http://localhost:${dash}\\nRay Interactive Client: not forwarded \\(service ray-cluster-head-svc has no port 10001\\)`,
        ),
      );
      assert.doesNotMatch(s.output(), /failed to port-forward/);
      s.child.kill('SIGINT');
    });

    it("kubectl ray log collects every node's stdout and Ray log directory into a folder", async () => {
      // --out-dir must exist (KubeRay's plugin refuses a missing one: "Directory does not exist").
      const out = join(work, 'logs');
      mkdirSync(out);
      mkdirSync(join(work, 'headonly'));
      const r = await kubectl(['ray', 'log', 'ray-cluster', '-n', ns, '--out-dir', out]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^Command set to retrieve both head and worker node logs\.\n/);
      const dirs = readdirSync(out).sort();
      assert.deepEqual(dirs, pods.map((p) => p.metadata.name!).sort());
      for (const d of dirs) {
        const files = readdirSync(join(out, d));
        assert.ok(files.includes('stdout.log'), `${d}: stdout.log`);
        assert.ok(files.includes('raylet.out'), `${d}: Ray's raylet.out among ${files.join(' ')}`);
      }
      const headDir = join(out, head.metadata.name!);
      assert.ok(existsSync(join(headDir, 'gcs_server.out')), 'the head has the GCS log');
      assert.match(readFileSync(join(headDir, 'stdout.log'), 'utf8'), /Ray runtime started|ray start/i);
      const only = await kubectl([
        'ray',
        'log',
        'ray-cluster',
        '-n',
        ns,
        '--out-dir',
        join(work, 'headonly'),
        '--node-type',
        'head',
      ])
        .then(() => readdirSync(join(work, 'headonly')))
        .catch(() => []);
      assert.deepEqual(only, [head.metadata.name]);
    });

    it('kubectl ray scale 3 → 2 workers: get shows the new counts; delete removes the cluster', async () => {
      const scaled = await ok(
        kubectl(['ray', 'scale', 'cluster', 'ray-cluster', '-n', ns, '-w', 'worker-group-1', '-r', '2']),
        'scale',
      );
      assert.match(scaled, /\(Scaled Replicas: 3 to 2\)/);
      await until(
        'kubectl ray get cluster to show 2 desired and 2 available workers',
        async () =>
          /^ray-cluster\s+\S+\s+2\s+2\s+3\s/m.test(
            await ok(kubectl(['ray', 'get', 'cluster', '-n', ns]), 'get'),
          ),
        { timeoutMs: 120_000, intervalMs: 1000 },
      );
      await waitClusterReady(rig, ns, 'ray-cluster', 3, 120_000);
      assert.equal(
        await ok(kubectl(['ray', 'delete', 'ray-cluster', '-n', ns, '-y']), 'delete'),
        'Deleted raycluster ray-cluster\n',
      );
      await until(
        'the cluster and its pods to be gone',
        async () =>
          (
            await kubectl(['get', 'pods', '-n', ns, '-l', 'ray.io/cluster=ray-cluster', '-o', 'name'])
          ).stdout.trim() === '',
        {
          timeoutMs: 120_000,
          intervalMs: 1000,
        },
      );
    });

    it('kubectl ray job submit: the working directory uploaded, a RayJob on a new cluster, its logs, SUCCEEDED', async () => {
      const dir = join(work, 'job');
      mkdirSync(dir);
      writeFileSync(join(dir, 'helper.py'), 'def answer():\n    return 6 * 7\n');
      writeFileSync(
        join(dir, 'main.py'),
        'import ray\nfrom helper import answer\nray.init()\n@ray.remote\ndef f():\n    return answer()\nprint("kuray-job-result", ray.get(f.remote()))\n',
      );
      const r = await kubectl(
        [
          'ray',
          'job',
          'submit',
          '--name',
          'guide-job',
          '-n',
          ns,
          '--working-dir',
          dir,
          '--head-cpu',
          '1',
          '--head-memory',
          '2Gi',
          '--worker-replicas',
          '1',
          '--worker-cpu',
          '1',
          '--worker-memory',
          '2Gi',
          '--ttl-seconds-after-finished',
          '0',
          '--',
          'python',
          'main.py',
        ],
        { timeoutMs: 400_000 },
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /kuray-job-result 42/, 'the driver ran the uploaded files on the cluster');
      const job = await getJson<{ status?: { jobStatus?: string; jobDeploymentStatus?: string } }>(rig, [
        'get',
        'rayjob',
        'guide-job',
        '-n',
        ns,
      ]);
      assert.equal(job.status?.jobStatus, 'SUCCEEDED');
    });

    it('helm upgrade rolls the operator; helm uninstall leaves no chart object, pod or process', async () => {
      const before = (await operatorPods())[0]!;
      await ok(
        helm([
          'upgrade',
          'kuberay-operator',
          chartDir,
          '--namespace',
          releaseNs,
          '--set',
          'webhook.enabled=false',
          '--set',
          'logLevel=debug',
        ]),
        'helm upgrade',
      );
      const after = await until(
        'a new Ready operator pod after the upgrade',
        async () => {
          const ps = (await operatorPods()).filter((p) => !p.metadata.deletionTimestamp);
          return ps.length === 1 &&
            ps[0]!.metadata.uid !== before.metadata.uid &&
            ps[0]!.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
            ? ps[0]!
            : undefined;
        },
        {
          timeoutMs: 180_000,
          intervalMs: 1000,
          // Each operator pod's state and the last lines of its log: why the new one is not Ready.
          describe: async () => {
            const out: string[] = [];
            for (const p of await operatorPods()) {
              const logs = await kubectl(['logs', '-n', releaseNs, p.metadata.name!, '--tail=30']);
              out.push(
                `${p.metadata.name} uid ${p.metadata.uid} deleting ${!!p.metadata.deletionTimestamp} ` +
                  `phase ${p.status?.phase} conditions ${JSON.stringify(p.status?.conditions)} ` +
                  `containers ${JSON.stringify(p.status?.containerStatuses)}`,
                logs.stdout + logs.stderr,
              );
            }
            // The local node runs both pods: its own log says why one does not start.
            const nodeLog = join(rig.dir, 'logs', 'local-node.log');
            if (existsSync(nodeLog))
              out.push('local node log:', ...readFileSync(nodeLog, 'utf8').split('\n').slice(-60));
            return out.join('\n');
          },
        },
      );
      assert.ok(after.spec.containers[0]!.args!.includes('--log-level=debug'));
      const pidOf = (p: Pod) =>
        Number(/kuray:\/\/(\d+)/.exec(p.status?.containerStatuses?.[0]?.containerID ?? '')?.[1]);
      const pgid = pidOf((await operatorPods())[0]!);
      assert.ok(pgid > 0 && groupAlive(pgid), 'the operator runs as a process group on this machine');
      // A user's RayCluster (suspended: no pods needed) must outlive the operator's release.
      await ok(
        kubectl(['apply', '-n', ns, '-f', '-'], {
          input: JSON.stringify({
            apiVersion: 'ray.io/v1',
            kind: 'RayCluster',
            metadata: { name: 'kept' },
            spec: {
              suspend: true,
              headGroupSpec: {
                rayStartParams: {},
                template: { spec: { containers: [{ name: 'ray-head', image: 'rayproject/ray:2.58.0' }] } },
              },
            },
          }),
        }),
        'apply a suspended RayCluster',
      );
      await ok(helm(['uninstall', 'kuberay-operator', '--namespace', releaseNs, '--wait']), 'helm uninstall');
      await until(
        'the operator pod and process to be gone',
        async () => (await operatorPods()).length === 0 && !groupAlive(pgid),
        {
          timeoutMs: 120_000,
          intervalMs: 1000,
        },
      );
      const left = await ok(
        kubectl([
          'get',
          'all,serviceaccounts,roles,rolebindings,clusterroles,clusterrolebindings,poddisruptionbudgets,validatingwebhookconfigurations,mutatingwebhookconfigurations',
          '-A',
          '-l',
          'app.kubernetes.io/instance=kuberay-operator',
          '-o',
          'name',
        ]),
        'list what the release made',
      );
      assert.equal(left.trim(), '', `left behind:\n${left}`);
      assert.equal((await helm(['list', '-n', releaseNs, '-q'])).stdout.trim(), '');
      // The Ray cluster it made stays (its objects are the user's), now unmanaged.
      assert.equal(
        (await getJson<{ items: unknown[] }>(rig, ['get', 'rayclusters', '-n', ns])).items.length,
        1,
      );
    });
  },
);
