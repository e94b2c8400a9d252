// Every example of the production guide validates without errors, and the mistakes its headers note
// come out as warnings at the right field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlStream } from '../../util/yaml.ts';
import { validateAll, type Issue, type ValidationResult } from './index.ts';
import { SEED_EXAMPLES } from '../../testing/seeds.ts';

const dir = SEED_EXAMPLES;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function results(file: string): ValidationResult[] {
  const docs = parseYamlStream(readFileSync(join(dir, file), 'utf8'), file).map((d) => d.value);
  return validateAll(docs);
}

function all(file: string, level: 'errors' | 'warnings' | 'infos'): Issue[] {
  return results(file).flatMap((r) => r[level]);
}

function assertIssue(issues: Issue[], path: string, message: RegExp): void {
  const hit = issues.find((i) => i.path === path && message.test(i.message));
  assert.ok(
    hit,
    `no issue at ${path} matching ${message}; got:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
  );
  assert.ok(hit.hint.length > 0, 'every issue says how to fix it');
}

test('the seed examples are all there', () => {
  assert.equal(files.length, 16);
});

for (const f of files) {
  test(`${f} has no validation errors`, () => {
    assert.deepEqual(all(f, 'errors'), []);
  });
}

const HEAD = 'spec.headGroupSpec.template.spec.containers[0]';

test('07: RAY_DASHBOARD_PORT on the port named metrics is a warning', () => {
  assertIssue(
    all('07-prometheus-head.yaml', 'warnings'),
    `${HEAD}.env[0]`,
    /RAY_DASHBOARD_PORT is 8080, the port named "metrics"/,
  );
});

test('10: probes on 8080 /healthz and /ready are warnings', () => {
  const w = all('10-resilient-probes.yaml', 'warnings');
  assertIssue(w, `${HEAD}.livenessProbe.httpGet.path`, /port 8080 for \/healthz.*metrics export port/);
  assertIssue(w, `${HEAD}.readinessProbe.httpGet.path`, /port 8080 for \/ready.*metrics export port/);
});

test('12: a NetworkPolicy whose egress only allows DNS is a warning (head cannot reach workers)', () => {
  const w = all('12-network-policy.yaml', 'warnings');
  assertIssue(w, 'spec.egress', /egress only allows DNS.*head cannot reach its workers/);
  assertIssue(w, 'spec.ingress', /workers cannot reach the GCS/);
  assertIssue(w, 'spec.egress[0].to[0].namespaceSelector.matchLabels.name', /matches no namespace/);
});

test('11 and 15: RAY_DASHBOARD_PASSWORD becomes token auth, which Ray 2.9 ignores; the Secret from elsewhere is noted', () => {
  for (const f of ['11-secure-dashboard.yaml', '15-enterprise.yaml']) {
    assertIssue(all(f, 'warnings'), `${HEAD}.env`, /needs Ray 2\.52 or later; Ray 2\.9\.0 ignores it/);
    assertIssue(
      all(f, 'infos'),
      `${HEAD}.env[0].valueFrom.secretKeyRef`,
      /Secret ray-dashboard-secret is not in this file/,
    );
  }
});

test('14 and 16: environment variables Ray never reads are warnings', () => {
  const w = all('14-memory.yaml', 'warnings');
  assertIssue(w, `${HEAD}.env[0]`, /RAY_OBJECT_STORE_MAX_MEMORY_BYTES/);
  assertIssue(w, `${HEAD}.env[1]`, /RAY_PLASMA_DIRECTORY/);
  assertIssue(all('16-monitoring-integrated.yaml', 'warnings'), `${HEAD}.env[0]`, /RAY_METRICS_EXPORT_PORT/);
});

test('Ray 2.9.0 images are far older than the operator Ray', () => {
  for (const f of files.filter((x) => !['08-dashboard-service.yaml', '12-network-policy.yaml'].includes(x))) {
    assertIssue(all(f, 'warnings'), `${HEAD}.image`, /is Ray 2\.9\.0, far older than the Ray 2\.58\.0/);
  }
});

test('the guide Service that selects app: ray-head passes without warnings', () => {
  assert.deepEqual(all('08-dashboard-service.yaml', 'warnings'), []);
});
