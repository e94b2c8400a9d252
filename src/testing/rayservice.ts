// Test builders for RayService objects, in the style of builders.ts:
//   rayService('svc', inServiceNamespace(ns), withServeConfig(DEMO_APPS), withDeletionDelay(1))
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RayService } from '../api/v1/index.ts';
import type { KubeObject } from '../runtime/resources.ts';
import { parseYamlStream } from '../util/yaml.ts';
import { rayCluster, type ClusterMod } from './builders.ts';

export type ServiceMod = (rs: RayService) => RayService;

/** The two demo applications of rig/ray/apps/kuray_demo.py. */
export function demoServeConfig(
  opts: { greeting?: string; increment?: number; adderModule?: string } = {},
): string {
  return [
    'applications:',
    '  - name: greeter',
    '    route_prefix: /greet',
    '    import_path: kuray_demo:greeter',
    `    args: {greeting: ${opts.greeting ?? 'hello'}}`,
    '  - name: adder',
    '    route_prefix: /add',
    `    import_path: ${opts.adderModule ?? 'kuray_demo'}:adder`,
    `    args: {increment: ${opts.increment ?? 1}}`,
    '',
  ].join('\n');
}

/** A head-only RayService (the smallest cluster that serves) running the demo applications. */
export function rayService(name: string, ...mods: ServiceMod[]): RayService {
  const base: RayService = {
    apiVersion: 'ray.io/v1',
    kind: 'RayService',
    metadata: { name, namespace: 'default' },
    spec: {
      serveConfigV2: demoServeConfig(),
      rayClusterConfig: rayCluster('unused', (rc) => ({ ...rc, spec: { ...rc.spec, rayVersion: '2.58.0' } }))
        .spec,
    },
  };
  return mods.reduce((rs, m) => m(structuredClone(rs)), base);
}

export const inServiceNamespace =
  (namespace: string): ServiceMod =>
  (rs) => ({ ...rs, metadata: { ...rs.metadata, namespace } });

export const withServeConfig =
  (serveConfigV2: string): ServiceMod =>
  (rs) => ({ ...rs, spec: { ...rs.spec, serveConfigV2 } });

export const withDeletionDelay =
  (seconds: number): ServiceMod =>
  (rs) => ({ ...rs, spec: { ...rs.spec, rayClusterDeletionDelaySeconds: seconds } });

export const withServiceAnnotations =
  (annotations: Record<string, string>): ServiceMod =>
  (rs) => ({
    ...rs,
    metadata: { ...rs.metadata, annotations: { ...rs.metadata?.annotations, ...annotations } },
  });

export const withUpgradeStrategy =
  (upgradeStrategy: NonNullable<RayService['spec']['upgradeStrategy']>): ServiceMod =>
  (rs) => ({ ...rs, spec: { ...rs.spec, upgradeStrategy } });

/** Applies RayCluster builder modifiers (builders.ts) to rayClusterConfig. */
export const withClusterConfig =
  (...mods: ClusterMod[]): ServiceMod =>
  (rs) => {
    const rc = mods.reduce((c, m) => m(structuredClone(c)), rayCluster('unused'));
    return {
      ...rs,
      spec: { ...rs.spec, rayClusterConfig: { ...rc.spec, rayVersion: rs.spec.rayClusterConfig.rayVersion } },
    };
  };

const samplePath = join(import.meta.dirname, '..', '..', 'config', 'samples', 'ray-service.sample.yaml');
export const SAMPLE_NAME = 'rayservice-sample';
export const SAMPLE_SERVE_SVC = `${SAMPLE_NAME}-serve-svc`;
/** JSON-patch path of the sample's APP_COLOR env var in the head container (blue in the file). */
export const SAMPLE_COLOR_PATH = '/spec/rayClusterConfig/headGroupSpec/template/spec/containers/0/env/1';

/**
 * config/samples/ray-service.sample.yaml as the e2e test and the benchmark run it: its RayService
 * head-only (the smallest cluster that serves both apps; a blue/green upgrade runs two) with old
 * clusters deleted 5 s after the switch, and its ConfigMap of demo apps.
 */
export function sampleRayService(): { rs: RayService; configMap: KubeObject } {
  const docs = parseYamlStream(readFileSync(samplePath, 'utf8')).map((d) => d.value);
  const rs = structuredClone(docs[0] as RayService);
  for (const g of rs.spec.rayClusterConfig.workerGroupSpecs ?? []) {
    g.replicas = 0;
    g.minReplicas = 0;
  }
  rs.spec.rayClusterDeletionDelaySeconds = 5;
  return { rs, configMap: docs[1] as KubeObject };
}
