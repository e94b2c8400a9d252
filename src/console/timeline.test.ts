import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventMessage } from '../autoscaler/actuator/explain.ts';
import { inNamespace, rayCluster, withWorkers } from '../testing/builders.ts';
import type { EventObject, RayClusterObject } from './protocol.ts';
import { buildTimeline, parseDecisionMessage } from './timeline.ts';

test('parseDecisionMessage reads what the actuator writes (explain.ts), inputs included', () => {
  const text = eventMessage('workers', 0, 2, [], {
    rule: 'pending-demand',
    message: '2 CPU pending: 2 workers more',
    inputs: { pendingCPU: 2, freeCPU: 0, note: null },
  } as never);
  assert.deepEqual(parseDecisionMessage(text), {
    group: 'workers',
    from: 0,
    to: 2,
    rule: 'pending-demand',
    message: '2 CPU pending: 2 workers more',
    inputs: { pendingCPU: '2', freeCPU: '0', note: 'null' },
  });
  const del = eventMessage('g', 3, 1, ['w-1', 'w-2'], {
    rule: 'idle-timeout',
    message: 'idle 60 s',
    inputs: {},
  } as never);
  assert.equal(parseDecisionMessage(del)?.to, 1);
  assert.equal(parseDecisionMessage(del)?.rule, 'idle-timeout');
  assert.equal(parseDecisionMessage('Created worker Pod x'), undefined);
});

test('buildTimeline: replicas step per group from the Events, status decisions without a change kept once', () => {
  const rc = rayCluster('c', inNamespace('ns'), withWorkers(1)) as unknown as RayClusterObject;
  rc.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
  const group = rc.spec.workerGroupSpecs![0]!.groupName;
  const ev = (at: string, from: number, to: number, rule: string): EventObject => ({
    metadata: { name: `e${at}`, namespace: 'ns' },
    involvedObject: { kind: 'RayCluster', name: 'c', namespace: 'ns' },
    reason: to > from ? 'AutoscalerScaledUp' : 'AutoscalerScaledDown',
    message: eventMessage(group, from, to, [], { rule, message: 'why', inputs: {} } as never),
    lastTimestamp: at,
  });
  rc.status = {
    autoscaler: {
      groups: [
        {
          groupName: group,
          replicas: 1,
          rule: 'steady',
          message: 'no change',
          lastDecisionTime: '2026-01-01T00:03:00Z',
        },
      ],
    },
  };
  const t = buildTimeline(
    rc,
    [ev('2026-01-01T00:01:00Z', 0, 2, 'pending-demand'), ev('2026-01-01T00:02:00Z', 2, 1, 'idle-timeout')],
    Date.parse('2026-01-01T00:04:00Z'),
  );
  assert.deepEqual(
    t.decisions.map((d) => `${d.rule}:${d.from}->${d.to}:${d.source}`),
    ['pending-demand:0->2:event', 'idle-timeout:2->1:event', 'steady:1->1:status'],
  );
  assert.deepEqual(
    t.series[0]!.points.map((p) => p.replicas),
    [0, 2, 1, 1],
  );
});
