// `kuray render`, through the real CLI entry (spawned) and through renderYaml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlStream } from '../../util/yaml.ts';
import { renderYaml } from './render.ts';
import { SEED_EXAMPLES } from '../../testing/seeds.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const seedDir = SEED_EXAMPLES;
const main = join(root, 'src', 'cli', 'main.ts');

function kuray(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [main, ...args], { input, encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const kinds = (yaml: string) =>
  parseYamlStream(yaml).map((d) => {
    const o = d.value as { kind: string; metadata: { name: string } };
    return `${o.kind}/${o.metadata.name}`;
  });

test('kuray render -f 01-basic.yaml prints the head Service, head pod and 3 workers', () => {
  const r = kuray(['render', '-f', join(seedDir, '01-basic.yaml')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const out = kinds(r.stdout);
  assert.equal(out[0], 'Service/ray-cluster-head-svc');
  assert.match(out[1]!, /^Pod\/ray-cluster-head-[a-z0-9]{5}$/);
  assert.equal(out.filter((k) => /^Pod\/ray-cluster-worker-group-1-worker-[a-z0-9]{5}$/.test(k)).length, 3);
  assert.equal(out.length, 5);
  // stable output: same file, same names
  assert.equal(kuray(['render', '-f', join(seedDir, '01-basic.yaml')]).stdout, r.stdout);
});

test('kuray render reads stdin with -f - and several files; other kinds are skipped with a note', () => {
  const svc = readFileSync(join(seedDir, '08-dashboard-service.yaml'), 'utf8');
  const gpu = readFileSync(join(seedDir, '04-gpu-head.yaml'), 'utf8');
  const r = kuray(
    ['render', '-f', '-', '-f', join(seedDir, '12-network-policy.yaml')],
    `${svc}\n---\n${gpu}`,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /<stdin>: document 1: skipping Service\/ray-dashboard-svc/);
  assert.match(r.stderr, /12-network-policy\.yaml: document 1: skipping NetworkPolicy\/ray-cluster-policy/);
  const out = kinds(r.stdout);
  assert.equal(out.length, 2); // no worker groups: head Service + head pod
});

test('an unrenderable RayCluster or bad YAML exits 1 with a message', () => {
  const broken =
    'apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: x}\nspec:\n  headGroupSpec:\n    template: {spec: {containers: []}}\n';
  const r = kuray(['render', '-f', '-'], broken);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /RayCluster\/x: cannot render: .*no containers.*kuray validate/);
  const y = kuray(['render', '-f', '-'], 'a: [');
  assert.equal(y.code, 1);
  assert.match(y.stderr, /kuray render: <stdin>: document 1:/);
});

test('every seed file renders; each RayCluster yields a head pod and its desired workers', () => {
  for (const file of readdirSync(seedDir).filter((f) => f.endsWith('.yaml'))) {
    const text = readFileSync(join(seedDir, file), 'utf8');
    const r = renderYaml(text, file);
    assert.equal(r.failed, false, `${file}: ${r.notes.join('; ')}`);
    const clusters = parseYamlStream(text).filter(
      (d) => (d.value as { kind?: string }).kind === 'RayCluster',
    ).length;
    const heads = r.objects.filter(
      (o) => o.kind === 'Pod' && o.metadata?.labels?.['ray.io/node-type'] === 'head',
    );
    assert.equal(heads.length, clusters, file);
    assert.equal(r.notes.length, clusters === 0 ? 1 : 0, file);
  }
});
