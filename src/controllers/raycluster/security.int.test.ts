// Safe by default, on the real control plane:
//   - every pod the compiler makes for every seed example is admitted in a namespace labelled
//     pod-security.kubernetes.io/enforce=restricted (kube-apiserver's PodSecurity admission), and
//     without the defaults (--restricted-pod-security=false) they are not;
//   - the operator creates the basic cluster's pods there;
//   - a head exposed beyond the cluster without auth gets the CVE-2023-48022 Warning Event;
//   - --default-token-auth without the webhook: a new cluster gets token auth before its first pod.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RayCluster } from '../../api/v1/index.ts';
import type { Pod } from '../../compiler/k8sTypes.ts';
import { defaultCompileOptions, renderCluster, type CompileOptions } from '../../compiler/index.ts';
import { newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import { Pods, RayClusters, Secrets, type KubeObject } from '../../runtime/resources.ts';
import { KubeClient } from '../../runtime/transport.ts';
import {
  inNamespace,
  rayCluster,
  withHeadServiceType,
  withRayVersion,
  withWorkers,
} from '../../testing/builders.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { SEED_EXAMPLES } from '../../testing/seeds.ts';
import { until } from '../../testing/wait.ts';
import { parseYamlStream } from '../../util/yaml.ts';
import { REASON_EXPOSED } from './exposure.ts';

type RC = KubeObject & RayCluster;

function seedClusters(ns: string): { file: string; rc: RayCluster }[] {
  return readdirSync(SEED_EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseYamlStream(readFileSync(join(SEED_EXAMPLES, file), 'utf8'), file)
        .map((d) => d.value as RayCluster)
        .filter((v) => v.kind === 'RayCluster')
        .map((rc) => ({ file, rc: { ...rc, metadata: { ...rc.metadata, namespace: ns } } })),
    );
}

describe('restricted by default, exposure Event and default token auth on the rig', () => {
  let rig: Rig;
  let restricted: string;
  let open: string;
  let client: KubeClient;
  let op: InProcessOperator;

  before(async () => {
    rig = await useRig();
    restricted = await newNamespace(rig, 'pss-restricted');
    open = await newNamespace(rig, 'pss-auth');
    const label = await rig.kubectl([
      'label',
      'namespace',
      restricted,
      'pod-security.kubernetes.io/enforce=restricted',
      'pod-security.kubernetes.io/enforce-version=latest',
    ]);
    assert.equal(label.code, 0, label.stderr);
    client = KubeClient.fromFile(rig.kubeconfigPath);
    op = await startOperator(rig, [restricted, open], { raycluster: { defaultTokenAuth: true } });
  });
  after(async () => {
    await op.stop();
    client.close();
  });

  /** Server-side dry-run creates of every rendered pod; the non-pod objects are created for real. */
  async function admit(rc: RayCluster, options: CompileOptions): Promise<string[]> {
    const refused: string[] = [];
    for (const rendered of renderCluster(rc, options)) {
      // Rendered from a file, the owner has no uid yet; the pod's security is what is judged here.
      const { ownerReferences: _owner, ...metadata } = rendered.metadata ?? {};
      const o = { ...rendered, metadata };
      if (o.kind !== 'Pod') {
        // The ServiceAccount admission plugin wants the autoscaler's ServiceAccount to exist.
        await rig.kubectl(['apply', '-f', '-'], { input: JSON.stringify(o) });
        continue;
      }
      const r = await rig.kubectl(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(o) });
      if (r.code !== 0) refused.push(`${o.metadata?.name}: ${r.stderr.trim()}`);
    }
    return refused;
  }

  test("every seed example's pods are admitted under enforce=restricted (and would not be without the defaults)", async () => {
    const seeds = seedClusters(restricted);
    assert.ok(seeds.length >= 14);
    for (const { file, rc } of seeds) {
      assert.deepEqual(await admit(rc, defaultCompileOptions), [], file);
    }
    const without = await admit(seeds[0]!.rc, { ...defaultCompileOptions, restrictedPodSecurity: false });
    assert.ok(without.length > 0 && /violates PodSecurity "restricted/.test(without[0]!), without.join('\n'));
  });

  test('the operator creates the basic cluster in the restricted namespace', async () => {
    const basic = seedClusters(restricted).find((s) => s.file === '01-basic.yaml')!.rc;
    await client.create(RayClusters, basic as RC);
    const pods = await until('head + 3 workers created', async () => {
      const list = await client.list<KubeObject>(Pods, restricted, {
        labelSelector: 'ray.io/cluster=ray-cluster',
      });
      return list.items.length === 4 ? list.items : undefined;
    });
    for (const p of pods as unknown as Pod[])
      assert.ok(p.spec?.securityContext?.seccompProfile, p.metadata?.name);
  });

  test('a LoadBalancer head without auth gets the CVE-2023-48022 Warning Event, once', async () => {
    const name = `exposed-${randomBytes(2).toString('hex')}`;
    // Ray 2.9 (no token auth possible), so --default-token-auth leaves it as it is.
    await client.create(
      RayClusters,
      rayCluster(name, inNamespace(open), withRayVersion('2.9.0'), withHeadServiceType('LoadBalancer')) as RC,
    );
    const ev = await until('the Warning Event', async () => {
      const r = await rig.kubectl([
        'get',
        'events',
        '-n',
        open,
        '--field-selector',
        `reason=${REASON_EXPOSED}`,
        '-o',
        'json',
      ]);
      const items = (
        JSON.parse(r.stdout) as {
          items: { type: string; message: string; involvedObject: { name: string } }[];
        }
      ).items;
      return items.find((e) => e.involvedObject.name === name);
    });
    assert.equal(ev.type, 'Warning');
    assert.match(ev.message, /spec\.headGroupSpec\.serviceType: .*CVE-2023-48022/);
  });

  test('--default-token-auth: a new cluster gets token auth (spec, Secret, pod env) before its first pod', async () => {
    await client.create(
      RayClusters,
      rayCluster('auto-auth', inNamespace(open), withWorkers(1), withRayVersion('2.58.0')) as RC,
    );
    const rc = await until('authOptions written by the operator', async () => {
      const got = await client.get<RC>(RayClusters, open, 'auto-auth');
      return got.spec.authOptions ? got : undefined;
    });
    assert.deepEqual(rc.spec.authOptions, { mode: 'token' });
    await until('the token Secret', async () =>
      client.get(Secrets, open, 'auto-auth').then(
        () => true,
        () => false,
      ),
    );
    const pods = await until('head + worker', async () => {
      const list = await client.list<KubeObject>(Pods, open, { labelSelector: 'ray.io/cluster=auto-auth' });
      return list.items.length === 2 ? (list.items as unknown as Pod[]) : undefined;
    });
    for (const p of pods)
      assert.ok(
        p.spec?.containers[0]!.env?.some((e) => e.name === 'RAY_AUTH_TOKEN'),
        'every pod has the token',
      );
  });
});
