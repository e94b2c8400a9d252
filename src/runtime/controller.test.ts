import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, generationChanged, TerminalError, type Request } from './controller.ts';
import { Informer } from './informer.ts';
import { newRegistry } from './metrics.ts';
import { ItemExponentialRateLimiter } from './ratelimit.ts';
import { Pods, RayClusters, type KubeObject } from './resources.ts';
import { KubeClient } from './transport.ts';
import { loopbackKubeConfig, until } from './testutil.ts';

const fast = () => new ItemExponentialRateLimiter<string>(1, 10);

test('reconciles enqueued keys; an error requeues with backoff until it succeeds; metrics count results', async () => {
  const registry = newRegistry();
  let calls = 0;
  const seen: Request[] = [];
  const c = new Controller({
    name: 'rc',
    registry,
    rateLimiter: fast(),
    reconcile: (req) => {
      seen.push(req);
      calls++;
      if (calls < 3) return Promise.reject(new Error('transient'));
      return Promise.resolve();
    },
  });
  c.start();
  c.enqueue({ namespace: 'ns', name: 'a' });
  await until(() => calls === 3, 5000, '3 reconciles');
  await c.stop(1000);
  assert.deepEqual(seen[0], { namespace: 'ns', name: 'a' });
  assert.equal(c.queue.numRequeues('ns/a'), 0, 'success forgets the backoff');
  const text = await registry.metrics();
  assert.match(text, /controller_runtime_reconcile_total\{controller="rc",result="error"\} 2/);
  assert.match(text, /controller_runtime_reconcile_total\{controller="rc",result="success"\} 1/);
  assert.match(text, /controller_runtime_reconcile_errors_total\{controller="rc"\} 2/);
  assert.match(text, /controller_runtime_reconcile_time_seconds_count\{controller="rc"\} 3/);
  assert.match(text, /controller_runtime_max_concurrent_reconciles\{controller="rc"\} 1/);
  assert.match(text, /controller_runtime_active_workers\{controller="rc"\} 0/);
});

test('a terminal error is not retried; requeueAfter reconciles again', async () => {
  let terminal = 0;
  let again = 0;
  const c = new Controller({
    name: 't',
    registry: newRegistry(),
    rateLimiter: fast(),
    reconcile: (req) => {
      if (req.name === 'bad') {
        terminal++;
        return Promise.reject(new TerminalError('invalid spec'));
      }
      again++;
      return Promise.resolve(again < 3 ? { requeueAfter: 5 } : undefined);
    },
  });
  c.start();
  c.enqueue({ namespace: 'ns', name: 'bad' });
  c.enqueue({ namespace: 'ns', name: 'ok' });
  await until(() => again === 3, 5000, 'requeueAfter');
  await c.stop(1000);
  assert.equal(terminal, 1);
});

test('N workers run different keys concurrently but never the same key twice at once', async () => {
  let active = 0;
  let maxActive = 0;
  const perKey = new Map<string, number>();
  let overlap = false;
  let done = 0;
  const c = new Controller({
    name: 'conc',
    concurrency: 4,
    registry: newRegistry(),
    reconcile: async (req) => {
      active++;
      maxActive = Math.max(maxActive, active);
      const n = (perKey.get(req.name) ?? 0) + 1;
      perKey.set(req.name, n);
      if (n > 1) overlap = true;
      await new Promise((r) => setTimeout(r, 20));
      perKey.set(req.name, n - 1);
      active--;
      done++;
    },
  });
  c.start();
  for (let i = 0; i < 8; i++) c.enqueue({ namespace: 'ns', name: `k${i % 4}` });
  await new Promise((r) => setTimeout(r, 5));
  for (let i = 0; i < 4; i++) c.enqueue({ namespace: 'ns', name: `k${i}` }); // while processing
  await until(() => done >= 8, 5000, 'all reconciles');
  await c.stop(1000);
  assert.equal(overlap, false);
  assert.equal(maxActive, 4);
  assert.equal(done, 8, 'each key once, then once more for the add during processing');
});

test('stop() drains in-flight reconciles and then aborts their signal', async () => {
  let finished = false;
  let aborted = false;
  const c = new Controller({
    name: 'drain',
    registry: newRegistry(),
    reconcile: async (_req, ctx) => {
      await new Promise((r) => setTimeout(r, 30));
      finished = true;
      aborted = ctx.signal.aborted;
    },
  });
  c.start();
  c.enqueue({ namespace: 'ns', name: 'a' });
  await until(() => c.queue.length === 0, 1000, 'picked up');
  await c.stop(5000);
  assert.equal(finished, true);
  assert.equal(aborted, false, 'a reconcile inside the drain deadline is not aborted');
});

test('watchOwned maps dependents to the owner named by the controller ownerReference', async () => {
  const client = new KubeClient(loopbackKubeConfig(1), { registry: newRegistry() });
  const owners = new Informer<KubeObject>({ client, resource: RayClusters });
  const pods = new Informer<KubeObject>({ client, resource: Pods });
  const got: string[] = [];
  const c = new Controller({
    name: 'own',
    registry: newRegistry(),
    reconcile: (req) => {
      got.push(`${req.namespace}/${req.name}`);
      return Promise.resolve();
    },
  });
  c.watchOwn(owners);
  c.watchOwned(pods, 'RayCluster', 'ray.io');
  c.start();
  owners.apply('ADDED', { metadata: { name: 'rc1', namespace: 'ns', resourceVersion: '1' } });
  pods.apply('ADDED', {
    metadata: {
      name: 'p',
      namespace: 'ns',
      resourceVersion: '2',
      ownerReferences: [
        { apiVersion: 'ray.io/v1', kind: 'RayCluster', name: 'rc2', uid: 'u', controller: true },
      ],
    },
  });
  pods.apply('ADDED', {
    metadata: {
      name: 'q',
      namespace: 'ns',
      resourceVersion: '3',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'v', controller: true },
      ],
    },
  });
  await until(() => got.length === 2, 2000, 'two reconciles');
  await c.stop(1000);
  assert.deepEqual(got.sort(), ['ns/rc1', 'ns/rc2']);
});

test('coalesceMs: the first event of an owner reconciles at once, the rest of its window become one reconcile', async () => {
  const client = new KubeClient(loopbackKubeConfig(1), { registry: newRegistry() });
  const pods = new Informer<KubeObject>({ client, resource: Pods });
  const got: string[] = [];
  const c = new Controller({
    name: 'coalesce',
    registry: newRegistry(),
    reconcile: (req) => {
      got.push(req.name);
      return Promise.resolve();
    },
  });
  c.watchOwned(pods, 'RayCluster', 'ray.io', { coalesceMs: 200 });
  c.start();
  const owner = (name: string) => [
    { apiVersion: 'ray.io/v1', kind: 'RayCluster', name, uid: name, controller: true },
  ];
  // Ten pods of rc1 and one of rc2 appear (and change) within the window.
  for (let i = 0; i < 10; i++)
    pods.apply('ADDED', {
      metadata: {
        name: `p${i}`,
        namespace: 'ns',
        resourceVersion: String(i + 1),
        ownerReferences: owner('rc1'),
      },
    });
  pods.apply('ADDED', {
    metadata: { name: 'q', namespace: 'ns', resourceVersion: '20', ownerReferences: owner('rc2') },
  });
  pods.apply('MODIFIED', {
    metadata: { name: 'p0', namespace: 'ns', resourceVersion: '21', ownerReferences: owner('rc1') },
  });
  await until(() => got.length === 2, 2000, 'each owner at once for its first event');
  assert.deepEqual([...got].sort(), ['rc1', 'rc2']);
  await until(() => got.length === 3, 2000, "rc1's other 10 events: one reconcile at the window end");
  await new Promise((r) => setTimeout(r, 300));
  await c.stop(1000);
  assert.deepEqual(got.slice(2), ['rc1'], 'rc2 had one event: no second reconcile');
});

test('coalesceMs with urgent: an urgent event inside the window reconciles at once', async () => {
  const client = new KubeClient(loopbackKubeConfig(1), { registry: newRegistry() });
  const pods = new Informer<KubeObject>({ client, resource: Pods });
  const got: number[] = [];
  const t0 = Date.now();
  const c = new Controller({
    name: 'urgent',
    registry: newRegistry(),
    reconcile: () => {
      got.push(Date.now() - t0);
      return Promise.resolve();
    },
  });
  c.watchOwned(pods, 'RayCluster', 'ray.io', {
    coalesceMs: 5000,
    urgent: (o) => o.metadata.labels?.last === 'yes',
  });
  c.start();
  const ownerReferences = [
    { apiVersion: 'ray.io/v1', kind: 'RayCluster', name: 'rc', uid: 'u', controller: true },
  ];
  pods.apply('ADDED', { metadata: { name: 'a', namespace: 'ns', resourceVersion: '1', ownerReferences } });
  await until(() => got.length === 1, 2000, 'the first event at once');
  pods.apply('ADDED', { metadata: { name: 'b', namespace: 'ns', resourceVersion: '2', ownerReferences } });
  pods.apply('ADDED', {
    metadata: { name: 'z', namespace: 'ns', resourceVersion: '3', ownerReferences, labels: { last: 'yes' } },
  });
  await until(() => got.length === 2, 2000, 'the urgent event well before the 5 s window ends');
  assert.ok(got[1]! < 2000);
  await c.stop(1000);
});

test('an update filter such as generationChanged drops status-only updates but not spec changes or resyncs', async () => {
  const client = new KubeClient(loopbackKubeConfig(1), { registry: newRegistry() });
  const inf = new Informer<KubeObject>({ client, resource: RayClusters });
  let n = 0;
  const c = new Controller({
    name: 'filter',
    registry: newRegistry(),
    reconcile: () => {
      n++;
      return Promise.resolve();
    },
  });
  c.watchOwn(inf, generationChanged);
  const rc = (rv: string, generation: number, status: string): KubeObject => ({
    metadata: { name: 'rc', namespace: 'ns', resourceVersion: rv, generation },
    status: { state: status },
  });
  inf.replace([rc('1', 1, '')], '1');
  c.start();
  await until(() => n === 1, 2000, 'initial add');
  inf.apply('MODIFIED', rc('2', 1, 'ready'));
  inf.apply('MODIFIED', rc('3', 2, 'ready'));
  await until(() => n === 2, 2000, 'spec change');
  await new Promise((r) => setTimeout(r, 20));
  await c.stop(1000);
  assert.equal(n, 2, 'the status-only update was filtered');
  assert.equal(generationChanged(rc('1', 1, ''), rc('2', 1, 'x')), false);
});
