// config/samples/ray-service.sample.yaml: a RayService that passes validation with no warning, and
// a ConfigMap that holds the demo applications exactly as rig/ray/apps/kuray_demo.py has them (the
// e2e test and the benchmark run the sample; the int tests' Serve stand-in knows these apps).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateAll } from '../../api/validation/index.ts';
import { parseManifests, repoRoot } from '../../install/manifests.ts';

const file = join(repoRoot, 'config', 'samples', 'ray-service.sample.yaml');

test('ray-service.sample.yaml: a valid RayService and the demo apps ConfigMap, in sync with the repo', () => {
  const objs = parseManifests(readFileSync(file, 'utf8'), 'ray-service.sample.yaml');
  assert.deepEqual(
    objs.map((o) => o.kind),
    ['RayService', 'ConfigMap'],
  );
  for (const r of validateAll(objs)) {
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, []);
  }
  const cm = objs[1] as unknown as { data: Record<string, string> };
  assert.equal(
    cm.data['kuray_demo.py'],
    readFileSync(join(repoRoot, 'rig', 'ray', 'apps', 'kuray_demo.py'), 'utf8'),
    'the sample ConfigMap must hold rig/ray/apps/kuray_demo.py verbatim (regenerate it from the file)',
  );
});
