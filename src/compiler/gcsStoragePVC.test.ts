// The RocksDB store's claim: KubeRay's name, defaults and ownership rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster } from './index.ts';
import { rayCluster } from '../testing/builders.ts';
import type { RayCluster } from '../api/v1/index.ts';
import type { PersistentVolumeClaim } from './k8sTypes.ts';

const withStorage = (storage: object | undefined): RayCluster => {
  const rc = rayCluster('c');
  rc.metadata = { ...rc.metadata, uid: 'u-1' };
  rc.spec.gcsFaultToleranceOptions = { backend: 'rocksdb', ...(storage ? { storage } : {}) };
  return rc;
};
const claims = (rc: RayCluster) =>
  compileCluster(rc).objects.filter((o) => o.kind === 'PersistentVolumeClaim') as PersistentVolumeClaim[];

test('rocksdb without storage: <cluster>-gcs-pvc, 1Gi, ReadWriteOnce, default class, owned', () => {
  const [pvc] = claims(withStorage(undefined));
  assert.equal(pvc?.metadata?.name, 'c-gcs-pvc');
  assert.deepEqual(pvc?.spec, {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '1Gi' } },
  });
  assert.equal(pvc?.metadata?.ownerReferences?.[0]?.uid, 'u-1');
});

test('size, class and access modes are taken; Retain drops the owner reference', () => {
  const [pvc] = claims(
    withStorage({
      size: '5Gi',
      storageClassName: 'ssd',
      accessModes: ['ReadWriteOncePod'],
      deletionPolicy: 'Retain',
    }),
  );
  assert.deepEqual(pvc?.spec, {
    accessModes: ['ReadWriteOncePod'],
    resources: { requests: { storage: '5Gi' } },
    storageClassName: 'ssd',
  });
  assert.equal(pvc?.metadata?.ownerReferences, undefined);
});

test("a user's claimName is theirs: no claim is made, the head mounts it", () => {
  const rc = withStorage({ claimName: 'mine' });
  assert.deepEqual(claims(rc), []);
  const head = compileCluster(rc).headPod('c-head-x');
  assert.equal(
    head.spec?.volumes?.find((v) => v.name === 'gcs-storage')?.persistentVolumeClaim?.claimName,
    'mine',
  );
});

test('redis backend and no fault tolerance: no claim', () => {
  const rc = rayCluster('c');
  assert.deepEqual(claims(rc), []);
  rc.spec.gcsFaultToleranceOptions = { redisAddress: 'redis:6379' };
  assert.deepEqual(claims(rc), []);
});
