import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  rayCluster,
  withAnnotations,
  withAutoscaling,
  withClusterLabels,
  withHeadCommand,
  withHeadEnv,
  withHeadRayStartParams,
  withHeadResources,
  withHeadTemplateLabels,
  withRayVersion,
  withUID,
} from '../testing/builders.ts';
import { compileCluster, defaultCompileOptions } from './index.ts';
import type { Container, EnvVar, Pod } from './k8sTypes.ts';

const ray = (p: Pod): Container => p.spec!.containers[0]!;
const env = (c: Container, name: string): EnvVar | undefined => c.env?.find((e) => e.name === name);
const args = (p: Pod): string => ray(p).args![0]!;

test('head pod: name, namespace, labels, owner reference', () => {
  const rc = rayCluster(
    'c',
    withUID('u-1'),
    withHeadTemplateLabels({ team: 'ml', 'ray.io/cluster': 'evil' }),
  );
  const pod = compileCluster(rc).headPod('c-head-abcde');
  assert.equal(pod.metadata?.name, 'c-head-abcde');
  assert.equal(pod.metadata?.namespace, 'default');
  assert.deepEqual(pod.metadata?.labels, {
    'ray.io/is-ray-node': 'yes',
    'ray.io/cluster': 'c',
    'ray.io/node-type': 'head',
    'ray.io/group': 'headgroup',
    'ray.io/identifier': 'c-head',
    'app.kubernetes.io/name': 'kuberay',
    'app.kubernetes.io/created-by': 'kuberay-operator',
    app: 'ray-head',
    team: 'ml',
  });
  assert.deepEqual(pod.metadata?.ownerReferences, [
    {
      apiVersion: 'ray.io/v1',
      kind: 'RayCluster',
      name: 'c',
      uid: 'u-1',
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.equal(pod.metadata?.annotations?.['ray.io/ft-enabled'], 'false');
});

test('head ray start: defaults, values from limits, sorted flags, --block', () => {
  const pod = compileCluster(rayCluster('c', withHeadResources({ cpu: '2500m', memory: '3Gi' }))).headPod(
    'h',
  );
  assert.deepEqual(ray(pod).command, ['/bin/bash', '-c', '--']);
  assert.equal(
    args(pod),
    'ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  ' +
      '--dashboard-host=0.0.0.0  --memory=3221225472  --metrics-export-port=8080  --num-cpus=3 ',
  );
  assert.equal(env(ray(pod), 'KUBERAY_GEN_RAY_START_CMD')?.value, args(pod).split('; ')[1]);
});

test('head env as KubeRay: RAY_ADDRESS is local, usage tags, fieldRefs for the autoscaler', () => {
  const pod = compileCluster(rayCluster('c', withHeadEnv({ name: 'RAY_ADDRESS', value: 'mine' }))).headPod(
    'h',
  );
  const c = ray(pod);
  assert.equal(env(c, 'RAY_ADDRESS')?.value, 'mine'); // the user's wins
  assert.equal(env(c, 'RAY_PORT')?.value, '6379');
  assert.equal(env(c, 'RAY_USAGE_STATS_KUBERAY_IN_USE')?.value, '1');
  assert.equal(env(c, 'RAY_USAGE_STATS_EXTRA_TAGS')?.value, 'kuberay_version=v1.7.0;kuberay_crd=RayCluster');
  assert.equal(env(c, 'RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE')?.value, '1');
  assert.deepEqual(env(c, 'RAY_CLOUD_INSTANCE_ID')?.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
  assert.deepEqual(env(c, 'RAY_NODE_TYPE_NAME')?.valueFrom, {
    fieldRef: { fieldPath: "metadata.labels['ray.io/group']" },
  });
  assert.deepEqual(env(c, 'RAY_CLUSTER_NAME')?.valueFrom, {
    fieldRef: { fieldPath: "metadata.labels['ray.io/cluster']" },
  });
  assert.equal(env(c, 'FQ_RAY_IP'), undefined);
  const local = compileCluster(rayCluster('c', withHeadRayStartParams({ port: '7000' }))).headPod('h');
  assert.equal(env(ray(local), 'RAY_ADDRESS')?.value, '127.0.0.1:7000');
});

test('metrics port added, /dev/shm sized by the memory limit; skipped with plasma-directory', () => {
  const pod = compileCluster(rayCluster('c', withHeadResources({ cpu: '1', memory: '6Gi' }))).headPod('h');
  assert.deepEqual(ray(pod).ports, [{ name: 'metrics', containerPort: 8080 }]);
  assert.deepEqual(pod.spec?.volumes, [
    { name: 'shared-mem', emptyDir: { medium: 'Memory', sizeLimit: '6Gi' } },
  ]);
  assert.deepEqual(ray(pod).volumeMounts, [{ mountPath: '/dev/shm', name: 'shared-mem' }]);
  const plasma = compileCluster(
    rayCluster('c', withHeadRayStartParams({ 'plasma-directory': '/tmp/p' })),
  ).headPod('h');
  assert.equal(plasma.spec?.volumes, undefined);
});

test('default probes: exec wget before Ray 2.53, HTTP /api/healthz from 2.53; user probes kept', () => {
  const old = ray(compileCluster(rayCluster('c')).headPod('h'));
  assert.deepEqual(old.livenessProbe, {
    initialDelaySeconds: 30,
    timeoutSeconds: 5,
    periodSeconds: 5,
    successThreshold: 1,
    failureThreshold: 120,
    exec: {
      command: [
        'bash',
        '-c',
        'wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && ' +
          'wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success',
      ],
    },
  });
  assert.equal(old.readinessProbe?.failureThreshold, 10);
  assert.equal(old.readinessProbe?.initialDelaySeconds, 10);
  const fresh = ray(
    compileCluster(
      rayCluster(
        'c',
        withRayVersion('2.58.0'),
        withHeadRayStartParams({ 'dashboard-agent-listen-port': '52999' }),
      ),
    ).headPod('h'),
  );
  assert.deepEqual(fresh.readinessProbe?.httpGet, { path: '/api/healthz', port: 52999 });
  assert.equal(fresh.readinessProbe?.exec, undefined);
  const off = ray(
    compileCluster(rayCluster('c'), { ...defaultCompileOptions, enableProbesInjection: false }).headPod('h'),
  );
  assert.equal(off.livenessProbe, undefined);
});

test('a user command runs before ray start; one that already runs ray start, or the overwrite annotation, is kept', () => {
  const pre = compileCluster(rayCluster('c', withHeadCommand(['echo', 'hi']))).headPod('h');
  assert.match(args(pre), /^ echo {2}hi {2}&& ulimit -n/);
  const own = compileCluster(rayCluster('c', withHeadCommand(['ray start --head --block']))).headPod('h');
  assert.deepEqual(ray(own).command, ['ray start --head --block']);
  assert.equal(ray(own).args, undefined);
  const overwrite = compileCluster(
    rayCluster('c', withAnnotations({ 'ray.io/overwrite-container-cmd': 'true' })),
  ).headPod('h');
  assert.equal(ray(overwrite).command, undefined);
  assert.equal(overwrite.metadata?.annotations?.['ray.io/overwrite-container-cmd'], 'true');
  assert.ok(env(ray(overwrite), 'KUBERAY_GEN_RAY_START_CMD')?.value?.startsWith('ray start --head'));
});

test('autoscaling: sidecar, no-monitor, service account, shared /tmp/ray, v2 env and restartPolicy', () => {
  const rc = rayCluster(
    'c',
    withAutoscaling({ version: 'v2', image: 'my/autoscaler:1', env: [{ name: 'X', value: '1' }] }),
  );
  const pod = compileCluster(rc).headPod('h');
  const [head, sidecar] = pod.spec!.containers;
  assert.equal(sidecar?.name, 'autoscaler');
  assert.equal(sidecar?.image, 'my/autoscaler:1');
  assert.deepEqual(sidecar?.args, [
    'ray kuberay-autoscaler --cluster-name $(RAY_CLUSTER_NAME) --cluster-namespace $(RAY_CLUSTER_NAMESPACE)',
  ]);
  assert.deepEqual(sidecar?.resources, {
    limits: { cpu: '500m', memory: '512Mi' },
    requests: { cpu: '500m', memory: '512Mi' },
  });
  assert.equal(env(sidecar, 'X')?.value, '1');
  assert.deepEqual(sidecar?.volumeMounts, [{ mountPath: '/tmp/ray', name: 'ray-logs' }]);
  assert.ok(head!.volumeMounts?.some((m) => m.mountPath === '/tmp/ray'));
  assert.match(args(pod), / --no-monitor /);
  assert.equal(pod.spec?.serviceAccountName, 'c');
  assert.equal(pod.spec?.restartPolicy, 'Never');
  assert.equal(env(head!, 'RAY_enable_autoscaler_v2')?.value, 'true');
});

test('RayService-created clusters: ray.io/serve=false on the head, service env', () => {
  const pod = compileCluster(
    rayCluster('c', withClusterLabels({ 'ray.io/originated-from-crd': 'RayService' })),
  ).headPod('h');
  assert.equal(pod.metadata?.labels?.['ray.io/serve'], 'false');
  assert.equal(env(ray(pod), 'RAY_SERVE_KV_TIMEOUT_S')?.value, '5');
  assert.equal(
    env(ray(pod), 'RAY_USAGE_STATS_EXTRA_TAGS')?.value,
    'kuberay_version=v1.7.0;kuberay_crd=RayService',
  );
});

test('the compiler never mutates its input', () => {
  const rc = rayCluster('c', withAutoscaling(), withHeadRayStartParams({ memory: '4Gi' }));
  const before = JSON.stringify(rc);
  compileCluster(rc).headPod('h');
  assert.equal(JSON.stringify(rc), before);
});
