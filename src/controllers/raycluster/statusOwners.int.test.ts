// Two writers of a RayCluster's status on the real API server: the RayCluster controller (every
// member but autoscaler, statusPatch.ts) and the native autoscaler (status.autoscaler, explain.ts).
// Each writes from its own possibly stale cache; neither may lose the other's newer write.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AutoscalerStatus, RayCluster } from '../../api/v1/index.ts';
import { newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import { RayClusters, type KubeObject } from '../../runtime/resources.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { inNamespace, rayCluster, withWorkers } from '../../testing/builders.ts';
import { statusPatch } from '../../autoscaler/actuator/explain.ts';
import { clusterStatusPatch } from './statusPatch.ts';

type RC = KubeObject & RayCluster;

describe('status has one owner per member', () => {
  let rig: Rig;
  let client: KubeClient;
  let ns: string;

  before(async () => {
    rig = await useRig();
    client = KubeClient.fromFile(rig.kubeconfigPath);
    ns = await newNamespace(rig, 'status-owners');
  });
  after(() => {
    client.close();
  });

  const get = (name: string) => client.get<RC>(RayClusters, ns, name);
  const writeCluster = async (name: string, seen: RC, readyWorkers: number) => {
    const next = { ...(seen.status ?? {}), state: 'ready' as const, readyWorkerReplicas: readyWorkers };
    const p = clusterStatusPatch(seen.status, next);
    if (p) await client.patchStatus(RayClusters, ns, name, p.body, p.type);
  };
  const writeAutoscaler = async (name: string, seen: RC, message: string) => {
    const next: AutoscalerStatus = { mode: 'native', rayReachable: true, message };
    const p = statusPatch(seen.status, next);
    if (p)
      await client.patchStatus(RayClusters, ns, name, p.body, p.type, { fieldManager: 'kuray-autoscaler' });
  };

  test('the controller writing from a snapshot older than the autoscaler’s write keeps that write', async () => {
    await client.create(RayClusters, rayCluster('stale', inNamespace(ns), withWorkers(1)) as RC);
    // Both writers start from a cluster with no status yet (the merge-patch path), then from stale copies.
    let snapshot = await get('stale');
    for (let round = 1; round <= 5; round++) {
      await writeAutoscaler('stale', snapshot, `round ${String(round)}`);
      await writeCluster('stale', snapshot, round);
      const now = await get('stale');
      assert.equal(
        now.status?.autoscaler?.message,
        `round ${String(round)}`,
        'the autoscaler write survived',
      );
      assert.equal(now.status?.readyWorkerReplicas, round, 'the controller write landed');
      snapshot = now;
    }
  });

  test('racing writers, 40 rounds: after each both members hold their latest value', async () => {
    await client.create(RayClusters, rayCluster('race', inNamespace(ns), withWorkers(1)) as RC);
    for (let round = 1; round <= 40; round++) {
      const seen = await get('race');
      await Promise.all([
        writeCluster('race', seen, round),
        writeAutoscaler('race', seen, `round ${String(round)}`),
      ]);
      const now = await get('race');
      assert.equal(now.status?.autoscaler?.message, `round ${String(round)}`);
      assert.equal(now.status?.readyWorkerReplicas, round);
      assert.equal(now.status?.state, 'ready');
    }
  });

  test('a member cleared from a stale snapshot: no 422 when the member is already gone, absent after', async () => {
    await client.create(RayClusters, rayCluster('clear', inNamespace(ns), withWorkers(1)) as RC);
    const first = clusterStatusPatch(undefined, { state: 'failed', reason: 'boom', readyWorkerReplicas: 0 });
    await client.patchStatus(RayClusters, ns, 'clear', first!.body, first!.type);
    const stale = await get('clear');
    assert.equal(stale.status?.reason, 'boom');
    // Two writes from the same snapshot (the cache has not seen the first): both clear `reason`.
    for (const ready of [1, 2]) {
      const p = clusterStatusPatch(stale.status, { state: 'ready', readyWorkerReplicas: ready });
      assert.ok(p?.type === 'json' && p.body.some((op) => op.path === '/status/reason' && op.value === null));
      await client.patchStatus(RayClusters, ns, 'clear', p.body, p.type);
      const now = await get('clear');
      assert.equal(now.status?.readyWorkerReplicas, ready);
      assert.ok(
        !('reason' in (now.status ?? {})),
        `reason is absent, not null: ${JSON.stringify(now.status)}`,
      );
    }
  });
});
