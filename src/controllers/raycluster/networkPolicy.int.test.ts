// spec.networkPolicy with the RayClusterNetworkPolicy gate on, on the real control plane (shared rig,
// one in-process operator, KWOK pods): KubeRay's deny-all sample gets KubeRay's two policies and reaches
// ready; the policies follow the spec (mode change, a group added and removed, networkPolicy removed),
// a hand edit is reverted, and a same-named policy the cluster does not own is left alone with an Event.
// The rig has no CNI, so nothing here enforces the policies: what is tested is that the API server holds
// exactly the policies KubeRay v1.7 would write (plus Kuray's DNS rule, src/compiler/networkPolicy.ts).
import { kuberaySample } from '../../testing/kuberaySamples.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RayCluster } from '../../api/v1/index.ts';
import type { NetworkPolicy } from '../../compiler/k8sTypes.ts';
import { newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { until } from '../../testing/wait.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { Events, NetworkPolicies, RayClusters, type KubeObject } from '../../runtime/resources.ts';

type RC = KubeObject & RayCluster;
type NP = KubeObject & NetworkPolicy;
const sample = (): RC => kuberaySample('ray-cluster.network-policy-deny-all.yaml');

describe('networkPolicy (gate RayClusterNetworkPolicy on) on the rig', () => {
  let rig: Rig;
  let ns: string;
  let client: KubeClient;
  let op: InProcessOperator;
  const policies = async (cluster: string) =>
    (await client.list<NP>(NetworkPolicies, ns, { labelSelector: `ray.io/cluster=${cluster}` })).items.sort(
      (a, b) => a.metadata.name!.localeCompare(b.metadata.name!),
    );
  const names = async (cluster: string) => (await policies(cluster)).map((p) => p.metadata.name).join(',');

  before(async () => {
    rig = await useRig();
    ns = await newNamespace(rig, 'rc-netpol');
    client = KubeClient.fromFile(rig.kubeconfigPath);
    op = await startOperator(rig, [ns], {
      raycluster: { validateOptions: { featureGates: { RayClusterNetworkPolicy: true } } },
    });
  });
  after(async () => {
    await op.stop();
    client.close();
  });

  test("KubeRay's deny-all sample: head and worker-group policies as KubeRay writes them, cluster ready", async () => {
    const doc = sample();
    const rc = await client.create<RC>(RayClusters, { ...doc, metadata: { ...doc.metadata, namespace: ns } });
    const name = rc.metadata.name!;
    await until(
      'both policies',
      async () => (await names(name)) === `${name}-head,${name}-workers-workergroup`,
    );
    const [head, workers] = await policies(name);
    const same = { podSelector: { matchLabels: { 'ray.io/cluster': name } } };
    const kubeDns = doc.spec.networkPolicy!.head!.egressRules![0];
    const dns = {
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    };
    assert.deepEqual(head!.spec?.podSelector, {
      matchLabels: { 'ray.io/cluster': name, 'ray.io/node-type': 'head' },
    });
    assert.deepEqual(head!.spec?.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(head!.spec?.ingress, [{ from: [same] }]);
    assert.deepEqual(head!.spec?.egress, [{ to: [same] }, dns, kubeDns]);
    assert.deepEqual(workers!.spec?.podSelector, {
      matchLabels: { 'ray.io/cluster': name, 'ray.io/node-type': 'worker', 'ray.io/group': 'workergroup' },
    });
    assert.deepEqual(workers!.spec?.egress, [{ to: [same] }, dns, kubeDns]);
    for (const p of [head!, workers!]) {
      assert.equal(
        p.metadata.ownerReferences?.[0]?.uid,
        rc.metadata.uid,
        'garbage-collected with the cluster',
      );
      assert.equal(p.metadata.labels?.['app.kubernetes.io/created-by'], 'kuberay-operator');
    }
    assert.equal(head!.metadata.labels?.['ray.io/group'], 'headgroup');
    await until(
      'the sample cluster ready',
      async () => {
        const cur = await client.get<RC>(RayClusters, ns, name);
        return cur.status?.state === 'ready' && cur.status.readyWorkerReplicas === 1;
      },
      { timeoutMs: 90_000 },
    );
    // Converged: the policies are not rewritten on later reconciles (status writes do not wake it).
    const versions = (await policies(name)).map((p) => p.metadata.resourceVersion);
    await client.patch(RayClusters, ns, name, { metadata: { annotations: { poke: '1' } } }, 'merge');
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(
      (await policies(name)).map((p) => p.metadata.resourceVersion),
      versions,
    );
  });

  test('the policies follow the spec: mode, groups, hand edits, networkPolicy removed', async () => {
    const doc = sample();
    const name = 'np-follow';
    await client.create<RC>(RayClusters, { ...doc, metadata: { name, namespace: ns } });
    await until(
      'both policies',
      async () => (await names(name)) === `${name}-head,${name}-workers-workergroup`,
    );

    // DenyAllIngress: egress is no longer restricted (the sample's egress rules must go with it).
    await client.patch(
      RayClusters,
      ns,
      name,
      [{ op: 'replace', path: '/spec/networkPolicy', value: { mode: 'DenyAllIngress' } }],
      'json',
    );
    await until('ingress-only policies', async () =>
      (await policies(name)).every(
        (p) => JSON.stringify(p.spec?.policyTypes) === '["Ingress"]' && !p.spec?.egress,
      ),
    );

    // A second group gets its policy; removing it removes the policy.
    const group = { ...doc.spec.workerGroupSpecs![0]!, groupName: 'gpu' };
    await client.patch(
      RayClusters,
      ns,
      name,
      [{ op: 'add', path: '/spec/workerGroupSpecs/-', value: group }],
      'json',
    );
    await until('the gpu policy', async () => (await names(name)).includes(`${name}-workers-gpu`));
    await client.patch(RayClusters, ns, name, [{ op: 'remove', path: '/spec/workerGroupSpecs/1' }], 'json');
    await until('the gpu policy gone', async () => !(await names(name)).includes(`${name}-workers-gpu`));

    // A hand edit of an owned policy is put back.
    await client.patch(
      NetworkPolicies,
      ns,
      `${name}-head`,
      [{ op: 'replace', path: '/spec/ingress', value: [{}] }],
      'json',
    );
    await until('the edit reverted', async () => {
      const head = await client.get<NP>(NetworkPolicies, ns, `${name}-head`);
      return (
        JSON.stringify(head.spec?.ingress) ===
        JSON.stringify([{ from: [{ podSelector: { matchLabels: { 'ray.io/cluster': name } } }] }])
      );
    });

    // networkPolicy removed: every policy of the cluster goes.
    await client.patch(RayClusters, ns, name, [{ op: 'remove', path: '/spec/networkPolicy' }], 'json');
    await until('no policy left', async () => (await names(name)) === '');
  });

  test("a same-named policy the cluster does not own is left alone, with KubeRay's Event", async () => {
    const name = 'np-taken';
    await client.create(NetworkPolicies, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${name}-head`, namespace: ns, labels: { 'ray.io/cluster': name } },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    const doc = sample();
    await client.create<RC>(RayClusters, { ...doc, metadata: { name, namespace: ns } });
    const event = await until('the collision Event', async () =>
      (await client.list<KubeObject & { reason?: string; message?: string }>(Events, ns)).items.find(
        (e) => e.reason === 'NetworkPolicyNameCollision' && e.message?.includes(`${name}-head`),
      ),
    );
    assert.match(event.message!, /not owned by this RayCluster/);
    const theirs = await client.get<NP>(NetworkPolicies, ns, `${name}-head`);
    assert.deepEqual(theirs.spec?.policyTypes, ['Ingress'], 'not taken over');
    assert.equal(theirs.metadata.ownerReferences, undefined);
  });
});
