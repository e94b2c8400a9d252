// The real kube-controller-manager garbage-collects dependents when their owner is deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { newNamespace, useRig } from './testing.ts';

test('deleting an owner ConfigMap makes the controller-manager delete its Pods and ConfigMaps', async () => {
  const rig = await useRig();
  const ns = await newNamespace(rig, 'rig-gc');
  const owner = await rig.kubectl(['create', 'configmap', 'owner', '-n', ns, '-o', 'json']);
  assert.equal(owner.code, 0, owner.stderr);
  const uid = (JSON.parse(owner.stdout) as { metadata: { uid: string } }).metadata.uid;
  const ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }];
  const items = [
    ...[0, 1].map((i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `dep-${i}`, ownerReferences },
      spec: {
        containers: [{ name: 'c', image: 'rayproject/ray:2.58.0', resources: { requests: { cpu: '10m' } } }],
      },
    })),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dep-cm', ownerReferences }, data: { a: 'b' } },
  ];
  const c = await rig.kubectl(['create', '-n', ns, '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
  });
  assert.equal(c.code, 0, c.stderr);
  // A dependent that is not owned stays: the GC acts on ownerReferences, not on the namespace.
  assert.equal((await rig.kubectl(['create', 'configmap', 'bystander', '-n', ns])).code, 0);

  const d = await rig.kubectl(['delete', 'configmap', 'owner', '-n', ns]);
  assert.equal(d.code, 0, d.stderr);

  const deadline = Date.now() + 90_000;
  for (;;) {
    const r = await rig.kubectl(['get', 'pods,configmaps', '-n', ns, '-o', 'name']);
    const left = r.stdout
      .split('\n')
      .filter((l) => /dep-/.test(l))
      .join(',');
    if (left === '') break;
    if (Date.now() > deadline) assert.fail(`dependents not collected after 90s: ${left}`);
    await sleep(500);
  }
  const rest = await rig.kubectl(['get', 'configmap', 'bystander', '-n', ns, '-o', 'name']);
  assert.equal(rest.stdout.trim(), 'configmap/bystander');
});
