import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service as V1Service } from '../../compiler/k8sTypes.ts';
import type { RayCluster } from '../../api/v1/index.ts';
import { computeStatus, statusChanged, type StatusInput } from './status.ts';
import {
  headPod,
  inGroup,
  notReady,
  ready,
  running,
  terminating,
  workerPod,
  withRequests,
} from '../../testing/pods.ts';

function cluster(over: Partial<RayCluster['spec']> = {}, status?: RayCluster['status']): RayCluster {
  const container = (name: string) => ({
    name,
    image: 'rayproject/ray:2.58.0',
    resources: {
      requests: { cpu: '1', memory: '2Gi' },
      limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' },
    },
  });
  return {
    apiVersion: 'ray.io/v1',
    kind: 'RayCluster',
    metadata: { name: 'c', namespace: 'default', generation: 3 },
    spec: {
      headGroupSpec: { template: { spec: { containers: [container('ray-head')] } } },
      workerGroupSpecs: [
        {
          groupName: 'g',
          replicas: 2,
          minReplicas: 1,
          maxReplicas: 5,
          template: { spec: { containers: [container('ray-worker')] } },
        },
      ],
      ...over,
    },
    ...(status ? { status } : {}),
  };
}

const now = new Date('2026-11-28T12:00:00Z');
const svc: V1Service = {
  metadata: { name: 'c-head-svc' },
  spec: {
    clusterIP: 'None',
    ports: [
      { name: 'gcs-server', port: 6379, targetPort: 6379 },
      { name: 'dashboard', port: 8265, targetPort: 8265 },
    ],
  },
};
const healthy = () => [
  headPod('c-head-x', running('10.0.0.1'), ready()),
  workerPod('w1', inGroup('g'), running(), ready()),
  workerPod('w2', inGroup('g'), running(), ready()),
];
const input = (over: Partial<StatusInput>): StatusInput => ({
  cluster: cluster(),
  groups: [{ name: 'g', desiredPods: 2 }],
  pods: healthy(),
  headService: svc,
  now,
  ...over,
});

test('a fully running cluster is ready, provisioned, with counts, resources, endpoints and head info', () => {
  const s = computeStatus(input({}));
  assert.equal(s.state, 'ready');
  assert.equal(s.readyWorkerReplicas, 2);
  assert.equal(s.availableWorkerReplicas, 2);
  assert.equal(s.desiredWorkerReplicas, 2);
  assert.equal(s.minWorkerReplicas, 1);
  assert.equal(s.maxWorkerReplicas, 5);
  // requests win over limits; GPUs only have limits: 3 pods × (1 CPU, 2Gi, 1 GPU)
  assert.equal(s.desiredCPU, '3');
  assert.equal(s.desiredMemory, '6Gi');
  assert.equal(s.desiredGPU, '3');
  assert.deepEqual(s.endpoints, { 'gcs-server': '6379', dashboard: '8265' });
  assert.deepEqual(s.head, {
    podName: 'c-head-x',
    podIP: '10.0.0.1',
    serviceName: 'c-head-svc',
    serviceIP: '10.0.0.1',
  });
  assert.equal(s.observedGeneration, 3);
  const byType = Object.fromEntries(s.conditions!.map((c) => [c.type, c]));
  assert.equal(byType.RayClusterProvisioned?.status, 'True');
  assert.equal(byType.HeadPodReady?.reason, 'HeadPodRunningAndReady');
  assert.equal(byType.ReplicaFailure, undefined);
});

test('missing or unready head gives HeadPodReady=False with the most specific reason', () => {
  const none = computeStatus(input({ pods: [] }));
  assert.equal(none.conditions?.find((c) => c.type === 'HeadPodReady')?.reason, 'HeadPodNotFound');
  assert.equal(none.state, undefined);
  const crashing = headPod('h', running(), notReady());
  crashing.status!.containerStatuses = [
    {
      name: 'ray-head',
      ready: false,
      restartCount: 3,
      image: '',
      imageID: '',
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } },
    },
  ];
  const s = computeStatus(input({ pods: [crashing] }));
  const c = s.conditions?.find((x) => x.type === 'HeadPodReady');
  assert.equal(c?.status, 'False');
  assert.equal(c?.reason, 'CrashLoopBackOff');
});

test('Provisioned stays True and state stays ready after a worker is lost (KubeRay semantics)', () => {
  const first = computeStatus(input({}));
  const degraded = computeStatus(input({ cluster: cluster({}, first), pods: healthy().slice(0, 2) }));
  assert.equal(degraded.state, 'ready');
  assert.equal(degraded.readyWorkerReplicas, 1);
  assert.equal(degraded.conditions?.find((c) => c.type === 'RayClusterProvisioned')?.status, 'True');
});

test('a reconcile failure sets ReplicaFailure and reason; success removes it', () => {
  const failed = computeStatus(
    input({ failure: { reason: 'FailedCreateWorkerPod', message: 'quota exceeded' } }),
  );
  const rf = failed.conditions?.find((c) => c.type === 'ReplicaFailure');
  assert.equal(rf?.status, 'True');
  assert.equal(rf?.reason, 'FailedCreateWorkerPod');
  assert.equal(failed.reason, 'quota exceeded');
  const ok = computeStatus(input({ cluster: cluster({}, failed) }));
  assert.equal(
    ok.conditions?.find((c) => c.type === 'ReplicaFailure'),
    undefined,
  );
  assert.equal(ok.reason, undefined);
});

test('suspend: Suspending while pods remain, Suspended when none; resume clears both', () => {
  const suspending = computeStatus(
    input({ cluster: cluster({ suspend: true }), groups: [{ name: 'g', desiredPods: 0 }] }),
  );
  const get = (s: typeof suspending, t: string) => s.conditions?.find((c) => c.type === t)?.status;
  assert.equal(get(suspending, 'RayClusterSuspending'), 'True');
  assert.equal(get(suspending, 'RayClusterSuspended'), 'False');
  const suspended = computeStatus(
    input({
      cluster: cluster({ suspend: true }, suspending),
      groups: [{ name: 'g', desiredPods: 0 }],
      pods: [headPod('h', terminating())],
    }),
  );
  assert.equal(get(suspended, 'RayClusterSuspending'), 'False');
  assert.equal(get(suspended, 'RayClusterSuspended'), 'True');
  assert.equal(suspended.state, 'suspended');
  assert.equal(suspended.desiredWorkerReplicas, 0);
  const resumed = computeStatus(input({ cluster: cluster({ suspend: false }, suspended), pods: [] }));
  assert.equal(get(resumed, 'RayClusterSuspended'), 'False');
  assert.notEqual(resumed.state, 'suspended');
});

test('suspension finishes even if suspend flips back to false midway', () => {
  const suspending = computeStatus(
    input({ cluster: cluster({ suspend: true }), groups: [{ name: 'g', desiredPods: 0 }] }),
  );
  const flipped = computeStatus(input({ cluster: cluster({ suspend: false }, suspending) }));
  assert.equal(flipped.conditions?.find((c) => c.type === 'RayClusterSuspending')?.status, 'True');
});

test('recomputing an unchanged cluster yields no change (no status write)', () => {
  const first = computeStatus(input({}));
  const later = computeStatus({
    ...input({ cluster: cluster({}, first) }),
    now: new Date('2026-11-28T13:00:00Z'),
  });
  assert.equal(statusChanged(first, later), false);
  assert.equal(later.lastUpdateTime, first.lastUpdateTime);
  assert.deepEqual(later.conditions, first.conditions, 'lastTransitionTime does not move');
  const changed = computeStatus({
    ...input({ cluster: cluster({}, first), pods: healthy().slice(0, 2) }),
    now: new Date('2026-11-28T13:00:00Z'),
  });
  assert.equal(statusChanged(first, changed), true);
  assert.equal(changed.lastUpdateTime, '2026-11-28T13:00:00.000Z');
});

test('terminating pods are not counted', () => {
  const s = computeStatus(
    input({
      pods: [...healthy().slice(0, 2), workerPod('w2', inGroup('g'), running(), ready(), terminating())],
    }),
  );
  assert.equal(s.readyWorkerReplicas, 1);
  assert.notEqual(s.state, 'ready');
});

test('requests come from every container; limits stand in for missing requests', () => {
  const c = cluster();
  c.spec.headGroupSpec.template.spec!.containers.push({
    name: 'sidecar',
    resources: { limits: { cpu: '500m', memory: '512Mi' } },
  });
  const s = computeStatus(input({ cluster: c, pods: [headPod('h', withRequests({ cpu: '1' }))] }));
  assert.equal(s.desiredCPU, '3500m');
  assert.equal(s.desiredMemory, '6656Mi');
});
