import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseYamlStream } from '../util/yaml.ts';
import { monitoringArtifacts } from './artifacts.ts';
import { dashboardExprs } from './dashboards/grafana.ts';
import { RAY_PANELS } from './dashboards/ray.ts';
import { alertRules } from './rules.ts';

const root = join(import.meta.dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
// The Ray dashboard is what the installed Ray generated (generate.ts); the rest must follow from it.
const ray = JSON.parse(read('config/monitoring/grafana/ray-cluster.json')) as Record<string, unknown>;
const files = monitoringArtifacts(ray);

test('every committed monitoring file is what src/monitoring generates (npm run generate:monitoring)', () => {
  for (const [path, text] of Object.entries(files)) assert.equal(read(path), text, `${path} is stale`);
});

test("the Ray dashboard keeps Ray's own panels of the guide's views, with their queries", () => {
  const titles = ((ray.panels ?? []) as { title: string }[]).map((p) => p.title);
  assert.deepEqual(titles, [...RAY_PANELS]);
  const exprs = dashboardExprs(ray).map((e) => e.expr);
  assert.ok(
    exprs.some((e) => e.includes('ray_node_cpu_utilization') && e.includes('ray_io_cluster=~"$Cluster"')),
  );
});

test('dashboard ConfigMaps carry the Grafana sidecar label; every alert has a runbook and a for:', () => {
  const cms = parseYamlStream(files['config/monitoring/grafana/dashboards-configmaps.yaml']!).map(
    (d) =>
      d.value as { kind: string; metadata: { labels: Record<string, string> }; data: Record<string, string> },
  );
  assert.equal(cms.length, 3);
  for (const c of cms) {
    assert.equal(c.metadata.labels.grafana_dashboard, '1');
    JSON.parse(Object.values(c.data)[0]!);
  }
  for (const r of alertRules) {
    assert.ok(r.runbook.length > 20, r.alert);
    assert.match(r.for, /^\d+[smh]$/, r.alert);
  }
});
