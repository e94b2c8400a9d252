// ServeSync's decisions against a scripted dashboard: when the config is sent (and when never), what
// "ready" means after a PUT, and what the status and Events say for each failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import type { RayCluster } from '../../api/v1/index.ts';
import { RayHttpStatusError, RayHttpTimeoutError } from '../../ray/http.ts';
import type { ServeDetails } from '../../ray/serve.ts';
import { demoServeConfig, rayService } from '../../testing/rayservice.ts';
import { desiredCluster, type RS } from './objects.ts';
import { ServeSync, type ServeApi } from './serve.ts';

const rs = { ...rayService('svc'), metadata: { name: 'svc', namespace: 'ns', uid: 'u' } } as RS;
const rc: RayCluster = desiredCluster(rs, 'svc-aaaaa');
const KEY = 'ns/svc';

function dashboard() {
  const state = {
    apps: {} as ServeDetails['applications'],
    puts: [] as Record<string, unknown>[],
    putError: undefined as Error | undefined,
    readError: undefined as Error | undefined,
  };
  const api: ServeApi = {
    applications: () =>
      state.readError ? Promise.reject(state.readError) : Promise.resolve({ applications: state.apps }),
    deploy: (config) => {
      if (state.putError) return Promise.reject(state.putError);
      state.puts.push(config);
      return Promise.resolve();
    },
    proxyHealthy: () => Promise.resolve(true),
  };
  return { state, api };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await tick();
};
const app = (status: string, message = '') => ({ status, message, deployments: {} });

function harness() {
  let now = 1_000;
  const requeued: string[] = [];
  const sync = new ServeSync({
    requeue: (k) => requeued.push(k),
    pollMs: 2_000,
    retryRejectedMs: 60_000,
    retryFailedMs: 5_000,
    now: () => now,
  });
  return { sync, requeued, advance: (ms: number) => (now += ms) };
}

test('reads, sends the config once, and is ready only after a reading newer than the PUT shows RUNNING', async () => {
  const { sync, requeued, advance } = harness();
  const d = dashboard();
  const cfg = demoServeConfig();
  const observe = () => sync.observe(KEY, rc, d.api, cfg, { deploy: true });
  assert.deepEqual(observe().view, { ready: false }, 'no answer yet');
  await settle();
  assert.deepEqual(requeued, [KEY], 'the answer requeues the RayService');
  let out = observe(); // empty applications → PUT
  assert.equal(out.view.ready, false);
  await settle();
  assert.equal(d.state.puts.length, 1);
  assert.deepEqual(
    (d.state.puts[0]!.applications as { name: string }[]).map((a) => a.name),
    ['greeter', 'adder'],
  );
  d.state.apps = { greeter: app('RUNNING'), adder: app('RUNNING') };
  advance(10);
  out = observe(); // records the PUT, the old (empty) reading is stale: a new one starts
  assert.deepEqual(
    out.events.map((e) => e.reason),
    ['UpdatedServeApplications'],
  );
  assert.equal(out.view.ready, false);
  await settle();
  out = observe();
  assert.equal(out.view.ready, true);
  assert.deepEqual(Object.keys(out.view.apps ?? {}), ['greeter', 'adder']);
  advance(3_000);
  observe();
  await settle();
  assert.equal(d.state.puts.length, 1, 'an unchanged config is not sent again');

  // Changed config: sent again; the apps gone (head restarted without GCS FT): sent again.
  observe();
  sync.observe(KEY, rc, d.api, demoServeConfig({ greeting: 'hi' }), { deploy: true });
  await settle();
  assert.equal(d.state.puts.length, 2);
  d.state.apps = {};
  advance(3_000);
  sync.observe(KEY, rc, d.api, demoServeConfig({ greeting: 'hi' }), { deploy: true });
  await settle();
  sync.observe(KEY, rc, d.api, demoServeConfig({ greeting: 'hi' }), { deploy: true });
  await settle();
  assert.equal(d.state.puts.length, 3);

  // Read-only (deploy: false, e.g. the active cluster during an upgrade): never sends.
  sync.observe(KEY, rc, d.api, demoServeConfig({ greeting: 'other' }), { deploy: false });
  await settle();
  assert.equal(d.state.puts.length, 3);
});

test('invalid YAML is never sent; the error names the line, once', async () => {
  const { sync } = harness();
  const d = dashboard();
  d.state.apps = { greeter: app('RUNNING') };
  const bad = 'applications:\n  - name: a\n   import_path: x:y\n';
  sync.observe(KEY, rc, d.api, bad, { deploy: true });
  await settle();
  const out = sync.observe(KEY, rc, d.api, bad, { deploy: true });
  assert.equal(out.view.issue?.reason, 'InvalidServeConfig');
  assert.match(out.view.issue.message, /line 3/);
  assert.deepEqual(
    out.events.map((e) => e.reason),
    ['FailedToUpdateServeApplications'],
  );
  assert.equal(sync.observe(KEY, rc, d.api, bad, { deploy: true }).events.length, 0);
  assert.equal(d.state.puts.length, 0);
  assert.ok(out.view.apps?.greeter, 'the running applications are still reported');
});

test('a config Ray rejects is not resent until it changes or retryRejectedMs passes; failing apps carry Ray’s message', async () => {
  const { sync, advance } = harness();
  const d = dashboard();
  d.state.putError = new RayHttpStatusError('u', 'PUT', 400, 'ValidationError: applications.0.import_path');
  const cfg = demoServeConfig();
  sync.observe(KEY, rc, d.api, cfg, { deploy: true });
  await settle();
  sync.observe(KEY, rc, d.api, cfg, { deploy: true });
  await settle();
  const out = sync.observe(KEY, rc, d.api, cfg, { deploy: true });
  assert.equal(out.view.issue?.reason, 'ServeConfigRejected');
  assert.match(out.view.issue.message, /HTTP 400: ValidationError/);
  assert.deepEqual(
    out.events.map((e) => e.reason),
    ['FailedToUpdateServeApplications'],
  );
  advance(30_000);
  sync.observe(KEY, rc, d.api, cfg, { deploy: true });
  await settle();
  d.state.putError = undefined;
  sync.observe(KEY, rc, d.api, cfg, { deploy: true });
  await settle();
  assert.equal(d.state.puts.length, 0, 'not retried within a minute');
  advance(31_000);
  sync.observe(KEY, rc, d.api, cfg, { deploy: true });
  await settle();
  assert.equal(d.state.puts.length, 1);

  d.state.apps = { adder: app('DEPLOY_FAILED', "ModuleNotFoundError: No module named 'nope'") };
  advance(3_000);
  sync.observe(KEY, rc, d.api, cfg, { deploy: true });
  await settle();
  const failed = sync.observe(KEY, rc, d.api, cfg, { deploy: true });
  assert.equal(failed.view.issue?.reason, 'ApplicationFailed');
  assert.match(
    failed.view.issue.message,
    /adder on RayCluster svc-aaaaa is DEPLOY_FAILED: ModuleNotFoundError/,
  );
  assert.equal(failed.view.ready, false);
});

test('a dead dashboard: DashboardUnreachable with the error and since when', async () => {
  const { sync, advance } = harness();
  const d = dashboard();
  d.state.readError = new RayHttpTimeoutError('u', 'GET u: no answer within 5000 ms');
  sync.observe(KEY, rc, d.api, demoServeConfig(), { deploy: true });
  await settle();
  advance(5_000);
  const out = sync.observe(KEY, rc, d.api, demoServeConfig(), { deploy: true });
  assert.equal(out.view.issue?.reason, 'DashboardUnreachable');
  assert.match(out.view.issue.message, /since 1970-01-01T00:00:01\.000Z: GET u: no answer within 5000 ms/);
  assert.equal(d.state.puts.length, 0);
  sync.forget(KEY);
  assert.deepEqual(sync.observe(KEY, rc, d.api, demoServeConfig(), { deploy: true }).view, { ready: false });
});
