import { test } from 'node:test';
import assert from 'node:assert/strict';
import { componentArgs, componentOrder, layout, type Ports } from './components.ts';
import { kwokConfiguration, kwokStages } from './kwok-stages.ts';
import { ldflags, recipes, requiredVersion } from './versions.ts';

const ports: Ports = {
  etcdClient: 1001,
  etcdPeer: 1002,
  apiserver: 1003,
  controllerManager: 1004,
  scheduler: 1005,
  kwok: 1006,
};
const l = layout('/dev/shm/kuray-rig-x');

test('every component binds to loopback only', () => {
  for (const c of componentOrder) {
    const args = componentArgs(c, l, ports).join(' ');
    assert.doesNotMatch(args, /0\.0\.0\.0/, c);
    for (const m of args.matchAll(/(?:https?:\/\/)?(\d+\.\d+\.\d+\.\d+):\d+/g))
      assert.equal(m[1], '127.0.0.1', c);
  }
  assert.ok(componentArgs('kube-apiserver', l, ports).includes('--bind-address=127.0.0.1'));
  assert.ok(componentArgs('kube-apiserver', l, ports).includes('--service-cluster-ip-range=10.96.0.0/12'));
});

test('each port is used by exactly one listener', () => {
  const listen = componentOrder.flatMap((c) =>
    componentArgs(c, l, ports)
      .filter((a) => /^--(listen-[a-z]+-urls|secure-port|server-address)=/.test(a))
      .map((a) => /(\d+)$/.exec(a)![1]),
  );
  assert.equal(new Set(listen).size, listen.length);
  assert.deepEqual(new Set(listen), new Set(Object.values(ports).map(String)));
});

test('controller-manager has the service-account key (token controller) and a kubeconfig', () => {
  const a = componentArgs('kube-controller-manager', l, ports);
  assert.ok(a.includes(`--service-account-private-key-file=${l.saKey}`));
  assert.ok(a.some((x) => x.startsWith('--kubeconfig=')));
  assert.ok(a.includes('--controllers=*'));
});

test('KWOK stages cover node readiness, pod running, job completion and deletion', () => {
  const names = kwokStages().map((s) => (s.metadata as { name: string }).name);
  assert.deepEqual(names, ['node-ready', 'node-heartbeat', 'pod-running', 'job-pod-done', 'pod-gone']);
});

test('versions come from the go.mod require lines', () => {
  assert.equal(requiredVersion('require k8s.io/kubernetes v1.36.3\n', 'k8s.io/kubernetes'), 'v1.36.3');
  assert.equal(
    requiredVersion(
      'require (\n\tfoo v1\n\tgo.etcd.io/etcd/server/v3 v3.6.16\n)\n',
      'go.etcd.io/etcd/server/v3',
    ),
    'v3.6.16',
  );
  assert.throws(() => requiredVersion('module x\n', 'k8s.io/kubernetes'), /does not require/);
  const k8s = recipes.find((r) => r.component === 'k8s')!;
  assert.match(ldflags(k8s, 'v1.36.3', 'D'), /gitVersion=v1\.36\.3 .*gitMinor=36/);
});

test('KWOK plays pod stages with more workers than its default 4 (the rig stands in for 200 kubelets)', () => {
  const doc = kwokConfiguration();
  assert.equal(doc.kind, 'KwokConfiguration');
  const o = doc.options as Record<string, unknown>;
  assert.equal(o.podPlayStageParallelism, 32);
  // Without these kwok v0.8 exits: a given configuration gets no defaults.
  assert.equal(o.nodeLeaseParallelism, 4);
  assert.equal(o.nodePlayStageParallelism, 4);
});
