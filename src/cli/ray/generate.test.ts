import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validate } from '../../api/validation/index.ts';
import {
  clusterFromConfig,
  ConfigError,
  parseClusterConfig,
  parseStringMap,
  validateClusterConfig,
} from './generate.ts';

// KubeRay's sample files (kubectl-plugin/config/samples, v1.7), as users have them.
const complete = `
namespace: my-namespace
name: sample-create-cluster-complete
labels:
  foo: bar
annotations:
  dead: beef
ray-version: 2.52.0
image: rayproject/ray:2.52.0
service-account: my-service-account@my-project.iam.gserviceaccount.com
head:
  cpu: 3
  memory: 5Gi
  gpu: 0
  ephemeral-storage: 8Gi
  ray-start-params:
    metrics-export-port: 8082
  node-selectors:
    foo: bar
worker-groups:
  - name: cpu-workers
    replicas: 1
    cpu: 2
    memory: 4Gi
    gpu: 0
    ephemeral-storage: 12Gi
    ray-start-params:
      metrics-export-port: 8081
    node-selectors:
      hi: there
  - name: gpu-workers
    replicas: 1
    cpu: 3
    memory: 6Gi
    gpu: 1
    ephemeral-storage: 13Gi
autoscaler:
  version: v2
gke:
  gcsfuse:
    bucket-name: my-bucket
    mount-path: /mnt/cluster_storage
    mount-options: "implicit-dirs,uid=1000,gid=100"
    resources:
      cpu: 250m
      memory: 256Mi
      ephemeral-storage: 5Gi
    disable-metrics: true
`;

describe('the plugin config format (--file)', () => {
  it("turns KubeRay's complete sample into the RayCluster KubeRay's plugin makes", () => {
    const cfg = parseClusterConfig(complete, 'complete.yaml');
    validateClusterConfig(cfg);
    const rc = clusterFromConfig({ ...cfg, name: cfg.name!, namespace: cfg.namespace! });
    assert.deepEqual(rc.metadata, {
      name: 'sample-create-cluster-complete',
      namespace: 'my-namespace',
      labels: { foo: 'bar' },
      annotations: { dead: 'beef' },
    });
    assert.equal(rc.spec.rayVersion, '2.52.0');
    assert.deepEqual(rc.spec.autoscalerOptions, { version: 'v2' });
    assert.equal(rc.spec.enableInTreeAutoscaling, true);
    const head = rc.spec.headGroupSpec.template.spec!;
    assert.equal(head.serviceAccountName, 'my-service-account@my-project.iam.gserviceaccount.com');
    assert.deepEqual(head.nodeSelector, { foo: 'bar' });
    assert.deepEqual(head.containers[0]!.resources, {
      requests: { cpu: '3', memory: '5Gi', 'ephemeral-storage': '8Gi' },
      limits: { memory: '5Gi', 'ephemeral-storage': '8Gi' },
    });
    assert.deepEqual(
      head.containers[0]!.ports!.map((p) => `${p.name}:${p.containerPort}`),
      ['gcs-server:6379', 'dashboard:8265', 'client:10001'],
    );
    assert.deepEqual(head.containers[0]!.volumeMounts, [
      { name: 'cluster-storage', mountPath: '/mnt/cluster_storage' },
    ]);
    assert.deepEqual(head.volumes![0]!.csi, {
      driver: 'gcsfuse.csi.storage.gke.io',
      volumeAttributes: {
        bucketName: 'my-bucket',
        mountOptions: 'implicit-dirs,uid=1000,gid=100',
        disableMetrics: 'true',
      },
    });
    assert.deepEqual(rc.spec.headGroupSpec.template.metadata!.annotations, {
      'gke-gcsfuse/cpu-request': '250m',
      'gke-gcsfuse/memory-limit': '256Mi',
      'gke-gcsfuse/memory-request': '256Mi',
      'gke-gcsfuse/ephemeral-storage-limit': '5Gi',
      'gke-gcsfuse/ephemeral-storage-request': '5Gi',
    });
    const [cpu, gpu] = rc.spec.workerGroupSpecs!;
    assert.equal(cpu!.groupName, 'cpu-workers');
    assert.deepEqual(cpu!.rayStartParams, { 'metrics-export-port': '8081' });
    assert.deepEqual(gpu!.template.spec!.containers[0]!.resources!.limits, {
      memory: '6Gi',
      'ephemeral-storage': '13Gi',
      'nvidia.com/gpu': '1',
    });
    // And Kuray's validation accepts it (no errors; warnings are fine).
    assert.deepEqual(validate(rc).errors, []);
  });

  it('keeps head defaults the file does not set but replaces the worker list (yaml.v2 semantics)', () => {
    const cfg = parseClusterConfig('worker-groups:\n  - cpu: 3\n', 'sample.yaml');
    assert.deepEqual(cfg.head, { cpu: '2', memory: '4Gi' });
    assert.deepEqual(cfg['worker-groups'], [{ cpu: '3', replicas: 0 }]);
    const rc = clusterFromConfig({ ...cfg, name: 'x', namespace: 'ns' });
    assert.equal(rc.spec.workerGroupSpecs![0]!.groupName, 'default-group');
    assert.equal(rc.spec.headGroupSpec.template.spec!.containers[0]!.image, 'rayproject/ray:2.58.0');
  });

  it('refuses unknown fields, bad quantities and TPUs without their selectors', () => {
    assert.throws(() => parseClusterConfig('heads: {}\n', 'f'), /heads: unknown field/);
    assert.throws(() => parseClusterConfig('head:\n  cpus: 1\n', 'f'), /head\.cpus: unknown field/);
    assert.throws(
      () => parseClusterConfig('worker-groups:\n  - replicas: two\n', 'f'),
      /worker-groups\[0\]\.replicas: expected an integer/,
    );
    assert.throws(() => {
      validateClusterConfig(parseClusterConfig('head:\n  memory: lots\n', 'f'));
    }, /memory is not a valid resource quantity/);
    assert.throws(() => {
      validateClusterConfig(parseClusterConfig('worker-groups:\n  - tpu: 4\n    replicas: 1\n', 'f'));
    }, /gke-tpu-accelerator is not set/);
    assert.throws(() => {
      validateClusterConfig(parseClusterConfig('gke:\n  gcsfuse:\n    mount-path: /m\n', 'f'));
    }, ConfigError);
  });

  it('parses k=v,k2=v2 maps', () => {
    assert.deepEqual(parseStringMap('a=1,b=x=y'), { a: '1', b: 'x=y' });
    assert.throws(() => parseStringMap('novalue'), /key=value/);
  });
});
