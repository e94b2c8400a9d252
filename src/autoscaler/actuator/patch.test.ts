import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RayCluster } from '../../api/v1/index.ts';
import { named, rayCluster, replicas, withAnnotations, withWorkers } from '../../testing/builders.ts';
import {
  ANNOTATION_LAST_SCALE,
  formatLastScale,
  parseLastScale,
  pointerEscape,
  scalePatch,
} from './patch.ts';

const T = Date.parse('2026-11-28T16:00:00.000Z');

function withWtd(i: number, list: string[] | undefined, rc: RayCluster): RayCluster {
  const out = structuredClone(rc);
  out.spec.workerGroupSpecs![i]!.scaleStrategy = list === undefined ? {} : { workersToDelete: list };
  return out;
}

describe('scalePatch', () => {
  test('scale-up: tests the group name and replicas, replaces replicas, records the time in a new annotation map', () => {
    const rc = rayCluster('c', withWorkers(1, named('cpu')), withWorkers(2, named('big')));
    const ops = scalePatch(rc, [{ group: 'big', replicas: 5, addWorkersToDelete: [], atMs: T }]);
    assert.deepEqual(ops, [
      { op: 'test', path: '/spec/workerGroupSpecs/1/groupName', value: 'big' },
      { op: 'test', path: '/spec/workerGroupSpecs/1/replicas', value: 2 },
      { op: 'replace', path: '/spec/workerGroupSpecs/1/replicas', value: 5 },
      {
        op: 'add',
        path: '/metadata/annotations',
        value: { [ANNOTATION_LAST_SCALE]: '{"big":"2026-11-28T16:00:00.000Z"}' },
      },
    ]);
  });

  test("scale-down without scaleStrategy adds it with the listed pods; keeps other groups' times", () => {
    const rc = rayCluster(
      'c',
      withWorkers(3),
      withAnnotations({ [ANNOTATION_LAST_SCALE]: formatLastScale({ other: T - 1000 }) }),
    );
    const ops = scalePatch(rc, [
      { group: 'workers', replicas: 1, addWorkersToDelete: ['w1', 'w2'], atMs: T },
    ]);
    assert.deepEqual(ops.slice(2), [
      { op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: 1 },
      { op: 'add', path: '/spec/workerGroupSpecs/0/scaleStrategy', value: { workersToDelete: ['w1', 'w2'] } },
      {
        op: 'add',
        path: `/metadata/annotations/kuray.io~1autoscaler-last-scale-time`,
        value: formatLastScale({ other: T - 1000, workers: T }),
      },
    ]);
  });

  test('an existing workersToDelete list is pinned with test and extended, never replaced blindly', () => {
    const rc = withWtd(0, ['old'], rayCluster('c', withWorkers(3)));
    const ops = scalePatch(rc, [
      { group: 'workers', replicas: 1, addWorkersToDelete: ['new', 'old'], atMs: T },
    ]);
    const wtd = ops.filter((o) => o.path.endsWith('workersToDelete'));
    assert.deepEqual(wtd, [
      { op: 'test', path: '/spec/workerGroupSpecs/0/scaleStrategy/workersToDelete', value: ['old'] },
      {
        op: 'replace',
        path: '/spec/workerGroupSpecs/0/scaleStrategy/workersToDelete',
        value: ['old', 'new'],
      },
    ]);
  });

  test('a scale-up still pins a non-empty workersToDelete (the decision counted those pods as going)', () => {
    const rc = withWtd(0, ['w9'], rayCluster('c', withWorkers(2)));
    const ops = scalePatch(rc, [{ group: 'workers', replicas: 4, addWorkersToDelete: [], atMs: T }]);
    assert.ok(
      ops.some((o) => o.op === 'test' && o.path === '/spec/workerGroupSpecs/0/scaleStrategy/workersToDelete'),
    );
  });

  test('scaleStrategy without a list, and replicas unset, use add', () => {
    const rc = withWtd(0, undefined, rayCluster('c', withWorkers(2, replicas(undefined))));
    const ops = scalePatch(rc, [{ group: 'workers', replicas: 1, addWorkersToDelete: ['w1'], atMs: T }]);
    assert.deepEqual(ops.slice(1, 3), [
      { op: 'add', path: '/spec/workerGroupSpecs/0/replicas', value: 1 },
      { op: 'add', path: '/spec/workerGroupSpecs/0/scaleStrategy/workersToDelete', value: ['w1'] },
    ]);
  });

  test('no changes → no patch; an unknown group is an error', () => {
    const rc = rayCluster('c', withWorkers(1));
    assert.deepEqual(scalePatch(rc, []), []);
    assert.throws(
      () => scalePatch(rc, [{ group: 'nope', replicas: 1, addWorkersToDelete: [], atMs: T }]),
      /nope/,
    );
  });
});

describe('last scale annotation', () => {
  test('round-trips; garbage and bad dates are ignored', () => {
    const rc = rayCluster(
      'c',
      withAnnotations({ [ANNOTATION_LAST_SCALE]: formatLastScale({ a: T, b: T + 5 }) }),
    );
    assert.deepEqual(parseLastScale(rc), { a: T, b: T + 5 });
    for (const bad of ['{', '[]', '"x"', '{"a":"yesterday","b":3}']) {
      assert.deepEqual(
        parseLastScale(rayCluster('c', withAnnotations({ [ANNOTATION_LAST_SCALE]: bad }))),
        {},
      );
    }
    assert.deepEqual(parseLastScale(rayCluster('c')), {});
  });

  test('JSON pointer escaping', () => {
    assert.equal(pointerEscape('a/b~c'), 'a~1b~0c');
  });
});
