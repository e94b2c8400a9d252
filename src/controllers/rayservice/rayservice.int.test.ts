// Every RayService status transition on the real control plane (the rig: API server, controller
// manager with the EndpointSlice controller, scheduler, KWOK pods). The pods are KWOK's, so their
// dashboards are the Serve stand-in of src/testing/serveSim.ts (see there); real Ray Serve is covered
// by rayservice.e2e.test.ts. The RayServices are independent and run concurrently.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RayCluster, RayService } from '../../api/v1/index.ts';
import type { Condition } from '../../api/v1/index.ts';
import { newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import { withHeadEnv, withWorkerGroup, workerGroup } from '../../testing/builders.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import {
  demoServeConfig,
  inServiceNamespace,
  rayService,
  withClusterConfig,
  withDeletionDelay,
  withServiceAnnotations,
  withUpgradeStrategy,
} from '../../testing/rayservice.ts';
import { MISSING_MODULE, startServeSim, type ServeSim } from '../../testing/serveSim.ts';
import { until } from '../../testing/wait.ts';
import { isNotFound } from '../../runtime/errors.ts';
import {
  Events,
  Pods,
  RayClusters,
  RayServices,
  Services,
  type KubeObject,
} from '../../runtime/resources.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { FINALIZER } from './constants.ts';

type RS = RayService & KubeObject;
type RC = RayCluster & KubeObject;

describe('RayService status transitions on the rig', { concurrency: true, timeout: 300_000 }, () => {
  let rig: Rig;
  let ns: string;
  let client: KubeClient;
  let op: InProcessOperator;
  let sim: ServeSim;

  before(async () => {
    rig = await useRig();
    ns = await newNamespace(rig, 'rs');
    client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 200, burst: 400 });
    sim = await startServeSim();
    op = await startOperator(rig, [ns], {
      rayService: {
        serve: { timeoutMs: 1000, pollMs: 500, retryFailedMs: 500 },
        ray: {
          rayEndpoints: (rc) => ({
            dashboard: sim.url(rc.metadata!.name!),
            serve: sim.url(rc.metadata!.name!),
          }),
        },
      },
    });
  });
  after(async () => {
    await op.stop();
    await sim.close();
    client.close();
  });

  const get = (name: string) => client.get<RS>(RayServices, ns, name);
  const create = (rs: RayService) => client.create<RS>(RayServices, rs as RS);
  const patch = (name: string, ops: unknown[]) => client.patch(RayServices, ns, name, ops, 'json');
  const cond = (rs: RS, type: string): Condition | undefined =>
    rs.status?.conditions?.find((c) => c.type === type);
  const clustersOf = async (name: string) =>
    (await client.list<RC>(RayClusters, ns, { labelSelector: `ray.io/originated-from-cr-name=${name}` }))
      .items;
  const events = async (name: string) =>
    (await client.list<KubeObject>(Events, ns, { fieldSelector: `involvedObject.name=${name}` }))
      .items as unknown as {
      reason: string;
      type: string;
      message: string;
    }[];
  const eventually = <T>(
    what: string,
    name: string,
    fn: (rs: RS) => T | undefined | false,
    timeoutMs = 90_000,
  ) =>
    until(`${name}: ${what}`, async () => fn(await get(name)), {
      timeoutMs,
      intervalMs: 300,
      describe: async () => JSON.stringify((await get(name)).status, null, 1),
    });
  const ready = (name: string) =>
    eventually(
      'Ready',
      name,
      (rs) => cond(rs, 'Ready')?.status === 'True' && cond(rs, 'ServeConfigApplied')?.status === 'True' && rs,
    );
  const eventSeen = (name: string, reason: string, match?: RegExp) =>
    until(`${name}: Event ${reason}`, async () =>
      (await events(name)).find((e) => e.reason === reason && (!match || match.test(e.message))),
    );

  test('a new RayService: Initializing → its cluster, Serve apps, Services → Ready; a spec edit is an in-place update', async () => {
    await create(rayService('basic', inServiceNamespace(ns)));
    const init = await eventually(
      'Initializing',
      'basic',
      (rs) => cond(rs, 'Ready')?.reason === 'Initializing' && rs,
    );
    assert.equal(cond(init, 'UpgradeInProgress')?.reason, 'Initializing');
    assert.deepEqual((await get('basic')).metadata.finalizers, [FINALIZER]);

    const rs = await ready('basic');
    const name = rs.status!.activeServiceStatus!.rayClusterName!;
    assert.match(name, /^basic-[a-z0-9]{5}$/);
    assert.equal(rs.status!.serviceStatus, 'Running');
    assert.equal(rs.status!.numServeEndpoints, 1, 'the head pod, whose proxy is healthy');
    assert.equal(cond(rs, 'Ready')!.reason, 'NonZeroServeEndpoints');
    assert.equal(cond(rs, 'UpgradeInProgress')!.reason, 'NoPendingCluster');
    assert.deepEqual(Object.keys(rs.status!.activeServiceStatus!.applicationStatuses ?? {}).sort(), [
      'adder',
      'greeter',
    ]);
    assert.equal(rs.status!.activeServiceStatus!.applicationStatuses!.greeter!.status, 'RUNNING');
    assert.equal(rs.status!.activeServiceStatus!.rayClusterStatus?.state, 'ready');
    assert.equal(rs.status!.observedGeneration, rs.metadata.generation);

    const [rc] = await clustersOf('basic');
    assert.equal(rc!.metadata.name, name);
    assert.equal(rc!.metadata.labels!['ray.io/originated-from-crd'], 'RayService');
    assert.equal(rc!.metadata.ownerReferences![0]!.uid, rs.metadata.uid);
    assert.match(rc!.metadata.annotations!['ray.io/hash-without-replicas-and-workers-to-delete']!, /^kuray-/);
    const head = (
      await client.list<KubeObject>(Pods, ns, {
        labelSelector: `ray.io/cluster=${name},ray.io/node-type=head`,
      })
    ).items[0]!;
    assert.equal(head.metadata.labels!['ray.io/serve'], 'true');
    const serveSvc = await client.get<KubeObject & { spec: { selector: Record<string, string> } }>(
      Services,
      ns,
      'basic-serve-svc',
    );
    assert.deepEqual(serveSvc.spec.selector, { 'ray.io/cluster': name, 'ray.io/serve': 'true' });
    const headSvc = await client.get<KubeObject & { spec: { selector: Record<string, string> } }>(
      Services,
      ns,
      'basic-head-svc',
    );
    assert.equal(headSvc.spec.selector['ray.io/cluster'], name);
    await eventSeen('basic', 'CreatedRayCluster');
    await eventSeen('basic', 'UpdatedServeApplications');
    await eventSeen('basic', 'UpdatedHeadPodServeLabel');

    // serveConfigV2 changes are applied to the same cluster.
    const puts = sim.cluster(name).puts;
    await patch('basic', [
      { op: 'replace', path: '/spec/serveConfigV2', value: demoServeConfig({ greeting: 'bonjour' }) },
    ]);
    await until('a second PUT to the same cluster', () => sim.cluster(name).puts > puts || undefined);
    const after = await ready('basic');
    assert.equal(after.status!.activeServiceStatus!.rayClusterName, name);
    assert.equal((await clustersOf('basic')).length, 1);

    // A worker group appended at the end is added to the running cluster, not a new one.
    await patch('basic', [
      { op: 'add', path: '/spec/rayClusterConfig/workerGroupSpecs', value: [workerGroup('extra')] },
    ]);
    await until('the cluster gets the new group', async () => {
      const cs = await clustersOf('basic');
      return (
        (cs.length === 1 && cs[0]!.metadata.name === name && cs[0]!.spec.workerGroupSpecs?.length === 1) ||
        undefined
      );
    });
    await eventSeen('basic', 'UpdatedRayCluster');
    const still = await get('basic');
    assert.equal(cond(still, 'UpgradeInProgress')!.status, 'False');
  });

  test('bad serveConfigV2: invalid YAML and a failing import are in status and Events; the apps keep serving', async () => {
    await create(rayService('bad', inServiceNamespace(ns)));
    const rs = await ready('bad');
    const name = rs.status!.activeServiceStatus!.rayClusterName!;
    const puts = sim.cluster(name).puts;

    await patch('bad', [
      {
        op: 'replace',
        path: '/spec/serveConfigV2',
        value: 'applications:\n  - name: a\n   import_path: x:y\n',
      },
    ]);
    const yamlErr = await eventually(
      'InvalidServeConfig',
      'bad',
      (r) => cond(r, 'ServeConfigApplied')?.reason === 'InvalidServeConfig' && r,
    );
    assert.match(cond(yamlErr, 'ServeConfigApplied')!.message, /not valid YAML.*line 3/s);
    assert.equal(cond(yamlErr, 'Ready')!.status, 'True', 'the running applications still serve');
    await eventSeen('bad', 'FailedToUpdateServeApplications', /line 3/);
    assert.equal(sim.cluster(name).puts, puts, 'an invalid config is never sent');

    await patch('bad', [
      { op: 'replace', path: '/spec/serveConfigV2', value: demoServeConfig({ adderModule: MISSING_MODULE }) },
    ]);
    const failed = await eventually(
      'ApplicationFailed',
      'bad',
      (r) => cond(r, 'ServeConfigApplied')?.reason === 'ApplicationFailed' && r,
    );
    assert.match(cond(failed, 'ServeConfigApplied')!.message, /adder.*DEPLOY_FAILED.*No module named/s);
    assert.equal(failed.status!.activeServiceStatus!.applicationStatuses!.adder!.status, 'DEPLOY_FAILED');
    assert.match(
      failed.status!.activeServiceStatus!.applicationStatuses!.adder!.message!,
      /ModuleNotFoundError/,
    );
    assert.equal(cond(failed, 'Ready')!.status, 'True');
    await eventSeen('bad', 'ServeApplicationFailed', /adder.*No module named/s);
  });

  test('blue/green: a rayClusterConfig change starts a pending cluster; traffic switches when it is ready; the old one goes after the delay', async () => {
    await create(rayService('bg', inServiceNamespace(ns), withDeletionDelay(2)));
    const blue = (await ready('bg')).status!.activeServiceStatus!.rayClusterName!;
    // The new cluster's applications fail first: it never takes traffic, and the status says why.
    await patch('bg', [
      { op: 'replace', path: '/spec/serveConfigV2', value: demoServeConfig({ adderModule: MISSING_MODULE }) },
      {
        op: 'add',
        path: '/spec/rayClusterConfig/headGroupSpec/template/spec/containers/0/env',
        value: [{ name: 'APP_COLOR', value: 'green' }],
      },
    ]);
    const up = await eventually(
      'UpgradeInProgress',
      'bg',
      (r) => cond(r, 'UpgradeInProgress')?.status === 'True' && r,
    );
    assert.equal(cond(up, 'UpgradeInProgress')!.reason, 'BothActivePendingClustersExist');
    const green = up.status!.pendingServiceStatus!.rayClusterName!;
    assert.notEqual(green, blue);
    const stuck = await eventually(
      'pending apps fail',
      'bg',
      (r) => cond(r, 'ServeConfigApplied')?.reason === 'ApplicationFailed' && r,
    );
    assert.match(
      cond(stuck, 'ServeConfigApplied')!.message,
      new RegExp(`adder on RayCluster ${green} is DEPLOY_FAILED`),
    );
    assert.equal(stuck.status!.activeServiceStatus!.rayClusterName, blue);
    assert.equal(cond(stuck, 'Ready')!.status, 'True');
    const svc = await client.get<KubeObject & { spec: { selector: Record<string, string> } }>(
      Services,
      ns,
      'bg-serve-svc',
    );
    assert.equal(svc.spec.selector['ray.io/cluster'], blue, 'the broken cluster gets no traffic');

    // Fixed: the pending cluster gets the config, becomes ready, the Services switch, it is promoted.
    await patch('bg', [{ op: 'replace', path: '/spec/serveConfigV2', value: demoServeConfig() }]);
    const done = await eventually(
      'promoted',
      'bg',
      (r) => r.status?.activeServiceStatus?.rayClusterName === green && r,
    );
    assert.equal(done.status!.pendingServiceStatus?.rayClusterName ?? '', '');
    await until('the serve Service points at the new cluster', async () => {
      const s = await client.get<KubeObject & { spec: { selector: Record<string, string> } }>(
        Services,
        ns,
        'bg-serve-svc',
      );
      return s.spec.selector['ray.io/cluster'] === green || undefined;
    });
    await eventSeen('bg', 'UpdatedService');
    await until(
      'the old cluster is deleted',
      async () => ((await clustersOf('bg')).every((c) => c.metadata.name !== blue) ? true : undefined),
      { timeoutMs: 60_000 },
    );
    await eventSeen('bg', 'DeletedRayCluster', new RegExp(blue));
    const after = await ready('bg');
    assert.equal(cond(after, 'UpgradeInProgress')!.reason, 'NoPendingCluster');
  });

  test('upgradeStrategy None: a rayClusterConfig change never makes a new cluster', async () => {
    await create(rayService('none', inServiceNamespace(ns), withUpgradeStrategy({ type: 'None' })));
    const name = (await ready('none')).status!.activeServiceStatus!.rayClusterName!;
    await patch('none', [
      { op: 'add', path: '/spec/rayClusterConfig/headGroupSpec/rayStartParams/num-cpus', value: '3' },
    ]);
    await eventually('observed', 'none', (r) => r.status?.observedGeneration === r.metadata.generation && r);
    await new Promise((r) => setTimeout(r, 3000));
    const cs = await clustersOf('none');
    assert.deepEqual(
      cs.map((c) => c.metadata.name),
      [name],
    );
    assert.equal(cond(await get('none'), 'UpgradeInProgress')!.status, 'False');
  });

  test('suspend deletes every owned object (Suspending → Suspended); resume serves again', async () => {
    await create(rayService('susp', inServiceNamespace(ns)));
    await ready('susp');
    await patch('susp', [{ op: 'add', path: '/spec/suspend', value: true }]);
    const s = await eventually('Suspended', 'susp', (r) => cond(r, 'Suspended')?.status === 'True' && r);
    assert.equal(cond(s, 'Suspending')!.status, 'False');
    assert.equal(cond(s, 'Ready')!.reason, 'SuspendComplete');
    assert.equal((await clustersOf('susp')).length, 0);
    for (const svc of ['susp-head-svc', 'susp-serve-svc']) {
      await until(`${svc} deleted`, async () =>
        client.get(Services, ns, svc).then(
          () => undefined,
          (e: unknown) => isNotFound(e) || undefined,
        ),
      );
    }
    await patch('susp', [{ op: 'replace', path: '/spec/suspend', value: false }]);
    const resumed = await eventually(
      'resumed',
      'susp',
      (r) => cond(r, 'Suspended')?.reason === 'RayServiceResumed' && r,
    );
    assert.equal(cond(resumed, 'Suspended')!.status, 'False');
    await ready('susp');
  });

  test('initializing timeout: a RayService that never gets ready fails terminally and its clusters go', async () => {
    await create(
      rayService(
        'slow',
        inServiceNamespace(ns),
        withServiceAnnotations({ 'ray.io/initializing-timeout': '8s' }),
      ),
    );
    const first = await until('the first cluster', async () => (await clustersOf('slow'))[0]);
    sim.cluster(first.metadata.name!).dashboard = 'hang';
    const unreachable = await eventually(
      'DashboardUnreachable',
      'slow',
      (r) => cond(r, 'ServeConfigApplied')?.reason === 'DashboardUnreachable' && r,
    );
    assert.match(
      cond(unreachable, 'ServeConfigApplied')!.message,
      /does not answer since .*no answer within/,
    );
    const out = await eventually(
      'InitializingTimeout',
      'slow',
      (r) => cond(r, 'Ready')?.reason === 'InitializingTimeout' && r,
    );
    assert.match(cond(out, 'Ready')!.message, /timeout of 8s/);
    await until('its cluster is deleted', async () =>
      (await clustersOf('slow')).length === 0 ? true : undefined,
    );
    await eventSeen('slow', 'RayServiceInitializingTimeout');
  });

  test('an invalid spec: Ready=False/ValidationFailed with the field path, and an Event', async () => {
    const bad = rayService(
      'invalid',
      inServiceNamespace(ns),
      withClusterConfig(withWorkerGroup(workerGroup('w', (g) => ({ ...g, minReplicas: 5, maxReplicas: 1 })))),
    );
    await create(bad);
    const rs = await eventually(
      'ValidationFailed',
      'invalid',
      (r) => cond(r, 'Ready')?.reason === 'ValidationFailed' && r,
    );
    assert.match(cond(rs, 'Ready')!.message, /spec\.rayClusterConfig\.workerGroupSpecs\[0\]/);
    await eventSeen('invalid', 'InvalidRayServiceSpec');
    assert.equal((await clustersOf('invalid')).length, 0);
  });

  test('NewClusterWithIncrementalUpgrade without the Gateway API CRDs: a clear reason, nothing created', async () => {
    await create(
      rayService(
        'incr',
        inServiceNamespace(ns),
        withClusterConfig((rc) => ({ ...rc, spec: { ...rc.spec, enableInTreeAutoscaling: true } })),
        withUpgradeStrategy({
          type: 'NewClusterWithIncrementalUpgrade',
          clusterUpgradeOptions: { stepSizePercent: 10, intervalSeconds: 5, gatewayClassName: 'istio' },
        }),
      ),
    );
    const rs = await eventually(
      'GatewayAPIMissing',
      'incr',
      (r) => cond(r, 'Ready')?.reason === 'GatewayAPIMissing' && r,
    );
    assert.match(
      cond(rs, 'Ready')!.message,
      /gateway\.networking\.k8s\.io\/v1 gateways.*"istio".*NewCluster/s,
    );
    await eventSeen('incr', 'GatewayAPIMissing');
    assert.equal((await clustersOf('incr')).length, 0);
  });

  test('deleting the RayService removes its clusters, Services and then the finalizer', async () => {
    await create(
      rayService('gone', inServiceNamespace(ns), withClusterConfig(withHeadEnv({ name: 'X', value: '1' }))),
    );
    await ready('gone');
    await client.delete(RayServices, ns, 'gone');
    await until(
      'the RayService is gone',
      async () =>
        get('gone').then(
          () => undefined,
          (e: unknown) => isNotFound(e) || undefined,
        ),
      { timeoutMs: 90_000 },
    );
    await until('its clusters are gone', async () =>
      (await clustersOf('gone')).length === 0 ? true : undefined,
    );
    for (const svc of ['gone-head-svc', 'gone-serve-svc']) {
      await until(`${svc} garbage-collected`, async () =>
        client.get(Services, ns, svc).then(
          () => undefined,
          (e: unknown) => isNotFound(e) || undefined,
        ),
      );
    }
  });
});
