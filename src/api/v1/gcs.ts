// spec.gcsFaultToleranceOptions: GCS fault tolerance with an external Redis or an embedded RocksDB.
import type { Static } from 'typebox';
import { arr, obj, opt, quantity, str, stringEnum } from '../schema.ts';
import { envVarSource } from './core.ts';
import { GCS_FT_BACKENDS, GCS_STORAGE_DELETION_POLICIES } from './enums.ts';

const redisCredential = (d: string) =>
  obj(
    {
      valueFrom: opt(envVarSource('Source for the credential, e.g. a key of a Secret (secretKeyRef).')),
      value: opt(str('The credential as a literal value. Prefer valueFrom with a Secret.')),
    },
    d,
  );

export const GcsEmbeddedStorage = obj(
  {
    claimName: opt(
      str(
        'ClaimName is the name of an existing, user-provided PersistentVolumeClaim to use as the RocksDB ' +
          'store ("bring your own" PVC). The operator consumes it as-is and never creates, deletes or resizes it. ' +
          'Mutually exclusive with size/storageClassName/accessModes. This is the supported way to keep GCS ' +
          'state across a RayService zero-downtime upgrade (point every generation at the same claim).',
      ),
    ),
    size: opt(
      quantity(
        'Size of the operator-managed PVC (e.g. "1Gi"). Defaults to 1Gi. Ignored when claimName is set. The ' +
          'PVC is created once and not reconfigured in place.',
      ),
    ),
    storageClassName: opt(
      str(
        'StorageClassName for the operator-managed PVC. Uses the cluster default StorageClass when omitted. ' +
          'Ignored when claimName is set.',
      ),
    ),
    accessModes: opt(
      arr(
        stringEnum(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'], ''),
        'AccessModes for the operator-managed PVC. Defaults to [ReadWriteOnce]. Ignored when claimName is ' +
          'set. RocksDB requires a single writer at a time even with ReadWriteMany.',
      ),
    ),
    subPath: opt(str('SubPath mounts a subdirectory of the volume instead of its root.')),
    deletionPolicy: opt(
      stringEnum(
        GCS_STORAGE_DELETION_POLICIES,
        'DeletionPolicy controls the operator-managed PVC when the RayCluster is deleted: DeleteWithCluster ' +
          '(default; the PVC is garbage-collected with the cluster) or Retain (the PVC outlives the cluster; ' +
          "recover it by pointing a new cluster's claimName at it). Ignored when claimName is set.",
      ),
    ),
  },
  'Storage configures the persistent volume backing the embedded RocksDB store. Only used when backend is ' +
    '"rocksdb".',
);

export const GcsFaultToleranceOptions = obj(
  {
    backend: opt(
      stringEnum(
        GCS_FT_BACKENDS,
        'Backend selects the GCS fault-tolerance persistence backend: "redis" (default; an external Redis) or ' +
          '"rocksdb" (an embedded RocksDB on a volume of the head pod; needs the operator flag ' +
          '--feature-gates=GCSFaultToleranceEmbeddedStorage=true, Helm featureGates). Immutable.',
        {
          'x-kubernetes-validations': [
            { message: 'gcsFaultToleranceOptions.backend is immutable', rule: 'self == oldSelf' },
          ],
        },
      ),
    ),
    redisUsername: opt(redisCredential('RedisUsername is the Redis username, as a value or a reference.')),
    redisPassword: opt(redisCredential('RedisPassword is the Redis password, as a value or a reference.')),
    externalStorageNamespace: opt(
      str(
        "ExternalStorageNamespace isolates this cluster's GCS data inside Redis. Defaults to the RayCluster " +
          'UID. Set it to keep GCS state across a RayService upgrade.',
      ),
    ),
    redisAddress: opt(
      str(
        'RedisAddress is the address (host:port or redis://...) of the external Redis used by backend "redis".',
      ),
    ),
    storage: opt(GcsEmbeddedStorage),
  },
  'GcsFaultToleranceOptions enables GCS fault tolerance: the head persists cluster metadata so that a ' +
    'restarted head recovers actors, jobs and placement groups and workers stay connected.',
);
export type GcsFaultToleranceOptions = Static<typeof GcsFaultToleranceOptions>;
