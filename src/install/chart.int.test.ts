// The Helm chart and the kubectl manifests on a real control plane:
// - `helm lint` and `helm template` for the value sets users reach for; every rendered object is
//   accepted by kube-apiserver (`kubectl apply --dry-run=server`), and bad values fail rendering;
// - the guide's install path: `helm install kuberay-operator charts/kuray-operator -n ray-system`,
//   then the guide's checks (`kubectl get pods -n ray-system`, `kubectl get crd | grep ray`);
// - RBAC is sufficient: `kuray operator` runs with a token of the chart's ServiceAccount (so with
//   exactly the chart's permissions, nothing of the admin's) and brings RayClusters to ready, for a
//   cluster-wide install and a single-namespace install (which must also be unable to act elsewhere).
// The rig is private because kube-apiserver runs with OwnerReferencesPermissionEnforcement (off by
// default, on in OpenShift and hardened clusters): with it, children's blockOwnerDeletion needs
// update on rayclusters/finalizers, a permission a default rig would never exercise.
import { after, before, describe, test, type TestContext } from 'node:test';
import { parseAddress } from '../runtime/health.ts';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ensureBinaries } from '../../rig/build.ts';
import { privateRig, type Rig } from '../../rig/testing.ts';
import { inNamespace, rayCluster, withAutoscaling, withWorkers } from '../testing/builders.ts';
import { until } from '../testing/wait.ts';
import { toYaml } from '../util/yaml.ts';
import { deploymentOptions } from './deployment.ts';
import { runTool, type ToolResult } from './exec.ts';
import {
  chartDir,
  findManifest,
  findManifests,
  parseManifests,
  readManifestDir,
  repoRoot,
  rulesOf,
  serviceAccountUser,
  tokenKubeconfig,
  type Manifest,
} from './manifests.ts';
import { missingPermissions, permissionsIn } from './permissions.ts';

const RELEASE_NS = 'ray-system';

describe('kuray-operator chart on the rig', () => {
  let rig: Rig;
  let helmBin: string;
  let kubectlBin: string;
  let work: string;
  let caCert: string;
  const procs: ChildProcess[] = [];

  before(async () => {
    const bins = await ensureBinaries(['helm', 'kubectl']);
    helmBin = bins.helm;
    kubectlBin = bins.kubectl;
    rig = await privateRig({
      extraArgs: { 'kube-apiserver': ['--enable-admission-plugins=OwnerReferencesPermissionEnforcement'] },
    });
    work = mkdtempSync(join(tmpdir(), 'kuray-chart-'));
    const kc = new KubeConfig();
    kc.loadFromFile(rig.kubeconfigPath);
    caCert = Buffer.from(kc.getCurrentCluster()!.caData!, 'base64').toString();
  });

  after(async () => {
    for (const p of procs) await stopProcess(p);
    rmSync(work, { recursive: true, force: true });
    await rig.stop();
  });

  /** helm with the rig's admin kubeconfig and its own config/cache dirs (nothing under $HOME). */
  const helm = (args: readonly string[], input?: string): Promise<ToolResult> =>
    runTool(helmBin, args, {
      ...(input !== undefined ? { input } : {}),
      env: {
        PATH: process.env.PATH ?? '',
        KUBECONFIG: rig.kubeconfigPath,
        HELM_CONFIG_HOME: join(work, 'helm-config'),
        HELM_CACHE_HOME: join(work, 'helm-cache'),
        HELM_DATA_HOME: join(work, 'helm-data'),
      },
    });
  const helmOk = async (args: readonly string[]): Promise<string> => {
    const r = await helm(args);
    if (r.code !== 0) throw new Error(`helm ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr}`);
    return r.stdout;
  };
  const valuesFile = (name: string, values: Record<string, unknown>): string => {
    const f = join(work, `${name}.values.yaml`);
    writeFileSync(f, toYaml(values));
    return f;
  };
  const render = async (release: string, ns: string, values: Record<string, unknown>): Promise<Manifest[]> =>
    parseManifests(
      await helmOk(['template', release, chartDir, '-n', ns, '-f', valuesFile(release, values)]),
      `helm template ${release}`,
    );
  const kubectlOk = async (args: string[], input?: string): Promise<string> => {
    const r = await rig.kubectl(args, input !== undefined ? { input } : {});
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${r.stderr}`);
    return r.stdout;
  };
  const ensureNamespace = async (ns: string): Promise<void> => {
    await kubectlOk(
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }),
    );
    await until(
      `default ServiceAccount in ${ns}`,
      async () => (await rig.kubectl(['get', 'sa', 'default', '-n', ns])).code === 0,
    );
  };

  /** A kubeconfig holding only a fresh token of the ServiceAccount: the identity of the operator pod. */
  const saKubeconfig = async (ns: string, sa: string): Promise<string> => {
    const token = await kubectlOk(['create', 'token', sa, '-n', ns, '--duration=1h']);
    const path = join(work, `${ns}.${sa}.kubeconfig`);
    writeFileSync(
      path,
      tokenKubeconfig({ server: rig.server, caCert, token, user: serviceAccountUser(ns, sa) }),
      {
        mode: 0o600,
      },
    );
    return path;
  };
  /** kubectl as that identity: no admin credentials in reach (exact env). */
  const kubectlAs = (kubeconfig: string, args: string[]): Promise<ToolResult> =>
    runTool(kubectlBin, args, { env: { PATH: process.env.PATH ?? '', KUBECONFIG: kubeconfig } });

  interface Operator {
    proc: ChildProcess;
    logs: string[];
  }
  /** `kuray operator` as its own process, with only the given kubeconfig (no KUBECONFIG, no rig env). */
  const startOperator = (kubeconfig: string, args: string[]): Operator => {
    const proc = spawn(
      process.execPath,
      [
        join(repoRoot, 'src/cli/main.ts'),
        'operator',
        `--kubeconfig=${kubeconfig}`,
        '--metrics-addr=127.0.0.1:0',
        ...args,
      ],
      {
        env: { PATH: process.env.PATH ?? '', HOME: work },
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
      },
    );
    procs.push(proc);
    const logs: string[] = [];
    proc.stderr.setEncoding('utf8').on('data', (d: string) => {
      logs.push(...d.split('\n').filter(Boolean));
    });
    return { proc, logs };
  };

  const created = new Map<string, number>();
  const applyCluster = async (ns: string, obj: unknown): Promise<void> => {
    const name = (obj as { metadata: { name: string } }).metadata.name;
    created.set(`${ns}/${name}`, Date.now());
    await kubectlOk(['apply', '-n', ns, '-f', '-'], JSON.stringify(obj));
  };
  const clusterState = async (ns: string, name: string): Promise<string> => {
    const r = await rig.kubectl(['get', 'raycluster', name, '-n', ns, '-o', 'jsonpath={.status.state}']);
    return r.code === 0 ? r.stdout : `error: ${r.stderr.trim()}`;
  };
  const waitReady = async (t: TestContext, ns: string, name: string, op: Operator): Promise<void> => {
    await until(`RayCluster ${ns}/${name} ready`, async () => (await clusterState(ns, name)) === 'ready', {
      timeoutMs: 120_000,
      intervalMs: 500,
      describe: async () =>
        `state ${await clusterState(ns, name)}; operator log tail:\n${op.logs.slice(-15).join('\n')}`,
    });
    t.diagnostic(
      `${ns}/${name} ready ${Date.now() - (created.get(`${ns}/${name}`) ?? Date.now())} ms after creation`,
    );
  };
  const forbidden = (op: Operator): string[] => op.logs.filter((l) => /forbidden|\b403\b/i.test(l));

  test('helm lint passes for the default and the common value sets', async () => {
    const sets: Record<string, Record<string, unknown>> = {
      default: {},
      single: { singleNamespaceInstall: true, watchNamespace: ['team-a', 'team-b'] },
      ha: {
        replicas: 2,
        leaderElectionEnabled: true,
        leaderElection: {
          id: 'kuray-leader',
          leaseDurationSeconds: 30,
          renewDeadlineSeconds: 20,
          retryPeriodSeconds: 4,
        },
      },
      monitoring: {
        metrics: { serviceMonitor: { enabled: true, additionalLabels: { release: 'prometheus' } } },
        monitoring: {
          rayMonitors: { enabled: true },
          prometheusRule: { enabled: true },
          grafanaDashboards: { enabled: true },
        },
      },
      norbac: { rbacEnable: false, serviceAccount: { create: false, name: 'my-operator' } },
    };
    for (const [name, values] of Object.entries(sets)) {
      const r = await helm(['lint', '--strict', chartDir, '-f', valuesFile(`lint-${name}`, values)]);
      assert.equal(r.code, 0, `helm lint (${name}):\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  test('bad values fail rendering with the value named', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ replicas: 2, leaderElectionEnabled: false }, /replicas > 1 needs leaderElectionEnabled/],
      [{ reconcileConcurrency: 0 }, /reconcileConcurrency must be a positive integer/],
      [{ kubeClient: { qps: 2.5 } }, /kubeClient\.qps must be a positive whole number/],
      [{ watchNamespace: ['Team_A'] }, /watchNamespace: "Team_A" is not a namespace name/],
      [{ logLevel: 'verbose' }, /logLevel must be debug, info, warn or error/],
    ];
    for (const [values, message] of cases) {
      const r = await helm(['template', 'bad', chartDir, '-f', valuesFile('bad', values)]);
      assert.notEqual(r.code, 0, JSON.stringify(values));
      assert.match(r.stderr, message);
    }
  });

  test('rendered objects are accepted by kube-apiserver, and the operator parses the rendered flags', async () => {
    await ensureNamespace(RELEASE_NS);
    for (const ns of ['team-a', 'team-b']) await ensureNamespace(ns);
    const variants: Record<string, Record<string, unknown>> = {
      default: {},
      single: {
        singleNamespaceInstall: true,
        watchNamespace: ['team-a', 'team-b'],
        fullnameOverride: 'kuray-single',
      },
      ha: {
        replicas: 2,
        fullnameOverride: 'kuray-ha',
        extraArgs: ['--resync-seconds=600'],
        env: [{ name: 'CLUSTER_DOMAIN', value: 'cluster.local' }],
        featureGates: [
          { name: 'RayCronJob', enabled: true },
          { name: 'RayJobDeletionPolicy', enabled: false },
        ],
      },
      norbac: { rbacEnable: false, metrics: { enabled: false }, fullnameOverride: 'kuray-norbac' },
    };
    for (const [name, values] of Object.entries(variants)) {
      const objs = await render(`dry-${name}`, RELEASE_NS, values);
      const out = await kubectlOk(
        ['apply', '--dry-run=server', '-f', '-'],
        JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }),
      );
      assert.equal(out.trim().split('\n').length, objs.length, `every object of ${name} applied:\n${out}`);
      const o = deploymentOptions(findManifest(objs, 'Deployment'));
      // `:8080` would mean 127.0.0.1 here (not Go's all-interfaces): kubelet probes and Prometheus
      // reach the pod IP, so the pod must listen on every interface.
      assert.equal(parseAddress(o.metricsAddr).host, '0.0.0.0');
      assert.equal(o.leaderElectionNamespace, RELEASE_NS);
      if (name === 'single') {
        assert.deepEqual(o.watchNamespaces, ['team-a', 'team-b']);
        assert.equal(
          findManifests(objs, 'ClusterRole').length + findManifests(objs, 'ClusterRoleBinding').length,
          0,
        );
        for (const ns of ['team-a', 'team-b'])
          assert.deepEqual(
            missingPermissions(
              rulesOf(findManifest(objs, 'Role', { namespace: ns })),
              permissionsIn('watched'),
            ),
            [],
          );
      }
      if (name === 'ha') {
        assert.equal(o.resyncSeconds, 600);
        assert.deepEqual(o.featureGates, { RayCronJob: true, RayJobDeletionPolicy: false });
        assert.equal(
          (findManifest(objs, 'Deployment') as unknown as { spec: { replicas: number } }).spec.replicas,
          2,
        );
        const pdb = findManifest(objs, 'PodDisruptionBudget') as unknown as {
          spec: { minAvailable: number };
        };
        assert.equal(pdb.spec.minAvailable, 1);
      }
      // No RBAC objects and no metrics Service; the ServiceAccount is still the chart's
      // (serviceAccount.create), and the webhook keeps its Service and configurations.
      if (name === 'norbac')
        assert.deepEqual(
          objs.map((x) => x.kind),
          [
            'ServiceAccount',
            'Service',
            'Deployment',
            'MutatingWebhookConfiguration',
            'ValidatingWebhookConfiguration',
          ],
        );
      // The webhook: served by every replica, registered for ray.io only, never able to block writes.
      assert.equal(o.webhook?.address, name === 'single' ? undefined : ':9443', name);
      for (const cfg of findManifests(objs, 'ValidatingWebhookConfiguration'))
        for (const w of (cfg as unknown as { webhooks: { failurePolicy: string; timeoutSeconds: number }[] })
          .webhooks)
          assert.deepEqual([w.failurePolicy, w.timeoutSeconds], ['Ignore', 5]);
    }
    const monitoring = await render('mon', RELEASE_NS, { metrics: { serviceMonitor: { enabled: true } } });
    const sm = findManifest(monitoring, 'ServiceMonitor') as unknown as {
      spec: { selector: { matchLabels: Record<string, string> } };
    };
    const svc = findManifest(monitoring, 'Service', { name: 'kuberay-operator' }) as unknown as {
      spec: { selector: Record<string, string> };
    };
    assert.deepEqual(sm.spec.selector.matchLabels, svc.spec.selector);
    // Ray monitoring toggles: the generated objects (src/monitoring), in the release namespace, with
    // the labels Prometheus and Grafana select by.
    const ray = await render('raymon', RELEASE_NS, {
      monitoring: {
        labels: { release: 'prometheus' },
        rayMonitors: { enabled: true },
        prometheusRule: { enabled: true },
        grafanaDashboards: { enabled: true },
      },
    });
    const kinds = ray
      .filter((o) => ['ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'ConfigMap'].includes(o.kind ?? ''))
      .map((o) => `${o.kind}/${o.metadata?.name}`)
      .sort();
    assert.deepEqual(kinds, [
      'ConfigMap/grafana-dashboard-kuray-autoscaling',
      'ConfigMap/grafana-dashboard-kuray-operator',
      'ConfigMap/grafana-dashboard-ray-cluster',
      'PodMonitor/ray-workers-monitor',
      'PrometheusRule/kuray-alerts',
      'ServiceMonitor/ray-head-monitor',
    ]);
    for (const o of ray.filter((x) => kinds.includes(`${x.kind}/${x.metadata?.name}`))) {
      assert.equal(o.metadata?.namespace, RELEASE_NS);
      assert.equal(o.metadata?.labels?.release, 'prometheus');
      if (o.kind === 'ConfigMap') assert.equal(o.metadata?.labels?.grafana_dashboard, '1');
    }
  });

  test('config/manager, config/rbac/namespaced and config/samples are accepted too', async () => {
    const out = await kubectlOk(['apply', '--dry-run=server', '-k', join(repoRoot, 'config', 'manager')]);
    assert.match(out, /deployment\.apps\/kuberay-operator created \(server dry run\)/);
    const nsRbac = readManifestDir(join(repoRoot, 'config', 'rbac', 'namespaced'));
    await kubectlOk(
      ['apply', '--dry-run=server', '-n', 'team-a', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nsRbac }),
    );
    for (const f of ['ray-cluster.basic.yaml', 'ray-cluster.gpu.yaml', 'ray-cluster.autoscaler.yaml'])
      await kubectlOk([
        'apply',
        '--dry-run=server',
        '-n',
        'team-a',
        '-f',
        join(repoRoot, 'config', 'samples', f),
      ]);
  });

  test('guide install path: helm install into ray-system; the operator runs on the chart RBAC alone', async (t) => {
    // What a user runs (CRDs first, server-side; the rig has applied config/crd/ the same way).
    const install = await helmOk(['install', 'kuberay-operator', chartDir, '-n', RELEASE_NS, '--wait=false']);
    assert.match(install, /STATUS: deployed/);
    assert.doesNotMatch(install, /CRDs are not installed/);
    const crds = await kubectlOk(['get', 'crd']);
    assert.match(crds, /^rayclusters\.ray\.io /m);
    // The Deployment's pod exists under the guide's selector (KWOK plays its kubelet).
    const pods = await until('the operator pod', async () => {
      const r = await kubectlOk([
        'get',
        'pods',
        '-n',
        RELEASE_NS,
        '-l',
        'app.kubernetes.io/name=kuberay-operator',
        '-o',
        'name',
      ]);
      return r.trim() ? r : undefined;
    });
    assert.match(pods, /^pod\/kuberay-operator-/);
    const secret = await kubectlOk([
      'get',
      'secret',
      '-n',
      RELEASE_NS,
      'sh.helm.release.v1.kuberay-operator.v1',
      '-o',
      'jsonpath={.data.release}',
    ]);
    t.diagnostic(`helm release record: ${Buffer.from(secret, 'base64').length} bytes (limit 1048576)`);

    const kubeconfig = await saKubeconfig(RELEASE_NS, 'kuberay-operator');
    // The token is the ServiceAccount, not an admin: it cannot read Secrets.
    const denied = await kubectlAs(kubeconfig, ['get', 'secrets', '-A']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /forbidden/);

    const op = startOperator(kubeconfig, [
      '--enable-leader-election=true',
      `--leader-election-namespace=${RELEASE_NS}`,
      '--leader-election-identity=chart-test',
    ]);
    await ensureNamespace('ray-apps');
    await applyCluster(
      'ray-apps',
      rayCluster('rbac-check', inNamespace('ray-apps'), withWorkers(2), withAutoscaling()),
    );
    await applyCluster(
      'ray-apps',
      parseManifests(readFileSync(join(repoRoot, 'config/samples/ray-cluster.basic.yaml'), 'utf8'))[0],
    );
    await waitReady(t, 'ray-apps', 'rbac-check', op);
    await waitReady(t, 'ray-apps', 'raycluster-basic', op);

    const lease = JSON.parse(
      await kubectlOk(['get', 'lease', 'ray-operator-leader', '-n', RELEASE_NS, '-o', 'json']),
    ) as {
      spec: { holderIdentity: string };
    };
    assert.equal(lease.spec.holderIdentity, 'chart-test');
    // Autoscaler RBAC was created (the operator may grant only what it holds: pods/resize included).
    for (const kind of ['serviceaccount', 'role', 'rolebinding'])
      await kubectlOk(['get', kind, '-n', 'ray-apps', 'rbac-check']);
    // Events are written asynchronously after the pod create: wait for the one we look for.
    let reasons: string[] = [];
    await until(
      'a CreatedHeadPod Event about ray-apps/rbac-check',
      async () => {
        const events = JSON.parse(
          await kubectlOk([
            'get',
            'events',
            '-n',
            'ray-apps',
            '--field-selector',
            'involvedObject.name=rbac-check',
            '-o',
            'json',
          ]),
        ) as { items: { reason: string }[] };
        reasons = events.items.map((e) => e.reason);
        return reasons.includes('CreatedHeadPod');
      },
      { timeoutMs: 30_000, describe: () => JSON.stringify(reasons) },
    );
    assert.deepEqual(forbidden(op), []);
    t.diagnostic(`operator RSS after two ready clusters: ${rssMiB(op.proc)} MiB`);
    await stopProcess(op.proc);

    // People's roles: bound per namespace, viewer reads, editor writes.
    await kubectlOk([
      'create',
      'rolebinding',
      'alice-view',
      '--clusterrole=raycluster-viewer-role',
      '--user=alice',
      '-n',
      'ray-apps',
    ]);
    await kubectlOk([
      'create',
      'rolebinding',
      'bob-edit',
      '--clusterrole=raycluster-editor-role',
      '--user=bob',
      '-n',
      'ray-apps',
    ]);
    const can = async (user: string, verb: string): Promise<string> =>
      (
        await rig.kubectl(['auth', 'can-i', verb, 'rayclusters.ray.io', '-n', 'ray-apps', `--as=${user}`])
      ).stdout.trim();
    assert.deepEqual(
      [
        await can('alice', 'list'),
        await can('alice', 'create'),
        await can('bob', 'create'),
        await can('bob', 'delete'),
      ],
      ['yes', 'no', 'yes', 'yes'],
    );

    // Upgrades keep the release working: scale to two replicas (leader election is on by default).
    await helmOk([
      'upgrade',
      'kuberay-operator',
      chartDir,
      '-n',
      RELEASE_NS,
      '--reuse-values',
      '--set',
      'replicas=2',
    ]);
    const replicas = await kubectlOk([
      'get',
      'deployment',
      'kuberay-operator',
      '-n',
      RELEASE_NS,
      '-o',
      'jsonpath={.spec.replicas}',
    ]);
    assert.equal(replicas, '2');
  });

  test("the guide's --set image.repository=rayproject/ray gets a warning in the install notes", async () => {
    const out = await helmOk([
      'install',
      'guide-typo',
      chartDir,
      '-n',
      RELEASE_NS,
      '--dry-run',
      '--set',
      'fullnameOverride=guide-typo',
      // The first release owns the people's roles (fixed names, as KubeRay's).
      '--set',
      'userRoles.enabled=false',
      '--set',
      'image.repository=rayproject/ray',
      '--set',
      'image.tag=2.9.0',
    ]);
    assert.match(out, /WARNING: image\.repository=rayproject\/ray is the Ray image, not the operator's/);
  });

  test('single-namespace install: namespaced RBAC only, enough in its namespace and nothing elsewhere', async (t) => {
    const ns = 'team-a';
    const values = valuesFile('team-a', { singleNamespaceInstall: true, fullnameOverride: 'kuray-team-a' });
    const install = await helmOk(['install', 'kuray-team-a', chartDir, '-n', ns, '-f', values]);
    assert.match(install, /It watches RayClusters in namespace\(s\) team-a \(namespaced RBAC only\)/);
    const user = serviceAccountUser(ns, 'kuray-team-a');
    const can = async (verb: string, resource: string, where: string): Promise<string> =>
      (await rig.kubectl(['auth', 'can-i', verb, resource, '-n', where, `--as=${user}`])).stdout.trim();
    assert.equal(await can('create', 'pods', ns), 'yes');
    assert.equal(await can('list', 'pods', 'team-b'), 'no');
    assert.equal(await can('list', 'rayclusters.ray.io', 'ray-apps'), 'no');
    assert.equal(
      (
        await rig.kubectl(['auth', 'can-i', 'list', 'pods', '--all-namespaces', `--as=${user}`])
      ).stdout.trim(),
      'no',
    );

    const kubeconfig = await saKubeconfig(ns, 'kuray-team-a');
    const op = startOperator(kubeconfig, [
      `--watch-namespace=${ns}`,
      '--enable-leader-election=true',
      `--leader-election-namespace=${ns}`,
    ]);
    const sample = parseManifests(
      readFileSync(join(repoRoot, 'config/samples/ray-cluster.autoscaler.yaml'), 'utf8'),
    )[0];
    await applyCluster(ns, sample);
    await applyCluster(ns, rayCluster('ns-check', inNamespace(ns), withWorkers(1)));
    await waitReady(t, ns, 'raycluster-autoscaler', op);
    await waitReady(t, ns, 'ns-check', op);
    // A cluster outside the watched namespace is left alone.
    await applyCluster('team-b', rayCluster('elsewhere', inNamespace('team-b'), withWorkers(1)));
    const headsElsewhere = await kubectlOk([
      'get',
      'pods',
      '-n',
      'team-b',
      '-l',
      'ray.io/cluster=elsewhere',
      '-o',
      'name',
    ]);
    assert.equal(headsElsewhere.trim(), '');
    assert.deepEqual(forbidden(op), []);
    await stopProcess(op.proc);
  });

  test('negative control: the same install minus rayclusters/finalizers cannot create Ray pods', async () => {
    // Shows the RBAC tests above can fail: the rig enforces owner-reference permissions.
    const ns = 'team-c';
    await ensureNamespace(ns);
    const values = valuesFile('team-c', { singleNamespaceInstall: true, fullnameOverride: 'kuray-team-c' });
    await helmOk(['install', 'kuray-team-c', chartDir, '-n', ns, '-f', values]);
    const role = JSON.parse(await kubectlOk(['get', 'role', 'kuray-team-c', '-n', ns, '-o', 'json'])) as {
      rules: { resources: string[] }[];
    };
    role.rules = role.rules.filter((r) => !r.resources.includes('rayclusters/finalizers'));
    await kubectlOk(['replace', '-f', '-'], JSON.stringify(role));
    const op = startOperator(await saKubeconfig(ns, 'kuray-team-c'), [`--watch-namespace=${ns}`]);
    await applyCluster(ns, rayCluster('denied', inNamespace(ns), withWorkers(1)));
    const line = await until('a forbidden pod create in the operator log', () =>
      op.logs.find((l) => /blockOwnerDeletion/.test(l)),
    );
    assert.match(line, /forbidden/i);
    const pods = await kubectlOk(['get', 'pods', '-n', ns, '-l', 'ray.io/cluster=denied', '-o', 'name']);
    assert.equal(pods.trim(), '');
    await stopProcess(op.proc);
    await helmOk(['uninstall', 'kuray-team-c', '-n', ns]);
  });

  test('helm uninstall removes the release objects', async () => {
    await helmOk(['uninstall', 'kuray-team-a', '-n', 'team-a']);
    await helmOk(['uninstall', 'kuberay-operator', '-n', RELEASE_NS]);
    const left = await rig.kubectl(['get', 'clusterrole', 'kuberay-operator']);
    assert.notEqual(left.code, 0);
    assert.match(left.stderr, /NotFound/);
    const roles = await kubectlOk(['get', 'role', '-n', 'team-a', '-o', 'name']);
    assert.doesNotMatch(roles, /role\.rbac\.authorization\.k8s\.io\/kuray-team-a$/m);
  });

  test('without the CRDs, the install notes say how to install them (last: removes the RayCluster CRD)', async () => {
    await kubectlOk(['delete', 'crd', 'rayclusters.ray.io', '--wait=true']);
    const out = await until('discovery without ray.io/v1 RayCluster', async () => {
      const r = await helmOk(['install', 'no-crds', chartDir, '-n', RELEASE_NS, '--dry-run']);
      return /CRDs are not installed/.test(r) ? r : undefined;
    });
    assert.match(out, /kubectl apply --server-side -f config\/crd\//);
  });
});

function rssMiB(p: ChildProcess): string {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'));
    return m ? (Number(m[1]) / 1024).toFixed(0) : '?';
  } catch {
    return '?';
  }
}

/** SIGTERM to the process group (the operator drains and releases its Lease), SIGKILL after 10 s. */
async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    p.once('exit', () => {
      resolve();
    });
  });
  try {
    process.kill(-p.pid!, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}
