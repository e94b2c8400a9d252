import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoscalingMode } from './mode.ts';
import { policyOptionsFrom, upscalingSpeed } from './options.ts';
import { maxStep } from './upscaling.ts';

test('in-tree wins when enableInTreeAutoscaling is true; native-only fields are then a warning', () => {
  const r = autoscalingMode({
    enableInTreeAutoscaling: true,
    autoscalerOptions: { cpuUtilizationThreshold: 0.7, idleTimeoutSeconds: 60 },
  });
  assert.equal(r.mode, 'in-tree');
  assert.deepEqual(r.nativeFields, ['cpuUtilizationThreshold']);
  assert.equal(r.warnings.length, 1);
  assert.equal(
    autoscalingMode({ enableInTreeAutoscaling: true, autoscalerOptions: { upscalingMode: 'Default' } })
      .warnings.length,
    0,
  );
});

test('native when any native field is set and in-tree is off (seed examples 05 and 06)', () => {
  const seed05 = {
    upscalingMode: 'Default',
    idleTimeoutSeconds: 300,
    targetUtilizationFraction: 0.8,
    cpuUtilizationThreshold: 0.7,
    memoryUtilizationThreshold: 0.8,
  };
  assert.equal(autoscalingMode({ autoscalerOptions: seed05 }).mode, 'native');
  const seed06 = {
    upscalingMode: 'Default',
    idleTimeoutSeconds: 600,
    targetUtilizationFraction: 0.8,
    metricsPort: 8080,
    enableMetrics: true,
    cooldownPeriodSeconds: 300,
  };
  assert.equal(autoscalingMode({ enableInTreeAutoscaling: false, autoscalerOptions: seed06 }).mode, 'native');
});

test('none when only shared fields are set (warned: they do nothing) or nothing is set', () => {
  const r = autoscalingMode({ autoscalerOptions: { idleTimeoutSeconds: 60 } });
  assert.equal(r.mode, 'none');
  assert.equal(r.warnings.length, 1);
  assert.deepEqual(autoscalingMode({}), { mode: 'none', nativeFields: [], warnings: [] });
});

test('upscaling speed and step as Ray: Conservative 1, Default = Aggressive = 1000, capped by concurrent launches', () => {
  assert.equal(upscalingSpeed('Conservative'), 1);
  assert.equal(upscalingSpeed('Default'), 1000);
  assert.equal(upscalingSpeed('Aggressive'), 1000);
  assert.equal(upscalingSpeed(undefined), 1000);
  const c = { upscalingMode: 'Conservative' as const, maxConcurrentLaunches: 10 };
  assert.equal(maxStep(c, { running: 0, launching: 0 }), 1);
  assert.equal(maxStep(c, { running: 3, launching: 1 }), 2);
  assert.equal(maxStep({ ...c, upscalingMode: 'Default' }, { running: 1, launching: 4 }), 6);
});

test('policy options from autoscalerOptions: defaults, group idle timeout wins, bad values fall back', () => {
  const o = policyOptionsFrom(
    {
      idleTimeoutSeconds: 300,
      cpuUtilizationThreshold: 0.7,
      targetUtilizationFraction: 2,
      upscalingMode: 'Fast',
    },
    30,
  );
  assert.equal(o.idleTimeoutSeconds, 30);
  assert.equal(o.cpuUtilizationThreshold, 0.7);
  assert.equal(o.memoryUtilizationThreshold, undefined);
  assert.equal(o.targetUtilizationFraction, 0.8);
  assert.equal(o.upscalingMode, 'Default');
  assert.equal(o.cooldownPeriodSeconds, 30);
});
