// KubeRay's gated RayCluster features with their gates on, each with KubeRay's own sample, on the real
// control plane (one rig, one operator with the gates on; KWOK pods).
//
// GCS fault tolerance with the embedded RocksDB store (gate GCSFaultToleranceEmbeddedStorage): the operator creates the claim `<cluster>-gcs-pvc`
// (KubeRay's name and spec, owned by the cluster) before the head pod that mounts it, and the cluster
// reaches `ready`. The rig has no storage provisioner, so the test plays the administrator: it
// creates a hostPath PersistentVolume that the real PV controller binds to the operator's claim;
// the real kube-scheduler then places the head (an unbound claim would keep it Pending).
//
// The history server collector (gate RayClusterHistoryServer): every pod gets the
// ray-history-collector sidecar with the sample's image/resources/env and a shared /tmp/ray.
import { kuberaySample } from '../../testing/kuberaySamples.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RayCluster } from '../../api/v1/index.ts';
import type { PersistentVolumeClaim, Pod } from '../../compiler/k8sTypes.ts';
import { newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { until } from '../../testing/wait.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { gvr, PersistentVolumeClaims, Pods, RayClusters, type KubeObject } from '../../runtime/resources.ts';

type RC = KubeObject & RayCluster;
const PersistentVolumes = gvr('', 'v1', 'persistentvolumes', 'PersistentVolume', false);

describe('gated RayCluster features (gates on) on the rig', () => {
  let rig: Rig;
  let ns: string;
  let client: KubeClient;
  let op: InProcessOperator;
  const pv = `kuray-gcs-pv-${process.pid}`;

  before(async () => {
    rig = await useRig();
    ns = await newNamespace(rig, 'rc-gated');
    client = KubeClient.fromFile(rig.kubeconfigPath);
    op = await startOperator(rig, [ns], {
      raycluster: {
        validateOptions: {
          featureGates: { GCSFaultToleranceEmbeddedStorage: true, RayClusterHistoryServer: true },
        },
      },
    });
  });
  after(async () => {
    await op.stop();
    await client.delete(PersistentVolumes, undefined, pv).catch(() => undefined);
    client.close();
  });

  test("KubeRay's ray-cluster.embedded-gcs-ft.yaml: claim created and owned, head mounts it, ready", async () => {
    const doc = kuberaySample('ray-cluster.embedded-gcs-ft.yaml');
    const rc = await client.create<RC>(RayClusters, { ...doc, metadata: { ...doc.metadata, namespace: ns } });
    const name = rc.metadata.name!;
    const claim = await until('the operator-made claim', () =>
      client.get<KubeObject & PersistentVolumeClaim>(PersistentVolumeClaims, ns, `${name}-gcs-pvc`),
    );
    assert.deepEqual(claim.spec?.accessModes, ['ReadWriteOnce']);
    assert.equal(claim.spec?.resources?.requests?.storage, '1Gi');
    assert.equal(
      claim.metadata?.ownerReferences?.[0]?.uid,
      rc.metadata.uid,
      'garbage-collected with the cluster',
    );
    assert.equal(claim.metadata?.labels?.['ray.io/cluster'], name);

    // The administrator's volume, pre-bound to the claim (no provisioner on the rig).
    await client.create(PersistentVolumes, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pv },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        hostPath: { path: `/tmp/${pv}` },
        claimRef: { namespace: ns, name: `${name}-gcs-pvc` },
        ...(claim.spec?.storageClassName ? { storageClassName: claim.spec.storageClassName } : {}),
      },
    });
    await until('the claim bound', async () => {
      const c = await client.get<KubeObject & PersistentVolumeClaim>(
        PersistentVolumeClaims,
        ns,
        `${name}-gcs-pvc`,
      );
      return c.status?.phase === 'Bound';
    });

    const ready = await until(
      'the sample cluster ready',
      async () => {
        const cur = await client.get<RC>(RayClusters, ns, name);
        return cur.status?.state === 'ready' && cur.status.readyWorkerReplicas === 1 ? cur : undefined;
      },
      { timeoutMs: 90_000 },
    );
    assert.equal(ready.status?.state, 'ready');
    const [head] = (
      await client.list<KubeObject>(Pods, ns, {
        labelSelector: `ray.io/cluster=${name},ray.io/node-type=head`,
      })
    ).items as Pod[];
    const vol = head!.spec?.volumes?.find((v) => v.name === 'gcs-storage');
    assert.equal(vol?.persistentVolumeClaim?.claimName, `${name}-gcs-pvc`);
    const ray = head!.spec!.containers[0]!;
    assert.ok(ray.volumeMounts?.some((m) => m.name === 'gcs-storage' && m.mountPath === '/data/gcs'));
    const env = Object.fromEntries((ray.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env.RAY_gcs_storage, 'rocksdb');
    assert.equal(env.RAY_gcs_storage_path, '/data/gcs');
    assert.equal(head!.status?.phase, 'Running');
  });

  test("KubeRay's ray-cluster.historyserver.yaml: the collector sidecar in every pod, ready", async () => {
    const doc = kuberaySample('ray-cluster.historyserver.yaml');
    const rc = await client.create<RC>(RayClusters, { ...doc, metadata: { ...doc.metadata, namespace: ns } });
    const name = rc.metadata.name!;
    await until(
      'the sample cluster ready',
      async () => {
        const cur = await client.get<RC>(RayClusters, ns, name);
        return cur.status?.state === 'ready' && cur.status.readyWorkerReplicas === 1 ? cur : undefined;
      },
      { timeoutMs: 90_000 },
    );
    const pods = (await client.list<KubeObject>(Pods, ns, { labelSelector: `ray.io/cluster=${name}` }))
      .items as Pod[];
    assert.equal(pods.length, 2);
    for (const p of pods) {
      const role = p.metadata?.labels?.['ray.io/node-type'] === 'head' ? 'Head' : 'Worker';
      const c = p.spec!.containers.find((x) => x.name === 'ray-history-collector');
      assert.ok(c, `${p.metadata?.name}: no collector`);
      assert.equal(c.image, 'quay.io/kuberay/collector:nightly');
      assert.equal(c.imagePullPolicy, 'IfNotPresent');
      assert.equal(c.resources?.limits?.memory, '256Mi');
      const env = Object.fromEntries(
        (c.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom?.fieldRef?.fieldPath]),
      );
      assert.equal(env.RAY_ROLE, role);
      assert.equal(env.POD_IP, 'status.podIP');
      assert.equal(env.EVENTS_PORT, '8084');
      assert.equal(env.STORAGE_BACKEND, 'GCS');
      assert.equal(env.GCS_BUCKET, 'my-gcs-bucket');
      const ray = p.spec!.containers[0]!;
      const rayLogs = ray.volumeMounts?.find((m) => m.mountPath === '/tmp/ray')?.name;
      assert.ok(rayLogs);
      assert.ok(
        c.volumeMounts?.some((m) => m.name === rayLogs && m.mountPath === '/tmp/ray'),
        "the collector shares the Ray container's /tmp/ray",
      );
      assert.equal(p.status?.phase, 'Running');
    }
  });
});
