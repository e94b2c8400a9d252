// `kuray validate` end to end: the real CLI in a child process, on the guide's examples, on an
// invalid file and on stdin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEED_EXAMPLES } from '../../testing/seeds.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const seeds = SEED_EXAMPLES;

function kuray(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'src', 'cli', 'main.ts'), ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('every seed example validates with exit 0, and the guide pitfalls are printed as warnings', () => {
  const files = readdirSync(seeds)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(seeds, f));
  assert.equal(files.length, 16);
  const r = kuray(['validate', '-f', ...files]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /: error: /);
  const ex = (n: string) => join(seeds, n);
  const head = 'spec.headGroupSpec.template.spec.containers[0]';
  assert.ok(
    r.stdout.includes(
      `${ex('07-prometheus-head.yaml')}: RayCluster/monitoring-ray-cluster: warning: ${head}.env[0]: RAY_DASHBOARD_PORT is 8080`,
    ),
  );
  assert.ok(
    r.stdout.includes(
      `${ex('10-resilient-probes.yaml')}: RayCluster/resilient-ray-cluster: warning: ${head}.livenessProbe.httpGet.path: `,
    ),
  );
  assert.ok(
    r.stdout.includes(
      `${ex('10-resilient-probes.yaml')}: RayCluster/resilient-ray-cluster: warning: ${head}.readinessProbe.httpGet.path: `,
    ),
  );
  assert.match(
    r.stdout,
    /12-network-policy\.yaml: NetworkPolicy\/ray-cluster-policy: warning: spec\.egress: .*only allows DNS/,
  );
  assert.ok(r.stdout.includes(`${ex('08-dashboard-service.yaml')}: Service/ray-dashboard-svc: ok`));
  assert.match(r.stderr, /16 object\(s\): 0 error\(s\), \d+ warning\(s\)/);
});

test('an invalid spec exits 1 and names the field, the problem and the fix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kuray-validate-'));
  try {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: ray.io/v1',
        'kind: RayCluster',
        'metadata: {name: bad}',
        'spec:',
        '  headGroupSpec:',
        '    rayStartParams: {num-cpus: "two"}',
        '    template: {spec: {containers: [{name: ray-head, image: rayproject/ray:2.58.0}]}}',
        '  workerGroupSpecs:',
        '    - {groupName: w, minReplicas: 4, maxReplicas: 2, template: {spec: {containers: [{name: w, image: rayproject/ray:2.58.0}]}}}',
        '---',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: {name: fine}',
        '',
      ].join('\n'),
    );
    const r = kuray(['validate', '-f', file]);
    assert.equal(r.code, 1);
    assert.ok(
      r.stdout.includes(
        `${file}: RayCluster/bad: error: spec.headGroupSpec.rayStartParams.num-cpus: num-cpus must be a whole number, got "two"`,
      ),
      r.stdout,
    );
    assert.match(
      r.stdout,
      /RayCluster\/bad: error: spec\.workerGroupSpecs\[0\]\.minReplicas: minReplicas 4 is greater than maxReplicas 2 \(.+\)/,
    );
    assert.ok(r.stdout.includes(`${file}: ConfigMap/fine: ok`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('- reads stdin; unparsable YAML is an error', () => {
  const ok = kuray(['validate', '-f', '-'], 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^<stdin>: Secret\/s: ok$/m);
  const bad = kuray(['validate', '-f', '-'], 'kind: [unclosed\n');
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /^<stdin>: error: /m);
});

test('the items of a kind: List (kubectl get -o yaml) are checked one by one', () => {
  const list = [
    'apiVersion: v1',
    'kind: List',
    'items:',
    '  - {apiVersion: v1, kind: Secret, metadata: {name: a}}',
    '  - {apiVersion: ray.io/v1, kind: RayCluster, metadata: {name: b}, spec: {headGroupSpec: {template: {spec: {containers: []}}}}}',
    '',
  ].join('\n');
  const r = kuray(['validate', '-f', '-'], list);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^<stdin>: Secret\/a: ok$/m);
  assert.match(
    r.stdout,
    /^<stdin>: RayCluster\/b: error: spec\.headGroupSpec\.template\.spec\.containers: /m,
  );
});

test('--feature-gates enables gated fields', () => {
  const rc = [
    'apiVersion: ray.io/v1',
    'kind: RayCluster',
    'metadata: {name: np}',
    'spec:',
    '  networkPolicy: {mode: DenyAll}',
    '  headGroupSpec:',
    '    template: {spec: {containers: [{name: ray-head, image: rayproject/ray:2.58.0}]}}',
    '',
  ].join('\n');
  assert.equal(kuray(['validate', '-f', '-'], rc).code, 1);
  assert.equal(kuray(['validate', '--feature-gates', 'RayClusterNetworkPolicy=true', '-f', '-'], rc).code, 0);
  assert.equal(kuray(['validate', '--feature-gates', 'Nope=true', '-f', '-'], rc).code, 2);
});
