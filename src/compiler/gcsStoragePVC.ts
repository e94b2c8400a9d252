// The RocksDB GCS store's PersistentVolumeClaim (gcsFaultToleranceOptions.backend: rocksdb, gate
// GCSFaultToleranceEmbeddedStorage), as KubeRay v1.7 makes it: `<cluster>-gcs-pvc`, size 1Gi and
// [ReadWriteOnce] unless the storage says otherwise, the cluster default StorageClass unless one is
// named. Owned by the cluster (garbage-collected with it) unless deletionPolicy is Retain, so a
// retained store can be handed to a new cluster through storage.claimName. A user's claimName is
// theirs: nothing is made for it. The head mounts the claim (./gcsFaultTolerance.ts).
import type { PersistentVolumeClaim } from './k8sTypes.ts';
import type { ClusterContext } from './context.ts';
import { gcsStoragePVCName } from './gcsFaultTolerance.ts';
import { rbacLabels } from './labels.ts';

export const GCS_STORAGE_DEFAULT_SIZE = '1Gi';

export function buildGcsStoragePVC(ctx: ClusterContext): PersistentVolumeClaim | undefined {
  const options = ctx.rc.spec.gcsFaultToleranceOptions;
  if (options?.backend !== 'rocksdb') return undefined;
  const storage = options.storage;
  if (storage?.claimName) return undefined;
  const retain = storage?.deletionPolicy === 'Retain';
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: gcsStoragePVCName(ctx.rc),
      namespace: ctx.namespace,
      labels: rbacLabels(ctx.name),
      ...(retain ? {} : { ownerReferences: [ctx.ownerReference] }),
    },
    spec: {
      accessModes: storage?.accessModes?.length ? [...storage.accessModes] : ['ReadWriteOnce'],
      resources: { requests: { storage: String(storage?.size ?? GCS_STORAGE_DEFAULT_SIZE) } },
      ...(storage?.storageClassName ? { storageClassName: storage.storageClassName } : {}),
    },
  };
}
