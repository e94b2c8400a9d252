import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isNoop, planPods, type PlanInput } from './plan.ts';
import {
  createdAt,
  headPod,
  inGroup,
  phase,
  rayContainerTerminated,
  ready,
  restartPolicy,
  running,
  terminating,
  workerPod,
} from '../../testing/pods.ts';

const healthyHead = headPod('c-head-aaaaa', running(), ready());
const w = (name: string, ...mods: Parameters<typeof workerPod>[1][]) =>
  workerPod(name, inGroup('g'), ...mods);

function input(over: Partial<PlanInput>): PlanInput {
  return { suspend: false, autoscaling: false, groups: [{ name: 'g', desiredPods: 0 }], pods: [], ...over };
}

test('empty cluster: create the head and every desired worker', () => {
  const plan = planPods(input({ groups: [{ name: 'g', desiredPods: 3 }] }));
  assert.equal(plan.createHead, true);
  assert.equal(plan.groups[0]?.create, 3);
  assert.deepEqual(plan.groups[0]?.delete, []);
});

test('converged cluster is a no-op', () => {
  const pods = [healthyHead, w('w1', running(), ready()), w('w2', running(), ready())];
  assert.ok(isNoop(planPods(input({ groups: [{ name: 'g', desiredPods: 2 }], pods }))));
});

test('terminating pods do not count, so a replacement is created (and they are not deleted again)', () => {
  const pods = [healthyHead, w('w1', running(), ready()), w('w2', terminating())];
  const plan = planPods(input({ groups: [{ name: 'g', desiredPods: 2 }], pods }));
  assert.equal(plan.groups[0]?.create, 1);
  assert.deepEqual(plan.groups[0]?.delete, []);
});

test('failed and succeeded pods are replaced; crash-looping Always pods are left to the kubelet', () => {
  const pods = [
    healthyHead,
    w('failed', phase('Failed', 'Evicted')),
    w('done', phase('Succeeded')),
    w('crashing', running(), rayContainerTerminated()),
  ];
  const plan = planPods(input({ groups: [{ name: 'g', desiredPods: 3 }], pods }));
  assert.deepEqual(plan.groups[0]?.delete.map((d) => d.name).sort(), ['done', 'failed']);
  assert.match(plan.groups[0].delete.find((d) => d.name === 'failed')!.reason, /Failed \(Evicted\)/);
  assert.equal(plan.groups[0]?.create, 2);
});

test('a Running pod whose Ray container exited is replaced when restartPolicy is Never', () => {
  const pods = [healthyHead, w('w1', restartPolicy('Never'), running(), rayContainerTerminated(137))];
  const plan = planPods(input({ groups: [{ name: 'g', desiredPods: 1 }], pods }));
  assert.deepEqual(
    plan.groups[0]?.delete.map((d) => d.name),
    ['w1'],
  );
  assert.match(plan.groups[0].delete[0]!.reason, /exit 137/);
  assert.equal(plan.groups[0]?.create, 1);
});

test('a failed head is replaced; of two heads the ready one is kept', () => {
  const failed = planPods(input({ pods: [headPod('h1', phase('Failed'))] }));
  assert.deepEqual(
    failed.deleteHead.map((d) => d.name),
    ['h1'],
  );
  assert.equal(failed.createHead, true);
  const two = planPods(input({ pods: [headPod('h-new'), headPod('h-ready', running(), ready())] }));
  assert.deepEqual(
    two.deleteHead.map((d) => d.name),
    ['h-new'],
  );
  assert.equal(two.createHead, false);
});

test('workersToDelete deletes exactly those pods, whatever replicas says', () => {
  const pods = [
    healthyHead,
    w('w1', running(), ready()),
    w('w2', running(), ready()),
    w('w3', running(), ready()),
  ];
  const plan = planPods(
    input({ groups: [{ name: 'g', desiredPods: 1, workersToDelete: ['w1', 'w3'] }], pods }),
  );
  assert.deepEqual(plan.groups[0]?.delete.map((d) => d.name).sort(), ['w1', 'w3']);
  assert.equal(plan.groups[0]?.create, 0);
  assert.deepEqual(plan.groups[0]?.workersToDeleteDone, []);
});

test('workersToDelete entries already gone or terminating are reported done so the list can be cleared', () => {
  const pods = [healthyHead, w('w2', running(), ready()), w('w3', terminating())];
  const plan = planPods(
    input({ groups: [{ name: 'g', desiredPods: 1, workersToDelete: ['w1', 'w3'] }], pods }),
  );
  assert.deepEqual(plan.groups[0]?.workersToDeleteDone.sort(), ['w1', 'w3']);
  assert.deepEqual(plan.groups[0]?.delete, []);
});

test('without autoscaling, surplus workers go in ReplicaSet order: pending first, then newest', () => {
  const pods = [
    healthyHead,
    w('old-ready', running(), ready(), createdAt('2026-01-01T00:00:00Z')),
    w('new-ready', running(), ready(), createdAt('2026-01-02T00:00:00Z')),
    w('pending', createdAt('2025-12-01T00:00:00Z')),
  ];
  const plan = planPods(input({ groups: [{ name: 'g', desiredPods: 1 }], pods }));
  assert.deepEqual(
    plan.groups[0]?.delete.map((d) => d.name),
    ['pending', 'new-ready'],
  );
});

test('with autoscaling on, the operator never picks workers to delete itself', () => {
  const pods = [healthyHead, w('w1', running(), ready()), w('w2', running(), ready())];
  const plan = planPods(input({ autoscaling: true, groups: [{ name: 'g', desiredPods: 0 }], pods }));
  assert.deepEqual(plan.groups[0]?.delete, []);
  assert.equal(plan.groups[0]?.surplusKept, 2);
});

test('suspend deletes every live pod and creates nothing', () => {
  const pods = [healthyHead, w('w1', running()), w('w2', terminating()), workerPod('x', inGroup('gone'))];
  const plan = planPods(input({ suspend: true, groups: [{ name: 'g', desiredPods: 2 }], pods }));
  assert.equal(plan.createHead, false);
  assert.deepEqual(
    plan.deleteHead.map((d) => d.name),
    ['c-head-aaaaa'],
  );
  assert.deepEqual(
    plan.groups[0]?.delete.map((d) => d.name),
    ['w1'],
  );
  assert.deepEqual(
    plan.deleteOrphans.map((d) => d.name),
    ['x'],
  );
});

test('a suspended worker group loses its pods even with autoscaling on', () => {
  const pods = [healthyHead, w('w1', running())];
  const plan = planPods(
    input({ autoscaling: true, groups: [{ name: 'g', desiredPods: 0, suspend: true }], pods }),
  );
  assert.deepEqual(
    plan.groups[0]?.delete.map((d) => d.name),
    ['w1'],
  );
});

test('pods of a group removed from the spec are deleted', () => {
  const plan = planPods(input({ pods: [healthyHead, workerPod('x', inGroup('old'), running())] }));
  assert.deepEqual(
    plan.deleteOrphans.map((d) => d.name),
    ['x'],
  );
});

test('property: applying the plan reaches exactly the desired count, never deleting a pod twice', () => {
  const podArb = fc.record({
    ph: fc.constantFrom<'Pending' | 'Running' | 'Failed' | 'Succeeded'>(
      'Pending',
      'Running',
      'Failed',
      'Succeeded',
    ),
    ready: fc.boolean(),
    terminating: fc.boolean(),
    listed: fc.boolean(),
  });
  fc.assert(
    fc.property(
      fc.array(podArb, { maxLength: 12 }),
      fc.nat(10),
      fc.boolean(),
      (specs, desired, autoscaling) => {
        const pods = specs.map((s, i) => {
          const mods = [phase(s.ph)];
          if (s.ph === 'Running') mods.push(running());
          if (s.ready) mods.push(ready());
          if (s.terminating) mods.push(terminating());
          return w(`w${i}`, ...mods);
        });
        const listed = specs.flatMap((s, i) => (s.listed ? [`w${i}`] : []));
        const plan = planPods(
          input({
            autoscaling,
            groups: [{ name: 'g', desiredPods: desired, workersToDelete: listed }],
            pods: [healthyHead, ...pods],
          }),
        );
        const g = plan.groups[0]!;
        const deleted = new Set(g.delete.map((d) => d.name));
        assert.equal(deleted.size, g.delete.length, 'no pod deleted twice');
        for (const d of deleted) {
          const pod = pods.find((p) => p.metadata?.name === d)!;
          assert.equal(pod.metadata?.deletionTimestamp, undefined, 'terminating pods are not deleted again');
        }
        const survivors = pods.filter(
          (p) => !p.metadata?.deletionTimestamp && !deleted.has(p.metadata!.name!),
        );
        if (autoscaling) assert.equal(survivors.length + g.create - g.surplusKept, desired);
        else assert.equal(survivors.length + g.create, desired);
        for (const name of listed) {
          const pod = pods.find((p) => p.metadata?.name === name)!;
          assert.ok(
            deleted.has(name) || pod.metadata?.deletionTimestamp,
            `${name} in workersToDelete must go`,
          );
        }
      },
    ),
  );
});

test('a SidecarMode RayJob cluster (noHeadRecreate): a lost head is not recreated, workers still reconcile', () => {
  const plan = planPods(input({ groups: [{ name: 'g', desiredPods: 1 }], noHeadRecreate: true }));
  assert.equal(plan.createHead, false);
  assert.equal(plan.groups[0]?.create, 1);
  const failed = planPods(
    input({
      noHeadRecreate: true,
      pods: [headPod('c-head-x', running(), restartPolicy('Never'), rayContainerTerminated(1))],
    }),
  );
  assert.deepEqual(
    failed.deleteHead.map((d) => d.name),
    ['c-head-x'],
  );
  assert.equal(failed.createHead, false);
});
