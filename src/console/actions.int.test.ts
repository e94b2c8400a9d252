// The console's API against the shared rig's real API server (no browser, no operator): create from
// YAML (validation first), the event stream, scale with `kubectl ray scale`'s checks, suspend,
// resume and delete — every write made with the console's client, checked through the API server.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { newNamespace, useRig, type Rig } from '../../rig/testing.ts';
import { RayClusters } from '../runtime/resources.ts';
import { KubeClient } from '../runtime/transport.ts';
import { until } from '../testing/wait.ts';
import type { CreateResponse, RayClusterObject, StreamMessage } from './protocol.ts';
import type { RunningConsole } from './server.ts';
import { consoleFor } from './testing.ts';

const yaml = (name: string) => `apiVersion: ray.io/v1
kind: RayCluster
metadata:
  name: ${name}
spec:
  headGroupSpec:
    rayStartParams: {}
    template:
      spec:
        containers:
          - name: ray-head
            image: rayproject/ray:2.58.0
  workerGroupSpecs:
    - groupName: small
      replicas: 1
      minReplicas: 0
      maxReplicas: 3
      rayStartParams: {}
      template:
        spec:
          containers:
            - name: ray-worker
              image: rayproject/ray:2.58.0
`;

describe('console API on the rig', () => {
  let rig: Rig;
  let ns: string;
  let client: KubeClient;
  let con: RunningConsole;
  let cookie: string;
  const post = (path: string, body: unknown): Promise<{ status: number; body: unknown }> =>
    new Promise((resolve, reject) => {
      const req = request(
        `${con.origin}${path}`,
        { method: 'POST', headers: { cookie, 'x-kuray-console': '1', 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
          });
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  const get = () => client.get<RayClusterObject>(RayClusters, ns, 'api');

  before(async () => {
    rig = await useRig();
    ns = await newNamespace(rig, 'console-api');
    client = KubeClient.fromFile(rig.kubeconfigPath);
    con = await consoleFor(client, { context: 'rig', user: 'admin', defaultNamespace: ns }, [ns]);
    const token = new URL(con.url).searchParams.get('token')!;
    cookie = `kuray_console_${new URL(con.origin).port}=${token}`;
  });
  after(async () => {
    await con.close();
    client.close();
  });

  it('create from YAML: refused with the validation errors, created when valid, streamed to the page', async () => {
    const bad = await post('/api/create', {
      yaml: 'apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: x}\nspec: {}\n',
    });
    assert.equal(bad.status, 422);
    assert.ok((bad.body as CreateResponse).objects[0]!.errors.some((e) => e.path === 'spec.headGroupSpec'));

    const seen: StreamMessage[] = [];
    const stream = await new Promise<import('node:http').IncomingMessage>((resolve) => {
      request(`${con.origin}/api/watch`, { headers: { cookie } }, resolve).end();
    });
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n'))
        if (line.startsWith('data: ')) seen.push(JSON.parse(line.slice(6)) as StreamMessage);
    });
    const ok = await post('/api/create', { yaml: yaml('api') });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual((ok.body as CreateResponse).created, [`RayCluster ${ns}/api`]);
    await until(
      'the stream carries the new cluster',
      () =>
        Promise.resolve(
          seen.some((m) => m.t === 'ADDED' && m.kind === 'rayclusters' && m.object.metadata.name === 'api'),
        ),
      { timeoutMs: 15_000 },
    );
    stream.destroy();
  });

  it('scale: within min..max it changes the group; beyond it, kubectl ray scale’s message and no change', async () => {
    const r = await post('/api/scale', { namespace: ns, name: 'api', group: 'small', replicas: 3 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await get()).spec.workerGroupSpecs![0]!.replicas, 3);
    const over = await post('/api/scale', { namespace: ns, name: 'api', group: 'small', replicas: 4 });
    assert.equal(over.status, 400);
    assert.match(
      (over.body as { error: string }).error,
      /cannot set --replicas \(4\) greater than --max-replicas \(3\)/,
    );
    const missing = await post('/api/scale', { namespace: ns, name: 'api', group: 'nope', replicas: 1 });
    assert.equal(missing.status, 400);
    assert.match((missing.body as { error: string }).error, /Available worker groups: small/);
    assert.equal((await get()).spec.workerGroupSpecs![0]!.replicas, 3);
  });

  it('suspend, resume, delete', async () => {
    assert.equal((await post('/api/suspend', { namespace: ns, name: 'api', suspend: true })).status, 200);
    assert.equal((await get()).spec.suspend, true);
    assert.equal((await post('/api/suspend', { namespace: ns, name: 'api', suspend: false })).status, 200);
    assert.equal((await get()).spec.suspend, false);
    assert.equal((await post('/api/delete', { kind: 'RayCluster', namespace: ns, name: 'api' })).status, 200);
    await until(
      'the cluster is gone',
      async () => {
        try {
          await get();
          return false;
        } catch {
          return true;
        }
      },
      { timeoutMs: 30_000 },
    );
  });
});
