// The status as a pure function: conditions with KubeRay's reasons, blue/green promotion, naming the
// next cluster, the initializing timeout, suspend/resume, and Kuray's ServeConfigApplied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition, RayService } from '../../api/v1/index.ts';
import { withHeadEnv } from '../../testing/builders.ts';
import { rayService, withClusterConfig, withServiceAnnotations } from '../../testing/rayservice.ts';
import { desiredCluster, type RS } from './objects.ts';
import {
  appFailureEvents,
  computeStatus,
  isInitializingTimeout,
  parseTimeoutMs,
  suspendDone,
  suspendStep,
  type StatusInput,
} from './status.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const svc = (...mods: Parameters<typeof rayService>[1][]): RS => {
  const rs = rayService('svc', ...mods);
  return { ...rs, metadata: { ...rs.metadata, namespace: 'ns', uid: 'u', generation: 3 } };
};
const cond = (s: { conditions?: Condition[] }, type: string) => s.conditions?.find((c) => c.type === type);
const running = { ready: true, apps: { greeter: { status: 'RUNNING' }, adder: { status: 'RUNNING' } } };

function step(rs: RS, over: Partial<StatusInput> = {}) {
  return computeStatus({ rs, now: T0, numServeEndpoints: 0, newClusterName: () => 'svc-new01', ...over });
}

test('a new RayService is Initializing and names its first cluster', () => {
  const { status } = step(svc());
  assert.equal(cond(status, 'Ready')?.reason, 'Initializing');
  assert.equal(cond(status, 'Ready')?.status, 'False');
  assert.equal(cond(status, 'UpgradeInProgress')?.reason, 'Initializing');
  assert.equal(status.pendingServiceStatus?.rayClusterName, 'svc-new01');
  assert.equal(status.observedGeneration, 3);
  assert.equal(cond(status, 'ServeConfigApplied')?.reason, 'WaitingForHeadPod');
});

test('the first cluster is promoted when the Services point at it; endpoints make it Ready', () => {
  const rs = svc();
  rs.status = step(rs).status;
  const pending = desiredCluster(rs, 'svc-new01');
  const { status } = step(rs, {
    pending,
    pendingServe: running,
    servingCluster: 'svc-new01',
    numServeEndpoints: 1,
  });
  assert.equal(status.activeServiceStatus?.rayClusterName, 'svc-new01');
  assert.deepEqual(status.pendingServiceStatus, {});
  assert.equal(cond(status, 'Ready')?.reason, 'NonZeroServeEndpoints');
  assert.equal(cond(status, 'UpgradeInProgress')?.reason, 'NoPendingCluster');
  assert.equal(status.serviceStatus, 'Running');
  assert.equal(status.numServeEndpoints, 1);
  assert.deepEqual(Object.keys(status.activeServiceStatus?.applicationStatuses ?? {}), ['greeter', 'adder']);
  assert.equal(cond(status, 'ServeConfigApplied')?.reason, 'ApplicationsRunning');
  assert.equal(cond(status, 'Ready')?.lastTransitionTime, T0.toISOString());

  // Losing every endpoint: ZeroServeEndpoints (not Initializing again).
  const later = step(
    { ...rs, status },
    {
      active: pending,
      activeServe: running,
      now: at(5),
    },
  );
  assert.equal(cond(later.status, 'Ready')?.reason, 'ZeroServeEndpoints');
});

test('blue/green: a changed rayClusterConfig names a pending cluster; the switch promotes it', () => {
  const base = svc();
  const blue = desiredCluster(base, 'svc-blue1');
  const named = step(base, { newClusterName: () => 'svc-blue1' }).status;
  const serving: RS = {
    ...base,
    status: step(
      { ...base, status: named },
      { pending: blue, pendingServe: running, servingCluster: 'svc-blue1', numServeEndpoints: 1 },
    ).status,
  };
  assert.equal(serving.status?.activeServiceStatus?.rayClusterName, 'svc-blue1');

  const edited: RS = {
    ...svc(withClusterConfig(withHeadEnv({ name: 'APP_COLOR', value: 'green' }))),
    status: serving.status,
  };
  const up = step(edited, {
    active: blue,
    activeServe: running,
    numServeEndpoints: 1,
    newClusterName: () => 'svc-green',
  });
  assert.equal(up.status.pendingServiceStatus?.rayClusterName, 'svc-green');
  assert.equal(cond(up.status, 'UpgradeInProgress')?.reason, 'BothActivePendingClustersExist');
  assert.equal(cond(up.status, 'Ready')?.status, 'True');

  const green = desiredCluster(edited, 'svc-green');
  const failing = {
    ready: false,
    apps: { adder: { status: 'DEPLOY_FAILED', message: 'ModuleNotFoundError' } },
    issue: {
      reason: 'ApplicationFailed',
      message: 'application adder on RayCluster svc-green is DEPLOY_FAILED',
    },
  };
  const waiting = step(
    { ...edited, status: up.status },
    { active: blue, pending: green, activeServe: running, pendingServe: failing, numServeEndpoints: 1 },
  );
  assert.equal(
    waiting.status.activeServiceStatus?.rayClusterName,
    'svc-blue1',
    'a broken new cluster never takes over',
  );
  assert.equal(cond(waiting.status, 'ServeConfigApplied')?.reason, 'ApplicationFailed');
  assert.equal(waiting.events.length, 1);
  assert.match(
    waiting.events[0]!.message,
    /adder on RayCluster svc-green is DEPLOY_FAILED: ModuleNotFoundError/,
  );

  const switched = step(
    { ...edited, status: waiting.status },
    {
      active: blue,
      pending: green,
      activeServe: running,
      pendingServe: running,
      servingCluster: 'svc-green',
      numServeEndpoints: 1,
    },
  );
  assert.equal(switched.status.activeServiceStatus?.rayClusterName, 'svc-green');
  assert.deepEqual(switched.status.pendingServiceStatus, {});
  assert.equal(cond(switched.status, 'UpgradeInProgress')?.reason, 'NoPendingCluster');
  assert.equal(switched.events.length, 0, 'the failure was reported once');
});

test('initializing timeout: Go durations or seconds; terminal, names cleared, one Warning', () => {
  assert.equal(parseTimeoutMs('90'), 90_000);
  assert.equal(parseTimeoutMs('1h30m'), 5_400_000);
  assert.equal(parseTimeoutMs('1.5s'), 1500);
  assert.equal(parseTimeoutMs('5 m'), undefined);
  const rs = svc(withServiceAnnotations({ 'ray.io/initializing-timeout': '10s' }));
  rs.status = step(rs).status;
  assert.equal(isInitializingTimeout(step(rs, { now: at(9) }).status), false);
  const out = step(rs, { now: at(10) });
  assert.equal(isInitializingTimeout(out.status), true);
  assert.match(cond(out.status, 'Ready')!.message, /timeout of 10s/);
  assert.equal(out.status.pendingServiceStatus?.rayClusterName, '');
  assert.equal(out.events[0]?.reason, 'RayServiceInitializingTimeout');
});

test('suspend: staged, then deleting, then Suspended; resume re-arms Initializing', () => {
  const rs = svc();
  rs.status = step(rs, {
    pending: desiredCluster(rs, 'svc-new01'),
    pendingServe: running,
    servingCluster: 'svc-new01',
    numServeEndpoints: 1,
  }).status;
  assert.equal(suspendStep(rs, T0).phase, 'none');
  const want: RS = { ...rs, spec: { ...rs.spec, suspend: true } };
  const staged = suspendStep(want, T0);
  assert.equal(staged.phase, 'staged');
  assert.equal(cond(staged.status, 'Suspending')?.reason, 'SuspendRequested');
  assert.equal(cond(staged.status, 'Ready')?.reason, 'SuspendInProgress');
  assert.deepEqual(staged.status.activeServiceStatus, {});
  assert.equal(staged.status.numServeEndpoints, 0);
  // Once Suspending is stored, deletion runs to completion even if suspend flips back.
  assert.equal(suspendStep({ ...rs, status: staged.status }, T0).phase, 'deleting');
  const done = suspendDone(staged.status, at(3));
  assert.equal(cond(done, 'Suspended')?.status, 'True');
  assert.equal(cond(done, 'Suspending')?.status, 'False');
  assert.equal(suspendStep({ ...want, status: done }, at(4)).phase, 'suspended');
  const resumed = suspendStep({ ...rs, status: done }, at(5));
  assert.equal(resumed.phase, 'resumed');
  assert.equal(cond(resumed.status, 'Suspended')?.reason, 'RayServiceResumed');
  assert.equal(cond(resumed.status, 'Ready')?.reason, 'Initializing');
  assert.equal(
    cond(resumed.status, 'Ready')?.lastTransitionTime,
    at(5).toISOString(),
    'the timeout counts from the resume',
  );
});

test('an empty serveConfigV2 says so; a failure is reported once per transition', () => {
  const empty: RayService = { ...svc(), spec: { ...svc().spec, serveConfigV2: '' } };
  assert.equal(cond(step(empty as RS).status, 'ServeConfigApplied')?.reason, 'NoServeConfig');
  const failedApps = { a: { status: 'DEPLOY_FAILED', message: 'boom' } };
  const before = { activeServiceStatus: { rayClusterName: 'c1', applicationStatuses: failedApps } };
  assert.equal(appFailureEvents(before, before).length, 0);
  assert.equal(appFailureEvents(undefined, before).length, 1);
  const otherCluster = { activeServiceStatus: { rayClusterName: 'c2', applicationStatuses: failedApps } };
  assert.equal(appFailureEvents(before, otherCluster).length, 1, 'a new cluster failing is news');
});
