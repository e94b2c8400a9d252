// RayService end to end with real Ray Serve on the rig's local node: KubeRay's ray-service.sample.yaml
// shape (config/samples: two demo applications from a ConfigMap on PYTHONPATH, no network), head-only.
// One rig, one operator and one RayService go through the life a user gives it, in order:
//   Ready, both apps answering through the serve Service's endpoints
//   → serveConfigV2 edit: the same cluster answers with the new args (in place)
//   → serveConfigV2 that is not YAML: status + Event name the line; the apps keep answering
//   → rayClusterConfig edit: blue/green to a new cluster while a client loop (20 req/s, routed by the
//     serve Service's selector to ready pods at each request, as kube-proxy routes) sees 0 failed requests
//   → a new cluster whose application fails to import: it never takes traffic, status + Event say why
//   → delete: every cluster, Service and pod goes.
// The blue/green and broken-config steps are also what `npm run bench:serve` measures.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Condition, RayCluster, RayService } from '../../api/v1/index.ts';
import { newNamespace, type Rig } from '../../../rig/testing.ts';
import { realRig } from '../../../rig/node/testing.ts';
import {
  Events,
  Pods,
  RayClusters,
  RayServices,
  Services,
  type KubeObject,
} from '../../runtime/resources.ts';
import { isNotFound } from '../../runtime/errors.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import {
  demoServeConfig,
  SAMPLE_COLOR_PATH as COLOR_PATH,
  SAMPLE_NAME as NAME,
  SAMPLE_SERVE_SVC as SERVE_SVC,
  sampleRayService,
} from '../../testing/rayservice.ts';
import { answerSequence, askService, startServeLoad, type ServeLoad } from '../../testing/serveLoad.ts';
import { until } from '../../testing/wait.ts';

type RS = RayService & KubeObject;

describe('RayService on the real rig (local node, Ray Serve 2.58)', { timeout: 900_000 }, () => {
  let rig: Rig;
  let ns: string;
  let client: KubeClient;
  let op: InProcessOperator | undefined;
  let load: ServeLoad | undefined;

  before(async () => {
    rig = await realRig();
    ns = await newNamespace(rig, 'e2e-rayservice');
    client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 200, burst: 400 });
    op = await startOperator(rig, [ns]);
  });
  after(async () => {
    await load?.stop();
    await op?.stop();
    client?.close();
    await rig?.stop();
  });

  const get = () => client.get<RS>(RayServices, ns, NAME);
  const cond = (rs: RS, type: string): Condition | undefined =>
    rs.status?.conditions?.find((c) => c.type === type);
  const eventually = <T>(what: string, fn: (rs: RS) => T | undefined | false, timeoutMs = 300_000) =>
    until(`${NAME}: ${what}`, async () => fn(await get()), {
      timeoutMs,
      intervalMs: 500,
      describe: async () => JSON.stringify((await get()).status, null, 1),
    });
  const ready = (what: string, fn: (rs: RS) => boolean = () => true) =>
    eventually(
      what,
      (rs) =>
        cond(rs, 'Ready')?.status === 'True' &&
        cond(rs, 'ServeConfigApplied')?.status === 'True' &&
        !rs.status?.pendingServiceStatus?.rayClusterName &&
        fn(rs) &&
        rs,
    );
  const patch = (ops: unknown[]) => client.patch(RayServices, ns, NAME, ops, 'json');
  const ask = (path: string) => askService(client, ns, SERVE_SVC, path);
  const clusters = async () =>
    (
      await client.list<RayCluster & KubeObject>(RayClusters, ns, {
        labelSelector: `ray.io/originated-from-cr-name=${NAME}`,
      })
    ).items.filter((c) => !c.metadata.deletionTimestamp);
  /** Waits for an Event of the RayService with this reason and a matching message. */
  const eventOf = (reason: string, message: RegExp) =>
    until(`a ${reason} Event matching ${String(message)}`, async () =>
      (
        (await client.list<KubeObject>(Events, ns, { fieldSelector: `involvedObject.name=${NAME}` }))
          .items as unknown as { reason: string; message: string }[]
      ).find((e) => e.reason === reason && message.test(e.message)),
    );
  /** Lets the client loop run `ms` longer, then stops it and returns what it saw. */
  const finishLoad = async (ms: number) => {
    const seenAt = Date.now() - load!.report.startedAt;
    await until(
      `${ms / 1000} s more of answers`,
      () => load!.report.answers.some((a) => a.at > seenAt + ms) || undefined,
      { timeoutMs: 30_000 },
    );
    const report = await load!.stop();
    load = undefined;
    return report;
  };
  const serveSelector = async () =>
    (await client.get<KubeObject & { spec: { selector: Record<string, string> } }>(Services, ns, SERVE_SVC))
      .spec.selector['ray.io/cluster'];

  it('becomes Ready and both applications answer through the serve Service endpoints', async () => {
    const { rs, configMap } = sampleRayService();
    for (const o of [configMap, rs]) {
      const r = await rig.kubectl(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify(o) });
      assert.equal(r.code, 0, r.stderr);
    }
    const live = await ready('Ready with both applications RUNNING');
    const active = live.status!.activeServiceStatus!.rayClusterName!;
    assert.equal(live.status!.serviceStatus, 'Running');
    assert.equal(live.status!.numServeEndpoints, 1, 'the head pod');
    assert.deepEqual(
      Object.entries(live.status!.activeServiceStatus!.applicationStatuses ?? {})
        .map(([k, v]) => `${k}=${v.status ?? ''}`)
        .sort(),
      ['adder=RUNNING', 'greeter=RUNNING'],
    );
    assert.equal(await serveSelector(), active);

    const greet = await ask('/greet?name=kuray');
    assert.deepEqual(greet.body, { app: 'greeter', answer: 'hello kuray', cluster: active, color: 'blue' });
    const add = await ask('/add?x=41');
    assert.deepEqual(add.body, { app: 'adder', answer: 42, cluster: active, color: 'blue' });
  });

  it('a serveConfigV2 edit updates the applications in place (same cluster, new answers)', async () => {
    const before = (await get()).status!.activeServiceStatus!.rayClusterName!;
    await patch([
      {
        op: 'replace',
        path: '/spec/serveConfigV2',
        value: demoServeConfig({ greeting: 'hi', increment: 10 }),
      },
    ]);
    await until(
      'both applications answer with the new args',
      async () => {
        const [g, a] = await Promise.all([ask('/greet?name=kuray'), ask('/add?x=41')]);
        return g.body.answer === 'hi kuray' && a.body.answer === 51 ? [g, a] : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
    const rs = await ready('Ready after the in-place update');
    assert.equal(rs.status!.activeServiceStatus!.rayClusterName, before, 'the same cluster serves');
    assert.deepEqual(
      (await clusters()).map((c) => c.metadata.name),
      [before],
      'no new cluster',
    );
    assert.equal((await ask('/greet?name=kuray')).body.cluster, before);
  });

  it('serveConfigV2 that is not valid YAML: status and an Event name the line; the apps keep serving', async () => {
    const active = (await get()).status!.activeServiceStatus!.rayClusterName!;
    load = startServeLoad({ client, namespace: ns, service: SERVE_SVC, path: '/add?x=41' });
    await patch([
      {
        op: 'replace',
        path: '/spec/serveConfigV2',
        value: 'applications:\n  - name: a\n   import_path: x:y\n',
      },
    ]);
    const bad = await eventually('InvalidServeConfig', (rs) =>
      cond(rs, 'ServeConfigApplied')?.reason === 'InvalidServeConfig' ? rs : undefined,
    );
    assert.match(cond(bad, 'ServeConfigApplied')!.message ?? '', /not valid YAML.*line 3/s);
    assert.equal(cond(bad, 'Ready')?.status, 'True', 'the running applications still serve');
    await eventOf('FailedToUpdateServeApplications', /line 3/);
    const report = await finishLoad(3000);
    assert.deepEqual(report.failures.slice(0, 5), [], `${report.failures.length} of ${report.sent} failed`);
    assert.ok(report.answers.every((a) => a.body.answer === 51 && a.body.cluster === active));
    // Back to a valid config (the one running): the condition clears.
    await patch([
      {
        op: 'replace',
        path: '/spec/serveConfigV2',
        value: demoServeConfig({ greeting: 'hi', increment: 10 }),
      },
    ]);
    await ready('Ready with the config applied again');
  });

  it('a rayClusterConfig edit is a blue/green upgrade with 0 failed requests under a 20 req/s client loop', async () => {
    const blue = (await get()).status!.activeServiceStatus!.rayClusterName!;
    load = startServeLoad({ client, namespace: ns, service: SERVE_SVC, path: '/greet?name=kuray' });
    await until('the client loop gets answers', () => load!.report.answers.length > 20 || undefined, {
      timeoutMs: 30_000,
    });
    await patch([{ op: 'replace', path: `${COLOR_PATH}/value`, value: 'green' }]);

    const pending = await eventually(
      'a pending cluster',
      (rs) => rs.status?.pendingServiceStatus?.rayClusterName,
    );
    assert.notEqual(pending, blue);
    const upgrading = await get();
    assert.equal(cond(upgrading, 'UpgradeInProgress')?.status, 'True');
    const rs = await ready(
      'the new cluster active',
      (x) => x.status?.activeServiceStatus?.rayClusterName === pending,
    );
    assert.equal(cond(rs, 'UpgradeInProgress')?.status, 'False');
    assert.equal(await serveSelector(), pending);

    // Answers from the new cluster for a few seconds, then the old one goes (deletion delay 5 s).
    const switchedAt = Date.now() - load.report.startedAt;
    await until(
      '3 s of answers from the new cluster',
      () => load!.report.answers.some((a) => a.at > switchedAt + 3000) || undefined,
      { timeoutMs: 30_000 },
    );
    await until(
      `the old RayCluster ${blue} deleted`,
      async () => (await clusters()).every((c) => c.metadata.name !== blue) || undefined,
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    const report = await load.stop();
    load = undefined;
    assert.deepEqual(report.failures.slice(0, 5), [], `${report.failures.length} of ${report.sent} failed`);
    assert.ok(report.sent >= 100, `only ${report.sent} requests`);
    assert.deepEqual(answerSequence(report.answers, 'color'), ['blue', 'green']);
    assert.deepEqual(answerSequence(report.answers, 'cluster'), [blue, pending]);
    assert.ok(
      report.answers.every((a) => a.body.answer === 'hi kuray'),
      'the config moved with the cluster',
    );
  });

  it('a new cluster whose application fails to import never takes traffic; status and an Event say why', async () => {
    const green = (await get()).status!.activeServiceStatus!.rayClusterName!;
    load = startServeLoad({ client, namespace: ns, service: SERVE_SVC, path: '/add?x=1' });
    await patch([
      { op: 'replace', path: `${COLOR_PATH}/value`, value: 'red' },
      {
        op: 'replace',
        path: '/spec/serveConfigV2',
        value: demoServeConfig({ greeting: 'hi', increment: 10, adderModule: 'kuray_missing' }),
      },
    ]);
    const failed = await eventually('the pending cluster reports the import error', (rs) => {
      const c = cond(rs, 'ServeConfigApplied');
      return rs.status?.pendingServiceStatus?.applicationStatuses?.adder?.status === 'DEPLOY_FAILED' &&
        c?.reason === 'ApplicationFailed'
        ? rs
        : undefined;
    });
    const pending = failed.status!.pendingServiceStatus!.rayClusterName!;
    assert.notEqual(pending, green);
    assert.match(cond(failed, 'ServeConfigApplied')!.message ?? '', /kuray_missing/);
    assert.match(
      failed.status!.pendingServiceStatus!.applicationStatuses!.adder!.message ?? '',
      /kuray_missing/,
    );
    assert.equal(cond(failed, 'Ready')?.status, 'True', 'the active cluster still serves');
    assert.equal(cond(failed, 'UpgradeInProgress')?.status, 'True');
    assert.equal(failed.status!.activeServiceStatus!.rayClusterName, green);
    const event = await eventOf('ServeApplicationFailed', /kuray_missing/);
    assert.match(event.message, new RegExp(pending));

    // Traffic stays on the active cluster, which keeps its config.
    const report = await finishLoad(5000);
    assert.deepEqual(report.failures.slice(0, 5), [], `${report.failures.length} of ${report.sent} failed`);
    assert.deepEqual(answerSequence(report.answers, 'cluster'), [green]);
    assert.ok(report.answers.every((a) => a.body.answer === 11 && a.body.color === 'green'));
    assert.equal(await serveSelector(), green);
  });

  it('deleting the RayService removes its clusters, Services and pods', async () => {
    const r = await rig.kubectl(['delete', 'rayservice', NAME, '-n', ns, '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    await until(
      'the RayService, its RayClusters, Services and pods gone',
      async () => {
        try {
          await get();
          return undefined;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        const [rcs, svcs, pods] = await Promise.all([
          client.list<KubeObject>(RayClusters, ns),
          client.list<KubeObject>(Services, ns),
          client.list<KubeObject>(Pods, ns),
        ]);
        return rcs.items.length + svcs.items.length + pods.items.length === 0 || undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
  });
});
