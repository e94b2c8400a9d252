import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, podPhase, podStatus, type ContainerView, type PodView } from './status.ts';

const running = (name = 'c', ready = true): ContainerView => ({
  name,
  image: 'i',
  state: { running: { startedAt: 't0' } },
  lastState: {},
  restartCount: 0,
  ready,
  started: true,
});
const exited = (code: number, restarts = 0): ContainerView => ({
  ...running(),
  ready: false,
  started: false,
  restartCount: restarts,
  state: { terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error' } },
});
const view = (over: Partial<PodView>): PodView => ({
  podIP: '127.1.0.2',
  hostIP: '127.0.0.1',
  startTime: 't0',
  restartPolicy: 'Always',
  init: [],
  initialized: true,
  initFailed: false,
  containers: [running()],
  ...over,
});

describe('podPhase', () => {
  it('Pending while initializing or never started; Running while anything runs or restarts', () => {
    assert.equal(podPhase(view({ initialized: false })), 'Pending');
    assert.equal(
      podPhase(view({ containers: [{ ...running(), state: { waiting: { reason: 'ContainerCreating' } } }] })),
      'Pending',
    );
    assert.equal(podPhase(view({})), 'Running');
    assert.equal(
      podPhase(
        view({
          containers: [
            {
              ...exited(1, 1),
              state: { waiting: { reason: 'CrashLoopBackOff' } },
              lastState: { terminated: { exitCode: 1 } },
            },
          ],
        }),
      ),
      'Running',
    );
  });
  it('terminal phases follow restartPolicy and exit codes', () => {
    assert.equal(podPhase(view({ restartPolicy: 'Never', containers: [exited(0)] })), 'Succeeded');
    assert.equal(
      podPhase(view({ restartPolicy: 'Never', containers: [exited(0), { ...exited(2), name: 'd' }] })),
      'Failed',
    );
    assert.equal(podPhase(view({ restartPolicy: 'OnFailure', containers: [exited(0)] })), 'Succeeded');
    assert.equal(podPhase(view({ restartPolicy: 'OnFailure', containers: [exited(1)] })), 'Running');
    assert.equal(podPhase(view({ initialized: false, initFailed: true })), 'Failed');
  });
});

describe('podStatus', () => {
  it('Ready follows every container being ready; transition times hold while a condition holds', () => {
    const s1 = podStatus(view({ containers: [running('a', false)] }), undefined, 'T1');
    const ready1 = s1.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(ready1.status, 'False');
    assert.equal(ready1.reason, 'ContainersNotReady');
    const s2 = podStatus(view({ containers: [running('a', false)] }), s1, 'T2');
    assert.equal(s2.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, 'T1');
    const s3 = podStatus(view({ containers: [running('a', true)] }), s2, 'T3');
    assert.deepEqual(
      s3.conditions!.find((c) => c.type === 'Ready'),
      { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: 'T3' },
    );
    assert.equal(s3.podIP, '127.1.0.2');
    assert.deepEqual(s3.podIPs, [{ ip: '127.1.0.2' }]);
  });
  it('keeps the scheduler condition', () => {
    const old = { conditions: [{ type: 'PodScheduled', status: 'True' as const, lastTransitionTime: 'T0' }] };
    const s = podStatus(view({}), old, 'T1');
    assert.deepEqual(s.conditions!.at(-1), old.conditions[0]);
  });
});

describe('backoffMs', () => {
  it('doubles from 10 s up to 5 min', () => {
    assert.deepEqual([0, 1, 2, 3, 6, 20].map(backoffMs), [0, 10_000, 20_000, 40_000, 300_000, 300_000]);
  });
});
