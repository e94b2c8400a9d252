import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultProfile,
  loadProfile,
  profileNodes,
  scaleProfile,
  validateProfile,
  type NodeObject,
} from './profile.ts';

const nodes = profileNodes(defaultProfile);
const cpu = (q: string): number => Number(q);
const gi = (q: string): number => Number(q.replace(/Gi$/, ''));

function fits(n: NodeObject, req: { cpu: number; memGi: number; gpu?: number }, count: number): number {
  // How many pods of `req` the node takes (the scheduler's resource fit, nothing else).
  const c = Math.floor(cpu(n.status.allocatable.cpu!) / req.cpu);
  const m = Math.floor(gi(n.status.allocatable.memory!) / req.memGi);
  const g = req.gpu ? Math.floor(Number(n.status.allocatable['nvidia.com/gpu'] ?? '0') / req.gpu) : Infinity;
  return Math.min(c, m, g, count);
}

function capacityFor(
  sel: (n: NodeObject) => boolean,
  req: { cpu: number; memGi: number; gpu?: number },
): number {
  return nodes.filter(sel).reduce((sum, n) => sum + fits(n, req, 1000), 0);
}

const untainted = (n: NodeObject): boolean => !n.spec.taints?.length;
const label = (k: string, v: string) => (n: NodeObject) => n.metadata.labels[k] === v;

test('node names are unique and every fake node carries the KWOK annotation', () => {
  const names = nodes.map((n) => n.metadata.name);
  assert.equal(new Set(names).size, names.length);
  for (const n of nodes) assert.equal(n.metadata.annotations['kwok.x-k8s.io/node'], 'fake');
});

test('g5.xlarge nodes have a GPU and the nvidia.com/gpu NoSchedule taint (examples 02, 04)', () => {
  const g5 = nodes.filter(label('kubernetes.io/instance-type', 'g5.xlarge'));
  assert.ok(g5.length >= 21, 'example 02 scales to 20 GPU workers + a GPU head');
  for (const n of g5) {
    assert.equal(n.status.capacity['nvidia.com/gpu'], '1');
    assert.deepEqual(n.spec.taints, [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }]);
    assert.equal(n.metadata.labels['node.kubernetes.io/instance-type'], 'g5.xlarge');
  }
  // 02: 2 CPU / 4Gi / 1 GPU requests, head + 20 workers at maxReplicas
  assert.ok(
    capacityFor(label('kubernetes.io/instance-type', 'g5.xlarge'), { cpu: 2, memGi: 4, gpu: 1 }) >= 21,
  );
});

test('m5 nodes exist in every size the examples select (03, 13)', () => {
  for (const t of ['m5.large', 'm5.xlarge', 'm5.2xlarge']) {
    assert.ok(nodes.some(label('kubernetes.io/instance-type', t)), t);
  }
  // 13: head 2 CPU / 4Gi on m5.2xlarge
  assert.ok(capacityFor(label('kubernetes.io/instance-type', 'm5.2xlarge'), { cpu: 2, memGi: 4 }) >= 1);
});

test('every zone has room for example 09 (head + 6 workers of 1 CPU / 2Gi in us-west-1a)', () => {
  for (const z of ['us-west-1a', 'us-west-1b', 'us-west-1c']) {
    const inZone = (n: NodeObject): boolean => untainted(n) && label('topology.kubernetes.io/zone', z)(n);
    assert.ok(capacityFor(inZone, { cpu: 1, memGi: 2 }) >= 7, z);
  }
});

test('the enterprise example (15) fits: 1 head + 20 workers of 4 CPU / 8Gi / 1 GPU, untainted', () => {
  const head = (n: NodeObject): boolean => untainted(n) && label('node-type', 'ai-head-node')(n);
  const worker = (n: NodeObject): boolean => untainted(n) && label('node-type', 'ai-worker-node')(n);
  assert.ok(capacityFor(head, { cpu: 4, memGi: 8, gpu: 1 }) >= 1);
  assert.ok(capacityFor(worker, { cpu: 4, memGi: 8, gpu: 1 }) >= 20);
});

test('untainted nodes without selectors absorb the plain examples (01: 1 head + 10 workers of 1 CPU / 2Gi)', () => {
  assert.ok(capacityFor(untainted, { cpu: 1, memGi: 2 }) >= 11);
});

test('allocatable equals capacity and pods has a default', () => {
  for (const n of nodes) {
    assert.deepEqual(n.status.allocatable, n.status.capacity);
    assert.ok(n.status.capacity.pods);
  }
});

test('the scale profile adds 100+ big nodes', () => {
  const scale = profileNodes(scaleProfile);
  assert.ok(scale.length - nodes.length >= 100);
  assert.equal(new Set(scale.map((n) => n.metadata.name)).size, scale.length);
});

test('a non-fake node group is left to another agent (no KWOK annotation)', () => {
  const [n] = profileNodes({
    name: 'real',
    nodeGroups: [{ name: 'local', count: 1, fake: false, capacity: { cpu: '2', memory: '4Gi' } }],
  });
  assert.deepEqual(n!.metadata.annotations, {});
  assert.equal(n!.metadata.labels.type, 'real');
});

test('loadProfile reads built-ins and files, and rejects bad input with the reason', () => {
  assert.equal(loadProfile('scale'), scaleProfile);
  const dir = mkdtempSync(join(tmpdir(), 'rig-profile-'));
  const file = join(dir, 'p.yaml');
  writeFileSync(
    file,
    'name: tiny\nnodeGroups:\n  - name: a\n    count: 2\n    capacity: {cpu: "2", memory: 4Gi}\n',
  );
  assert.equal(profileNodes(loadProfile(file)).length, 2);
  assert.throws(() => loadProfile('nope'), /unknown profile "nope"/);
  assert.throws(
    () => validateProfile({ name: 'x', nodeGroups: [{ name: 'A', count: 1, capacity: {} }] }, 's'),
    /DNS label/,
  );
  assert.throws(
    () =>
      validateProfile(
        { name: 'x', nodeGroups: [{ name: 'a', count: -1, capacity: { cpu: '1', memory: '1Gi' } }] },
        's',
      ),
    /count/,
  );
  assert.throws(
    () => validateProfile({ name: 'x', nodeGroups: [{ name: 'a', count: 1, capacity: { cpu: '1' } }] }, 's'),
    /memory/,
  );
});
