// KubeRay's own RayCluster samples that the gated-feature tests run, kept as KubeRay ships them in
// src/controllers/raycluster/testdata/kuberay/ (a user holds Kuray to these files, not to our rewrites).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RayCluster } from '../api/v1/index.ts';
import type { KubeObject } from '../runtime/resources.ts';
import { parseYamlStream } from '../util/yaml.ts';

export const KUBERAY_SAMPLES = join(
  import.meta.dirname,
  '..',
  'controllers',
  'raycluster',
  'testdata',
  'kuberay',
);

/** The first document of a sample, e.g. kuberaySample('ray-cluster.mtls.yaml'); a fresh object per call. */
export function kuberaySample(file: string): KubeObject & RayCluster {
  return parseYamlStream(readFileSync(join(KUBERAY_SAMPLES, file), 'utf8'), file)[0]!.value as KubeObject &
    RayCluster;
}
