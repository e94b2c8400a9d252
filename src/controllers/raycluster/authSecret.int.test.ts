// Token auth on the real control plane: the operator creates the cluster's auth_token Secret (as
// KubeRay does) before its pods, owned by the cluster, never rewrites it, and leaves a user-named
// Secret alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RayCluster } from '../../api/v1/index.ts';
import type { Pod } from '../../compiler/k8sTypes.ts';
import { newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import { inNamespace, rayCluster, withAuthOptions, withWorkers } from '../../testing/builders.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { until } from '../../testing/wait.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { Pods, RayClusters, Secrets, type KubeObject } from '../../runtime/resources.ts';
import { isNotFound } from '../../runtime/errors.ts';

type RC = KubeObject & RayCluster;
type SecretObj = KubeObject & { data?: Record<string, string> };

describe('token auth Secret on the rig', () => {
  let rig: Rig;
  let ns: string;
  let client: KubeClient;
  let op: InProcessOperator;

  before(async () => {
    rig = await useRig();
    ns = await newNamespace(rig, 'rc-auth');
    client = KubeClient.fromFile(rig.kubeconfigPath);
    op = await startOperator(rig, [ns]);
  });
  after(async () => {
    await op.stop();
    client.close();
  });

  const pods = async (name: string): Promise<Pod[]> =>
    (await client.list<KubeObject>(Pods, ns, { labelSelector: `ray.io/cluster=${name}` })).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    ) as Pod[];
  const tokenEnv = (p: Pod) =>
    p.spec?.containers[0]?.env?.find((e) => e.name === 'RAY_AUTH_TOKEN')?.valueFrom?.secretKeyRef;

  test('mode token: the operator creates <cluster> with a random auth_token, owned by the cluster', async () => {
    const rc = await client.create<RC>(
      RayClusters,
      rayCluster('tok', inNamespace(ns), withWorkers(1), withAuthOptions({ mode: 'token' })) as RC,
    );
    const all = await until('head + 1 worker', async () =>
      (await pods('tok')).length === 2 ? pods('tok') : undefined,
    );
    const secret = await client.get<SecretObj>(Secrets, ns, 'tok');
    const token = Buffer.from(secret.data?.auth_token ?? '', 'base64');
    assert.equal(Buffer.from(token.toString('utf8'), 'base64').length, 32, '32 random bytes, base64');
    assert.equal(secret.metadata.ownerReferences?.[0]?.uid, rc.metadata.uid);
    for (const p of all) assert.deepEqual(tokenEnv(p), { name: 'tok', key: 'auth_token' });

    // A new head pod (head loss) keeps the same token: the Secret is never rewritten.
    const head = all.find((p) => p.metadata?.labels?.['ray.io/node-type'] === 'head')!;
    await client.delete(Pods, ns, head.metadata!.name!, { gracePeriodSeconds: 0 });
    await until('a new head pod', async () =>
      (await pods('tok')).some(
        (p) => p.metadata?.labels?.['ray.io/node-type'] === 'head' && p.metadata.name !== head.metadata!.name,
      ),
    );
    const again = await client.get<SecretObj>(Secrets, ns, 'tok');
    assert.equal(again.data?.auth_token, secret.data?.auth_token);
    assert.equal(again.metadata.resourceVersion, secret.metadata.resourceVersion);
  });

  test('a user-named secretName is the user’s: the operator creates nothing', async () => {
    await client.create<RC>(
      RayClusters,
      rayCluster(
        'mine',
        inNamespace(ns),
        withWorkers(0),
        withAuthOptions({ mode: 'token', secretName: 'my-token' }),
      ) as RC,
    );
    const [head] = await until('head pod', async () =>
      (await pods('mine')).length === 1 ? pods('mine') : undefined,
    );
    assert.deepEqual(tokenEnv(head!), { name: 'my-token', key: 'auth_token' });
    for (const name of ['my-token', 'mine']) {
      await assert.rejects(client.get(Secrets, ns, name), (e: unknown) => isNotFound(e));
    }
  });
});
