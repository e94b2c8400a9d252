import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  containerArgs,
  containerShell,
  convertParamMap,
  rayStartCommand,
  userCommandString,
} from './rayStartCommand.ts';
import {
  applyGroupLabels,
  applyGroupResources,
  deriveFromContainerResources,
  normalizeQuantityParams,
  setMissingParams,
  type Params,
} from './rayStartParams.ts';

test('flags are sorted; "true" is a switch, "false" is dropped except explicit-boolean flags', () => {
  const params = {
    'num-cpus': '2',
    block: 'true',
    'no-monitor': 'false',
    'log-color': 'false',
    'include-dashboard': 'True',
  };
  assert.equal(
    convertParamMap(params),
    ' --block  --include-dashboard=True  --log-color=false  --num-cpus=2 ',
  );
  assert.equal(rayStartCommand('head', { block: 'true' }), 'ray start --head  --block ');
  assert.equal(rayStartCommand('worker', { block: 'true' }), 'ray start  --block ');
});

test('container command shape: /bin/bash -c -- and the ulimit prefix; a user command runs first', () => {
  assert.deepEqual(containerShell(false), ['/bin/bash', '-c', '--']);
  assert.deepEqual(containerShell(true), ['/bin/bash', '-cl', '--']);
  assert.equal(
    containerArgs('', 'ray start  --block '),
    'ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --block ',
  );
  const user = userCommandString(['echo'], ['hi']);
  assert.equal(user, ' echo  hi ');
  assert.equal(containerArgs(user, 'X'), ' echo  hi  && ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; X');
});

test('missing params: worker address, head dashboard-host, metrics and agent ports, block forced', () => {
  const head: Params = { block: 'false', 'metrics-export-port': '9000' };
  setMissingParams(head, 'head', '6379', 'c-head-svc.ns.svc.cluster.local');
  assert.deepEqual(head, {
    block: 'true',
    'metrics-export-port': '9000',
    'dashboard-host': '0.0.0.0',
    'dashboard-agent-listen-port': '52365',
  });
  const worker: Params = {};
  setMissingParams(worker, 'worker', '7000', 'c-head-svc.ns.svc.cluster.local');
  assert.equal(worker.address, 'c-head-svc.ns.svc.cluster.local:7000');
  assert.equal(worker['dashboard-host'], undefined);
});

test('num-cpus from the CPU limit rounded up (else request), memory from the limit only, GPUs from limits', () => {
  const p: Params = {};
  deriveFromContainerResources(p, {
    requests: { cpu: '500m', memory: '1Gi' },
    limits: { cpu: '1500m', memory: '3Gi', 'nvidia.com/gpu': '2' },
  });
  assert.deepEqual(p, { 'num-cpus': '2', memory: '3221225472', 'num-gpus': '2' });
  const q: Params = {};
  deriveFromContainerResources(q, { requests: { cpu: '250m', memory: '1Gi' } });
  assert.deepEqual(q, { 'num-cpus': '1' }); // memory only from a limit, as KubeRay
  const user: Params = { 'num-cpus': '8', 'num-gpus': '0' };
  deriveFromContainerResources(user, { limits: { cpu: '2', 'nvidia.com/gpu': 1 as unknown as string } });
  assert.deepEqual(user, { 'num-cpus': '8', 'num-gpus': '0' });
  const mig: Params = {};
  deriveFromContainerResources(mig, { limits: { 'nvidia.com/mig-2g.32gb': '1' } });
  assert.equal(mig['num-gpus'], '1');
});

test('TPU / Neuron limits become Ray custom resources in --resources JSON', () => {
  const p: Params = { resources: `'{"custom":1}'` };
  deriveFromContainerResources(p, { limits: { 'google.com/tpu': '4' } });
  // The JSON itself; the command line quotes it (`--resources='{"TPU":4,"custom":1}'`, as KubeRay).
  assert.equal(p.resources, `{"TPU":4,"custom":1}`);
  assert.match(convertParamMap(p), / --resources='\{"TPU":4,"custom":1\}' /);
  const dq: Params = { resources: `"{\\"custom\\": 1}"` }; // KubeRay's documented double-quoted form
  deriveFromContainerResources(dq, { limits: { 'google.com/tpu': '4' } });
  assert.equal(dq.resources, `{"TPU":4,"custom":1}`);
  const n: Params = {};
  deriveFromContainerResources(n, { limits: { 'aws.amazon.com/neuroncore': '2', 'google.com/tpu': '4' } });
  assert.equal(n.resources, `{"neuron_cores":2}`); // only the first, in key order
  const notAMap: Params = { resources: '5' };
  deriveFromContainerResources(notAMap, { limits: { 'google.com/tpu': '4' } });
  assert.equal(notAMap.resources, '5', 'left alone, as KubeRay does with JSON it cannot read');
});

test('group resources and labels override rayStartParams', () => {
  const p: Params = { 'num-cpus': '1' };
  applyGroupResources(p, { CPU: '3', memory: '1Gi', 'nvidia.com/gpu': '1', accel: '500m', bad: 'x' });
  assert.deepEqual(
    { ...p },
    {
      'num-cpus': '3',
      memory: '1073741824',
      'num-gpus': '1',
      resources: `{"accel":0.5}`,
    },
  );
  applyGroupLabels(p, { zone: 'a', 'ray.io/market-type': 'spot' });
  assert.equal(p.labels, 'ray.io/market-type=spot,zone=a');
});

test('Kuray: quantities in memory-like params become the integers ray start accepts', () => {
  const p: Params = {
    memory: '4Gi',
    'object-store-memory': '2Gi',
    'num-cpus': '1500m',
    'num-gpus': '0',
    'redis-password': '$REDIS_PASSWORD',
  };
  normalizeQuantityParams(p);
  assert.deepEqual(p, {
    memory: '4294967296',
    'object-store-memory': '2147483648',
    'num-cpus': '2',
    'num-gpus': '0',
    'redis-password': '$REDIS_PASSWORD',
  });
  const bad: Params = { memory: 'lots' };
  normalizeQuantityParams(bad);
  assert.equal(bad.memory, 'lots');
});
