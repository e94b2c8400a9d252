// The console in a real browser (Debian's Chromium through playwright-core) on the `real` rig: the
// operator in-process (RayCluster, RayJob, RayService controllers and the native autoscaler) and ONE
// real Ray 2.58 cluster on the local node, shared by every case:
//   - the list shows the clusters (the real one, and one in a namespace the operator does not watch);
//   - Scale in the cluster page changes the worker group and real pods appear;
//   - the timeline shows the native autoscaler's real decision (idle-timeout) with its signals;
//   - create-from-YAML shows a seed pitfall warning from `kuray validate` before submit (dry run);
//   - a viewer whose RBAC allows one namespace sees only it, and cannot scale (button off, and the
//     API server refuses the request made with the viewer's token);
//   - RayJobs: a real RayJob (K8sJobMode on the real cluster) by the real controller, and its
//     submitter's log in the page (pods/log with the viewer's identity); RayServices: one
//     in the unwatched namespace whose status the test writes through the status subresource (a real
//     Serve cluster would cost minutes), shown with its apps and upgrade progress.
// Screenshots go to src/console/screenshots/ (shown in src/console/README.md).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { newNamespace, type Rig } from '../../rig/testing.ts';
import { clusterPods, isHead, isReady, realRig, waitClusterReady } from '../../rig/node/testing.ts';
import { KubeConfig } from '../runtime/kubeconfig.ts';
import {
  Events,
  RayClusters,
  RayJobs,
  RayServices,
  RoleBindings,
  Roles,
  ServiceAccounts,
  type KubeObject,
} from '../runtime/resources.ts';
import { KubeClient } from '../runtime/transport.ts';
import {
  groupRayStartParams,
  inNamespace,
  minMax,
  rayCluster,
  withHeadRayStartParams,
  withNativeAutoscaling,
  withWorkers,
} from '../testing/builders.ts';
import { startOperator, type InProcessOperator } from '../testing/operator.ts';
import { inMode, onCluster, rayJob, withEntrypoint } from '../testing/rayjobs.ts';
import { seedFile } from '../testing/seeds.ts';
import { until } from '../testing/wait.ts';
import type { RayClusterObject } from './protocol.ts';
import type { RunningConsole } from './server.ts';
import { consoleFor, launchBrowser, type TestBrowser } from './testing.ts';

const shots = join(import.meta.dirname, 'screenshots');
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

/** A kubeconfig for ServiceAccount `viewer` in `ns` with a bound token (TokenRequest API). */
async function viewerClient(
  rig: Rig,
  admin: KubeClient,
  ns: string,
): Promise<{ client: KubeClient; kc: KubeConfig }> {
  await admin.create(ServiceAccounts, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'viewer', namespace: ns },
  });
  await admin.create(Roles, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'ray-viewer', namespace: ns },
    rules: [
      {
        apiGroups: ['ray.io'],
        resources: ['rayclusters', 'rayjobs', 'rayservices'],
        verbs: ['get', 'list', 'watch'],
      },
      { apiGroups: [''], resources: ['pods', 'events'], verbs: ['get', 'list', 'watch'] },
    ],
  });
  await admin.create(RoleBindings, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'ray-viewer', namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ray-viewer' },
    subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace: ns }],
  });
  const tr = await admin.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${ns}/serviceaccounts/viewer/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  );
  const adminKc = new KubeConfig();
  adminKc.loadFromFile(rig.kubeconfigPath);
  const cluster = adminKc.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'viewer', token: tr.status.token }],
    contexts: [{ name: 'viewer', cluster: cluster.name, user: 'viewer', namespace: ns }],
    currentContext: 'viewer',
  });
  return { client: new KubeClient(kc), kc };
}

describe('kuray console in Chromium, on the real rig', { timeout: 900_000 }, () => {
  let rig: Rig;
  let ns = '';
  let other = '';
  let admin: KubeClient;
  let op: InProcessOperator | undefined;
  let con: RunningConsole | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;

  before(async () => {
    mkdirSync(shots, { recursive: true });
    rig = await realRig();
    ns = await newNamespace(rig, 'console');
    other = await newNamespace(rig, 'console-other');
    admin = KubeClient.fromFile(rig.kubeconfigPath, { qps: 50, burst: 100 });
    op = await startOperator(rig, [ns], { autoscaler: { syncPeriodMs: 2000 } });
    // The real cluster: a 1-CPU head (runs the RayJob), workers 0..2 under the native autoscaler.
    await admin.create(
      RayClusters,
      rayCluster(
        'demo',
        inNamespace(ns),
        withNativeAutoscaling({ idleTimeoutSeconds: 30, cooldownPeriodSeconds: 5 }),
        withHeadRayStartParams({ 'num-cpus': '1' }),
        withWorkers(0, minMax(0, 2), groupRayStartParams({ 'num-cpus': '1' })),
      ) as KubeObject,
    );
    // Not watched by the operator: an object only, no pods.
    await admin.create(
      RayClusters,
      rayCluster('elsewhere', inNamespace(other), withWorkers(2)) as KubeObject,
    );
    con = await consoleFor(admin, { context: 'rig-admin', user: 'admin', defaultNamespace: 'default' });
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  after(async () => {
    await browser?.close();
    await con?.close();
    await op?.stop();
    admin.close();
    await rig.stop();
  });

  it('the clusters list shows every cluster the viewer may see, live', async () => {
    await page.goto(con!.url);
    await page.locator('[data-cluster="demo"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-cluster="elsewhere"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('cluster-count').textContent(), '2');
    assert.match((await page.getByTestId('session').textContent()) ?? '', /all namespaces/);
    await waitClusterReady(rig, ns, 'demo', 1);
    // The state column follows the cluster's status through the watch (no reload).
    await page.locator('[data-cluster="demo"] .state.ready').waitFor({ timeout: 60_000 });
    await shot(page, 'clusters');
  });

  it('create from YAML shows the seed pitfall warning before submit; a dry run creates nothing', async () => {
    await page.goto(`${con!.origin}/#/create`);
    await page.getByLabel('YAML').fill(readFileSync(seedFile('10-resilient-probes.yaml'), 'utf8'));
    await page.getByLabel('namespace').fill(ns);
    const warning = page.locator('li.warning', { hasText: "8080 is Ray's metrics export port" }).first();
    await warning.waitFor({ timeout: 15_000 });
    assert.match((await warning.textContent()) ?? '', /livenessProbe|readinessProbe/);
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByTestId('create-result').waitFor();
    assert.equal(
      await page.getByTestId('create-result').textContent(),
      `created RayCluster ${ns}/resilient-ray-cluster`,
    );
    await shot(page, 'create-from-yaml');
    await assert.rejects(admin.get(RayClusters, ns, 'resilient-ray-cluster'), /404|NotFound/);
    // A broken spec: the error is inline and Create stays off.
    await page
      .getByLabel('YAML')
      .fill('apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: bad}\nspec: {}\n');
    await page.locator('li.error').first().waitFor({ timeout: 15_000 });
    assert.equal(await page.getByRole('button', { name: 'Create', exact: true }).isDisabled(), true);
  });

  it('a viewer with RBAC for one namespace sees only it and cannot scale', async () => {
    const viewer = await viewerClient(rig, admin, ns);
    const vcon = await consoleFor(viewer.client, {
      context: 'viewer',
      user: 'system:serviceaccount:viewer',
      defaultNamespace: ns,
    });
    const vpage = await browser!.context.newPage();
    try {
      assert.deepEqual(vcon.session.namespaces, [ns]);
      await vpage.goto(vcon.url);
      await vpage.locator('[data-cluster="demo"]').waitFor({ timeout: 30_000 });
      assert.equal(await vpage.getByTestId('cluster-count').textContent(), '1');
      assert.equal(await vpage.locator('[data-cluster="elsewhere"]').count(), 0);
      await vpage.goto(`${vcon.origin}/#/cluster/${ns}/demo`);
      // The page asked the API server (SelfSubjectAccessReview) and was told no.
      await vpage.locator('table[data-can-patch="false"]').waitFor({ timeout: 15_000 });
      assert.equal(
        await vpage.locator('tr[data-group="workers"] button', { hasText: 'Scale' }).isDisabled(),
        true,
      );
      // Past the UI: the request itself, made with the viewer's token, is refused by the API server.
      const res = await vpage.evaluate(
        async (body) => {
          const r = await fetch('api/scale', {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-kuray-console': '1' },
            body: JSON.stringify(body),
          });
          return { status: r.status, text: await r.text() };
        },
        { namespace: ns, name: 'demo', group: 'workers', replicas: 2 },
      );
      assert.equal(res.status, 403, res.text);
      assert.match(res.text, /forbidden/i);
      await shot(vpage, 'viewer-one-namespace');
    } finally {
      await vpage.close();
      await vcon.close();
      viewer.client.close();
    }
  });

  it('Scale changes the worker group and real pods come up', async () => {
    await page.goto(`${con!.origin}/#/cluster/${ns}/demo`);
    const row = page.locator('tr[data-group="workers"]');
    await row.locator('input').fill('1');
    await row.getByRole('button', { name: 'Scale' }).click();
    await until(
      'replicas 1',
      async () =>
        (await admin.get<RayClusterObject>(RayClusters, ns, 'demo')).spec.workerGroupSpecs![0]!.replicas ===
        1,
      {
        timeoutMs: 15_000,
      },
    );
    await until(
      'a Ready worker pod',
      async () => (await clusterPods(rig, ns, 'demo')).some((p) => !isHead(p) && isReady(p)),
      { timeoutMs: 240_000, intervalMs: 1000 },
    );
    await until(
      'the page shows it',
      async () => (await row.getByTestId('group-pods').textContent()) === '1/1',
      {
        timeoutMs: 15_000,
      },
    );
    await shot(page, 'cluster-scaled');
  });

  it('the timeline shows the native autoscaler removing the idle worker, with the rule and its signals', async () => {
    // The Event, not status.autoscaler: the status moves on to the next decision (steady) at once.
    await until(
      'an idle-timeout scale-down Event',
      async () =>
        (
          await admin.list<KubeObject & { reason?: string; message?: string }>(Events, ns, {
            fieldSelector: 'involvedObject.name=demo',
          })
        ).items.some((e) => e.reason === 'AutoscalerScaledDown' && /Rule idle-timeout/.test(e.message ?? '')),
      { timeoutMs: 300_000, intervalMs: 2000 },
    );
    const row = page.locator('[data-testid="decisions"] tr[data-rule="idle-timeout"]').first();
    await row.waitFor({ timeout: 30_000 });
    assert.match((await row.textContent()) ?? '', /workers.*1 → 0/);
    assert.notEqual(((await row.locator('.signals').textContent()) ?? '').trim(), '');
    await page.getByTestId('timeline').scrollIntoViewIfNeeded();
    await shot(page, 'autoscaling-timeline');
  });

  it('RayJobs and RayServices lists', async () => {
    const job = rayJob(
      'hello',
      onCluster('demo'),
      inMode('K8sJobMode'),
      withEntrypoint('python -c "print(6 * 7)"'),
    );
    await admin.create(RayJobs, { ...job, metadata: { name: 'hello', namespace: ns } });
    const svc = {
      apiVersion: 'ray.io/v1',
      kind: 'RayService',
      metadata: { name: 'serve', namespace: other },
      spec: { rayClusterConfig: rayCluster('x').spec },
    } as unknown as KubeObject;
    await admin.create(RayServices, svc);
    await admin.request('PUT', `/apis/ray.io/v1/namespaces/${other}/rayservices/serve/status`, {
      ...(await admin.get(RayServices, other, 'serve')),
      status: {
        serviceStatus: 'Running',
        activeServiceStatus: {
          rayClusterName: 'serve-a',
          applicationStatuses: { app1: { status: 'RUNNING' } },
        },
        pendingServiceStatus: { rayClusterName: 'serve-b', trafficRoutedPercent: 20, targetCapacity: 40 },
        numServeEndpoints: 1,
      },
    });
    await page.goto(`${con!.origin}/#/jobs`);
    const row = page.locator('[data-job="hello"]');
    await row.waitFor({ timeout: 30_000 });
    await until('the job completes, live', async () => /Complete/.test((await row.textContent()) ?? ''), {
      timeoutMs: 180_000,
      intervalMs: 1000,
    });
    assert.match((await row.textContent()) ?? '', /SUCCEEDED/);
    // The submitter's log: `ray job submit` followed the driver, so the job's output is in it.
    await row.getByRole('button', { name: 'logs' }).click();
    const logs = page.getByTestId('job-logs');
    await until(
      'the submitter log in the page',
      async () => /\b42\b/.test((await logs.textContent()) ?? ''),
      {
        timeoutMs: 30_000,
      },
    );
    assert.match((await logs.textContent()) ?? '', /pod\/hello-\w+ \(Job hello/);
    await shot(page, 'rayjobs');
    await page.goto(`${con!.origin}/#/services`);
    const s = page.locator('[data-service="serve"]');
    await s.waitFor({ timeout: 30_000 });
    assert.match((await s.textContent()) ?? '', /app1: RUNNING.*serve-b \(20% traffic, capacity 40%\)/);
  });
});
