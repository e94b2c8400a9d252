// Validation beyond the table: feature gates, warnings, cross-object notes, status rules, cron.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronProblem } from './cron.ts';
import { parseFeatureGates } from './features.ts';
import { base, HC, job, set, W } from './fixtures.ts';
import { validate, validateAll } from './index.ts';

test('feature gates switch gated fields on', () => {
  const obj = set(base, 'spec.networkPolicy', { mode: 'DenyAll' });
  assert.deepEqual(
    validate(obj, { featureGates: parseFeatureGates('RayClusterNetworkPolicy=true') }).errors,
    [],
  );
  assert.throws(() => parseFeatureGates('NoSuchGate=true'), /unknown feature gate/);
});

test('warnings: in-tree autoscaling makes the native autoscaler fields inert', () => {
  const obj = set(set(base, 'spec.enableInTreeAutoscaling', true), 'spec.autoscalerOptions', {
    cooldownPeriodSeconds: 60,
  });
  const r = validate(obj);
  assert.deepEqual(r.errors, []);
  assert.ok(
    r.warnings.some(
      (w) =>
        w.path === 'spec.autoscalerOptions.cooldownPeriodSeconds' &&
        /does not run when enableInTreeAutoscaling/.test(w.message),
    ),
  );
});

test('warnings: native metrics settings that leave utilization thresholds unread', () => {
  const off = validate(
    set(base, 'spec.autoscalerOptions', { cpuUtilizationThreshold: 0.7, enableMetrics: false }),
  );
  assert.deepEqual(off.errors, []);
  const w = off.warnings.find((x) => x.path === 'spec.autoscalerOptions.enableMetrics');
  assert.match(w?.message ?? '', /cpuUtilizationThreshold is never evaluated/);

  const port = validate(
    set(base, 'spec.autoscalerOptions', { cpuUtilizationThreshold: 0.7, metricsPort: 9090 }),
  );
  const p = port.warnings.find((x) => x.path === 'spec.autoscalerOptions.metricsPort');
  assert.match(p?.message ?? '', /metricsPort 9090 .* export them on 8080/);
  assert.match(p?.hint ?? '', /set metricsPort to 8080/);

  // The guide's 06 example: metricsPort 8080 is Ray's default export port — nothing to say.
  const ok = validate(
    set(base, 'spec.autoscalerOptions', {
      cpuUtilizationThreshold: 0.7,
      metricsPort: 8080,
      enableMetrics: true,
    }),
  );
  assert.equal(ok.warnings.filter((x) => x.path.startsWith('spec.autoscalerOptions')).length, 0);
});

test('warnings: the native autoscaler leaves multi-host groups alone', () => {
  const obj = set(set(base, `${W}.numOfHosts`, 2), 'spec.autoscalerOptions', {
    cpuUtilizationThreshold: 0.7,
  });
  const w = validate(obj).warnings.find((x) => x.path === 'spec.workerGroupSpecs[0].numOfHosts');
  assert.match(w?.message ?? '', /does not scale multi-host groups/);
});

test('warnings: a launch timeout the autoscalers cannot read (field path, what is wrong, the fix)', () => {
  const env = (e: object) =>
    validate(set(base, 'spec.autoscalerOptions', { env: [{ name: 'X', value: '1' }, e] })).warnings.filter(
      (w) => w.path.startsWith('spec.autoscalerOptions.env'),
    );
  const name = 'RAY_AUTOSCALER_RECONCILE_ALLOCATE_STATUS_TIMEOUT_S';
  const bad = env({ name, value: '10m' });
  assert.equal(bad.length, 1);
  assert.equal(bad[0]!.path, 'spec.autoscalerOptions.env[1].value');
  assert.match(
    bad[0]!.message,
    /must be a whole number of seconds above 0 \(is "10m"\): both autoscalers use their default, 3600 s/,
  );
  assert.match(bad[0]!.hint ?? '', /set value to the seconds/);
  assert.equal(env({ name, value: '0' }).length, 1);
  const from = env({ name, valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } });
  assert.equal(from[0]?.path, 'spec.autoscalerOptions.env[1].valueFrom');
  assert.match(from[0].message, /valueFrom is not read by the operator/);
  assert.deepEqual(env({ name, value: '1800' }), []);
});

test('warnings: rayStartParams memory above the container limit', () => {
  const r = validate(set(base, 'spec.headGroupSpec.rayStartParams', { memory: '8Gi' }));
  assert.ok(
    r.warnings.some(
      (w) =>
        w.path === 'spec.headGroupSpec.rayStartParams.memory' &&
        /more than the container memory limit/.test(w.message),
    ),
  );
});

test("warnings: memory as a quantity with Ray's in-tree autoscaler (it parses int(); seed 07 crash-looped it)", () => {
  const quantityMemory = set(base, 'spec.headGroupSpec.rayStartParams', { memory: '1Gi' });
  const w = (o: unknown) =>
    validate(o).warnings.find(
      (x) => x.path === 'spec.headGroupSpec.rayStartParams.memory' && /in-tree autoscaler/.test(x.message),
    );
  const inTree = w(set(quantityMemory, 'spec.enableInTreeAutoscaling', true));
  assert.match(inTree?.hint ?? '', /memory: "1073741824"/);
  assert.equal(w(quantityMemory), undefined, 'no autoscaler, no warning: Kuray converts it for ray start');
  const bytes = set(
    set(base, 'spec.headGroupSpec.rayStartParams', { memory: '1073741824' }),
    'spec.enableInTreeAutoscaling',
    true,
  );
  assert.equal(w(bytes), undefined);
});

test('warnings: head and worker on different Ray versions', () => {
  const r = validate(set(base, `${W}.template.spec.containers.0.image`, 'rayproject/ray:2.57.0'));
  assert.ok(
    r.warnings.some((w) => /different versions|Ray 2\.57\.0 but the head runs Ray 2\.58\.0/.test(w.message)),
  );
});

test('unknown kinds pass with a note; Secrets in the same file satisfy references', () => {
  const r = validate({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } });
  assert.deepEqual(r.errors, []);
  assert.equal(r.infos.length, 1);
  const withSecret = set(base, `${HC}.env`, [
    { name: 'P', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
  ]);
  const [alone] = validateAll([withSecret]);
  assert.ok(alone!.infos.some((i) => /Secret s is not in this file/.test(i.message)));
  const [together] = validateAll([withSecret, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }]);
  assert.deepEqual(together!.infos, []);
});

test('non-objects and missing apiVersion/kind are errors', () => {
  assert.equal(validate('text').errors[0]!.path, '');
  assert.deepEqual(
    validate({ metadata: {} }).errors.map((e) => e.path),
    ['apiVersion', 'kind'],
  );
});

test('cron schedules as robfig/cron ParseStandard', () => {
  for (const ok of ['*/5 * * * *', '0 3 * * 1-5', '0 0 1 jan,jul *', '@daily', '@every 1h30m', '0 0 * * 7']) {
    assert.equal(cronProblem(ok), undefined, ok);
  }
  for (const bad of ['* * * *', '60 * * * *', '@sometimes', '@every 0s', '0 0 32 * *', '*/0 * * * *']) {
    assert.notEqual(cronProblem(bad), undefined, bad);
  }
});

test('status rules of KubeRay: both suspend conditions, Waiting outside InteractiveMode', () => {
  const rc = set(base, 'status', {
    conditions: [
      {
        type: 'RayClusterSuspending',
        status: 'True',
        reason: 'x',
        message: '',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
      {
        type: 'RayClusterSuspended',
        status: 'True',
        reason: 'x',
        message: '',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ],
  });
  assert.ok(validate(rc).errors.some((e) => e.path === 'status.conditions'));
  assert.ok(
    validate(set(job, 'status', { jobDeploymentStatus: 'Waiting' })).errors.some(
      (e) => e.path === 'status.jobDeploymentStatus',
    ),
  );
  assert.deepEqual(
    validate(
      set(set(job, 'status', { jobDeploymentStatus: 'Waiting' }), 'spec.submissionMode', 'InteractiveMode'),
    ).errors,
    [],
  );
});

test('warnings: autoscaler v1 with a worker restartPolicy other than Never (KubeRay warning event)', () => {
  const obj = set(
    set(set(base, 'spec.enableInTreeAutoscaling', true), 'spec.autoscalerOptions', { version: 'v1' }),
    `${W}.template.spec.restartPolicy`,
    'Always',
  );
  const r = validate(obj);
  assert.deepEqual(r.errors, []);
  assert.ok(r.warnings.some((w) => w.path === 'spec.workerGroupSpecs[0].template.spec.restartPolicy'));
});
