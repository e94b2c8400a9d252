import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rayCluster, withAutoscaling, withWorkers, workerPodSpec } from '../testing/builders.ts';
import { compileCluster, defaultCompileOptions } from './index.ts';

const automount = (spec: { automountServiceAccountToken?: boolean } | undefined) =>
  spec?.automountServiceAccountToken;

test('workers mount no API token by default; the head keeps it (the autoscaler sidecar needs it)', () => {
  const c = compileCluster(rayCluster('c', withWorkers(1), withAutoscaling()));
  assert.equal(automount(c.workerPod('workers', 'w').spec), false);
  assert.equal(automount(c.headPod('h').spec), undefined);
});

test('the worker template decides when it says anything: automount either way, or a ServiceAccount', () => {
  for (const [spec, want] of [
    [{ automountServiceAccountToken: true }, true],
    [{ automountServiceAccountToken: false }, false],
    [{ serviceAccountName: 'vault-reader' }, undefined],
    [{ serviceAccount: 'legacy-name' }, undefined],
  ] as const) {
    const c = compileCluster(rayCluster('c', withWorkers(1, workerPodSpec(spec))));
    assert.equal(automount(c.workerPod('workers', 'w').spec), want, JSON.stringify(spec));
  }
});

test('--restricted-pod-security=false leaves the token as Kubernetes defaults it (KubeRay behaviour)', () => {
  const c = compileCluster(rayCluster('c', withWorkers(1)), {
    ...defaultCompileOptions,
    restrictedPodSecurity: false,
  });
  assert.equal(automount(c.workerPod('workers', 'w').spec), undefined);
});
