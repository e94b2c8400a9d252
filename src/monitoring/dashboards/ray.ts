// The Ray cluster dashboard is Ray's own: Ray 2.58 ships its Grafana panels as Python
// (ray/dashboard/modules/metrics/dashboards/*_panels.py) and builds the JSON with
// grafana_dashboard_factory, the same JSON a Ray head writes into session_latest/metrics/grafana.
// `npm run generate:monitoring` asks the installed Ray for it and keeps the panels of the guide's
// views (nodes' CPU, memory and GPU, logical resources, object store, tasks and actors), so the
// queries stay exactly Ray's, labels and template variables included ($Cluster = ray_io_cluster).
import { spawnSync } from 'node:child_process';

/** Panel titles kept from Ray's default dashboard, in Ray's order (row panels are kept as rows). */
export const RAY_PANELS = [
  'Node CPU Usage',
  'Node CPU Usage %',
  'Node Memory Usage (heap + object store)',
  'Node Memory Usage % (heap + object store)',
  'Node GPU Usage',
  'Node GPU Memory Usage (GRAM)',
  'Logical CPUs Usage',
  'Logical Memory Usage',
  'Object Store Memory Usage',
  'Object Store Memory Usage %',
  'All Tasks by State',
  'Alive Actors by State',
] as const;

interface Panel {
  type?: string;
  title?: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  panels?: Panel[];
}

const PY = [
  'import json',
  'from ray.dashboard.modules.metrics.grafana_dashboard_factory import generate_default_grafana_dashboard',
  'print(generate_default_grafana_dashboard()[0])',
].join('\n');

/** Ray's default dashboard JSON from the Ray installed in `venv`. */
export function rayDefaultDashboard(venv: string): Record<string, unknown> {
  const r = spawnSync(`${venv}/bin/python`, ['-c', PY], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`Ray's dashboard factory failed in ${venv}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Ray's dashboard with only the kept panels, laid out again two per row; a Kuray uid and title. */
export function rayClusterDashboard(ray: Record<string, unknown>): Record<string, unknown> {
  const keep = new Set<string>(RAY_PANELS);
  const panels: Panel[] = [];
  let x = 0;
  let y = 0;
  for (const p of (ray.panels ?? []) as Panel[]) {
    if (!keep.has(p.title ?? '')) continue;
    panels.push({ ...p, gridPos: { x, y, w: 12, h: 8 } });
    x = x === 0 ? 12 : 0;
    if (x === 0) y += 8;
  }
  const missing = RAY_PANELS.filter((t) => !panels.some((p) => p.title === t));
  if (missing.length) throw new Error(`Ray's default dashboard has no panel ${missing.join(', ')}`);
  return {
    ...ray,
    uid: 'kuray-ray-cluster',
    title: 'Ray cluster (from Ray 2.58)',
    description:
      "Ray's own default dashboard panels (node CPU, memory, GPU, logical resources, object store, tasks, actors), as Ray 2.58 defines them.",
    tags: ['kuray', 'ray'],
    panels,
  };
}
