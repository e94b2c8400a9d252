// RayService end to end with real Ray Serve on the rig's local node (the transitions one by one are
// rayservice.int.test.ts). One RayService runs the two demo applications of rig/ray/apps/kuray_demo.py
// (on the pods' PYTHONPATH: Ray cannot download a working_dir here) on a head-only cluster, through:
// Ready with both apps answering through the serve Service's endpoints → an in-place serveConfigV2
// update (same cluster, new answers) → a blue/green upgrade whose new config fails first (the broken
// cluster never takes traffic, status says why), then is fixed and takes over while a client loop on
// loopback (20 requests/s, resolving the serve Service's EndpointSlices at every request as kube-proxy
// would) sees no failed request → deletion removes every object.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Condition, RayService } from '../../api/v1/index.ts';
import { newNamespace, type Rig } from '../../../rig/testing.ts';
import { realRig } from '../../../rig/node/testing.ts';
import { withHeadEnv, withHeadRayStartParams, withHeadResources } from '../../testing/builders.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import {
  demoServeConfig,
  inServiceNamespace,
  rayService,
  withClusterConfig,
  withDeletionDelay,
} from '../../testing/rayservice.ts';
import { until } from '../../testing/wait.ts';
import { serveTraffic, type DemoAnswer } from '../../testing/serveTraffic.ts';
import { Events, RayClusters, RayServices, Services, type KubeObject } from '../../runtime/resources.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { isNotFound } from '../../runtime/errors.ts';

type RS = RayService & KubeObject;
const apps = join(import.meta.dirname, '..', '..', '..', 'rig', 'ray', 'apps');
const NAME = 'demo';

/** The head of each colour: 2 CPUs for Serve's controller, proxy and the two 0.1-CPU deployments. */
const cluster = (color: string) =>
  withClusterConfig(
    withHeadRayStartParams({ 'num-cpus': '2' }),
    withHeadResources({ limits: { cpu: '2', memory: '3Gi' }, requests: { cpu: '500m', memory: '1Gi' } }),
    withHeadEnv({ name: 'PYTHONPATH', value: apps }, { name: 'APP_COLOR', value: color }),
  );

describe('RayService with real Ray Serve on the rig (local node, Ray 2.58)', { timeout: 900_000 }, () => {
  let rig: Rig;
  let ns: string;
  let client: KubeClient;
  let op: InProcessOperator | undefined;

  before(async () => {
    rig = await realRig();
    ns = await newNamespace(rig, 'e2e-rayservice');
    client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 200, burst: 400 });
    op = await startOperator(rig, [ns], { rayService: { serve: { pollMs: 1000 } } });
  });
  after(async () => {
    await op?.stop();
    client.close();
    await rig?.stop();
  });

  const get = () => client.get<RS>(RayServices, ns, NAME);
  const patch = (ops: unknown[]) => client.patch(RayServices, ns, NAME, ops, 'json');
  const cond = (rs: RS, type: string): Condition | undefined =>
    rs.status?.conditions?.find((c) => c.type === type);
  const eventually = <T>(what: string, fn: (rs: RS) => T | undefined | false, timeoutMs = 300_000) =>
    until(`${NAME}: ${what}`, async () => fn(await get()), {
      timeoutMs,
      intervalMs: 1000,
      describe: async () => JSON.stringify((await get()).status, null, 1),
    });

  const traffic = () => serveTraffic(client, ns, `${NAME}-serve-svc`);
  const ask = (path: string) => traffic().ask(path);
  const answersEventually = (what: string, path: string, ok: (a: DemoAnswer) => boolean) =>
    until(
      what,
      async () => {
        const a = await ask(path).catch(() => undefined);
        return a && ok(a) ? a : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1000 },
    );

  it('Ready with two apps → in-place update → a broken upgrade that never takes traffic → blue/green with 0 failed requests → deleted', async () => {
    await client.create<RS>(
      RayServices,
      rayService(NAME, inServiceNamespace(ns), cluster('blue'), withDeletionDelay(5)) as RS,
    );
    const ready = await eventually('Ready', (rs) => cond(rs, 'Ready')?.status === 'True' && rs);
    const blue = ready.status!.activeServiceStatus!.rayClusterName!;
    const greet = await answersEventually(
      'greeter answers',
      '/greet?name=ray',
      (a) => a.answer === 'hello ray',
    );
    assert.deepEqual([greet.cluster, greet.color], [blue, 'blue']);
    const add = await ask('/add?x=41');
    assert.deepEqual([add.app, add.answer], ['adder', 42]);

    // In place: only serveConfigV2 changes, the same cluster serves the new answers.
    await patch([
      {
        op: 'replace',
        path: '/spec/serveConfigV2',
        value: demoServeConfig({ greeting: 'hi', increment: 2 }),
      },
    ]);
    await answersEventually('the new greeting', '/greet?name=ray', (a) => a.answer === 'hi ray');
    assert.equal((await ask('/add?x=40')).answer, 42);
    assert.equal((await get()).status!.activeServiceStatus!.rayClusterName, blue, 'no new cluster');

    // A rayClusterConfig change whose apps cannot start: a pending cluster, never traffic, status says why.
    const loop = traffic().loop('/greet?name=loop', 20);
    const broken = rayService(NAME, cluster('green'), (rs) => ({
      ...rs,
      spec: {
        ...rs.spec,
        serveConfigV2: demoServeConfig({ greeting: 'hi', increment: 2, adderModule: 'no_such_module' }),
      },
    }));
    await patch([
      { op: 'replace', path: '/spec/rayClusterConfig', value: broken.spec.rayClusterConfig },
      { op: 'replace', path: '/spec/serveConfigV2', value: broken.spec.serveConfigV2 },
    ]);
    const stuck = await eventually(
      'the pending cluster’s adder fails',
      (rs) => cond(rs, 'ServeConfigApplied')?.reason === 'ApplicationFailed' && rs,
    );
    const green = stuck.status!.pendingServiceStatus!.rayClusterName!;
    assert.notEqual(green, blue);
    assert.match(cond(stuck, 'ServeConfigApplied')!.message, /adder/);
    assert.equal(stuck.status!.activeServiceStatus!.rayClusterName, blue);
    const svc = await client.get<KubeObject & { spec: { selector: Record<string, string> } }>(
      Services,
      ns,
      `${NAME}-serve-svc`,
    );
    assert.equal(svc.spec.selector['ray.io/cluster'], blue, 'the broken cluster gets no traffic');
    const evs = (await client.list<KubeObject>(Events, ns, { fieldSelector: `involvedObject.name=${NAME}` }))
      .items as unknown as { type: string; message: string }[];
    assert.ok(
      evs.some((e) => e.type === 'Warning' && /adder/.test(e.message)),
      'a Warning Event names the app',
    );

    // Fixed: the green cluster gets the working config, becomes ready and takes over.
    await patch([
      {
        op: 'replace',
        path: '/spec/serveConfigV2',
        value: demoServeConfig({ greeting: 'hi', increment: 2 }),
      },
    ]);
    await eventually(
      'green promoted',
      (rs) => rs.status?.activeServiceStatus?.rayClusterName === green && rs,
    );
    await answersEventually(
      'green answers',
      '/greet?name=ray',
      (a) => a.color === 'green' && a.cluster === green,
    );
    await sleep(3000); // a few more seconds of traffic on green
    const stats = await loop.stop();
    const total = stats.ok + stats.failed.length;
    assert.deepEqual(stats.failed, [], `${String(stats.failed.length)} of ${String(total)} requests failed`);
    assert.ok(stats.ok > 100, `${String(stats.ok)} requests answered`);
    assert.deepEqual([...stats.firstSeen.keys()].sort(), ['blue', 'green']);
    await until(
      'the blue cluster deleted after rayClusterDeletionDelaySeconds',
      async () =>
        client.get(RayClusters, ns, blue).then(
          () => undefined,
          (e: unknown) => isNotFound(e) || undefined,
        ),
      { timeoutMs: 120_000, intervalMs: 1000 },
    );

    // Deleting the RayService removes its clusters and Services.
    await client.delete(RayServices, ns, NAME);
    await until(
      'the RayService, its clusters and Services gone',
      async () => {
        const left = [
          ...(await client.list<KubeObject>(RayClusters, ns)).items,
          ...(await client.list<KubeObject>(Services, ns)).items.filter((x) =>
            x.metadata.name!.startsWith(`${NAME}-`),
          ),
        ];
        const rs = await get().catch((e: unknown) =>
          isNotFound(e) ? undefined : Promise.reject(e as Error),
        );
        return !rs && left.length === 0;
      },
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
  });
});
