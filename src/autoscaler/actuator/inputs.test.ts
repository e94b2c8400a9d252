import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  groupRayStartParams,
  minMax,
  named,
  rayCluster,
  withHeadRayStartParams,
  withNativeAutoscaling,
  withWorkers,
} from '../../testing/builders.ts';
import { headPod, inGroup, ready, running, terminating, workerPod } from '../../testing/pods.ts';
import type { RayNodeSignal } from '../signals/gcsSignals.ts';
import type { ClusterSignals } from '../signals/read.ts';
import { clusterInputFor, headEndpoint, metricsTargets, podViewsOf, strandedDrainingPods } from './inputs.ts';

const NOW = 1_800_000_000_000;

function node(podName: string, over: Partial<RayNodeSignal> = {}): RayNodeSignal {
  return {
    nodeId: `id-${podName}`,
    podName,
    group: 'workers',
    ip: '127.0.0.9',
    isHead: false,
    alive: true,
    status: 'RUNNING',
    idle: false,
    total: { CPU: 2 },
    available: { CPU: 0 },
    activity: [],
    ...over,
  };
}

function signals(nodes: RayNodeSignal[], over: Partial<ClusterSignals> = {}): ClusterSignals {
  return {
    readAtMs: NOW,
    nodes,
    demand: { bundles: [], gangs: [], constraints: [] },
    metrics: new Map(),
    metricErrors: [],
    ...over,
  };
}

describe('headEndpoint', () => {
  test('GCS = running head pod IP : rayStartParams.port (default 6379); ready follows the pod', () => {
    const rc = rayCluster('c', withWorkers(1));
    assert.deepEqual(headEndpoint(rc, [headPod('h', running('127.0.0.5'), ready())]), {
      ok: true,
      gcsAddress: '127.0.0.5:6379',
      podName: 'h',
      ready: true,
    });
    const custom = rayCluster('c', withHeadRayStartParams({ port: '6380' }));
    const e = headEndpoint(custom, [headPod('h', running('fd00::5'))]);
    assert.deepEqual(e, { ok: true, gcsAddress: '[fd00::5]:6380', podName: 'h', ready: false });
  });

  test('no head, a pending head, or a terminating head: not ok, with the reason', () => {
    const rc = rayCluster('c');
    assert.deepEqual(headEndpoint(rc, []), { ok: false, why: 'there is no head pod yet' });
    assert.deepEqual(headEndpoint(rc, [headPod('h')]), { ok: false, why: 'the head pod is not running yet' });
    assert.equal(headEndpoint(rc, [headPod('h', running(), terminating())]).ok, false);
  });
});

describe('metricsTargets', () => {
  const pods = [workerPod('w1', running('127.0.0.7')), workerPod('w2')];
  test('only with a utilization threshold; metricsPort (default 8080); pods with an IP', () => {
    assert.deepEqual(
      metricsTargets(rayCluster('c', withNativeAutoscaling({ cooldownPeriodSeconds: 5 })), podViewsOf(pods)),
      [],
    );
    assert.deepEqual(
      metricsTargets(
        rayCluster('c', withNativeAutoscaling({ cpuUtilizationThreshold: 0.7 })),
        podViewsOf(pods),
      ),
      [{ podName: 'w1', url: 'http://127.0.0.7:8080/metrics', ip: '127.0.0.7' }],
    );
    const custom = rayCluster(
      'c',
      withNativeAutoscaling({ memoryUtilizationThreshold: 0.7, metricsPort: 9090 }),
    );
    assert.equal(metricsTargets(custom, podViewsOf(pods))[0]!.url, 'http://127.0.0.7:9090/metrics');
    const off = rayCluster(
      'c',
      withNativeAutoscaling({ cpuUtilizationThreshold: 0.7, enableMetrics: false }),
    );
    assert.deepEqual(metricsTargets(off, podViewsOf(pods)), []);
  });
});

describe('clusterInputFor', () => {
  test('groups from the spec, pods joined with Ray nodes, workersToDelete → terminating, options and last scale', () => {
    const rc = rayCluster(
      'c',
      withNativeAutoscaling({
        cpuUtilizationThreshold: 0.6,
        idleTimeoutSeconds: 30,
        cooldownPeriodSeconds: 10,
      }),
      withWorkers(3, named('small'), minMax(1, 5), groupRayStartParams({ 'num-cpus': '2' })),
      withWorkers(0, named('big'), minMax(0, 2), groupRayStartParams({ 'num-cpus': '8' })),
    );
    rc.spec.workerGroupSpecs![0]!.scaleStrategy = { workersToDelete: ['s3'] };
    const pods = [
      headPod('h', running('127.0.0.2')),
      workerPod('s1', inGroup('small'), running('127.0.0.3')),
      workerPod('s2', inGroup('small'), running('127.0.0.4')),
      workerPod('s3', inGroup('small'), running('127.0.0.5')),
      workerPod('s4', inGroup('small'), running('127.0.0.6'), terminating()),
    ];
    const sig = signals(
      [
        node('h', { isHead: true, available: { CPU: 1 } }),
        node('s1', {
          group: 'small',
          idle: true,
          status: 'IDLE',
          idleSinceMs: NOW - 40_000,
          available: { CPU: 2 },
        }),
        node('s3', { group: 'small' }),
      ],
      { metrics: new Map([['s1', { ip: '', cpuUtilization: 0.1, memoryUtilization: 0.2 } as never]]) },
    );
    const input = clusterInputFor(rc, podViewsOf(pods), sig, { small: NOW - 5000 });
    assert.deepEqual(input.headAvailable, { CPU: 1 });
    const [small, big] = input.groups;
    assert.equal(small!.name, 'small');
    assert.equal(small!.replicas, 3);
    assert.deepEqual([small!.minReplicas, small!.maxReplicas], [1, 5]);
    assert.equal(small!.nodeShape.CPU, 2);
    assert.equal(small!.lastScaleTimeMs, NOW - 5000);
    assert.equal(small!.options.cpuUtilizationThreshold, 0.6);
    assert.equal(small!.options.idleTimeoutSeconds, 30);
    assert.equal(small!.options.cooldownPeriodSeconds, 10);
    assert.deepEqual(
      small!.workers.map((w) => [w.podName, w.phase, w.idleSinceMs, w.cpuUtilization]),
      [
        ['s1', 'running', NOW - 40_000, 0.1],
        ['s2', 'pending', undefined, undefined],
        ['s3', 'terminating', undefined, undefined],
        ['s4', 'terminating', undefined, undefined],
      ],
    );
    assert.equal(big!.lastScaleTimeMs, undefined);
    assert.equal(big!.nodeShape.CPU, 8);
    assert.equal(big!.workers.length, 0);
  });

  test("a pending pod carries its creation time; the launch timeout comes from Ray's env var in autoscalerOptions.env", () => {
    const rc = rayCluster('c', withNativeAutoscaling({ idleTimeoutSeconds: 30 }), withWorkers(2));
    const created = workerPod('w1');
    created.metadata!.creationTimestamp = new Date(NOW - 90_000).toISOString();
    const unknown = workerPod('w2');
    delete unknown.metadata!.creationTimestamp;
    const pods = [headPod('h', running('127.0.0.2')), created, unknown];
    const [g] = clusterInputFor(rc, podViewsOf(pods), signals([]), {}).groups;
    assert.deepEqual(
      g!.workers.map((w) => [w.podName, w.phase, w.pendingSinceMs]),
      [
        ['w1', 'pending', NOW - 90_000],
        ['w2', 'pending', undefined],
      ],
    );
    assert.equal(g!.options.launchTimeoutSeconds, 3600, "Ray 2.58's default");
    const env = (value: string) =>
      rayCluster(
        'c',
        withNativeAutoscaling({
          idleTimeoutSeconds: 30,
          env: [{ name: 'RAY_AUTOSCALER_RECONCILE_ALLOCATE_STATUS_TIMEOUT_S', value }],
        }),
        withWorkers(1),
      );
    const timeout = (value: string) =>
      clusterInputFor(env(value), [], signals([]), {}).groups[0]!.options.launchTimeoutSeconds;
    assert.equal(timeout('600'), 600);
    assert.equal(timeout(' 900 '), 900);
    for (const bad of ['0', '-5', '10m', ''])
      assert.equal(timeout(bad), 3600, `${JSON.stringify(bad)} → default`);
  });

  test('suspended groups are left out (nobody scales them)', () => {
    const rc = rayCluster(
      'c',
      withWorkers(1, named('a')),
      withWorkers(1, named('b'), (g) => ({ ...g, suspend: true })),
    );
    assert.deepEqual(
      clusterInputFor(rc, [], signals([]), {}).groups.map((g) => g.name),
      ['a'],
    );
  });
});

describe('strandedDrainingPods', () => {
  test('a DRAINING Ray node whose pod is neither listed nor being deleted', () => {
    const rc = rayCluster('c', withWorkers(3));
    rc.spec.workerGroupSpecs![0]!.scaleStrategy = { workersToDelete: ['w2'] };
    const pods = [
      workerPod('w1', running('127.0.0.3')),
      workerPod('w2', running('127.0.0.4')),
      workerPod('w3', running('127.0.0.5'), terminating()),
      workerPod('w4', running('127.0.0.6')),
    ];
    const sig = signals([
      node('w1', { status: 'DRAINING' }),
      node('w2', { status: 'DRAINING' }),
      node('w3', { status: 'DRAINING' }),
      node('w4'),
    ]);
    assert.deepEqual([...strandedDrainingPods(rc, podViewsOf(pods), sig)], [['workers', ['w1']]]);
  });
});
