import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeShapeOf } from './nodeShape.ts';

const container = (limits: Record<string, string>, requests: Record<string, string> = {}) => ({
  template: { spec: { containers: [{ resources: { limits, requests } }] } },
});

test('CPU and memory precedence as Ray: resources > rayStartParams > limits > requests, rounded up', () => {
  assert.deepEqual(nodeShapeOf(container({ cpu: '1500m', memory: '1Gi' })), { CPU: 2, memory: 1073741824 });
  assert.deepEqual(nodeShapeOf(container({}, { cpu: '500m' })), { CPU: 1 });
  assert.deepEqual(nodeShapeOf({ rayStartParams: { 'num-cpus': '3' }, ...container({ cpu: '8' }) }), {
    CPU: 3,
  });
  assert.deepEqual(nodeShapeOf({ resources: { CPU: '4' }, rayStartParams: { 'num-cpus': '3' } }), { CPU: 4 });
});

test('the seed example 05 worker (num-cpus "2", memory "4Gi") gives {CPU: 2, memory: 4 GiB}', () => {
  const shape = nodeShapeOf({
    rayStartParams: { 'num-cpus': '2', memory: '4Gi' },
    ...container({ cpu: '2', memory: '4Gi' }, { cpu: '1', memory: '2Gi' }),
  });
  assert.deepEqual(shape, { CPU: 2, memory: 4 * 2 ** 30 });
});

test('GPUs from any *gpu limit; custom resources from the resources map or KubeRay-quoted rayStartParams', () => {
  assert.deepEqual(nodeShapeOf(container({ cpu: '4', 'nvidia.com/gpu': '2' })), { CPU: 4, GPU: 2 });
  assert.deepEqual(nodeShapeOf({ resources: { CPU: '1', foo: '3' } }), { CPU: 1, foo: 3 });
  assert.deepEqual(nodeShapeOf({ rayStartParams: { 'num-cpus': '1', resources: '"{\\"foo\\": 2}"' } }), {
    CPU: 1,
    foo: 2,
  });
});
