// GCS fault tolerance wiring on the pods (KubeRay v1.7.0 configureGCSFaultTolerance): Redis-backed
// (external storage namespace, address, credentials as env) or embedded RocksDB on a PVC.
import { clone } from './clone.ts';
import type { PodTemplateSpec } from './k8sTypes.ts';
import type { RayCluster } from '../api/v1/index.ts';
import { ANNOTATION_EXTERNAL_STORAGE_NS, ANNOTATION_FT_ENABLED, type NodeType } from './constants.ts';
import { addEnvIfAbsent, hasEnv } from './env.ts';
import type { Params } from './rayStartParams.ts';
import { literalValue } from '../util/shell.ts';

export function isGcsFaultToleranceEnabled(rc: RayCluster): boolean {
  return (
    rc.metadata?.annotations?.[ANNOTATION_FT_ENABLED]?.toLowerCase() === 'true' ||
    rc.spec.gcsFaultToleranceOptions != null
  );
}

export function gcsStoragePVCName(rc: RayCluster): string {
  return rc.spec.gcsFaultToleranceOptions?.storage?.claimName || `${rc.metadata?.name ?? ''}-gcs-pvc`;
}

/** Mutates the (already copied) template and the group's params. */
export function configureGcsFaultTolerance(
  template: PodTemplateSpec,
  rc: RayCluster,
  nodeType: NodeType,
  params: Params,
): void {
  const enabled = isGcsFaultToleranceEnabled(rc);
  template.metadata ??= {};
  template.metadata.annotations ??= {};
  if (nodeType === 'head') template.metadata.annotations[ANNOTATION_FT_ENABLED] = String(enabled);
  if (!enabled) return;
  const ray = template.spec!.containers[0]!;
  const options = rc.spec.gcsFaultToleranceOptions;
  if (nodeType === 'worker') {
    // Workers wait up to 600 s (not Ray's 60 s) for a restarted GCS before their raylet exits.
    addEnvIfAbsent(ray, { name: 'RAY_gcs_rpc_server_reconnect_timeout_s', value: '600' });
    return;
  }
  if (options?.backend === 'rocksdb') {
    addEnvIfAbsent(ray, { name: 'RAY_gcs_storage', value: 'rocksdb' });
    addEnvIfAbsent(ray, { name: 'RAY_gcs_storage_path', value: '/data/gcs' });
    const subPath = options.storage?.subPath;
    ray.volumeMounts = [
      ...(ray.volumeMounts ?? []),
      { name: 'gcs-storage', mountPath: '/data/gcs', ...(subPath ? { subPath } : {}) },
    ];
    template.spec!.volumes = [
      ...(template.spec!.volumes ?? []),
      { name: 'gcs-storage', persistentVolumeClaim: { claimName: gcsStoragePVCName(rc) } },
    ];
    return;
  }
  let storageNS = rc.metadata?.uid ?? '';
  const annotated = rc.metadata?.annotations?.[ANNOTATION_EXTERNAL_STORAGE_NS];
  if (annotated !== undefined) storageNS = annotated;
  if (options?.externalStorageNamespace) storageNS = options.externalStorageNamespace;
  template.metadata.annotations[ANNOTATION_EXTERNAL_STORAGE_NS] = storageNS;
  addEnvIfAbsent(ray, { name: 'RAY_external_storage_namespace', value: storageNS });
  ray.env ??= [];
  if (options) {
    ray.env.push({ name: 'RAY_REDIS_ADDRESS', value: options.redisAddress ?? '' });
    // Credentials reach `ray start` through env references, never inline in the command line.
    if (options.redisUsername) {
      params['redis-username'] = '$REDIS_USERNAME';
      ray.env.push({ name: 'REDIS_USERNAME', ...clone(options.redisUsername) });
    }
    if (options.redisPassword) {
      params['redis-password'] = '$REDIS_PASSWORD';
      ray.env.push({ name: 'REDIS_PASSWORD', ...clone(options.redisPassword) });
    }
  } else if (!hasEnv(ray.env, 'REDIS_PASSWORD') && params['redis-password'] !== undefined) {
    // The Redis cleanup job needs the password too; KubeRay copies an inline one into the env.
    ray.env.push({
      name: 'REDIS_PASSWORD',
      value: literalValue(params['redis-password']) ?? params['redis-password'],
    });
  }
}
