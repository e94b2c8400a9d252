// The test helpers against the shared rig: client-node talks to it with the rig's own PKI
// (EC certificates, private CA), newNamespace gives a usable namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { kubeConfig, newNamespace, useRig } from './testing.ts';

test('client-node from kubeConfig(rig) lists the fake nodes and sees the new namespace', async () => {
  const rig = await useRig();
  const ns = await newNamespace(rig, 'Rig_Helpers');
  assert.match(ns, /^rig-helpers-[0-9a-f]{6}$/);
  // client-node itself (not Kuray's runtime KubeConfig) reads the rig's kubeconfig.
  const kc = new KubeConfig();
  kc.loadFromFile(rig.kubeconfigPath);
  assert.equal(kubeConfig(rig).getCurrentCluster()?.server, kc.getCurrentCluster()?.server);
  const api = kc.makeApiClient(CoreV1Api);
  const nodes = await api.listNode();
  assert.ok(nodes.items.length > 0);
  assert.ok(nodes.items.every((n) => n.metadata?.annotations?.['kwok.x-k8s.io/node'] === 'fake'));
  const got = await api.readNamespace({ name: ns });
  assert.equal(got.metadata?.labels?.['kuray.io/test'], 'true');
  const sa = await api.readNamespacedServiceAccount({ name: 'default', namespace: ns });
  assert.equal(sa.metadata?.name, 'default');
  // The rig also hands out its env for child processes.
  assert.equal(rig.env.KUBECONFIG, rig.kubeconfigPath);
  assert.ok(rig.env.PATH?.startsWith(rig.dir));
});
