import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, plan, planLabel } from './args.ts';

test('defaults: small size, every scenario and subject, KubeRay client limits', () => {
  const a = parseArgs([]);
  assert.equal(a.size, 'small');
  assert.deepEqual([a.qps, a.burst, a.concurrency], [100, 200, 4]);
  assert.deepEqual(
    plan(a).map((r) => `${r.scenario}/${r.subject}`),
    [
      'burst/limit',
      'burst/kuray',
      'burst/kuberay',
      'scale/limit',
      'scale/kuray',
      'scale/kuberay',
      'steady/kuray',
      'steady/kuberay',
    ],
  );
});

test('--only filters scenarios and subjects, --skip-peer drops KubeRay', () => {
  const a = parseArgs(['--size=full', '--only', 'burst,peer', '--qps', '50']);
  assert.equal(a.size, 'full');
  assert.equal(a.qps, 50);
  assert.deepEqual(plan(a), [{ scenario: 'burst', subject: 'kuberay', round: 0 }]);
  assert.deepEqual(
    plan(parseArgs(['--only', 'steady', '--skip-peer'])).map((r) => r.subject),
    ['kuray'],
  );
});

test('bad arguments name the flag and show the usage', () => {
  assert.throws(() => parseArgs(['--size', 'huge']), /--size must be small or full[\s\S]*usage/);
  assert.throws(() => parseArgs(['--only', 'bogus']), /unknown bogus/);
  assert.throws(() => parseArgs(['--qps', '0']), /--qps needs a positive integer/);
  assert.throws(() => parseArgs(['--frobnicate']), /unknown argument/);
});

test('remote control plane: --latency-ms, and each operator at its own default concurrency', () => {
  const a = parseArgs(['--latency-ms', '20', '--reconcile-concurrency=default']);
  assert.equal(a.latencyMs, 20);
  assert.equal(a.concurrency, 'default');
  assert.equal(parseArgs([]).latencyMs, 0);
  assert.throws(() => parseArgs(['--latency-ms', '-1']), /--latency-ms needs an integer/);
  assert.throws(() => parseArgs(['--reconcile-concurrency', 'many']), /positive integer/);
});

test('--kuray-node-flag: extra V8 flags for Kuray, repeatable, kept apart from operator flags', () => {
  const a = parseArgs([
    '--kuray-node-flag=--max-old-space-size=64',
    '--kuray-node-flag',
    '--optimize-for-size',
  ]);
  assert.deepEqual(a.kurayNodeFlags, ['--max-old-space-size=64', '--optimize-for-size']);
  assert.deepEqual(a.kurayFlags, []);
  assert.deepEqual(parseArgs([]).kurayNodeFlags, []);
});

test('--peer-first runs KubeRay before Kuray in each scenario, the limit still first', () => {
  assert.deepEqual(
    plan(parseArgs(['--only', 'burst,steady', '--peer-first'])).map((r) => `${r.scenario}/${r.subject}`),
    ['burst/limit', 'burst/kuberay', 'burst/kuray', 'steady/kuberay', 'steady/kuray'],
  );
  assert.equal(parseArgs([]).peerFirst, false);
});

test('--repeat: rounds alternate the pair, the limit runs once, steady has no limit', () => {
  const runs = (argv: string[]) => plan(parseArgs(argv)).map((r) => `${r.scenario}/${r.subject}#${r.round}`);
  assert.deepEqual(runs(['--only', 'burst', '--repeat', '3']), [
    'burst/limit#0',
    'burst/kuray#0',
    'burst/kuberay#0',
    'burst/kuberay#1',
    'burst/kuray#1',
    'burst/kuray#2',
    'burst/kuberay#2',
  ]);
  // --peer-first starts the alternation with KubeRay; SCENARIO=N repeats that scenario only.
  assert.deepEqual(runs(['--only', 'burst,steady', '--repeat=burst=2', '--peer-first']), [
    'burst/limit#0',
    'burst/kuberay#0',
    'burst/kuray#0',
    'burst/kuray#1',
    'burst/kuberay#1',
    'steady/kuberay#0',
    'steady/kuray#0',
  ]);
  assert.deepEqual(parseArgs(['--repeat', 'scale=5']).repeat, { burst: 1, scale: 5, steady: 1 });
  // The log names a round only where its scenario repeats.
  const a = parseArgs(['--repeat=burst=2']);
  assert.deepEqual(
    plan(a)
      .map((r) => planLabel(r, a))
      .slice(0, 4),
    ['burst/limit #1', 'burst/kuray #1', 'burst/kuberay #1', 'burst/kuberay #2'],
  );
  assert.equal(planLabel({ scenario: 'scale', subject: 'kuray', round: 0 }, a), 'scale/kuray');
  assert.throws(() => parseArgs(['--repeat', '0']), /--repeat needs N or SCENARIO=N with N 1–9/);
  assert.throws(() => parseArgs(['--repeat', 'warmup=2']), /got warmup=2/);
  assert.throws(() => parseArgs(['--repeat', '10']), /N 1–9/);
});
