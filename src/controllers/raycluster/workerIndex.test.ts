import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../compiler/k8sTypes.ts';
import { assignWorkerIndices } from './workerIndex.ts';

const pod = (labels: Record<string, string>): Pod => ({ metadata: { labels } });
const single = (i: number) => pod({ 'ray.io/worker-group-replica-index': String(i) });
const host = (name: string, r: number, h: number) =>
  pod({
    'ray.io/worker-group-replica-name': name,
    'ray.io/worker-group-replica-index': String(r),
    'ray.io/replica-host-index': String(h),
  });
let n = 0;
const rand = () => `r${String(n++).padStart(4, '0')}`;

describe('worker replica indices', () => {
  test('single-host: a new group counts from 0; replacements fill the gaps first', () => {
    assert.deepEqual(assignWorkerIndices('g', 1, [], 3, rand), [
      { replicaIndex: 0 },
      { replicaIndex: 1 },
      { replicaIndex: 2 },
    ]);
    assert.deepEqual(assignWorkerIndices('g', 1, [single(0), single(2), pod({})], 2, rand), [
      { replicaIndex: 1 },
      { replicaIndex: 3 },
    ]);
  });

  test('multi-host: whole replicas share a name; a lost host comes back in its replica', () => {
    n = 0;
    assert.deepEqual(assignWorkerIndices('tpu', 2, [], 4, rand), [
      { replicaIndex: 0, hostIndex: 0, replicaName: 'tpu-r0000' },
      { replicaIndex: 0, hostIndex: 1, replicaName: 'tpu-r0000' },
      { replicaIndex: 1, hostIndex: 0, replicaName: 'tpu-r0001' },
      { replicaIndex: 1, hostIndex: 1, replicaName: 'tpu-r0001' },
    ]);
    const live = [host('tpu-a', 0, 0), host('tpu-a', 0, 1), host('tpu-b', 1, 1)];
    assert.deepEqual(assignWorkerIndices('tpu', 2, live, 3, rand), [
      { replicaIndex: 1, hostIndex: 0, replicaName: 'tpu-b' },
      { replicaIndex: 2, hostIndex: 0, replicaName: 'tpu-r0002' },
      { replicaIndex: 2, hostIndex: 1, replicaName: 'tpu-r0002' },
    ]);
  });

  test('no two live replicas ever share an index (random drops and refills)', () => {
    for (let trial = 0; trial < 300; trial++) {
      const hosts = 1 + (trial % 3);
      const labels = (i: { replicaIndex?: number; hostIndex?: number; replicaName?: string }) =>
        pod({
          'ray.io/worker-group-replica-index': String(i.replicaIndex),
          ...(i.replicaName
            ? {
                'ray.io/worker-group-replica-name': i.replicaName,
                'ray.io/replica-host-index': String(i.hostIndex),
              }
            : {}),
        });
      let pods = assignWorkerIndices('g', hosts, [], Math.floor(Math.random() * 7), rand).map(labels);
      for (let round = 0; round < 4; round++) {
        pods = pods.filter(() => Math.random() < 0.7);
        pods = [
          ...pods,
          ...assignWorkerIndices('g', hosts, pods, Math.floor(Math.random() * 5), rand).map(labels),
        ];
        // Each replica index belongs to one replica: one pod (single-host) or one name with distinct hosts.
        const byIndex = new Map<string, string[]>();
        for (const p of pods) {
          const l = p.metadata!.labels!;
          const k = l['ray.io/worker-group-replica-index']!;
          byIndex.set(k, [
            ...(byIndex.get(k) ?? []),
            `${l['ray.io/worker-group-replica-name'] ?? ''}/${l['ray.io/replica-host-index'] ?? ''}`,
          ]);
        }
        for (const [k, members] of byIndex) {
          assert.equal(
            new Set(members).size,
            members.length,
            `index ${k}: a host twice ${members.join(',')}`,
          );
          assert.equal(new Set(members.map((m) => m.split('/')[0])).size, 1, `index ${k} shared by replicas`);
          assert.ok(members.length <= hosts, `index ${k}: ${String(members.length)} pods`);
        }
      }
    }
  });
});
