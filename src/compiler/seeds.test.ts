// The guide's example RayClusters (../shared/seed/examples), rendered: golden files for the whole
// output (src/compiler/testdata/*.yaml; regenerate with KURAY_UPDATE_GOLDEN=1 and review the diff),
// and field-by-field checks that the user's scheduling, GPU, security and env settings come through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RayCluster } from '../api/v1/index.ts';
import { parseYamlStream, toYamlStream } from '../util/yaml.ts';
import { renderCluster, type KubeObject } from './index.ts';
import type { Container, Pod } from './k8sTypes.ts';
import { SEED_EXAMPLES } from '../testing/seeds.ts';

const seedDir = SEED_EXAMPLES;
const goldenDir = join(import.meta.dirname, 'testdata');
const update = process.env.KURAY_UPDATE_GOLDEN === '1';

function seed(file: string): RayCluster[] {
  return parseYamlStream(readFileSync(join(seedDir, file), 'utf8'), file)
    .map((d) => d.value as RayCluster)
    .filter((v) => v.kind === 'RayCluster');
}

function render(file: string): KubeObject[] {
  return seed(file).flatMap((rc) => renderCluster(rc));
}

const pods = (objs: KubeObject[]) => objs.filter((o): o is Pod => o.kind === 'Pod');
const head = (objs: KubeObject[]) =>
  pods(objs).find((p) => p.metadata?.labels?.['ray.io/node-type'] === 'head')!;
const workers = (objs: KubeObject[]) =>
  pods(objs).filter((p) => p.metadata?.labels?.['ray.io/node-type'] === 'worker');
const ray = (p: Pod): Container => p.spec!.containers[0]!;
const rayStart = (p: Pod): string => ray(p).args![0]!.split('; ')[1]!;
const envOf = (p: Pod, name: string) => ray(p).env?.find((e) => e.name === name);

test('golden: every seed RayCluster renders exactly as reviewed', () => {
  const files = readdirSync(seedDir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 16);
  for (const file of files) {
    if (seed(file).length === 0) continue;
    const actual = toYamlStream(render(file));
    const golden = join(goldenDir, file);
    if (update || !existsSync(golden)) {
      assert.ok(update, `missing golden ${golden}; run with KURAY_UPDATE_GOLDEN=1 and review it`);
      writeFileSync(golden, actual);
    }
    assert.equal(actual, readFileSync(golden, 'utf8'), `${file} differs from testdata/${file}`);
  }
});

test('01-basic: head and 3 workers with the ray start the spec asks for', () => {
  const objs = render('01-basic.yaml');
  const h = head(objs);
  assert.equal(h.metadata?.name?.startsWith('ray-cluster-head-'), true);
  assert.equal(
    rayStart(h),
    'ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=4294967296  ' +
      '--metrics-export-port=8080  --num-cpus=2  --num-gpus=0  --object-store-memory=2147483648 ',
  );
  assert.deepEqual(ray(h).resources, {
    requests: { cpu: '1', memory: '2Gi' },
    limits: { cpu: '2', memory: '4Gi' },
  });
  assert.deepEqual(ray(h).ports, [
    { containerPort: 6379, name: 'gcs-server', protocol: 'TCP' },
    { containerPort: 8265, name: 'dashboard', protocol: 'TCP' },
    { name: 'metrics', containerPort: 8080 },
  ]);
  assert.equal(h.spec?.restartPolicy, 'Always');
  assert.equal(h.metadata?.labels?.app, 'ray-head');
  const ws = workers(objs);
  assert.equal(ws.length, 3);
  for (const w of ws) {
    assert.equal(
      rayStart(w),
      'ray start  --address=ray-cluster-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  ' +
        '--memory=4294967296  --metrics-export-port=8080  --num-cpus=2  --num-gpus=0 ',
    );
    assert.equal(w.metadata?.labels?.['ray.io/group'], 'worker-group-1');
    assert.equal(w.metadata?.labels?.app, 'ray-worker');
    assert.equal(w.spec?.initContainers?.[0]?.name, 'wait-gcs-ready');
  }
  assert.deepEqual(
    ws.map((w) => w.metadata?.labels?.['ray.io/worker-group-replica-index']),
    ['0', '1', '2'],
  );
});

test('02-advanced-gpu-production: GPUs, tolerations and node selector on head and 5 workers', () => {
  const objs = render('02-advanced-gpu-production.yaml');
  const toleration = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
  for (const p of [head(objs), ...workers(objs)]) {
    assert.deepEqual(p.spec?.tolerations, toleration);
    assert.deepEqual(p.spec?.nodeSelector, { 'kubernetes.io/instance-type': 'g5.xlarge' });
    assert.equal(ray(p).image, 'rayproject/ray:2.9.0-py39-gpu');
    assert.equal(ray(p).resources?.limits?.['nvidia.com/gpu'], 1 as unknown as string); // carried as written
    assert.match(rayStart(p), / --num-gpus=1 /);
    assert.match(rayStart(p), / --num-cpus=4 /);
    assert.match(rayStart(p), / --memory=8589934592 /);
  }
  assert.equal(workers(objs).length, 5);
  assert.match(rayStart(head(objs)), / --object-store-memory=4294967296 /);
});

test('03-resource-affinity: the head keeps its node affinity and tolerations', () => {
  const h = head(render('03-resource-affinity.yaml'));
  assert.deepEqual(h.spec?.affinity, {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: 'kubernetes.io/instance-type', operator: 'In', values: ['m5.large', 'm5.xlarge'] },
            ],
          },
        ],
      },
    },
  });
  assert.deepEqual(h.spec?.tolerations, [
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  ]);
  assert.equal(h.metadata?.namespace, 'default');
});

test('04-gpu-head: num-gpus from the spec, CPUs derived from the limit', () => {
  const h = head(render('04-gpu-head.yaml'));
  assert.match(rayStart(h), / --num-gpus=1 /);
  assert.match(rayStart(h), / --num-cpus=4 /); // not in rayStartParams: from the CPU limit
  assert.deepEqual(h.spec?.tolerations, [
    { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
  ]);
});

test('09-ha-zones: zone node selector on all pods, toleration on workers', () => {
  const objs = render('09-ha-zones.yaml');
  for (const p of pods(objs))
    assert.deepEqual(p.spec?.nodeSelector, { 'topology.kubernetes.io/zone': 'us-west-1a' });
  for (const w of workers(objs)) {
    assert.deepEqual(w.spec?.tolerations, [
      { key: 'topology.kubernetes.io/zone', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  }
  assert.equal(workers(objs).length, 3);
});

test('10-resilient-probes: the user probes are kept as written (validation warns about them)', () => {
  const h = head(render('10-resilient-probes.yaml'));
  assert.deepEqual(ray(h).livenessProbe, {
    httpGet: { path: '/healthz', port: 8080 },
    initialDelaySeconds: 30,
    periodSeconds: 10,
  });
  assert.deepEqual(ray(h).readinessProbe, {
    httpGet: { path: '/ready', port: 8080 },
    initialDelaySeconds: 5,
    periodSeconds: 5,
  });
});

test('11-secure-dashboard: security context kept and made restricted; the password is the Ray token', () => {
  const h = head(render('11-secure-dashboard.yaml'));
  assert.deepEqual(h.spec?.securityContext, {
    runAsUser: 1000,
    runAsGroup: 1000,
    fsGroup: 1000,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.deepEqual(ray(h).securityContext, {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
  });
  assert.equal(envOf(h, 'RAY_AUTH_MODE')?.value, 'token');
  assert.deepEqual(envOf(h, 'RAY_AUTH_TOKEN')?.valueFrom, {
    secretKeyRef: { name: 'ray-dashboard-secret', key: 'password' },
  });
  assert.deepEqual(envOf(h, 'RAY_DASHBOARD_PASSWORD'), {
    name: 'RAY_DASHBOARD_PASSWORD',
    valueFrom: { secretKeyRef: { name: 'ray-dashboard-secret', key: 'password' } },
  });
  assert.equal(ray(h).env?.[0]?.name, 'RAY_DASHBOARD_PASSWORD'); // user env first, KubeRay's after
});

test('14-memory: plasma-directory means no /dev/shm volume; user env kept', () => {
  const h = head(render('14-memory.yaml'));
  assert.equal(h.spec?.volumes, undefined);
  assert.match(rayStart(h), / --plasma-directory=\/tmp\/plasma /);
  assert.equal(envOf(h, 'RAY_OBJECT_STORE_MAX_MEMORY_BYTES')?.value, '2147483648');
});

test('15-enterprise: cluster labels stay off the pods; GPUs, node selectors and 10 workers', () => {
  const objs = render('15-enterprise.yaml');
  assert.equal(workers(objs).length, 10);
  assert.deepEqual(head(objs).spec?.nodeSelector, { 'node-type': 'ai-head-node' });
  for (const w of workers(objs)) {
    assert.deepEqual(w.spec?.nodeSelector, { 'node-type': 'ai-worker-node' });
    assert.match(rayStart(w), / --num-gpus=1 /);
    assert.match(rayStart(w), / --object-store-memory=8589934592 /);
    assert.equal(w.metadata?.labels?.environment, undefined);
  }
  assert.deepEqual(envOf(head(objs), 'RAY_DASHBOARD_PASSWORD')?.valueFrom, {
    secretKeyRef: { name: 'ray-dashboard-secret', key: 'password' },
  });
});

test('07 / 16: a user port named metrics is not duplicated; the head Service takes the named ports', () => {
  for (const file of ['07-prometheus-head.yaml', '16-monitoring-integrated.yaml']) {
    const objs = render(file);
    const h = head(objs);
    assert.equal(ray(h).ports?.filter((p) => p.name === 'metrics').length, 1, file);
    const svc = objs.find((o) => o.kind === 'Service')!;
    assert.ok(
      (svc as { spec: { ports: { name: string }[] } }).spec.ports.some((p) => p.name === 'metrics'),
      file,
    );
  }
});
