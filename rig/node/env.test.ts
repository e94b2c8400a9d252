import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  containerArgv,
  containerEnv,
  EnvError,
  expandVars,
  fieldRefValue,
  isRayImage,
  resourceFieldValue,
} from './env.ts';
import type { Pod } from './types.ts';

const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { 'ray.io/cluster': 'c', 'ray.io/group': 'g' } },
  spec: { nodeName: 'n', containers: [{ name: 'c' }] },
};

describe('expandVars', () => {
  it('expands $(VAR), keeps unknown references and unbalanced text, unescapes $$', () => {
    const vars = { A: 'x', B: 'y' };
    assert.equal(expandVars('$(A)-$(B)', vars), 'x-y');
    assert.equal(expandVars('$(C) $A', vars), '$(C) $A');
    assert.equal(expandVars('$$(A) $$', vars), '$(A) $');
    assert.equal(expandVars('tail $(A', vars), 'tail $(A');
    assert.equal(expandVars('${RAY_START_ULIMIT:-65536}', vars), '${RAY_START_ULIMIT:-65536}');
  });
});

describe('fieldRefValue', () => {
  it('reads the downward API paths KubeRay uses', () => {
    assert.equal(fieldRefValue(pod, "metadata.labels['ray.io/cluster']", '127.1.0.2', '127.0.0.1'), 'c');
    assert.equal(fieldRefValue(pod, 'metadata.namespace', '', ''), 'ns');
    assert.equal(fieldRefValue(pod, 'metadata.name', '', ''), 'p');
    assert.equal(fieldRefValue(pod, 'status.podIP', '127.1.0.2', ''), '127.1.0.2');
    assert.equal(fieldRefValue(pod, "metadata.labels['missing']", '', ''), '');
    assert.throws(() => fieldRefValue(pod, 'spec.bogus', '', ''), EnvError);
  });
});

describe('resourceFieldValue', () => {
  it('divides and rounds up; an unset limit is the node allocatable', () => {
    const c = { name: 'c', resources: { limits: { cpu: '1500m', memory: '2Gi' } } };
    assert.equal(resourceFieldValue(c, 'limits.cpu', undefined, {}), '2');
    assert.equal(resourceFieldValue(c, 'limits.cpu', '1m', {}), '1500');
    assert.equal(resourceFieldValue(c, 'limits.memory', '1Mi', {}), '2048');
    assert.equal(resourceFieldValue({ name: 'x' }, 'limits.cpu', undefined, { cpu: '16' }), '16');
  });
});

describe('containerEnv', () => {
  const lookups = {
    secret: (_ns: string, name: string) => Promise.resolve(name === 's' ? { pw: 'hunter2' } : undefined),
    configMap: (_ns: string, name: string) => Promise.resolve(name === 'cm' ? { K: 'v', L: 'w' } : undefined),
  };
  it('envFrom first (with prefix), then env in order with $(VAR) references to earlier values', async () => {
    const env = await containerEnv({
      pod,
      podIP: '127.1.0.2',
      hostIP: '127.0.0.1',
      nodeAllocatable: {},
      lookups,
      container: {
        name: 'c',
        envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }],
        env: [
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'ADDR', value: '$(IP):6379' },
          { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'pw' } } },
          { name: 'OPT', valueFrom: { secretKeyRef: { name: 'nope', key: 'x', optional: true } } },
          { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'L' } } },
        ],
      },
    });
    assert.deepEqual(env, {
      CM_K: 'v',
      CM_L: 'w',
      IP: '127.1.0.2',
      ADDR: '127.1.0.2:6379',
      PW: 'hunter2',
      FROM_CM: 'w',
    });
  });
  it('a missing non-optional Secret is a CreateContainerConfigError', async () => {
    await assert.rejects(
      containerEnv({
        pod,
        podIP: '',
        hostIP: '',
        nodeAllocatable: {},
        lookups,
        container: {
          name: 'c',
          env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }],
        },
      }),
      (e: unknown) => e instanceof EnvError && e.reason === 'CreateContainerConfigError',
    );
  });
});

describe('containerArgv', () => {
  it('command + args with $(VAR) expansion; args alone run without an entrypoint; neither is bash', () => {
    assert.deepEqual(
      containerArgv({ name: 'c', command: ['/bin/bash', '-c', '--'], args: ['echo $(A)'] }, { A: '1' }),
      ['/bin/bash', '-c', '--', 'echo 1'],
    );
    assert.deepEqual(containerArgv({ name: 'c', args: ['sleep', '1'] }, {}), ['sleep', '1']);
    assert.deepEqual(containerArgv({ name: 'c' }, {}), ['bash']);
  });
});

describe('isRayImage', () => {
  it('matches rayproject images only', () => {
    for (const i of [
      'rayproject/ray:2.9.0',
      'rayproject/ray:2.58.0-py311',
      'docker.io/rayproject/ray-ml:2.9.0',
      'rayproject/ray',
    ])
      assert.ok(isRayImage(i), i);
    for (const i of ['busybox', 'myorg/rayproject/ray:1', 'rayproject/raylet:1', undefined])
      assert.ok(!isRayImage(i), String(i));
  });
});
