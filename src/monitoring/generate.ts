// `npm run generate:monitoring`: writes every file of artifacts.ts. The Ray cluster dashboard comes
// from the Ray in the project venv (.venv/ray, or KURAY_RAY_VENV), so it matches the Ray we test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultVenvDir } from '../../rig/ray/venv.ts';
import { monitoringArtifacts } from './artifacts.ts';
import { rayClusterDashboard, rayDefaultDashboard } from './dashboards/ray.ts';

const root = join(import.meta.dirname, '..', '..');
const venv = process.env.KURAY_RAY_VENV ?? defaultVenvDir;
const files = monitoringArtifacts(rayClusterDashboard(rayDefaultDashboard(venv)));
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
  console.log(`wrote ${path}`);
}
