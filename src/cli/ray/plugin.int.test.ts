// `kubectl ray` on the rig against a running operator, invoked the way users do: kubectl finds
// bin/kubectl-ray on PATH. create (--wait with its progress line) → get shows it ready → scale →
// get shows the new counts → status → delete; --file in both formats, create workergroup, -o
// yaml|json, completion through kubectl_complete-ray, errors with kubectl's words, and a user with
// only a namespaced Role (no cluster-wide rights) doing the same. `log`, `session` and `job submit`
// need real pods: src/e2e/guide.e2e.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubeConfig, newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import { runTool, type ToolResult } from '../../install/exec.ts';
import { repoRoot, tokenKubeconfig } from '../../install/manifests.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { until } from '../../testing/wait.ts';
import { toYaml } from '../../util/yaml.ts';
import { clusterColumns, nodeColumns, workerGroupColumns } from './get.ts';

const header = (cols: readonly string[]) => cols.map((c) => c.toUpperCase());

/** Cells of a table line (kubectl pads with at least 3 spaces; headers have single spaces inside). */
function rows(out: string, columns: readonly string[]): Record<string, string>[] {
  const lines = out.trimEnd().split('\n');
  const head = lines[0]!;
  const starts = header(columns).map((c) => head.indexOf(c));
  assert.ok(
    starts.every((s, i) => s >= 0 && (i === 0 || s > starts[i - 1]!)),
    `columns ${columns.join(', ')} in:\n${head}`,
  );
  return lines
    .slice(1)
    .map((l) =>
      Object.fromEntries(columns.map((c, i) => [c, l.slice(starts[i], starts[i + 1] ?? undefined).trim()])),
    );
}

describe('kubectl ray against the operator on the rig', { timeout: 240_000 }, () => {
  let rig: Rig;
  let op: InProcessOperator;
  let ns: string;
  let work: string;
  let limited: string;

  const env = (kubeconfig?: string) => ({
    ...process.env,
    ...rig.env,
    ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}),
    // Node 24 for the plugin's #!/usr/bin/env node, the repo's bin/ for kubectl to find the plugin.
    PATH: [dirname(process.execPath), join(repoRoot, 'bin'), rig.env.PATH].join(delimiter),
  });
  const ray = (
    args: readonly string[],
    opts: { input?: string; kubeconfig?: string } = {},
  ): Promise<ToolResult> =>
    runTool('kubectl', ['ray', ...args], {
      env: env(opts.kubeconfig),
      cwd: work,
      ...(opts.input ? { input: opts.input } : {}),
    });
  const ok = async (args: readonly string[], opts?: { input?: string; kubeconfig?: string }) => {
    const r = await ray(args, opts);
    assert.equal(r.code, 0, `kubectl ray ${args.join(' ')} (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    return r;
  };

  before(async () => {
    rig = await useRig();
    ns = await newNamespace(rig, 'plugin');
    op = await startOperator(rig, [ns]);
    work = mkdtempSync(join(tmpdir(), 'kubectl-ray-'));
    // A user with a namespaced Role only: Ray objects, pods and events in this namespace.
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'ray-user', namespace: ns },
      rules: [
        { apiGroups: ['ray.io'], resources: ['rayclusters', 'rayjobs', 'rayservices'], verbs: ['*'] },
        { apiGroups: [''], resources: ['pods', 'events', 'services'], verbs: ['get', 'list', 'watch'] },
      ],
    };
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'ray-user', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ray-user' },
      subjects: [{ kind: 'ServiceAccount', name: 'ray-user', namespace: ns }],
    };
    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ray-user', namespace: ns } };
    const r = await rig.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [sa, role, binding] }),
    });
    assert.equal(r.code, 0, r.stderr);
    const token = await rig.kubectl(['create', 'token', 'ray-user', '-n', ns]);
    const cluster = kubeConfig(rig).getCurrentCluster()!;
    limited = join(work, 'limited.kubeconfig');
    writeFileSync(
      limited,
      tokenKubeconfig({
        server: rig.server,
        caCert: Buffer.from(cluster.caData!, 'base64').toString(),
        token: token.stdout,
        user: 'ray-user',
        namespace: ns,
      }),
    );
  });

  after(async () => {
    await op?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('create --wait → get shows it ready → scale → get shows the new counts → status → delete', async () => {
    const created = await ok([
      'create',
      'cluster',
      'demo',
      '-n',
      ns,
      '--head-cpu',
      '1',
      '--worker-cpu',
      '1',
      '--worker-memory',
      '2Gi',
      '--worker-replicas',
      '2',
      '--wait',
      '--timeout',
      '2m',
    ]);
    assert.match(created.stdout, /^Created Ray cluster: demo\nRay cluster demo is provisioned\n$/);
    assert.match(created.stderr, /Waiting for Ray cluster demo: \d\/3 pods ready/, 'a progress line');
    assert.match(created.stderr, /Waiting for Ray cluster demo: 3\/3 pods ready \(state: ready\)/);

    const [c] = rows((await ok(['get', 'cluster', '-n', ns])).stdout, clusterColumns);
    assert.deepEqual(
      { ...c, Age: '' },
      {
        Name: 'demo',
        Namespace: ns,
        'Desired Workers': '2',
        'Available Workers': '2',
        CPUs: '3',
        GPUs: '0',
        TPUs: '0',
        Memory: '8Gi',
        Condition: 'RayClusterProvisioned',
        Status: 'ready',
        Age: '',
      },
    );
    const nodes = rows((await ok(['get', 'nodes', '-c', 'demo', '-n', ns])).stdout, nodeColumns);
    assert.deepEqual(nodes.map((n) => [n.Type, n['Worker Group'], n.CPUs, n.Memory]).sort(), [
      ['head', 'headgroup', '1', '4Gi'],
      ['worker', 'default-group', '1', '2Gi'],
      ['worker', 'default-group', '1', '2Gi'],
    ]);
    const [wg] = rows((await ok(['get', 'workergroups', '-n', ns])).stdout, workerGroupColumns);
    assert.deepEqual(wg, {
      Name: 'default-group',
      Min: '0',
      Max: '2147483647',
      Replicas: '2/2',
      CPUs: '2',
      GPUs: '0',
      TPUs: '0',
      Memory: '4Gi',
      Cluster: 'demo',
    });
    const obj = JSON.parse((await ok(['get', 'cluster', 'demo', '-n', ns, '-o', 'json'])).stdout) as {
      kind: string;
      metadata: { name: string };
    };
    assert.deepEqual([obj.kind, obj.metadata.name], ['RayCluster', 'demo']);
    assert.match((await ok(['get', 'cluster', '-n', ns, '-o', 'yaml'])).stdout, /^apiVersion: v1\nitems:\n/m);

    const scaled = await ok(['scale', 'cluster', 'demo', '-n', ns, '-w', 'default-group', '-r', '3']);
    assert.equal(
      scaled.stdout,
      `Updated worker group default-group in Ray cluster demo in namespace ${ns} (Scaled Replicas: 2 to 3)\n`,
    );
    const again = await ok(['scale', 'cluster', 'demo', '-n', ns, '-w', 'default-group', '--replicas', '3']);
    assert.match(again.stdout, /already matches the requested configuration. Skipping./);
    await until(
      'get to show 3 desired and available workers',
      async () => {
        const [x] = rows((await ok(['get', 'cluster', 'demo', '-n', ns])).stdout, clusterColumns);
        const [g] = rows(
          (await ok(['get', 'workergroup', 'default-group', '-c', 'demo', '-n', ns])).stdout,
          workerGroupColumns,
        );
        return (
          x!['Desired Workers'] === '3' &&
          x!['Available Workers'] === '3' &&
          x!.CPUs === '4' &&
          g!.Replicas === '3/3'
        );
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );

    const status = (await ok(['status', 'demo', '-n', ns])).stdout;
    assert.match(
      status,
      new RegExp(`^Ray cluster demo in namespace ${ns}: ready \\(RayClusterProvisioned\\), 4/4 pods ready`),
    );
    assert.match(status, /^GROUP\s+TYPE\s+DESIRED\s+MIN\s+MAX\s+READY$/m);
    assert.match(status, /^default-group\s+worker\s+3\s+0\s+2147483647\s+3\/3$/m);
    assert.match(status, /^Autoscaler: none/m);
    assert.match(status, /^Last events \(\d+ of \d+\):/m);

    // Completion through kubectl's plugin protocol names the cluster.
    const comp = await runTool('kubectl_complete-ray', ['get', 'cluster', '-n', ns, 'de'], { env: env() });
    assert.equal(comp.stdout, 'demo\n:4\n');

    const cancel = await ok(['delete', 'demo', '-n', ns], { input: 'n\n' });
    assert.match(
      cancel.stdout,
      /Are you sure you want to delete the following resources\?\n- raycluster\/demo\n\(y\/yes\/n\/no\)Canceled deletion./,
    );
    assert.equal(
      (await ok(['delete', 'raycluster/demo', '-n', ns, '-y'])).stdout,
      'Deleted raycluster demo\n',
    );
    const gone = await ray(['get', 'cluster', 'demo', '-n', ns]);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, `error: Ray cluster demo not found in namespace ${ns}\n`);
  });

  it('--file takes KubeRay plugin config and RayCluster manifests; create workergroup adds a group', async () => {
    writeFileSync(
      join(work, 'cfg.yaml'),
      'name: from-config\nhead:\n  cpu: 1\nworker-groups:\n  - name: small\n    replicas: 1\n    cpu: 1\n    memory: 1Gi\n',
    );
    const dry = await ok(['create', 'cluster', '--file', 'cfg.yaml', '--dry-run', '-n', ns]);
    assert.match(dry.stdout, /groupName: small/);
    assert.match(dry.stdout, /name: ray-head/);
    await ok(['create', 'cluster', '--file', 'cfg.yaml', '-n', ns]);
    const manifest = {
      apiVersion: 'ray.io/v1',
      kind: 'RayCluster',
      metadata: { name: 'from-manifest' },
      spec: {
        headGroupSpec: {
          rayStartParams: {},
          template: { spec: { containers: [{ name: 'ray-head', image: 'rayproject/ray:2.58.0' }] } },
        },
      },
    };
    writeFileSync(join(work, 'rc.yaml'), toYaml(manifest));
    assert.equal(
      (await ok(['create', 'cluster', '--file', 'rc.yaml', '-n', ns])).stdout,
      'Created Ray cluster: from-manifest\n',
    );
    const added = await ok([
      'create',
      'workergroup',
      'extra',
      '-c',
      'from-manifest',
      '-n',
      ns,
      '--worker-cpu',
      '1',
      '--worker-memory',
      '1Gi',
      '--worker-replicas',
      '1',
    ]);
    assert.equal(added.stdout, `Updated Ray cluster ${ns}/from-manifest with new worker group\n`);
    const groups = rows((await ok(['get', 'workergroups', '-n', ns])).stdout, workerGroupColumns);
    assert.deepEqual(groups.map((g) => [g.Cluster, g.Name, g.Min, g.Max]).sort(), [
      ['from-config', 'small', '0', '2147483647'],
      ['from-manifest', 'extra', '1', '10'],
    ]);
    await ok(['delete', 'from-config', 'from-manifest', '-n', ns, '-y']);
  });

  it("errors in kubectl's words: flags, quantities, names, namespaces", async () => {
    const cases: [string[], RegExp][] = [
      [
        ['create', 'cluster', 'x', '--file', 'cfg.yaml', '--worker-replicas', '2'],
        /the following flags are incompatible with --file: \[worker-replicas\]/,
      ],
      [
        ['create', 'cluster', 'other', '--file', 'cfg.yaml'],
        /the cluster name in the config file "from-config" does not match the cluster name "other"/,
      ],
      [['create', 'cluster', 'x', '--head-memory', 'lots'], /head-memory is not a valid resource quantity/],
      [['create', 'cluster', 'x', '--worker-cpu', '-1'], /worker-cpu cannot be negative/],
      [
        ['create', 'cluster', 'x', '--worker-tpu', '1'],
        /cloud.google.com\/gke-tpu-accelerator is not set in --worker-node-selectors/,
      ],
      [
        ['scale', 'cluster', 'x', '-w', 'g'],
        /must specify at least one of --replicas, --min-replicas, or --max-replicas/,
      ],
      [
        ['scale', 'cluster', 'x', '-w', 'g', '-r', '5', '--max-replicas', '3'],
        /--replicas \(5\) cannot be greater than --max-replicas \(3\)/,
      ],
      [['scale', 'cluster', 'nope', '-w', 'g', '-r', '1'], /Ray cluster nope not found in namespace/],
      [['get', 'workergroup', 'nope'], /Ray worker group nope not found in namespace \S+ in any Ray cluster/],
      [
        ['get', 'nodes', 'nope', '-c', 'demo'],
        /Ray node nope not found in namespace \S+ in Ray cluster demo/,
      ],
      [['log', 'rayfoo/x'], /unsupported resource type: rayfoo/],
      [['get', 'cluster', '-o', 'wide'], /unable to match a printer suitable for the output format "wide"/],
    ];
    for (const [args, want] of cases) {
      const r = await ray([...args, '-n', ns]);
      assert.equal(r.code, 1, `${args.join(' ')} should fail:\n${r.stdout}${r.stderr}`);
      assert.match(r.stderr, want, args.join(' '));
    }
  });

  it("works with only the user's namespaced RBAC; a cluster-wide request is refused clearly", async () => {
    const kc = limited;
    await ok(
      [
        'create',
        'cluster',
        'mine',
        '--worker-replicas',
        '1',
        '--head-cpu',
        '1',
        '--worker-cpu',
        '1',
        '--wait',
        '--timeout',
        '2m',
      ],
      { kubeconfig: kc },
    );
    const [c] = rows((await ok(['get', 'cluster'], { kubeconfig: kc })).stdout, clusterColumns);
    assert.equal(c!.Status, 'ready');
    await ok(['scale', 'cluster', 'mine', '-w', 'default-group', '-r', '0'], { kubeconfig: kc });
    assert.match((await ok(['status', 'mine'], { kubeconfig: kc })).stdout, /^default-group\s+worker\s+0\s/m);
    const all = await ray(['get', 'cluster', '-A'], { kubeconfig: kc });
    assert.equal(all.code, 1);
    assert.match(
      all.stderr,
      /^Error from server \(Forbidden\): rayclusters.ray.io is forbidden: User "system:serviceaccount:\S+:ray-user" cannot list resource "rayclusters"/,
    );
    const v = await ok(['version'], { kubeconfig: kc });
    assert.match(
      v.stdout,
      /^kubectl ray plugin version: \d+\.\d+\.\d+\nwarning: KubeRay operator installation cannot be found: .*forbidden/s,
    );
    await ok(['delete', 'mine', '-y'], { kubeconfig: kc });
  });
});
