// The rig's scheduler and KWOK are real: a pod with a nodeSelector and the GPU toleration is bound
// by kube-scheduler to a matching fake node and turned Running by KWOK; a pod that fits no node
// stays Pending with the scheduler's reason.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { newNamespace, useRig, type Rig } from './testing.ts';
import { defaultProfile, profileNodes } from './profile.ts';

interface Pod {
  spec: { nodeName?: string };
  status: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

async function getPod(rig: Rig, ns: string, name: string): Promise<Pod> {
  const r = await rig.kubectl(['get', 'pod', name, '-n', ns, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Pod;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

function pod(name: string, spec: Record<string, unknown>, requests: Record<string, string | number>) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      ...spec,
      containers: [
        { name: 'ray-head', image: 'rayproject/ray:2.58.0', resources: { requests, limits: requests } },
      ],
    },
  };
}

describe('scheduling on the rig', () => {
  let rig: Rig;
  let ns: string;
  before(async () => {
    rig = await useRig();
    ns = await newNamespace(rig, 'rig-sched');
  });

  test('a GPU pod with nodeSelector and toleration is bound to a g5.xlarge node and becomes Running', async () => {
    const manifest = pod(
      'gpu-head',
      {
        nodeSelector: { 'kubernetes.io/instance-type': 'g5.xlarge' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      },
      { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': 1 },
    );
    const c = await rig.kubectl(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify(manifest) });
    assert.equal(c.code, 0, c.stderr);
    const running = await until('gpu-head Running', async () => {
      const p = await getPod(rig, ns, 'gpu-head');
      return p.status.phase === 'Running' ? p : undefined;
    });
    assert.ok(running.spec.nodeName, 'bound by the scheduler');
    const node = await rig.kubectl(['get', 'node', running.spec.nodeName, '-o', 'json']);
    const labels = (JSON.parse(node.stdout) as { metadata: { labels: Record<string, string> } }).metadata
      .labels;
    assert.equal(labels['kubernetes.io/instance-type'], 'g5.xlarge');
    assert.ok(running.status.conditions?.some((x) => x.type === 'PodScheduled' && x.status === 'True'));
    assert.ok(running.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
    assert.match(running.status.podIP ?? '', /^10\.244\./);
  });

  test('without the toleration a GPU pod stays Pending: the taint is honoured', async () => {
    const manifest = pod(
      'no-toleration',
      { nodeSelector: { 'kubernetes.io/instance-type': 'g5.xlarge' } },
      { cpu: '1' },
    );
    assert.equal(
      (await rig.kubectl(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify(manifest) })).code,
      0,
    );
    const cond = await until('PodScheduled=False', async () => {
      const p = await getPod(rig, ns, 'no-toleration');
      return p.status.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False');
    });
    assert.equal(cond.reason, 'Unschedulable');
    // Every g5.xlarge node carries the GPU taint; the other nodes do not match the selector.
    const g5 = profileNodes(defaultProfile).filter(
      (n) => n.metadata.labels['kubernetes.io/instance-type'] === 'g5.xlarge',
    );
    assert.match(
      cond.message ?? '',
      new RegExp(`^0/\\d+ nodes are available: ${g5.length} node\\(s\\) had untolerated taint`),
    );
  });

  test('a pod whose requests fit no node stays Pending with the scheduler reason', async () => {
    const manifest = pod('too-big', {}, { cpu: '1000', memory: '1Ti' });
    assert.equal(
      (await rig.kubectl(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify(manifest) })).code,
      0,
    );
    const cond = await until('PodScheduled=False', async () => {
      const p = await getPod(rig, ns, 'too-big');
      return p.status.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False');
    });
    assert.equal(cond.reason, 'Unschedulable');
    assert.match(cond.message ?? '', /0\/\d+ nodes are available: .*Insufficient cpu/);
    const p = await getPod(rig, ns, 'too-big');
    assert.equal(p.status.phase, 'Pending');
    assert.equal(p.spec.nodeName, undefined);
  });

  test('a pod owned by a Job completes (KWOK job stage) and deleting a pod finishes', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'submitter' },
      spec: {
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [
              { name: 'submit', image: 'rayproject/ray:2.58.0', resources: { requests: { cpu: '100m' } } },
            ],
          },
        },
      },
    };
    assert.equal((await rig.kubectl(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify(job) })).code, 0);
    const r = await rig.kubectl([
      'wait',
      '-n',
      ns,
      '--for=condition=Complete',
      'job/submitter',
      '--timeout=90s',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const del = await rig.kubectl(['delete', 'pod', 'gpu-head', '-n', ns, '--wait=true', '--timeout=60s']);
    assert.equal(del.code, 0, del.stderr);
    const gone = await rig.kubectl(['get', 'pod', 'gpu-head', '-n', ns]);
    assert.match(gone.stderr, /NotFound/);
  });
});
