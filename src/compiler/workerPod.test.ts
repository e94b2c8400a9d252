import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  groupRayLabels,
  groupRayResources,
  groupRayStartParams,
  named,
  numOfHosts,
  rayCluster,
  withAnnotations,
  withAutoscaling,
  withWorkers,
  workerEnv,
  workerPodSpec,
  workerResources,
} from '../testing/builders.ts';
import { compileCluster, defaultCompileOptions } from './index.ts';
import type { Container, EnvVar, Pod } from './k8sTypes.ts';

const ray = (p: Pod): Container => p.spec!.containers[0]!;
const env = (c: Container, name: string): EnvVar | undefined => c.env?.find((e) => e.name === name);
const FQDN = 'c-head-svc.default.svc.cluster.local';

test('worker pod: labels, owner reference, address of the head service FQDN', () => {
  const rc = rayCluster(
    'c',
    withWorkers(2, named('gpu'), workerResources({ cpu: '4', memory: '8Gi', 'nvidia.com/gpu': '1' })),
  );
  const pod = compileCluster(rc).workerPod('gpu', 'c-gpu-worker-abcde', { replicaIndex: 1 });
  assert.equal(pod.metadata?.name, 'c-gpu-worker-abcde');
  assert.equal(pod.metadata?.labels?.['ray.io/node-type'], 'worker');
  assert.equal(pod.metadata?.labels?.['ray.io/group'], 'gpu');
  assert.equal(pod.metadata?.labels?.['ray.io/identifier'], 'c-worker');
  assert.equal(pod.metadata?.labels?.app, 'ray-worker');
  assert.equal(pod.metadata?.labels?.['ray.io/worker-group-replica-index'], '1');
  assert.equal(pod.metadata?.ownerReferences?.[0]?.controller, true);
  assert.equal(pod.metadata?.annotations, undefined);
  assert.equal(
    ray(pod).args?.[0],
    'ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=' +
      FQDN +
      ':6379  --block  --dashboard-agent-listen-port=52365  --memory=8589934592  --metrics-export-port=8080  --num-cpus=4  --num-gpus=1 ',
  );
  assert.equal(env(ray(pod), 'FQ_RAY_IP')?.value, FQDN);
  assert.equal(env(ray(pod), 'RAY_IP')?.value, 'c-head-svc');
  assert.equal(env(ray(pod), 'RAY_ADDRESS')?.value, `${FQDN}:6379`);
  assert.equal(env(ray(pod), 'RAY_USAGE_STATS_EXTRA_TAGS'), undefined);
  assert.deepEqual(ray(pod).resources?.limits, { cpu: '4', memory: '8Gi', 'nvidia.com/gpu': '1' });
  assert.throws(() => compileCluster(rc).workerPod('nope', 'x'), /no worker group "nope"/);
});

test('wait-gcs-ready init container: Ray image, user env and mounts, fixed resources, FQ_RAY_IP', () => {
  const rc = rayCluster(
    'c',
    withWorkers(
      1,
      workerEnv({ name: 'RAY_USE_TLS', value: '1' }),
      workerPodSpec({ securityContext: { runAsUser: 1000 } }),
    ),
  );
  const pod = compileCluster(rc).workerPod('workers', 'w');
  const init = pod.spec?.initContainers?.[0];
  assert.equal(init?.name, 'wait-gcs-ready');
  assert.equal(init?.image, ray(pod).image);
  assert.deepEqual(init?.command, ['/bin/bash', '-c', '--']);
  assert.match(init.args![0]!, new RegExp(`ray health-check --address ${FQDN}:6379 > /dev/null 2>&1`));
  assert.deepEqual(init?.resources, {
    limits: { cpu: '200m', memory: '256Mi' },
    requests: { cpu: '200m', memory: '256Mi' },
  });
  assert.deepEqual(
    init?.env?.map((e) => e.name),
    ['RAY_USE_TLS', 'FQ_RAY_IP', 'RAY_IP'],
  );
  assert.equal(pod.spec?.securityContext?.runAsUser, 1000);
  const off = compileCluster(rc, { ...defaultCompileOptions, enableInitContainerInjection: false }).workerPod(
    'workers',
    'w',
  );
  assert.equal(off.spec?.initContainers, undefined);
});

test('worker probes check only the raylet, with the worker timeout', () => {
  const c = ray(compileCluster(rayCluster('c', withWorkers(1))).workerPod('workers', 'w'));
  assert.equal(c.livenessProbe?.timeoutSeconds, 2);
  assert.deepEqual(c.readinessProbe?.exec?.command, [
    'bash',
    '-c',
    'wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success',
  ]);
});

test('group resources and labels fields reach ray start and the pod labels', () => {
  const rc = rayCluster(
    'c',
    withWorkers(1, groupRayResources({ cpu: '3', TPU: '4' }), groupRayLabels({ zone: 'a' })),
  );
  const pod = compileCluster(rc).workerPod('workers', 'w');
  assert.match(ray(pod).args![0]!, / --labels=zone=a {2}/);
  assert.match(ray(pod).args![0]!, / --num-cpus=3 {2}/);
  assert.match(ray(pod).args![0]!, / --resources='\{"TPU":4\}' /);
  assert.equal(pod.metadata?.labels?.zone, 'a');
});

test('multi-host groups: replica name and host index labels', () => {
  const rc = rayCluster('c', withWorkers(2, numOfHosts(4)));
  const pod = compileCluster(rc).workerPod('workers', 'w', {
    replicaIndex: 1,
    replicaName: 'workers-abcde',
    hostIndex: 3,
  });
  assert.equal(pod.metadata?.labels?.['ray.io/worker-group-replica-name'], 'workers-abcde');
  assert.equal(pod.metadata?.labels?.['ray.io/replica-host-index'], '3');
  assert.equal(compileCluster(rc).groups[0]?.desiredPods, 8);
});

test('GCS fault tolerance: worker reconnect timeout, head Redis env and annotations', () => {
  const rc = rayCluster('c', withWorkers(1), (x) => ({
    ...x,
    metadata: { ...x.metadata, uid: 'uid-1' },
    spec: {
      ...x.spec,
      gcsFaultToleranceOptions: {
        redisAddress: 'redis:6379',
        redisPassword: { valueFrom: { secretKeyRef: { name: 'redis', key: 'password' } } },
      },
    },
  }));
  const compiled = compileCluster(rc);
  const worker = compiled.workerPod('workers', 'w');
  assert.equal(env(ray(worker), 'RAY_gcs_rpc_server_reconnect_timeout_s')?.value, '600');
  const head = compiled.headPod('h');
  assert.equal(head.metadata?.annotations?.['ray.io/ft-enabled'], 'true');
  assert.equal(head.metadata?.annotations?.['ray.io/external-storage-namespace'], 'uid-1');
  assert.equal(env(ray(head), 'RAY_external_storage_namespace')?.value, 'uid-1');
  assert.equal(env(ray(head), 'RAY_REDIS_ADDRESS')?.value, 'redis:6379');
  assert.deepEqual(env(ray(head), 'REDIS_PASSWORD')?.valueFrom, {
    secretKeyRef: { name: 'redis', key: 'password' },
  });
  assert.match(ray(head).args![0]!, / --redis-password="\$REDIS_PASSWORD" /);
});

test('token auth: RAY_AUTH_MODE and the token Secret on Ray containers, init container and sidecar', () => {
  const rc = rayCluster('c', withWorkers(1), withAutoscaling(), (x) => ({
    ...x,
    spec: { ...x.spec, authOptions: { mode: 'token' } },
  }));
  const compiled = compileCluster(rc);
  const worker = compiled.workerPod('workers', 'w');
  for (const c of [
    ray(worker),
    worker.spec!.initContainers![0]!,
    compiled.headPod('h').spec!.containers[1]!,
  ]) {
    assert.equal(env(c, 'RAY_AUTH_MODE')?.value, 'token', c.name);
    assert.deepEqual(
      env(c, 'RAY_AUTH_TOKEN')?.valueFrom,
      { secretKeyRef: { name: 'c', key: 'auth_token' } },
      c.name,
    );
  }
});

test('worker group params keep explicit ones; a group may pin its own address', () => {
  const rc = rayCluster(
    'c',
    withWorkers(1, groupRayStartParams({ address: '1.2.3.4:1', 'num-cpus': '1' })),
    withAnnotations({}),
  );
  const args = ray(compileCluster(rc).workerPod('workers', 'w')).args![0]!;
  assert.match(args, / --address=1\.2\.3\.4:1 /);
  assert.match(args, / --num-cpus=1 /);
});
