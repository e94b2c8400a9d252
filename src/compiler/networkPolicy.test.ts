// spec.networkPolicy → KubeRay v1.7's NetworkPolicies, plus Kuray's DNS and operator-access rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster, renderCluster } from './index.ts';
import { defaultCompileOptions, type CompileOptions } from './options.ts';
import {
  rayCluster,
  withClusterLabels,
  withHeadRayStartParams,
  withUID,
  withWorkerGroup,
  workerGroup,
  type ClusterMod,
} from '../testing/builders.ts';
import type { RayCluster } from '../api/v1/index.ts';

const withNetworkPolicy =
  (np: NonNullable<RayCluster['spec']['networkPolicy']>): ClusterMod =>
  (rc) => ({ ...rc, spec: { ...rc.spec, networkPolicy: np } });
const withOwner =
  (kind: string, name: string): ClusterMod =>
  (rc) => ({
    ...rc,
    metadata: {
      ...rc.metadata,
      ownerReferences: [{ apiVersion: 'ray.io/v1', kind, name, uid: 'j-1', controller: true }],
    },
  });
const dns = {
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};
const same = (c: string) => ({ podSelector: { matchLabels: { 'ray.io/cluster': c } } });
const policies = (rc: RayCluster, options: CompileOptions = defaultCompileOptions) =>
  compileCluster(rc, options).networkPolicies;
const base = (...mods: ClusterMod[]) =>
  rayCluster(
    'c',
    withUID('u-1'),
    withWorkerGroup(workerGroup('cpu')),
    withWorkerGroup(workerGroup('gpu')),
    ...mods,
  );

test('no networkPolicy: none', () => {
  assert.deepEqual(policies(base()), []);
});

test('DenyAll: head and one per group, KubeRay names, labels, selectors and owner; both directions', () => {
  const [head, cpu, gpu, ...rest] = policies(base(withNetworkPolicy({})));
  assert.equal(rest.length, 0);
  assert.deepEqual(
    [head, cpu, gpu].map((p) => p?.metadata?.name),
    ['c-head', 'c-workers-cpu', 'c-workers-gpu'],
  );
  assert.deepEqual(head?.metadata?.labels, {
    'ray.io/cluster': 'c',
    'ray.io/group': 'headgroup',
    'app.kubernetes.io/name': 'kuberay',
    'app.kubernetes.io/created-by': 'kuberay-operator',
  });
  assert.equal(head?.metadata?.ownerReferences?.[0]?.uid, 'u-1');
  assert.equal(head?.metadata?.ownerReferences?.[0]?.controller, true);
  assert.deepEqual(head?.spec?.podSelector, {
    matchLabels: { 'ray.io/cluster': 'c', 'ray.io/node-type': 'head' },
  });
  assert.deepEqual(gpu?.spec?.podSelector, {
    matchLabels: { 'ray.io/cluster': 'c', 'ray.io/node-type': 'worker', 'ray.io/group': 'gpu' },
  });
  assert.deepEqual(head?.spec?.policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual(head?.spec?.ingress, [{ from: [same('c')] }]);
  assert.deepEqual(head?.spec?.egress, [{ to: [same('c')] }, dns]);
  assert.deepEqual(cpu?.spec?.ingress, [{ from: [same('c')] }]);
});

test('DenyAllIngress restricts only ingress, DenyAllEgress only egress', () => {
  const [inOnly] = policies(base(withNetworkPolicy({ mode: 'DenyAllIngress' })));
  assert.deepEqual(inOnly?.spec?.policyTypes, ['Ingress']);
  assert.equal(inOnly?.spec?.egress, undefined);
  const [outOnly] = policies(base(withNetworkPolicy({ mode: 'DenyAllEgress' })));
  assert.deepEqual(outOnly?.spec?.policyTypes, ['Egress']);
  assert.equal(outOnly?.spec?.ingress, undefined);
});

test('user rules are appended; a workerGroups entry replaces worker for its group; protocol defaults to TCP', () => {
  const prom = {
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prom' } } }],
    ports: [{ port: 8080 }],
  };
  const https = { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] };
  const pypi = { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] };
  const [head, cpu, gpu] = policies(
    base(
      withNetworkPolicy({
        head: { ingressRules: [prom] },
        worker: { egressRules: [https] },
        workerGroups: [{ groupName: 'gpu', egressRules: [pypi] }],
      }),
    ),
  );
  assert.deepEqual(head?.spec?.ingress?.[1], { ...prom, ports: [{ port: 8080, protocol: 'TCP' }] });
  assert.deepEqual(cpu?.spec?.egress, [{ to: [same('c')] }, dns, https]);
  assert.deepEqual(gpu?.spec?.egress, [{ to: [same('c')] }, dns, pypi]);
});

test("a K8sJobMode RayJob's cluster lets its submitter reach the dashboard port; other modes do not", () => {
  const owned = base(
    withNetworkPolicy({}),
    withOwner('RayJob', 'job'),
    withClusterLabels({ 'ray.io/job-submission-mode': 'K8sJobMode' }),
    withHeadRayStartParams({ 'dashboard-port': '9265' }),
  );
  assert.deepEqual(policies(owned)[0]?.spec?.ingress?.[1], {
    from: [
      {
        podSelector: {
          matchLabels: { 'ray.io/originated-from-cr-name': 'job', 'ray.io/originated-from-crd': 'RayJob' },
        },
      },
    ],
    ports: [{ protocol: 'TCP', port: 9265 }],
  });
  const sidecar = base(
    withNetworkPolicy({}),
    withOwner('RayJob', 'job'),
    withClusterLabels({ 'ray.io/job-submission-mode': 'SidecarMode' }),
  );
  assert.equal(policies(sidecar)[0]?.spec?.ingress?.length, 1);
});

test("the operator's pods reach the head's dashboard, GCS and metrics ports and the workers' metrics port", () => {
  const opts = { ...defaultCompileOptions, operatorNamespace: 'ray-system' };
  const [head, cpu] = policies(base(withNetworkPolicy({})), opts);
  const peer = {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ray-system' } },
    podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'kuray' } },
  };
  const tcp = (port: number) => ({ protocol: 'TCP', port });
  assert.deepEqual(head?.spec?.ingress?.[1], { from: [peer], ports: [tcp(8265), tcp(6379), tcp(8080)] });
  assert.deepEqual(cpu?.spec?.ingress?.[1], { from: [peer], ports: [tcp(8080)] });
});

test('KURAY_NETWORK_POLICY_DNS=false leaves DNS to the user, as KubeRay does', () => {
  const [head] = policies(base(withNetworkPolicy({})), { ...defaultCompileOptions, networkPolicyDNS: false });
  assert.deepEqual(head?.spec?.egress, [{ to: [same('c')] }]);
});

test('kuray render prints them', () => {
  const kinds = renderCluster(base(withNetworkPolicy({}))).map((o) => o.kind);
  assert.equal(kinds.filter((k) => k === 'NetworkPolicy').length, 3);
});
