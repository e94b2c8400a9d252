// Two managers with leader election against the REAL kube-apiserver: only the leader reconciles;
// stopping it releases the Lease and the other takes over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { kubeConfig, newNamespace, useRig } from '../../rig/testing.ts';
import { createLogger } from './log.ts';
import { Manager } from './manager.ts';
import { newRegistry } from './metrics.ts';
import { ConfigMaps, Leases, type KubeObject } from './resources.ts';
import { KubeClient } from './transport.ts';
import { until } from './testutil.ts';

const rig = await useRig();

function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          resolve(body);
        });
      })
      .on('error', reject);
  });
}

function operator(ns: string, id: string, reconciled: string[]): Manager {
  const m = new Manager({
    kubeconfig: kubeConfig(rig),
    metricsAddress: '127.0.0.1:0',
    handleSignals: false,
    registry: newRegistry(),
    logger: createLogger({ level: 'warn' }),
    shutdownTimeoutMs: 5000,
    leaderElection: {
      enabled: true,
      namespace: ns,
      name: 'kuray-test-leader',
      identity: id,
      leaseDurationMs: 4000,
      renewDeadlineMs: 3000,
      retryPeriodMs: 500,
    },
  });
  const informer = m.informers.informer<KubeObject>(ConfigMaps, { namespace: ns });
  const c = m.newController({
    name: 'configmaps',
    concurrency: 2,
    reconcile: (req) => {
      reconciled.push(`${id} ${req.name}`);
      return Promise.resolve();
    },
  });
  c.watchOwn(informer);
  return m;
}

test('only the leader reconciles; stopping it hands over to the other manager', async () => {
  const ns = await newNamespace(rig, 'rt-leader');
  const reconciled: string[] = [];
  const a = operator(ns, 'a', reconciled);
  const b = operator(ns, 'b', reconciled);
  await a.start();
  await until(() => a.isLeader(), 30_000, 'a leads');
  await b.start();
  const client = a.client;
  await client.create(ConfigMaps, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'one', namespace: ns },
  });
  await until(() => reconciled.includes('a one'), 20_000, 'a reconciles');
  await until(() => b.informers.hasSynced(), 20_000, 'b has a warm cache');
  assert.equal(b.isLeader(), false);
  assert.ok(!reconciled.some((r) => r.startsWith('b ')), 'the standby must not reconcile');
  const lease = await client.get<KubeObject & { spec: { holderIdentity: string; renewTime: string } }>(
    Leases,
    ns,
    'kuray-test-leader',
  );
  assert.equal(lease.spec.holderIdentity, 'a');
  assert.match(lease.spec.renewTime, /\.\d{6}Z$/);

  const metrics = await scrape(a.port!);
  for (const name of [
    'controller_runtime_reconcile_total{controller="configmaps",result="success"}',
    'controller_runtime_reconcile_time_seconds_bucket',
    'workqueue_depth{name="configmaps"}',
    'workqueue_adds_total{name="configmaps"}',
    'rest_client_requests_total',
    'leader_election_master_status{name="kuray-test-leader"} 1',
  ]) {
    assert.ok(metrics.includes(name), `missing ${name}`);
  }

  await a.stop();
  // a released the Lease on the way out, so b does not wait out the lease duration.
  await until(() => b.isLeader(), 15_000, 'b takes over');
  await b.client.create(ConfigMaps, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'two', namespace: ns },
  });
  await until(() => reconciled.includes('b two'), 20_000, 'b reconciles');
  assert.ok(!reconciled.includes('a two'));
  await b.stop();
  const fresh = new KubeClient(kubeConfig(rig), { registry: newRegistry() });
  try {
    const released = await fresh.get<KubeObject & { spec: { holderIdentity?: string } }>(
      Leases,
      ns,
      'kuray-test-leader',
    );
    assert.equal(released.spec.holderIdentity ?? '', '', 'the last leader releases the Lease on stop');
  } finally {
    fresh.close();
  }
});
