// The history server collector sidecar, in the compiled pods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster } from './index.ts';
import { rayCluster, withWorkers } from '../testing/builders.ts';

test('collectorOptions: ray-history-collector in head and worker pods, sharing /tmp/ray', () => {
  const rc = rayCluster('c', withWorkers(1));
  rc.spec.historyServerOptions = {
    collectorOptions: { image: 'collector:1', env: [{ name: 'STORAGE_BACKEND', value: 'S3' }] },
  };
  const compiled = compileCluster(rc);
  const group = compiled.groups[0]!.name;
  for (const [pod, role] of [
    [compiled.headPod('c-head-x'), 'Head'],
    [compiled.workerPod(group, 'c-w-x'), 'Worker'],
  ] as const) {
    const c = pod.spec!.containers.find((x) => x.name === 'ray-history-collector');
    assert.equal(c?.image, 'collector:1');
    const env = Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env.RAY_ROLE, role);
    assert.equal(env.EVENTS_PORT, '8084');
    assert.equal(env.OWNER_KIND, 'RayCluster');
    assert.equal(env.OWNER_NAME, 'c');
    assert.equal(env.STORAGE_BACKEND, 'S3');
    const ray = pod.spec!.containers[0]!;
    assert.ok(ray.env?.some((e) => e.name === 'RAY_enable_ray_event' && e.value === 'true'));
    const shared = ray.volumeMounts?.find((m) => m.mountPath === '/tmp/ray')?.name;
    assert.ok(c?.volumeMounts?.some((m) => m.name === shared && m.mountPath === '/tmp/ray'));
  }
});

test('no collectorOptions: no sidecar', () => {
  const head = compileCluster(rayCluster('c')).headPod('c-head-x');
  assert.ok(!head.spec!.containers.some((x) => x.name === 'ray-history-collector'));
});
