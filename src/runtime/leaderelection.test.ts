import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultIdentity, LeaderElector, microTime } from './leaderelection.ts';
import { newRegistry } from './metrics.ts';
import { KubeClient } from './transport.ts';
import { loopbackKubeConfig } from './testutil.ts';

test('durations must satisfy leaseDuration > renewDeadline > retryPeriod; identity is hostname_uuid', () => {
  const client = new KubeClient(loopbackKubeConfig(1), { registry: newRegistry() });
  const base = {
    client,
    namespace: 'ns',
    name: 'l',
    onStartedLeading: () => undefined,
    registry: newRegistry(),
  };
  assert.throws(
    () => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }),
    /leaseDuration > renewDeadline/,
  );
  assert.throws(
    () => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }),
    /renewDeadline > retryPeriod/,
  );
  const le = new LeaderElector(base);
  assert.equal(le.isLeader(), false);
  assert.match(le.identity, /^.+_[0-9a-f-]{36}$/);
  assert.notEqual(defaultIdentity(), defaultIdentity());
  assert.match(microTime(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  client.close();
});

test('run() returns at once when already stopped, without leading', async () => {
  const client = new KubeClient(loopbackKubeConfig(1), { registry: newRegistry() });
  let led = false;
  const le = new LeaderElector({
    client,
    namespace: 'ns',
    name: 'l',
    registry: newRegistry(),
    onStartedLeading: () => void (led = true),
  });
  await le.run(AbortSignal.abort());
  assert.equal(led, false);
  client.close();
});
