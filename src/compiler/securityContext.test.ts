import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  rayCluster,
  withAutoscaling,
  withHeadPodSpec,
  withWorkers,
  workerPodSpec,
} from '../testing/builders.ts';
import { compileCluster, defaultCompileOptions } from './index.ts';
import type { Container, Pod } from './k8sTypes.ts';
import { applyRestrictedSecurityContext } from './securityContext.ts';

const RESTRICTED = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
};

function allContainers(p: Pod): Container[] {
  return [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])];
}

test('every generated container (Ray, wait-gcs-ready, autoscaler sidecar) is restricted by default', () => {
  const c = compileCluster(rayCluster('c', withWorkers(1), withAutoscaling()));
  const head = c.headPod('c-head-x');
  const worker = c.workerPod('workers', 'c-workers-worker-x');
  assert.deepEqual(
    allContainers(head).map((x) => x.name),
    ['ray-head', 'autoscaler'],
  );
  assert.deepEqual(
    allContainers(worker).map((x) => x.name),
    ['wait-gcs-ready', 'ray-worker'],
  );
  for (const p of [head, worker]) {
    assert.deepEqual(p.spec?.securityContext, { seccompProfile: { type: 'RuntimeDefault' } });
    for (const x of allContainers(p)) assert.deepEqual(x.securityContext, RESTRICTED, x.name);
  }
});

test('--restricted-pod-security=false writes nothing (KubeRay behaviour)', () => {
  const c = compileCluster(rayCluster('c', withWorkers(1)), {
    ...defaultCompileOptions,
    restrictedPodSecurity: false,
  });
  for (const p of [c.headPod('h'), c.workerPod('workers', 'w')]) {
    assert.equal(p.spec?.securityContext, undefined);
    for (const x of allContainers(p)) assert.equal(x.securityContext, undefined, x.name);
  }
});

test('what the user wrote wins, field by field', () => {
  const c = compileCluster(
    rayCluster(
      'c',
      withHeadPodSpec({ securityContext: { runAsUser: 0, seccompProfile: { type: 'Unconfined' } } }),
      withWorkers(1, workerPodSpec({ securityContext: { runAsNonRoot: false } })),
    ),
  );
  const head = c.headPod('h');
  // uid 0 asked for: runAsNonRoot would stop the container, so it is not added.
  assert.deepEqual(head.spec?.securityContext, { runAsUser: 0, seccompProfile: { type: 'Unconfined' } });
  assert.deepEqual(head.spec?.containers[0]?.securityContext, {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
  });
  const worker = c.workerPod('workers', 'w');
  assert.equal(worker.spec?.containers[0]?.securityContext?.runAsNonRoot, undefined);
});

test('privileged, SYS_ADMIN and explicit capabilities are respected; Windows pods untouched', () => {
  const spec = {
    containers: [
      { name: 'a', securityContext: { privileged: true } },
      { name: 'b', securityContext: { capabilities: { add: ['CAP_SYS_ADMIN'] } } },
      { name: 'c', securityContext: { capabilities: { drop: ['NET_RAW'] }, allowPrivilegeEscalation: true } },
    ],
  };
  applyRestrictedSecurityContext(spec);
  const [a, b, c] = spec.containers.map((x) => x.securityContext);
  // The apiserver refuses allowPrivilegeEscalation: false next to privileged or CAP_SYS_ADMIN.
  assert.deepEqual(a, { privileged: true, capabilities: { drop: ['ALL'] } });
  assert.deepEqual(b, { capabilities: { add: ['CAP_SYS_ADMIN'], drop: ['ALL'] }, runAsNonRoot: true });
  assert.deepEqual(c, {
    capabilities: { drop: ['NET_RAW'] },
    allowPrivilegeEscalation: true,
    runAsNonRoot: true,
  });
  const win = { os: { name: 'windows' }, containers: [{ name: 'w' }] };
  applyRestrictedSecurityContext(win);
  assert.deepEqual(win, { os: { name: 'windows' }, containers: [{ name: 'w' }] });
});

test('the user template is not mutated', () => {
  const rc = rayCluster('c', withWorkers(1));
  const before = structuredClone(rc);
  compileCluster(rc).workerPod('workers', 'w');
  assert.deepEqual(rc, before);
});
