import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envName, OptionsError, resolveOptions } from './options.ts';

test('defaults match KubeRay where it has a flag', () => {
  const o = resolveOptions({}, {});
  assert.deepEqual(o.watchNamespaces, []);
  assert.equal(o.qps, 100);
  assert.equal(o.burst, 200);
  assert.equal(o.enableLeaderElection, false);
  assert.equal(o.leaderElectionNamespace, 'default');
  assert.equal(o.metricsAddr, '127.0.0.1:8080');
  assert.equal(o.leaseDurationSeconds, 10);
  assert.equal(o.renewDeadlineSeconds, 7);
  assert.equal(o.podWriteParallelism, 8);
});

test('flags win over env, env over defaults', () => {
  const env = { [envName('watch-namespace')]: 'a,b', [envName('qps')]: '7', POD_NAMESPACE: 'ray-system' };
  const o = resolveOptions({ qps: '9' }, env);
  assert.deepEqual(o.watchNamespaces, ['a', 'b']);
  assert.equal(o.qps, 9);
  assert.equal(o.leaderElectionNamespace, 'ray-system');
  assert.equal(envName('reconcile-concurrency'), 'KURAY_RECONCILE_CONCURRENCY');
});

test('bad values name the flag, the value and what is accepted', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ qps: 'fast' }, /--qps: "fast" is not an integer >= 1/],
    [{ 'reconcile-concurrency': '0' }, /--reconcile-concurrency: "0" is not an integer >= 1/],
    [{ 'log-level': 'verbose' }, /--log-level: "verbose" is not a level; use debug, info, warn or error/],
    [{ 'metrics-addr': 'localhost' }, /--metrics-addr: "localhost" is not host:port/],
    [{ 'watch-namespace': 'ok,Bad_NS' }, /--watch-namespace: "Bad_NS" is not a valid namespace name/],
    [{ 'enable-leader-election': 'maybe' }, /--enable-leader-election: "maybe" is not a boolean/],
    [
      { 'leader-election-lease-duration': '5', 'leader-election-renew-deadline': '10' },
      /lease-duration \(5\) > renew-deadline \(10\)/,
    ],
  ];
  for (const [flags, re] of cases) {
    assert.throws(
      () => resolveOptions(flags, {}),
      (e: unknown) => e instanceof OptionsError && re.test(e.message),
    );
  }
});

test("--feature-gates takes KubeRay's syntax and names; an unknown gate or value is refused with the list", () => {
  assert.deepEqual(resolveOptions({}, {}).featureGates, {});
  assert.deepEqual(
    resolveOptions({ 'feature-gates': 'RayCronJob=true,RayJobDeletionPolicy=false' }, {}).featureGates,
    {
      RayCronJob: true,
      RayJobDeletionPolicy: false,
    },
  );
  assert.deepEqual(resolveOptions({}, { KURAY_FEATURE_GATES: 'RayCronJob=true' }).featureGates, {
    RayCronJob: true,
  });
  assert.throws(
    () => resolveOptions({ 'feature-gates': 'RayCronjob=true' }, {}),
    (e: unknown) =>
      e instanceof OptionsError && /unknown feature gate "RayCronjob".*RayCronJob/.test(e.message),
  );
  assert.throws(
    () => resolveOptions({ 'feature-gates': 'RayCronJob=on' }, {}),
    /feature gate RayCronJob: expected =true or =false/,
  );
});

test("the operator compiles with kuray render's options: KubeRay's env switches, then its own flags", async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { renderCluster } = await import('../compiler/index.ts');
  const { renderYaml } = await import('../cli/commands/render.ts');
  const { parseYamlStream } = await import('../util/yaml.ts');
  const { SEED_EXAMPLES } = await import('../testing/seeds.ts');
  const env = {
    CLUSTER_DOMAIN: 'corp.example',
    ENABLE_PROBES_INJECTION: 'false',
    ENABLE_INIT_CONTAINER_INJECTION: 'false',
    ENABLE_RAY_HEAD_CLUSTER_IP_SERVICE: 'true',
    KURAY_RESTRICTED_POD_SECURITY: 'false',
  };
  const o = resolveOptions({ 'max-pods-per-cluster': '50' }, env);
  assert.equal(o.compileOptions.clusterDomain, 'corp.example');
  assert.equal(o.compileOptions.enableProbesInjection, false);
  assert.equal(o.compileOptions.restrictedPodSecurity, false);
  assert.equal(o.compileOptions.maxPodsPerCluster, 50);
  // The same objects as `kuray render` prints with that environment, for a seed example.
  const text = fs.readFileSync(path.join(SEED_EXAMPLES, '01-basic.yaml'), 'utf8');
  const rc = parseYamlStream(text, '01-basic.yaml')[0]!.value as Parameters<typeof renderCluster>[0];
  const rendered = renderYaml(text, '01-basic.yaml', { ...env, KURAY_MAX_PODS_PER_CLUSTER: '50' });
  assert.deepEqual(renderCluster(rc, o.compileOptions), rendered.objects);
  const worker = rendered.objects.find((x) => x.kind === 'Pod' && x.metadata?.name?.includes('worker')) as
    | { spec: { initContainers?: unknown[]; containers: { env?: { name: string; value?: string }[] }[] } }
    | undefined;
  assert.ok(worker && !worker.spec.initContainers?.length, 'no wait-gcs-ready init container');
  assert.match(JSON.stringify(worker.spec.containers[0]!.env), /corp\.example/);
});
