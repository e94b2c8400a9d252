// NativeAutoscaler.sync at unit speed: every branch the e2e tests reach in minutes (scale-up,
// drains accepted / rejected / failing, the patch losing a race, waiting for the cache, Ray
// unreachable, no head, stranded drains, the demand poll waking a sync) against a scripted GCS and
// a client that records the writes. The real API server and real Ray are in actuator.e2e.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../compiler/k8sTypes.ts';
import type { RayCluster } from '../../api/v1/index.ts';
import type { ClusterResourceState, GcsNodeState } from '../../ray/gcs/autoscalerState.ts';
import type { DrainRequest, GcsClient } from '../../ray/gcs/client.ts';
import { ApiError } from '../../runtime/errors.ts';
import { nopLogger } from '../../runtime/log.ts';
import type { KubeObject } from '../../runtime/resources.ts';
import {
  groupRayStartParams,
  inNamespace,
  minMax,
  rayCluster,
  withNativeAutoscaling,
  withWorkers,
} from '../../testing/builders.ts';
import { headPod, ready, running, workerPod } from '../../testing/pods.ts';
import { NativeAutoscaler, type ActuatorClient, type ActuatorDeps } from './actuator.ts';
import type { JsonPatchOp } from './patch.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');

function cluster(replicas: number, generation = 1): RayCluster {
  const rc = rayCluster(
    'c',
    inNamespace('ns'),
    withNativeAutoscaling({ cooldownPeriodSeconds: 0, idleTimeoutSeconds: 10 }),
    withWorkers(replicas, minMax(0, 5), groupRayStartParams({ 'num-cpus': '1' })),
  );
  return { ...rc, metadata: { ...rc.metadata, generation }, status: { state: 'ready' } };
}

const head = headPod('c-head', running('10.0.0.1'), ready());
const worker = (name: string): Pod => workerPod(name, running('10.0.0.2'), ready());

function gcsNode(id: string, over: Partial<GcsNodeState> = {}): GcsNodeState {
  return {
    nodeId: id,
    instanceId: id,
    rayNodeTypeName: 'workers',
    availableResources: { CPU: 1 },
    totalResources: { CPU: 1 },
    status: 'IDLE',
    idleDurationMs: 60_000,
    nodeIpAddress: '10.0.0.2',
    instanceTypeName: '',
    nodeActivity: [],
    labels: {},
    ...over,
  };
}

const headNode = gcsNode('c-head', {
  rayNodeTypeName: 'headgroup',
  totalResources: { CPU: 0, 'node:__internal_head__': 1 },
  availableResources: {},
});

function state(nodes: GcsNodeState[], pendingCpu1 = 0): ClusterResourceState {
  return {
    version: 1,
    nodes: [headNode, ...nodes],
    pendingResourceRequests: pendingCpu1
      ? [{ request: { resources: { CPU: 1 }, placementConstraints: [] }, count: pendingCpu1 }]
      : [],
    pendingGangResourceRequests: [],
    clusterResourceConstraints: [],
    sessionName: 's',
  };
}

interface Write {
  kind: 'patch' | 'status';
  type: string;
  body: unknown;
}

/** A scripted GCS, a client that records writes (or rejects the spec patch), Events. */
function harness(
  opts: { state?: ClusterResourceState | Error; drain?: Record<string, boolean | Error> } = {},
) {
  const h = {
    state: opts.state ?? state([]),
    drain: opts.drain ?? {},
    drains: [] as string[],
    dials: 0,
    writes: [] as Write[],
    rejectPatch: false,
    events: [] as { type: string; reason: string; message: string }[],
    changes: [] as string[],
  };
  const gcs = (): GcsClient => {
    h.dials++;
    return {
      address: 'gcs',
      clusterResourceState: () =>
        h.state instanceof Error ? Promise.reject(h.state) : Promise.resolve(h.state),
      drainNode: (r: DrainRequest) => {
        h.drains.push(r.nodeId);
        const a = h.drain[r.nodeId] ?? true;
        return a instanceof Error
          ? Promise.reject(a)
          : Promise.resolve({ accepted: a, rejectionReason: a ? '' : 'node is busy' });
      },
      close: () => undefined,
    };
  };
  const client: ActuatorClient = {
    get: () => Promise.reject(new Error('no Secret reads in these tests')),
    patch: <T extends KubeObject>(_r: unknown, _ns: unknown, _n: unknown, body: unknown, type: string) => {
      if (h.rejectPatch) return Promise.reject(new ApiError(422, { reason: 'Invalid' }, 'PATCH', '/c'));
      h.writes.push({ kind: 'patch', type, body });
      return Promise.resolve({ metadata: { generation: 2 } } as T);
    },
    patchStatus: <T extends KubeObject>(
      _r: unknown,
      _ns: unknown,
      _n: unknown,
      body: unknown,
      type: string,
    ) => {
      h.writes.push({ kind: 'status', type, body });
      return Promise.resolve({ metadata: {} } as T);
    },
  };
  const deps: ActuatorDeps = {
    client,
    events: {
      normal: (_o, reason, message) => h.events.push({ type: 'Normal', reason, message }),
      warning: (_o, reason, message) => h.events.push({ type: 'Warning', reason, message }),
    },
    log: nopLogger,
    dialGcs: gcs,
    now: () => NOW,
    rayToken: () => Promise.resolve(undefined),
  };
  return { h, deps };
}

const specOps = (w: Write | undefined) => (w?.body ?? []) as JsonPatchOp[];
const replicasOp = (w: Write | undefined) =>
  specOps(w).find((o) => o.op === 'replace' && o.path.endsWith('/replicas')) as { value: number } | undefined;

describe('NativeAutoscaler.sync', () => {
  test('demand: one guarded patch raises replicas, an Event and the status explain it', async () => {
    const { h, deps } = harness({ state: state([], 2) });
    const out = await new NativeAutoscaler(deps).sync(cluster(0), () => [head]);
    assert.equal(out.kind, 'decided');
    const patch = h.writes.find((w) => w.kind === 'patch');
    assert.equal(patch?.type, 'json');
    assert.equal(replicasOp(patch)?.value, 2);
    assert.ok(
      specOps(patch).some((o) => o.op === 'test' && o.path.endsWith('/replicas')),
      'guarded by a test op',
    );
    assert.deepEqual(
      h.events.map((e) => e.reason),
      ['AutoscalerScaledUp'],
    );
    assert.match(h.events[0]!.message, /replicas 0 → 2\. Rule pending-demand/);
    const status = h.writes.find((w) => w.kind === 'status');
    assert.deepEqual((status?.body as JsonPatchOp[])[0]?.path, '/status/autoscaler');
  });

  test('after its own patch it waits (cause cache) until the cache shows the new generation', async () => {
    const { h, deps } = harness({ state: state([], 2) });
    const a = new NativeAutoscaler(deps);
    await a.sync(cluster(0), () => [head]);
    const writes = h.writes.length;
    const stale = await a.sync(cluster(0, 1), () => [head]);
    assert.deepEqual(stale.kind === 'waiting' && stale.cause, 'cache');
    assert.equal(h.writes.length, writes, 'no decision from a stale cache');
    const fresh = await a.sync(cluster(2, 2), () => [head]);
    assert.equal(fresh.kind, 'decided');
  });

  test('a pod that is not a Ray node after the launch timeout is deleted without a drain, the group shrinks', async () => {
    const { h, deps } = harness({ state: state([gcsNode('w1', { status: 'RUNNING', idleDurationMs: 0 })]) });
    const stuck = workerPod('w2');
    stuck.metadata!.creationTimestamp = new Date(NOW - 3600_000).toISOString();
    const young = workerPod('w3');
    young.metadata!.creationTimestamp = new Date(NOW - 3599_000).toISOString();
    const out = await new NativeAutoscaler(deps).sync(cluster(3), () => [head, worker('w1'), stuck, young]);
    assert.deepEqual(h.drains, [], 'no Ray node to drain');
    const patch = h.writes.find((w) => w.kind === 'patch');
    assert.equal(replicasOp(patch)?.value, 2);
    const wtd = specOps(patch).find((o) => o.path.endsWith('/scaleStrategy')) as
      { value: unknown } | undefined;
    assert.deepEqual(wtd?.value, { workersToDelete: ['w2'] });
    assert.equal(out.kind === 'decided' && out.decisions[0]?.reason.rule, 'launch-timeout');
    assert.deepEqual(
      h.events.map((e) => e.reason),
      ['AutoscalerScaledDown'],
    );
    assert.match(h.events[0]!.message, /Rule launch-timeout: w2 did not become Ray nodes within 3600s/);
  });

  test('idle workers are drained first; a refused drain keeps its pod and its replica', async () => {
    const { h, deps } = harness({
      state: state([gcsNode('w1'), gcsNode('w2')]),
      drain: { w1: true, w2: false },
    });
    const out = await new NativeAutoscaler(deps).sync(cluster(2), () => [head, worker('w1'), worker('w2')]);
    assert.deepEqual(h.drains.sort(), ['w1', 'w2']);
    const patch = h.writes.find((w) => w.kind === 'patch');
    assert.equal(replicasOp(patch)?.value, 1);
    const wtd = specOps(patch).find((o) => o.path.endsWith('/scaleStrategy')) as
      { value: unknown } | undefined;
    assert.deepEqual(wtd?.value, { workersToDelete: ['w1'] });
    assert.equal(out.kind === 'decided' && out.applied[0]?.replicas, 1);
    assert.deepEqual(
      h.events.map((e) => e.reason),
      ['AutoscalerScaledDown'],
    );
  });

  test('every drain refused, or failing: nothing is written to the spec and no Event', async () => {
    for (const answer of [false, new Error('deadline exceeded')]) {
      const { h, deps } = harness({ state: state([gcsNode('w1')]), drain: { w1: answer } });
      const out = await new NativeAutoscaler(deps).sync(cluster(1), () => [head, worker('w1')]);
      assert.equal(h.writes.filter((w) => w.kind === 'patch').length, 0, `drain answered ${String(answer)}`);
      assert.deepEqual(h.events, []);
      assert.equal(out.kind === 'decided' && out.decisions[0]?.kind, 'none');
    }
  });

  test('a patch that loses a race (422) applies nothing and explains nothing; the next sync decides again', async () => {
    const { h, deps } = harness({ state: state([], 1) });
    h.rejectPatch = true;
    const a = new NativeAutoscaler(deps);
    const out = await a.sync(cluster(0), () => [head]);
    assert.equal(out.kind === 'decided' && out.applied.length, 0);
    assert.match(out.kind === 'decided' ? (out.why ?? '') : '', /lost a race/);
    assert.deepEqual(h.events, []);
    h.rejectPatch = false;
    const again = await a.sync(cluster(0), () => [head]);
    assert.equal(again.kind === 'decided' && again.applied.length, 1, 'no cache wait after a rejected patch');
  });

  test('Ray unreachable: no decision, a Warning (head Ready), rayReachable false; the connection is redialled', async () => {
    const { h, deps } = harness({ state: new Error('connect ECONNREFUSED') });
    const a = new NativeAutoscaler(deps);
    const out = await a.sync(cluster(2), () => [head, worker('w1'), worker('w2')]);
    assert.deepEqual(out.kind === 'waiting' && out.cause, 'ray');
    assert.equal(h.writes.filter((w) => w.kind === 'patch').length, 0, 'never a blind scale-down');
    assert.deepEqual(
      h.events.map((e) => `${e.type} ${e.reason}`),
      ['Warning AutoscalerRayUnreachable'],
    );
    const status = (
      h.writes.find((w) => w.kind === 'status')?.body as { value: { rayReachable: boolean } }[]
    )[0];
    assert.equal(status?.value.rayReachable, false);
    await a.sync(cluster(2), () => [head, worker('w1'), worker('w2')]);
    assert.equal(h.dials, 2, 'a failed connection is not kept');
  });

  test('no head pod: waiting (cause head), status says so; other modes and suspended clusters are skipped', async () => {
    const { h, deps } = harness();
    const a = new NativeAutoscaler(deps);
    const out = await a.sync(cluster(0), () => []);
    assert.deepEqual(out.kind === 'waiting' && out.cause, 'head');
    assert.equal(h.dials, 0);
    const inTree: RayCluster = { ...cluster(0), spec: { ...cluster(0).spec, enableInTreeAutoscaling: true } };
    assert.equal((await a.sync(inTree, () => [head])).kind, 'skipped');
    const paused: RayCluster = { ...cluster(0), spec: { ...cluster(0).spec, suspend: true } };
    assert.equal((await a.sync(paused, () => [head])).kind, 'skipped');
  });

  test('a stranded drain (DRAINING node, pod not listed) is listed for deletion', async () => {
    const { h, deps } = harness({ state: state([gcsNode('w1', { status: 'DRAINING' }), gcsNode('w2')]) });
    const rc = cluster(2);
    rc.spec.autoscalerOptions = { ...rc.spec.autoscalerOptions, idleTimeoutSeconds: 3600 }; // w2 stays
    await new NativeAutoscaler(deps).sync(rc, () => [head, worker('w1'), worker('w2')]);
    const patch = h.writes.find((w) => w.kind === 'patch');
    assert.equal(replicasOp(patch)?.value, 1);
    assert.match(h.events[0]?.message ?? '', /draining \(an earlier drain\)/);
    assert.deepEqual(h.drains, [], 'a draining node is not drained again');
  });

  test('the demand poll wakes a sync when demand appears between syncs, and stops with the cluster', async () => {
    const { h, deps } = harness();
    deps.onRayChange = (ns, name) => h.changes.push(`${ns}/${name}`);
    deps.demandPoll = { restMs: 5, activeMs: 5 };
    const a = new NativeAutoscaler(deps);
    await a.sync(cluster(0), () => [head]);
    h.state = state([], 3);
    const deadline = Date.now() + 5000;
    while (h.changes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(h.changes.slice(0, 1), ['ns/c']);
    a.forget('ns', 'c');
    const seen = h.changes.length;
    h.state = state([], 9);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.changes.length, seen, 'no polling after forget');
    a.close();
  });
});
