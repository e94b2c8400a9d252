import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  rayCluster,
  withAuthOptions,
  withAutoscaling,
  withHeadEnv,
  withRayVersion,
  withWorkers,
} from '../testing/builders.ts';
import { operatorCreatesAuthSecret, tokenSource } from './auth.ts';
import { compileCluster } from './index.ts';
import type { Container, EnvVar } from './k8sTypes.ts';

const password: EnvVar = {
  name: 'RAY_DASHBOARD_PASSWORD',
  valueFrom: { secretKeyRef: { name: 'ray-dashboard-secret', key: 'password' } },
};

const env = (c: Container | undefined, name: string) => c?.env?.find((e) => e.name === name);

test("the guide's RAY_DASHBOARD_PASSWORD Secret is every Ray container's token", () => {
  const rc = rayCluster(
    'c',
    withRayVersion('2.58.0'),
    withHeadEnv(password),
    withWorkers(1),
    withAutoscaling(),
  );
  const compiled = compileCluster(rc);
  const head = compiled.headPod('h');
  const worker = compiled.workerPod('workers', 'w');
  const containers = [
    ...head.spec!.containers, // Ray and the autoscaler sidecar
    ...worker.spec!.containers,
    ...(worker.spec!.initContainers ?? []), // wait-gcs-ready runs `ray health-check`, which needs it
  ];
  assert.equal(containers.length, 4);
  for (const c of containers) {
    assert.equal(env(c, 'RAY_AUTH_MODE')?.value, 'token', c.name);
    assert.deepEqual(env(c, 'RAY_AUTH_TOKEN')?.valueFrom, password.valueFrom, c.name);
  }
  // The Secret is the user's: the operator creates none, and reads this one for its own clients.
  assert.equal(operatorCreatesAuthSecret(rc), false);
  assert.deepEqual(tokenSource(rc), {
    mode: 'shared',
    env: { valueFrom: password.valueFrom },
    secret: { name: 'ray-dashboard-secret', key: 'password' },
  });
});

test('a literal password is the token too; authOptions decides when present', () => {
  const literal = rayCluster('c', withHeadEnv({ name: 'RAY_DASHBOARD_PASSWORD', value: 's3cret' }));
  assert.deepEqual(tokenSource(literal), { mode: 'shared', env: { value: 's3cret' } });
  assert.equal(
    env(compileCluster(literal).headPod('h').spec!.containers[0], 'RAY_AUTH_TOKEN')?.value,
    's3cret',
  );

  const disabled = rayCluster('c', withHeadEnv(password), withAuthOptions({ mode: 'disabled' }));
  assert.equal(tokenSource(disabled), undefined, 'mode: disabled is an explicit opt-out');
  assert.equal(env(compileCluster(disabled).headPod('h').spec!.containers[0], 'RAY_AUTH_MODE'), undefined);

  const both = rayCluster('c', withHeadEnv(password), withAuthOptions({ mode: 'token' }));
  assert.deepEqual(tokenSource(both), {
    mode: 'shared',
    env: { valueFrom: { secretKeyRef: { name: 'c', key: 'auth_token' } } },
    secret: { name: 'c', key: 'auth_token' },
  });
  assert.equal(operatorCreatesAuthSecret(both), true);
  assert.equal(
    tokenSource(rayCluster('c', withHeadEnv({ name: 'RAY_DASHBOARD_PASSWORD', value: '' }))),
    undefined,
  );
});
