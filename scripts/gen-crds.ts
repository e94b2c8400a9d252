// Writes config/crd/ray.io_*.yaml from the ray.io/v1 schemas (src/api/crd.ts). `npm run gen:crds`.
// src/api/crd.test.ts fails when the committed files differ from what this would write.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdFiles } from '../src/api/crd.ts';

const dir = join(import.meta.dirname, '..', 'config', 'crd');
mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(crdFiles())) {
  writeFileSync(join(dir, name), text);
  console.log(`wrote config/crd/${name} (${Math.round(text.length / 1024)} KiB)`);
}
