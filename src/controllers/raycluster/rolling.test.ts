import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../compiler/k8sTypes.ts';
import { compileCluster } from '../../compiler/index.ts';
import {
  ANNOTATION_WORKER_TEMPLATE_COMPILER,
  ANNOTATION_WORKER_TEMPLATE_HASH,
} from '../../compiler/rollingHash.ts';
import { defaultCompileOptions } from '../../compiler/options.ts';
import { validate } from '../../api/validation/index.ts';
import { rayCluster, rollingUpdate, withHeadEnv, withWorkers, workerEnv } from '../../testing/builders.ts';
import {
  headPod,
  notReady,
  ready,
  running,
  templateHash,
  terminating,
  THIS_COMPILER,
  workerPod,
} from '../../testing/pods.ts';
import { planPods } from './plan.ts';
import { adoptions, groupProgress, resolveMaxUnavailable, rollingPlan } from './rolling.ts';
import { rollingCondition } from './status.ts';

const up = (name: string, hash: string, ...mods: ((p: Pod) => Pod)[]) =>
  workerPod(name, running(), ready(), templateHash(hash), ...mods);
const head = headPod('c-head-x', running(), ready());

function roll(pods: Pod[], desiredPods: number, maxUnavailable?: number | string, autoscaling = false) {
  const planned = planPods({
    suspend: false,
    autoscaling,
    groups: [{ name: 'workers', desiredPods }],
    pods,
  });
  return rollingPlan(
    planned,
    [{ name: 'workers', desiredPods, hash: 'new', compiler: THIS_COMPILER, maxUnavailable }],
    pods,
  );
}

describe('upgradeStrategy RollingUpdate', () => {
  test('maxUnavailable: a count, or a percentage of replicas rounded down, at least 1; default 1', () => {
    assert.equal(resolveMaxUnavailable(undefined, 10), 1);
    assert.equal(resolveMaxUnavailable(3, 10), 3);
    assert.equal(resolveMaxUnavailable('25%', 10), 2);
    assert.equal(resolveMaxUnavailable('10%', 4), 1);
    assert.equal(resolveMaxUnavailable('100%', 4), 4);
  });

  test('one outdated pod per batch by default: deleted and replaced in the same reconcile (no surge)', () => {
    const pods = [head, up('w1', 'old'), up('w2', 'old'), up('w3', 'old')];
    const g = roll(pods, 3).groups[0]!;
    assert.deepEqual(
      g.delete.map((d) => d.name),
      ['w1'],
    );
    assert.equal(g.create, 1);
    assert.match(g.delete[0]!.reason, /rolling update of workers: .*0\/3 pods updated, maxUnavailable 1/);
    assert.equal(roll(pods, 3).deleteHead.length, 0, 'the head is never restarted');
  });

  test('the next batch waits while a replacement is not Ready (never below replicas − maxUnavailable)', () => {
    const pods = [head, up('w1', 'new', notReady()), up('w2', 'old'), up('w3', 'old')];
    assert.deepEqual(roll(pods, 3).groups[0]!.delete, []);
    const after = [head, up('w1', 'new'), up('w2', 'old'), up('w3', 'old')];
    assert.deepEqual(
      roll(after, 3).groups[0]!.delete.map((d) => d.name),
      ['w2'],
    );
  });

  test('maxUnavailable 2 replaces two at once; outdated not-Ready pods go without using the budget', () => {
    const pods = [head, up('w1', 'old'), up('w2', 'old'), up('w3', 'old'), up('w4', 'old', notReady())];
    // w4 is already unavailable: budget 2 − 1 = 1 Ready pod, plus w4 itself.
    const g = roll(pods, 4, 2).groups[0]!;
    assert.deepEqual(g.delete.map((d) => d.name).sort(), ['w1', 'w4']);
    assert.equal(g.create, 2);
    assert.equal(
      roll([head, up('w1', 'old'), up('w2', 'old'), up('w3', 'old')], 3, '67%').groups[0]!.create,
      2,
    );
  });

  test('a group growing, shrinking or waiting on the autoscaler finishes that before rolling', () => {
    assert.deepEqual(roll([head, up('w1', 'old')], 2).groups[0]!.delete, [], 'growing');
    const surplus = roll([head, up('w1', 'old'), up('w2', 'old'), up('w3', 'old')], 2, 1, true).groups[0]!;
    assert.deepEqual(surplus.delete, [], 'the autoscaler picks the surplus first');
    assert.equal(surplus.surplusKept, 1);
  });

  test('workersToDelete is honoured first and the roll does not count the leaving pod', () => {
    const pods = [head, up('w1', 'old'), up('w2', 'old'), up('w3', 'old')];
    const planned = planPods({
      suspend: false,
      autoscaling: true,
      groups: [{ name: 'workers', desiredPods: 2, workersToDelete: ['w3'] }],
      pods,
    });
    const g = rollingPlan(
      planned,
      [{ name: 'workers', desiredPods: 2, hash: 'new', compiler: THIS_COMPILER }],
      pods,
    ).groups[0]!;
    assert.deepEqual(
      g.delete.map((d) => d.name),
      ['w3', 'w1'],
    );
    assert.equal(g.create, 1, 'replicas stays what the autoscaler set');
  });

  test('pods without a hash (made before RollingUpdate) and terminating pods are left alone', () => {
    const pods = [head, workerPod('w1', running(), ready()), up('w2', 'old', terminating()), up('w3', 'new')];
    const g = roll(pods, 2).groups[0]!;
    assert.deepEqual(g.delete, []);
    assert.deepEqual(groupProgress('workers', 'new', THIS_COMPILER, pods), {
      group: 'workers',
      updated: 2,
      total: 2,
    });
  });

  test('pods another compiler made (operator upgrade, changed flags) are adopted, not replaced', () => {
    const pods = [
      head,
      up('w1', 'old', templateHash('old', 'older-operator')),
      up('w2', 'old', templateHash('old', null)), // made before pods recorded their compiler
      up('w3', 'new', templateHash('new', null)), // same hash, no compiler yet: recorded too
      up('w4', 'new'),
      up('w5', 'old', templateHash('old', 'older-operator'), terminating()),
    ];
    const g = roll(pods, 4).groups[0]!;
    assert.deepEqual(g.delete, [], 'nothing is restarted for a change of the operator');
    assert.deepEqual(groupProgress('workers', 'new', THIS_COMPILER, pods), {
      group: 'workers',
      updated: 4,
      total: 4,
    });
    const adopt = adoptions(
      [{ name: 'workers', desiredPods: 4, hash: 'new', compiler: THIS_COMPILER }],
      pods,
    );
    assert.deepEqual(
      adopt.map((p) => p.metadata?.name),
      ['w1', 'w2', 'w3'],
    );
    // Once adopted (annotations rewritten), a later change of the user's spec rolls them as usual.
    const adopted = [head, ...['w1', 'w2', 'w3', 'w4'].map((n) => up(n, 'new'))];
    const next = rollingPlan(
      planPods({
        suspend: false,
        autoscaling: false,
        groups: [{ name: 'workers', desiredPods: 4 }],
        pods: adopted,
      }),
      [{ name: 'workers', desiredPods: 4, hash: 'newer', compiler: THIS_COMPILER }],
      adopted,
    ).groups[0]!;
    assert.deepEqual(
      next.delete.map((d) => d.name),
      ['w1'],
    );
  });

  test('the compiler fingerprint: stable for the same options, changed by a flag that reaches worker pods', () => {
    const rc = rayCluster('c', withWorkers(1), rollingUpdate());
    const fp = compileCluster(rc).compilerFingerprint();
    assert.match(fp, /^[0-9a-f]{16}$/);
    assert.equal(
      compileCluster(rayCluster('other', withWorkers(3), rollingUpdate())).compilerFingerprint(),
      fp,
    );
    const relaxed = { ...defaultCompileOptions, restrictedPodSecurity: false };
    assert.notEqual(compileCluster(rc, relaxed).compilerFingerprint(), fp);
    const pod = compileCluster(rc).workerPod('workers', 'c-workers-worker-abcde');
    assert.equal(pod.metadata?.annotations?.[ANNOTATION_WORKER_TEMPLATE_COMPILER], fp);
  });

  test('WorkerPodsUpdated says n/m pods updated with per-group counts', () => {
    const c = rollingCondition([
      { group: 'cpu', updated: 1, total: 3 },
      { group: 'gpu', updated: 2, total: 2 },
    ]);
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'RollingUpdateInProgress');
    assert.equal(c.message, '3/5 pods updated (cpu 1/3, gpu 2/2)');
    assert.equal(rollingCondition([{ group: 'cpu', updated: 3, total: 3 }]).status, 'True');
  });

  test('the worker hash follows the worker template only; pods carry it only under RollingUpdate', () => {
    const hash = (rc: ReturnType<typeof rayCluster>) => compileCluster(rc).workerTemplateHash('workers');
    const base = rayCluster('c', withWorkers(2), rollingUpdate());
    assert.equal(
      hash(rayCluster('c', withWorkers(5), rollingUpdate())),
      hash(base),
      'replicas is not the template',
    );
    assert.equal(
      hash(rayCluster('c', withHeadEnv({ name: 'A', value: '1' }), withWorkers(2), rollingUpdate())),
      hash(base),
    );
    assert.notEqual(
      hash(rayCluster('c', withWorkers(2, workerEnv({ name: 'A', value: '1' })), rollingUpdate())),
      hash(base),
    );
    const pod = compileCluster(base).workerPod('workers', 'c-workers-worker-abcde');
    assert.equal(pod.metadata?.annotations?.[ANNOTATION_WORKER_TEMPLATE_HASH], hash(base));
    const plain = compileCluster(rayCluster('c', withWorkers(2))).workerPod(
      'workers',
      'c-workers-worker-abcde',
    );
    assert.equal(plain.metadata?.annotations?.[ANNOTATION_WORKER_TEMPLATE_HASH], undefined);
  });

  test('validation: rollingUpdate needs type RollingUpdate; maxUnavailable ≥ 1 or 1%–100%', () => {
    const errs = (rc: ReturnType<typeof rayCluster>) => validate(rc).errors;
    assert.deepEqual(errs(rayCluster('c', withWorkers(2), rollingUpdate('25%'))), []);
    const bad = errs(rayCluster('c', withWorkers(2), rollingUpdate(0)));
    assert.equal(bad[0]?.path, 'spec.upgradeStrategy.rollingUpdate.maxUnavailable');
    assert.match(bad[0]?.hint ?? '', /maxUnavailable: "25%"/);
    assert.equal(errs(rayCluster('c', withWorkers(2), rollingUpdate('150%'))).length, 1);
    const wrongType = rayCluster('c', withWorkers(2), rollingUpdate(1));
    wrongType.spec.upgradeStrategy!.type = 'Recreate';
    assert.equal(errs(wrongType)[0]?.path, 'spec.upgradeStrategy.rollingUpdate');
  });
});
