// Real Ray under the operator: the seed's basic RayCluster on the `real` rig (control plane +
// the local node running pods as processes, Ray 2.58 from the project venv).
//   (a) 1 head + 3 workers come up; `ray status` through the head reports 4 nodes with the spec's
//       CPUs and memory; a job fanning SPREAD tasks over every node returns the right result;
//   (b) the pods turn Ready from the compiler's readiness probes;
//   (f) per-pod memory (RSS of each pod's process tree) is reported as a diagnostic;
//   (d) scaling 3→1 through workersToDelete removes exactly those Ray nodes;
//   (c) the head pod deleted → the operator recreates it, the worker restarts and rejoins, jobs run;
//   (e) mTLS (gate RayClusterMTLS, KubeRay's sample): the GCS speaks TLS only, a job spreads over both nodes.
import { kuberaySample } from '../testing/kuberaySamples.ts';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseYamlStream } from '../util/yaml.ts';
import { newNamespace, type Rig } from '../../rig/testing.ts';
import {
  clusterPods,
  execIn,
  isHead,
  podRss,
  rayStatus,
  realRig,
  waitClusterReady,
} from '../../rig/node/testing.ts';
import type { Pod } from '../../rig/node/types.ts';
import { startOperator, type InProcessOperator } from '../testing/operator.ts';
import { until } from '../testing/wait.ts';
import { DashboardClient } from '../ray/dashboard.ts';
import { RayHttpStatusError } from '../ray/http.ts';
import { isTerminalJobStatus } from '../ray/jobs.ts';
import { overlayExample, runnableExamples } from './examples.ts';
import { SEED_EXAMPLES } from '../testing/seeds.ts';
import { KubeClient } from '../runtime/transport.ts';
import { installCertManagerCRDs, startCertIssuer } from '../testing/certIssuer.ts';

const seed = SEED_EXAMPLES;
const GiB = 1024 ** 3;

function basicCluster(ns: string): Record<string, unknown> {
  const doc = parseYamlStream(readFileSync(`${seed}/01-basic.yaml`, 'utf8'), '01-basic.yaml')[0]!.value as {
    metadata: Record<string, unknown>;
  };
  doc.metadata.namespace = ns;
  return doc;
}

// Waits until the head's view has every node and its CPUs, then fans 24 SPREAD tasks out (one CPU
// each, half a second long, so capacity alone also forces them apart); prints the sum of squares and
// the Ray node of every task. argv[1]: the expected node count.
const fanOut = `
import json, sys, time, ray
ray.init()
want = int(sys.argv[1])
deadline = time.time() + 120
while time.time() < deadline:
    alive = [n for n in ray.nodes() if n["Alive"]]
    if len(alive) == want and ray.available_resources().get("CPU", 0) >= 2 * want:
        break
    time.sleep(1)
@ray.remote(num_cpus=1, scheduling_strategy="SPREAD")
def square(i):
    time.sleep(0.5)
    return i * i, ray.get_runtime_context().get_node_id()
out = ray.get([square.remote(i) for i in range(24)])
print("RESULT " + json.dumps({"sum": sum(v for v, _ in out), "nodes": sorted({n for _, n in out})}))
`;

async function runJob(head: Pod, nodes: number): Promise<{ sum: number; nodes: string[] }> {
  const dash = new DashboardClient({ baseUrl: `http://${head.status!.podIP!}:8265`, timeoutMs: 30_000 });
  const id = await dash.submitJob({ entrypoint: `python -c '${fanOut.replaceAll("'", "'\\''")}' ${nodes}` });
  const done = await until(
    `job ${id} to finish`,
    async () => {
      const j = await dash.getJob(id);
      return j && isTerminalJobStatus(j.status) ? j : undefined;
    },
    { timeoutMs: 240_000, intervalMs: 1000 },
  );
  const logs = await dash.jobLogs(id);
  assert.equal(done.status, 'SUCCEEDED', `job ${id}: ${done.message}\n${logs.slice(-3000)}`);
  const line = logs.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `no RESULT line in the job log:\n${logs.slice(-3000)}`);
  return JSON.parse(line.slice(7)) as { sum: number; nodes: string[] };
}

async function aliveNodes(head: Pod): Promise<{ id: string; ip: string }[]> {
  const dash = new DashboardClient({ baseUrl: `http://${head.status!.podIP!}:8265`, timeoutMs: 30_000 });
  return (await dash.nodes())
    .filter((n) => n.state === 'ALIVE')
    .map((n) => ({ id: n.node_id, ip: n.node_ip }));
}

/** Waits until the head's Ray cluster has exactly `count` alive nodes; returns them. */
function waitAliveNodes(
  head: Pod,
  count: number,
  what: string,
  timeoutMs: number,
): Promise<{ id: string; ip: string }[]> {
  return until(
    what,
    async () => {
      const a = await aliveNodes(head);
      return a.length === count ? a : undefined;
    },
    { timeoutMs, intervalMs: 2000 },
  );
}

const sumOfSquares = Array.from({ length: 24 }, (_, i) => i * i).reduce((a, b) => a + b, 0);

describe('RayCluster on the real rig (local node, Ray 2.58)', { timeout: 900_000 }, () => {
  let rig: Rig;
  let op: InProcessOperator;
  let ns: string;
  let pods: Pod[] = [];

  before(async () => {
    rig = await realRig();
    ns = await newNamespace(rig, 'e2e-basic');
    // Pod Security Standards "restricted", enforced by the API server: the operator's defaults
    // (src/compiler/securityContext.ts) must be enough for the cluster to be admitted and to form.
    const label = await rig.kubectl([
      'label',
      'namespace',
      ns,
      'pod-security.kubernetes.io/enforce=restricted',
    ]);
    assert.equal(label.code, 0, label.stderr);
    op = await startOperator(rig, [ns]);
  });

  after(async () => {
    await op?.stop();
    await rig?.stop();
  });

  it('(a)(b)(f) the basic cluster forms in a restricted namespace, pods turn Ready from their probes, a job spreads over all nodes', async (t) => {
    const r = await rig.kubectl(['apply', '--server-side', '-f', '-'], {
      input: JSON.stringify(basicCluster(ns)),
    });
    assert.equal(r.code, 0, r.stderr);
    pods = await waitClusterReady(rig, ns, 'ray-cluster', 4, 600_000);
    const head = pods.find(isHead)!;

    // (b) Ready came from the readiness probe: not before its initial delay after the container
    // started, and the probe's own command succeeds in the container now.
    for (const p of pods) {
      const c = p.spec.containers[0]!;
      const probe = c.readinessProbe!;
      assert.ok(probe.exec ?? probe.httpGet, `${p.metadata.name}: the compiler gave it a readiness probe`);
      const started = Date.parse(p.status!.containerStatuses![0]!.state.running!.startedAt);
      const ready = Date.parse(p.status!.conditions!.find((x) => x.type === 'Ready')!.lastTransitionTime!);
      assert.ok(
        ready >= started + (probe.initialDelaySeconds ?? 0) * 1000,
        `${p.metadata.name}: Ready at ${ready} before the probe's initial delay after start ${started}`,
      );
      if (probe.exec) {
        const res = await execIn(rig, ns, p.metadata.name!, c.name, probe.exec.command!);
        assert.equal(
          res.code,
          0,
          `${p.metadata.name}: readiness command fails now: ${res.stdout} ${res.stderr}`,
        );
      }
    }

    // (a) ray status through the head: 4 nodes, 4 × 2 CPU, 4 × 4Gi memory (rayStartParams).
    const status = await until(
      'ray status to list 4 nodes',
      async () => {
        const s = await rayStatus(rig, ns, head);
        return s.nodes === 4 ? s : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 3000 },
    );
    assert.deepEqual(status.nodesByType, { headgroup: 1, 'worker-group-1': 3 }, status.text);
    assert.equal(status.cpu, 8, status.text);
    assert.equal(status.memoryBytes, 16 * GiB, status.text);

    const alive = await aliveNodes(head);
    assert.deepEqual(
      alive.map((n) => n.ip).sort(),
      pods.map((p) => p.status!.podIP!).sort(),
      'one alive Ray node per pod, on the pod IP',
    );
    const result = await runJob(head, 4);
    assert.equal(result.sum, sumOfSquares);
    assert.deepEqual(result.nodes, alive.map((n) => n.id).sort(), 'SPREAD tasks ran on every node');

    // (f) memory per pod: RSS of each pod's process group(s).
    for (const p of pods) {
      t.diagnostic(
        `rss ${p.metadata.labels?.['ray.io/node-type']} ${p.metadata.name}: ${(podRss(rig, ns, p) / 2 ** 20).toFixed(0)} MiB`,
      );
    }
  });

  it('(d) scaling 3→1 through workersToDelete removes exactly those Ray nodes', async () => {
    const head = pods.find(isHead)!;
    const workers = pods.filter((p) => !isHead(p));
    const [gone1, gone2, kept] = workers as [Pod, Pod, Pod];
    const patch = [
      { op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: 1 },
      {
        op: 'add',
        path: '/spec/workerGroupSpecs/0/scaleStrategy',
        value: { workersToDelete: [gone1.metadata.name, gone2.metadata.name] },
      },
    ];
    const r = await rig.kubectl([
      'patch',
      'raycluster',
      'ray-cluster',
      '-n',
      ns,
      '--type=json',
      '-p',
      JSON.stringify(patch),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const left = await waitClusterReady(rig, ns, 'ray-cluster', 2);
    assert.deepEqual(
      left.map((p) => p.metadata.name).sort(),
      [head.metadata.name, kept.metadata.name].sort(),
      'exactly the listed workers were removed',
    );
    const alive = await waitAliveNodes(head, 2, 'Ray to drop the two deleted nodes', 120_000);
    assert.deepEqual(alive.map((n) => n.ip).sort(), [head.status!.podIP!, kept.status!.podIP!].sort());
    const status = await rayStatus(rig, ns, head);
    assert.deepEqual(status.nodesByType, { headgroup: 1, 'worker-group-1': 1 }, status.text);
    pods = left;
  });

  it('(c) head pod deleted → recreated by the operator; the worker restarts, rejoins, jobs run again', async () => {
    const oldHead = pods.find(isHead)!;
    const worker = pods.find((p) => !isHead(p))!;
    const r = await rig.kubectl(['delete', 'pod', oldHead.metadata.name!, '-n', ns, '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    const now = await until(
      'a new head pod, Ready, and the worker back with a restart',
      async () => {
        const ps = (await clusterPods(rig, ns, 'ray-cluster')).filter((p) => !p.metadata.deletionTimestamp);
        const h = ps.find(isHead);
        const w = ps.find((p) => p.metadata.name === worker.metadata.name);
        if (!h || h.metadata.uid === oldHead.metadata.uid || !w) return undefined;
        const ready = (p: Pod) =>
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        // Without GCS fault tolerance the worker's raylet exits when its GCS is gone and
        // restartPolicy Always restarts the container (KubeRay keeps the pod).
        const restarted = (w.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0;
        return ready(h) && ready(w) && restarted ? { head: h, worker: w } : undefined;
      },
      { timeoutMs: 420_000, intervalMs: 2000 },
    );
    assert.notEqual(now.head.status!.podIP, oldHead.status!.podIP);
    const alive = await waitAliveNodes(now.head, 2, 'both nodes alive in the new Ray cluster', 180_000);
    assert.deepEqual(
      alive.map((n) => n.ip).sort(),
      [now.head.status!.podIP!, now.worker.status!.podIP!].sort(),
    );
    const result = await runJob(now.head, 2);
    assert.equal(result.sum, sumOfSquares);
    assert.deepEqual(result.nodes, alive.map((n) => n.id).sort());
  });

  // mTLS for real: KubeRay's ray-cluster.mtls.yaml under a second operator with the RayClusterMTLS
  // gate, cert-manager's API on the rig and src/testing/certIssuer.ts issuing as cert-manager would.
  // The pods wait for certificates listing their own IPs (the local node refreshes Secret volumes as
  // a kubelet does), Ray's GCS then speaks TLS only, and a job spreads over both nodes.
  it('(e) mTLS: the KubeRay sample forms a Ray cluster whose GCS refuses plaintext', async (t) => {
    const t0 = Date.now();
    const phase = (what: string) => {
      t.diagnostic(`${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    };
    // The basic cluster is done with: its CPUs go to this one.
    await rig.kubectl(['delete', 'raycluster', 'ray-cluster', '-n', ns, '--wait=false']);
    const client = KubeClient.fromFile(rig.kubeconfigPath);
    const tlsNs = await newNamespace(rig, 'e2e-mtls');
    await installCertManagerCRDs(client);
    const issuer = startCertIssuer(client, tlsNs);
    const tlsOp = await startOperator(rig, [tlsNs], {
      raycluster: { validateOptions: { featureGates: { RayClusterMTLS: true } }, certManagerRecheckMs: 1000 },
    });
    try {
      const doc = kuberaySample('ray-cluster.mtls.yaml');
      doc.metadata.namespace = tlsNs;
      const r = await rig.kubectl(['apply', '--server-side', '-f', '-'], { input: JSON.stringify(doc) });
      assert.equal(r.code, 0, r.stderr);
      const ps = await waitClusterReady(rig, tlsNs, 'raycluster-mtls', 2, 420_000);
      phase('both pods Ready');
      const head = ps.find(isHead)!;
      const worker = ps.find((p) => !isHead(p))!;
      const gcs = `${head.status!.podIP!}:6379`;
      const ok = await execIn(rig, tlsNs, head.metadata.name!, 'ray-head', [
        'ray',
        'health-check',
        '--address',
        gcs,
      ]);
      assert.equal(ok.code, 0, `with the cluster's certificates: ${ok.stderr}`);
      const plain = await execIn(rig, tlsNs, head.metadata.name!, 'ray-head', [
        'env',
        'RAY_USE_TLS=0',
        'ray',
        'health-check',
        '--address',
        gcs,
      ]);
      assert.notEqual(plain.code, 0, 'a plaintext client is refused by the GCS');
      const alive = await waitAliveNodes(head, 2, 'both nodes alive', 180_000);
      assert.deepEqual(alive.map((n) => n.ip).sort(), [head.status!.podIP!, worker.status!.podIP!].sort());
      phase('both Ray nodes alive');
      const result = await runJob(head, 2);
      phase('job done');
      assert.equal(result.sum, sumOfSquares);
      assert.equal(result.nodes.length, 2, 'tasks ran on both nodes over TLS');
    } finally {
      await rig.kubectl(['delete', 'raycluster', 'raycluster-mtls', '-n', tlsNs, '--wait=false']);
      await tlsOp.stop();
      await issuer.stop();
      client.close();
    }
  });
});

/**
 * Seed 11's RAY_DASHBOARD_PASSWORD (the Secret holds "playground") is the cluster's Ray token: the
 * Jobs API refuses a submission without it and runs one with it.
 */
async function checkDashboardPassword(head: Pod): Promise<void> {
  const url = `http://${head.status!.podIP!}:8265`;
  const job = { entrypoint: 'python -c "print(\'RESULT authed\')"' };
  await assert.rejects(
    new DashboardClient({ baseUrl: url, timeoutMs: 30_000 }).submitJob(job),
    (e: unknown) => e instanceof RayHttpStatusError && e.status === 401,
    'a job without the token is refused',
  );
  const authed = new DashboardClient({ baseUrl: url, timeoutMs: 30_000, token: 'playground' });
  const id = await authed.submitJob(job);
  const done = await until(
    `job ${id}`,
    async () => {
      const j = await authed.getJob(id);
      return j && isTerminalJobStatus(j.status) ? j : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 1000 },
  );
  assert.equal(done.status, 'SUCCEEDED', done.message ?? '');
  assert.match(await authed.jobLogs(id), /RESULT authed/);
}

describe('seed examples on the real rig', { timeout: 900_000 }, () => {
  let rig: Rig;
  let op: InProcessOperator;
  const namespaces: string[] = [];

  before(async () => {
    rig = await realRig();
    for (const [i] of runnableExamples.entries()) namespaces.push(await newNamespace(rig, `e2e-ex${i}`));
    op = await startOperator(rig, namespaces);
    const secret = (ns: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'ray-dashboard-secret', namespace: ns },
      stringData: { password: 'playground' },
    });
    for (const ns of namespaces) {
      const r = await rig.kubectl(['create', '-f', '-'], { input: JSON.stringify(secret(ns)) });
      assert.equal(r.code, 0, r.stderr);
    }
  });

  after(async () => {
    await op?.stop();
    await rig?.stop();
  });

  // Three clusters at a time: every Ray node costs ~20 CPU-seconds to start and the machine may have 2 cores.
  const batches: (typeof runnableExamples)[] = [];
  for (let i = 0; i < runnableExamples.length; i += 3) batches.push(runnableExamples.slice(i, i + 3));
  for (const [b, batch] of batches.entries()) {
    it(`forms a Ray cluster: ${batch.map((e) => e.file).join(', ')}`, async (t) => {
      await Promise.all(
        batch.map(async (ex, j) => {
          const ns = namespaces[b * 3 + j]!;
          const { cluster, workers } = overlayExample(
            readFileSync(`${seed}/${ex.file}`, 'utf8'),
            ex.file,
            ns,
          );
          const name = (cluster.metadata as { name: string }).name;
          const r = await rig.kubectl(['apply', '--server-side', '--validate=ignore', '-f', '-'], {
            input: JSON.stringify(cluster),
          });
          assert.equal(r.code, 0, `${ex.file}: ${r.stderr}`);
          const ps = await waitClusterReady(rig, ns, name, 1 + workers, 420_000);
          const head = ps.find(isHead)!;
          const status = await until(
            `${ex.file}: ray status to list ${1 + workers} nodes`,
            async () => {
              const s = await rayStatus(rig, ns, head);
              return s.nodes === 1 + workers ? s : undefined;
            },
            { timeoutMs: 120_000, intervalMs: 3000 },
          );
          t.diagnostic(`${ex.file}: ${status.nodes} Ray nodes, ${status.cpu} CPU (${ex.note})`);
          if (ex.file === '11-secure-dashboard.yaml') await checkDashboardPassword(head);
          // Free the machine for the next batch.
          const d = await rig.kubectl(['delete', 'raycluster', name, '-n', ns, '--wait=false']);
          assert.equal(d.code, 0, d.stderr);
          await until(`${ex.file}: pods gone`, async () => (await clusterPods(rig, ns, name)).length === 0, {
            timeoutMs: 120_000,
            intervalMs: 1000,
          });
        }),
      );
    });
  }
});
