// core.json is exactly what scripts/gen-k8s-schemas.ts derives from Kubernetes' OpenAPI spec. Integration
// tier: it needs Go and the k8s.io/kubernetes module (the rig builds its binaries from the same module).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CORE_JSON_PATH, coreJson, K8S_VERSION, k8sModuleDir } from '../../../scripts/gen-k8s-schemas.ts';

test(`core.json matches k8s.io/kubernetes@${K8S_VERSION} (run npm run gen:k8s-schemas after a version bump)`, () => {
  const fresh = coreJson(k8sModuleDir(K8S_VERSION), K8S_VERSION);
  assert.ok(readFileSync(CORE_JSON_PATH, 'utf8') === fresh, 'src/api/k8s/core.json is stale');
});
