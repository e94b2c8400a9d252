import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { Decision } from '../policy/types.ts';
import { AutoscalerMetrics } from './metrics.ts';

async function lines(reg: Registry, name: string): Promise<string[]> {
  return (await reg.metrics())
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`))
    .sort();
}

const up: Decision = {
  kind: 'scale',
  group: 'cpu',
  replicas: 3,
  direction: 'up',
  workersToDelete: [],
  reason: {
    rule: 'cpu-utilization',
    message: 'CPU utilization 90% > threshold 70%',
    inputs: { utilization: 0.9, threshold: 0.7, upscalingMode: 'Default', coolingDown: false },
  },
};
const steady: Decision = {
  kind: 'none',
  group: 'cpu',
  replicas: 3,
  reason: { rule: 'steady', message: 'within bounds', inputs: { currentWorkers: 3 } },
};

describe('AutoscalerMetrics', () => {
  it('counts decisions by rule and action; keeps only the latest decision’s numeric inputs', async () => {
    const reg = new Registry();
    const m = new AutoscalerMetrics(reg);
    m.record('ns', 'c', [up]);
    assert.deepEqual(await lines(reg, 'kuray_autoscaler_decision_input'), [
      'kuray_autoscaler_decision_input{namespace="ns",cluster="c",group="cpu",rule="cpu-utilization",input="coolingDown"} 0',
      'kuray_autoscaler_decision_input{namespace="ns",cluster="c",group="cpu",rule="cpu-utilization",input="threshold"} 0.7',
      'kuray_autoscaler_decision_input{namespace="ns",cluster="c",group="cpu",rule="cpu-utilization",input="utilization"} 0.9',
    ]);
    m.record('ns', 'c', [steady]);
    m.record('ns', 'c', [steady]);
    assert.deepEqual(await lines(reg, 'kuray_autoscaler_decisions_total'), [
      'kuray_autoscaler_decisions_total{namespace="ns",cluster="c",group="cpu",rule="cpu-utilization",action="up"} 1',
      'kuray_autoscaler_decisions_total{namespace="ns",cluster="c",group="cpu",rule="steady",action="none"} 2',
    ]);
    assert.deepEqual(await lines(reg, 'kuray_autoscaler_decision_input'), [
      'kuray_autoscaler_decision_input{namespace="ns",cluster="c",group="cpu",rule="steady",input="currentWorkers"} 3',
    ]);
    assert.deepEqual(await lines(reg, 'kuray_autoscaler_desired_replicas'), [
      'kuray_autoscaler_desired_replicas{namespace="ns",cluster="c",group="cpu"} 3',
    ]);
    m.forget('ns', 'c');
    assert.deepEqual(await lines(reg, 'kuray_autoscaler_decision_input'), []);
    assert.deepEqual(await lines(reg, 'kuray_autoscaler_desired_replicas'), []);
  });
});
