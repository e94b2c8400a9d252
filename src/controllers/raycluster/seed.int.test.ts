// Every RayCluster in the production guide's examples, applied to the real control plane with the
// operator running, reaches `ready` with the right pods, each bound by the real kube-scheduler to a
// node that satisfies its nodeSelector/affinity/tolerations (GPU pods on GPU nodes). kubectl's views
// (printer columns, describe, -l app=ray-head) and the guide's own Service work as the guide shows.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RayCluster } from '../../api/v1/index.ts';
import { parseYamlStream } from '../../util/yaml.ts';
import { newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { until } from '../../testing/wait.ts';
import { KubeClient } from '../../runtime/transport.ts';
import {
  Nodes,
  PodDisruptionBudgets,
  Ingresses,
  Pods,
  RoleBindings,
  Roles,
  ServiceAccounts,
  RayClusters,
  Secrets,
  Services,
  NetworkPolicies,
  type KubeObject,
} from '../../runtime/resources.ts';
import type { Pod } from '../../compiler/k8sTypes.ts';
import { SEED_EXAMPLES } from '../../testing/seeds.ts';
import { subsetDiff } from '../../testing/subset.ts';
import { defaultCompileOptions, renderCluster } from '../../compiler/index.ts';

const seedDir = SEED_EXAMPLES;

interface Example {
  file: string;
  docs: KubeObject[];
}

function loadExamples(): Example[] {
  return readdirSync(seedDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => ({
      file,
      docs: parseYamlStream(readFileSync(join(seedDir, file), 'utf8'), file).map(
        (d) => d.value as KubeObject,
      ),
    }));
}

function desiredWorkers(rc: RayCluster): number {
  return (rc.spec.workerGroupSpecs ?? []).reduce((n, g) => {
    const r = Math.min(Math.max(g.replicas ?? g.minReplicas, g.minReplicas), g.maxReplicas);
    return n + r * (g.numOfHosts ?? 1);
  }, 0);
}

describe('seed examples on the rig', () => {
  let rig: Rig;
  let client: KubeClient;
  let op: InProcessOperator;
  const examples = loadExamples();
  const nsOf = new Map<string, string>();
  let nodes: Map<string, KubeObject & { status?: { capacity?: Record<string, string> } }>;

  before(async () => {
    rig = await useRig();
    client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 200, burst: 400 });
    for (const ex of examples) nsOf.set(ex.file, await newNamespace(rig, `seed-${ex.file.slice(0, 2)}`));
    op = await startOperator(rig, [...nsOf.values()]);
    const list = await client.list<KubeObject>(Nodes);
    nodes = new Map(list.items.map((n) => [n.metadata.name!, n]));
    // The secure examples read the dashboard password from a Secret the guide asks users to create.
    for (const ns of nsOf.values()) {
      await client.create(Secrets, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'ray-dashboard-secret', namespace: ns },
        stringData: { password: 'change-me' },
      });
    }
    for (const ex of examples) {
      const ns = nsOf.get(ex.file)!;
      for (const doc of ex.docs) {
        const obj = { ...doc, metadata: { ...doc.metadata, namespace: ns } };
        const r =
          doc.kind === 'RayCluster' ? RayClusters : doc.kind === 'Service' ? Services : NetworkPolicies;
        await client.create(r, obj);
      }
    }
  });

  after(async () => {
    await op.stop();
    client.close();
  });

  for (const ex of loadExamples()) {
    for (const doc of ex.docs.filter((d) => d.kind === 'RayCluster')) {
      const rc = doc as unknown as RayCluster;
      const name = rc.metadata!.name!;
      test(`${ex.file}: ${name} becomes ready with pods on matching nodes`, async () => {
        const ns = nsOf.get(ex.file)!;
        const want = desiredWorkers(rc);
        const live = await until(
          `${ns}/${name} ready with 1 head + ${want} workers`,
          async () => {
            const cur = await client.get<KubeObject & RayCluster>(RayClusters, ns, name);
            return cur.status?.state === 'ready' && cur.status.readyWorkerReplicas === want ? cur : undefined;
          },
          {
            timeoutMs: 120_000,
            describe: async () =>
              JSON.stringify((await client.get<KubeObject>(RayClusters, ns, name)).status),
          },
        );
        assert.equal(live.status?.desiredWorkerReplicas, want);
        assert.equal(
          live.status?.conditions?.find((c) => c.type === 'RayClusterProvisioned')?.status,
          'True',
        );
        assert.equal(live.status?.conditions?.find((c) => c.type === 'HeadPodReady')?.status, 'True');
        assert.ok(live.status?.head?.podIP, 'head pod IP in status');

        const pods = (await client.list<KubeObject>(Pods, ns, { labelSelector: `ray.io/cluster=${name}` }))
          .items as Pod[];
        assert.equal(pods.length, 1 + want);
        for (const p of pods) {
          assert.equal(p.status?.phase, 'Running', `${p.metadata?.name} Running`);
          const node = nodes.get(p.spec!.nodeName!);
          assert.ok(node, `${p.metadata?.name} bound to a known node`);
          for (const [k, v] of Object.entries(p.spec?.nodeSelector ?? {}))
            assert.equal(
              node.metadata.labels?.[k],
              v,
              `${p.metadata?.name}: node ${node.metadata.name} has ${k}=${v}`,
            );
          const gpus = p.spec?.containers.some((c) => c.resources?.limits?.['nvidia.com/gpu'] !== undefined);
          if (gpus)
            assert.ok(node.status?.capacity?.['nvidia.com/gpu'], `${p.metadata?.name} (GPU) on a GPU node`);
          const affinity = p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
          for (const term of affinity?.nodeSelectorTerms ?? []) {
            for (const e of term.matchExpressions ?? []) {
              if (e.operator === 'In')
                assert.ok(
                  e.values?.includes(node.metadata.labels?.[e.key] ?? ''),
                  `${p.metadata?.name}: ${e.key} in ${e.values?.join(',')}`,
                );
            }
          }
          const owner = p.metadata?.ownerReferences?.[0];
          assert.equal(owner?.kind, 'RayCluster');
          assert.equal(owner.uid, live.metadata.uid);
        }

        // The operator created what `kuray render` prints for this cluster (names of pods aside): one
        // compiler, one set of options. Live objects may carry more (API server defaults), never less.
        const gvrs = {
          Service: Services,
          ServiceAccount: ServiceAccounts,
          Role: Roles,
          RoleBinding: RoleBindings,
          PodDisruptionBudget: PodDisruptionBudgets,
          Ingress: Ingresses,
        };
        for (const want of renderCluster(live, defaultCompileOptions)) {
          const { name: wantName, ...wantMeta } = want.metadata ?? {};
          if (want.kind === 'Pod') {
            const group = want.metadata?.labels?.['ray.io/group'];
            const diffs = pods
              .filter((p) => p.metadata?.labels?.['ray.io/group'] === group)
              .map((p) =>
                subsetDiff({ ...want, apiVersion: undefined, kind: undefined, metadata: wantMeta }, p),
              ); // list items carry no apiVersion/kind
            assert.ok(
              diffs.some((d) => d.length === 0),
              `${ex.file}: no ${group} pod matches the rendered one: ${diffs.map((d) => d.join('; ')).join(' | ')}`,
            );
            continue;
          }
          const r = gvrs[want.kind as keyof typeof gvrs];
          assert.ok(r, `${ex.file}: rendered ${want.kind} ${wantName} has a known kind`);
          const got = await client.get<KubeObject>(r, ns, wantName!);
          assert.deepEqual(subsetDiff(want, got), [], `${ex.file}: ${want.kind} ${wantName}`);
        }

        // kubectl views a user relies on
        const get = await rig.kubectl(['get', 'rayclusters', name, '-n', ns]);
        assert.equal(get.code, 0, get.stderr);
        assert.match(get.stdout, /DESIRED WORKERS\s+AVAILABLE WORKERS\s+CPUS\s+MEMORY\s+GPUS\s+STATUS\s+AGE/);
        assert.match(
          get.stdout,
          new RegExp(`${name}\\s+${want}\\s+${want}\\s+\\S+\\s+\\S+\\s+\\S+\\s+ready`),
        );
        const heads = await rig.kubectl(['get', 'pods', '-n', ns, '-l', 'app=ray-head', '-o', 'name']);
        assert.equal(heads.stdout.trim().split('\n').filter(Boolean).length, 1);
        // Events are written off the reconcile path (the recorder's async queue), so the Event for the
        // head pod may land just after the status says ready: poll describe, as a user would re-run it.
        let shown = '';
        await until(
          `kubectl describe ${ns}/${name} to show Conditions and the CreatedHeadPod event`,
          async () => {
            shown = (await rig.kubectl(['describe', 'raycluster', name, '-n', ns])).stdout;
            return /Conditions:/.test(shown) && /HeadPodReady/.test(shown) && /CreatedHeadPod/.test(shown);
          },
          { timeoutMs: 30_000, intervalMs: 500, describe: () => shown },
        );
      });
    }
  }

  test("08-dashboard-service: the guide's ray-dashboard-svc selects the head (app: ray-head)", async () => {
    const ns = nsOf.get('08-dashboard-service.yaml')!;
    // 08 has no RayCluster of its own: run the basic one beside it, as a user following the guide would.
    const basic = examples.find((e) => e.file.startsWith('01-'))!.docs[0]!;
    await client.create(RayClusters, { ...basic, metadata: { ...basic.metadata, namespace: ns } });
    const slices = await until(
      'ray-dashboard-svc endpoints',
      async () => {
        const r = await rig.kubectl([
          'get',
          'endpointslices',
          '-n',
          ns,
          '-l',
          'kubernetes.io/service-name=ray-dashboard-svc',
          '-o',
          'json',
        ]);
        const items = (
          JSON.parse(r.stdout) as { items: { endpoints?: { targetRef?: { name: string } }[] }[] }
        ).items;
        const targets = items.flatMap((s) => s.endpoints ?? []).map((e) => e.targetRef?.name ?? '');
        return targets.length > 0 ? targets : undefined;
      },
      { timeoutMs: 120_000 },
    );
    assert.equal(slices.length, 1);
    assert.match(slices[0]!, /^ray-cluster-head-/);
  });
});
