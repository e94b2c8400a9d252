// compileCluster / renderCluster: names, desired counts, and property tests over valid specs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RayCluster } from '../api/v1/index.ts';
import {
  groupSuspended,
  inNamespace,
  minMax,
  named,
  numOfHosts,
  rayCluster,
  replicas,
  suspended,
  withAutoscaling,
  withHeadRayStartParams,
  withHeadResources,
  withHeadServiceType,
  withRayVersion,
  withUID,
  withWorkers,
  workerResources,
  type ClusterMod,
  type GroupMod,
} from '../testing/builders.ts';
import {
  compileCluster,
  defaultCompileOptions,
  desiredWorkerPods,
  newHeadPodName,
  newWorkerPodName,
  renderCluster,
} from './index.ts';
import { checkName, checkLabel } from './names.ts';
import type { Pod } from './k8sTypes.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

test('pod names as KubeRay: prefix ≤ 50, lower-cased, -head-/-worker- and the random part', () => {
  assert.equal(
    newHeadPodName('c', () => 'abcde'),
    'c-head-abcde',
  );
  assert.equal(
    newWorkerPodName('c', 'GPU', () => 'abcde'),
    'c-gpu-worker-abcde',
  );
  const long = 'a'.repeat(53);
  const w = newWorkerPodName(long, 'group', () => 'abcde');
  assert.equal(w, `${'a'.repeat(50)}-worker-abcde`);
  assert.equal(w.length, 63);
  assert.equal(checkName('1abc'), 'rabc');
  assert.equal(checkName('x'.repeat(60)), 'x'.repeat(50));
  assert.equal(checkName('-abc'), 'rabc');
  assert.equal(checkLabel('_' + 'y'.repeat(70)), 'y'.repeat(63));
});

test('desired pods: replicas clamped to [min, max] × numOfHosts, 0 when suspended', () => {
  const g = (...mods: GroupMod[]) => compileCluster(rayCluster('c', withWorkers(0, ...mods))).groups[0]!;
  assert.equal(g(replicas(5), minMax(1, 3)).desiredPods, 3);
  assert.equal(g(replicas(0), minMax(2, 3)).desiredPods, 2);
  assert.equal(g(replicas(undefined), minMax(2, 3)).desiredPods, 2);
  assert.equal(g(replicas(2), minMax(1, 3), numOfHosts(4)).desiredPods, 8);
  assert.equal(g(replicas(2), groupSuspended()).desiredPods, 0);
  assert.equal(compileCluster(rayCluster('c', withWorkers(3), suspended())).groups[0]?.desiredPods, 0);
  assert.equal(
    desiredWorkerPods({ ...rayCluster('c', withWorkers(3)).spec.workerGroupSpecs![0]!, maxReplicas: 1 }),
    1,
  );
});

test('renderCluster: services first, then the head and every desired worker, stable names', () => {
  const rc = rayCluster('c', withWorkers(2, named('a')), withWorkers(1, named('b'), numOfHosts(2)));
  const objs = renderCluster(rc);
  assert.deepEqual(
    objs.map((o) => o.kind),
    ['Service', 'Service', 'Pod', 'Pod', 'Pod', 'Pod', 'Pod'],
  );
  assert.deepEqual(renderCluster(rc), objs);
  const pods = objs.filter((o): o is Pod => o.kind === 'Pod');
  assert.match(pods[0]!.metadata!.name!, /^c-head-[a-z0-9]{5}$/);
  assert.match(pods[1]!.metadata!.name!, /^c-a-worker-[a-z0-9]{5}$/);
  const multi = pods.slice(3);
  assert.equal(
    multi[0]!.metadata?.labels?.['ray.io/worker-group-replica-name'],
    multi[1]!.metadata?.labels?.['ray.io/worker-group-replica-name'],
  );
  assert.deepEqual(
    multi.map((p) => p.metadata?.labels?.['ray.io/replica-host-index']),
    ['0', '1'],
  );
  assert.deepEqual(
    renderCluster(rayCluster('c', withWorkers(2), suspended())).map((o) => o.kind),
    ['Service'],
  );
});

// ---- property tests over valid specs -----------------------------------------------------------

const dnsName = (max: number) =>
  fc
    .tuple(fc.stringMatching(/^[a-z]$/), fc.stringMatching(/^[a-z0-9-]*$/), fc.stringMatching(/^[a-z0-9]$/))
    .map(([a, mid, z]) => (a + mid.slice(0, Math.max(0, max - 2)) + z).slice(0, max));
const cpu = fc.constantFrom('100m', '500m', '1', '1500m', '2', '4', '16');
const mem = fc.constantFrom('512Mi', '1Gi', '1.5Gi', '2G', '4Gi', '3000000000');

const groupArb = fc
  .record({
    min: fc.integer({ min: 0, max: 3 }),
    span: fc.integer({ min: 0, max: 3 }),
    replicas: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
    hosts: fc.integer({ min: 1, max: 3 }),
    cpu,
    mem,
    gpu: fc.option(fc.constantFrom('1', '2'), { nil: undefined }),
    suspend: fc.boolean(),
  })
  .map((g): GroupMod[] => [
    minMax(g.min, g.min + g.span),
    replicas(g.replicas),
    numOfHosts(g.hosts),
    workerResources({ cpu: g.cpu, memory: g.mem, ...(g.gpu ? { 'nvidia.com/gpu': g.gpu } : {}) }),
    ...(g.suspend ? [groupSuspended()] : []),
  ]);

const clusterArb = fc
  .record({
    name: dnsName(53),
    namespace: dnsName(63),
    groupNames: fc.uniqueArray(dnsName(20), { maxLength: 3 }),
    groups: fc.array(groupArb, { minLength: 3, maxLength: 3 }),
    headCpu: cpu,
    headMem: mem,
    params: fc.record(
      {
        'num-cpus': fc.constantFrom('1', '2', '1500m'),
        memory: fc.constantFrom('4Gi', '1000000000', '2G'),
        'object-store-memory': fc.constantFrom('1Gi', '500000000'),
        port: fc.constantFrom('6379', '7000'),
        'dashboard-port': fc.constantFrom('8265', '9000'),
        'log-color': fc.constantFrom('true', 'false'),
      },
      { requiredKeys: [] },
    ),
    autoscaling: fc.option(fc.constantFrom('v1', 'v2', undefined), { nil: null }),
    rayVersion: fc.option(fc.constantFrom('2.9.0', '2.53.0', '2.58.0', 'nightly'), { nil: undefined }),
    serviceType: fc.option(fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer'), { nil: undefined }),
    suspend: fc.boolean(),
    uid: fc.option(fc.uuid(), { nil: undefined }),
  })
  .map((c): RayCluster => {
    const mods: ClusterMod[] = [
      inNamespace(c.namespace),
      withHeadResources({ cpu: c.headCpu, memory: c.headMem }),
      withHeadRayStartParams(c.params),
      ...c.groupNames.map((n, i) => withWorkers(0, named(n), ...c.groups[i]!)),
    ];
    if (c.autoscaling !== null) mods.push(withAutoscaling(c.autoscaling ? { version: c.autoscaling } : {}));
    if (c.rayVersion) mods.push(withRayVersion(c.rayVersion));
    if (c.serviceType) mods.push(withHeadServiceType(c.serviceType));
    if (c.suspend) mods.push(suspended());
    if (c.uid) mods.push(withUID(c.uid));
    return rayCluster(c.name, ...mods);
  });

test('property: any valid spec renders; pods are valid DNS labels, labelled and owned by the cluster', () => {
  fc.assert(
    fc.property(clusterArb, (rc) => {
      const before = JSON.stringify(rc);
      const name = rc.metadata!.name!;
      const objs = renderCluster(rc);
      assert.equal(JSON.stringify(rc), before, 'input unchanged');
      const pods = objs.filter((o): o is Pod => o.kind === 'Pod');
      const names = new Set<string>();
      for (const o of objs) {
        assert.equal(o.metadata?.namespace, rc.metadata!.namespace);
        const ref = o.metadata?.ownerReferences?.[0];
        assert.equal(ref?.kind, 'RayCluster');
        assert.equal(ref?.name, name);
        assert.equal(ref?.controller, true);
        assert.equal(ref?.uid, rc.metadata!.uid);
      }
      for (const p of pods) {
        const podName = p.metadata!.name!;
        assert.ok(podName.length <= 63 && DNS_LABEL.test(podName), podName);
        assert.ok(!names.has(podName), `duplicate ${podName}`);
        names.add(podName);
        const l = p.metadata!.labels!;
        assert.equal(l['ray.io/cluster'], name);
        assert.equal(l['ray.io/is-ray-node'], 'yes');
        assert.ok(l['ray.io/node-type'] === 'head' || l['ray.io/node-type'] === 'worker');
        assert.equal(l.app, `ray-${l['ray.io/node-type']}`);
        assert.ok(l['ray.io/identifier'] !== undefined && l['ray.io/identifier'].length <= 63);
        const args = p.spec!.containers[0]!.args![0]!;
        assert.match(args, / --block /);
        // ray start only ever gets integers for memory-like flags
        for (const m of args.matchAll(/--(memory|object-store-memory|num-cpus|num-gpus)=(\S+)/g)) {
          assert.match(m[2]!, /^[0-9]+$/, args);
        }
        if (l['ray.io/node-type'] === 'worker') assert.match(args, /--address=\S+\.svc\.cluster\.local:\d+ /);
        else assert.match(args, /^ulimit .*; ray start --head /);
      }
      const compiled = compileCluster(rc);
      const groups = rc.spec.workerGroupSpecs ?? [];
      compiled.groups.forEach((g, i) => {
        const spec = groups[i]!;
        const hosts = spec.numOfHosts ?? 1;
        if (rc.spec.suspend || spec.suspend) assert.equal(g.desiredPods, 0);
        else {
          assert.ok(g.desiredPods >= spec.minReplicas * hosts && g.desiredPods <= spec.maxReplicas * hosts);
          assert.equal(g.desiredPods % hosts, 0);
        }
        const rendered = pods.filter((p) => p.metadata?.labels?.['ray.io/group'] === g.name).length;
        assert.equal(rendered, g.desiredPods);
      });
      assert.equal(
        pods.filter((p) => p.metadata?.labels?.['ray.io/node-type'] === 'head').length,
        rc.spec.suspend ? 0 : 1,
      );
    }),
    { numRuns: 150 },
  );
});

test('a cluster above the pod bound is refused before anything is built (no heap blow-up)', () => {
  const huge = rayCluster('c', withWorkers(1, minMax(0, 2_000_000), replicas(1_000_000)));
  assert.throws(() => renderCluster(huge), /asks for 1000001 pods; the operator creates at most 10000/);
  assert.throws(
    () =>
      compileCluster(rayCluster('c', withWorkers(1, replicas(6), numOfHosts(4))), {
        ...defaultCompileOptions,
        maxPodsPerCluster: 20,
      }),
    /asks for 25 pods.*--max-pods-per-cluster/,
  );
  assert.equal(renderCluster(rayCluster('c', withWorkers(1, replicas(6)), suspended())).length, 1);
});
