// The generated CRDs against a real kube-apiserver (the rig installs config/crd with server-side
// apply): kubectl explain teaches the fields, every seed example is accepted, defaults applied by the
// apiserver equal applyRayClusterDefaults, and the apiserver rejects what validate() calls an error.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newNamespace, useRig, type Rig } from '../../rig/testing.ts';
import { parseYamlStream, toYamlStream } from '../util/yaml.ts';
import { applyRayClusterDefaults } from './defaults.ts';
import type { RayCluster } from './v1/index.ts';
import { validate } from './validation/index.ts';
import { SEED_EXAMPLES } from '../testing/seeds.ts';

const seeds = SEED_EXAMPLES;
let rig: Rig;
let ns: string;

before(async () => {
  rig = await useRig();
  ns = await newNamespace(rig, 'api-crd');
});

async function kubectl(args: string[], input?: string) {
  return rig.kubectl(args, input === undefined ? {} : { input });
}

test('the four CRDs are established with KubeRay printer columns', async (t) => {
  for (const plural of ['rayclusters', 'rayjobs', 'rayservices', 'raycronjobs']) {
    // As stored (managedFields of the server-side apply included): must stay under etcd's 1.5 MiB.
    const stored = await kubectl(['get', 'crd', `${plural}.ray.io`, '-o', 'json', '--show-managed-fields']);
    const obj = JSON.parse(stored.stdout) as { metadata: { managedFields?: unknown } };
    const size = JSON.stringify(obj).length;
    const managed = JSON.stringify(obj.metadata.managedFields ?? []).length;
    t.diagnostic(`${plural}.ray.io stored: ${size} bytes of compact JSON, ${managed} of them managedFields`);
    assert.ok(size < 1_400_000, `${plural}: ${size} bytes`);
    const r = await kubectl([
      'get',
      'crd',
      `${plural}.ray.io`,
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Established")].status}',
    ]);
    assert.equal(r.stdout.trim(), 'True', `${plural}: ${r.stderr}`);
  }
  const cols = await kubectl([
    'get',
    'crd',
    'rayclusters.ray.io',
    '-o',
    'jsonpath={.spec.versions[0].additionalPrinterColumns[*].name}',
  ]);
  assert.equal(
    cols.stdout.trim(),
    'desired workers available workers cpus memory gpus tpus status age head pod IP head service IP',
  );
});

test('kubectl explain teaches the guide fields', async () => {
  const r = await kubectl(['explain', 'rayclusters.spec.autoscalerOptions.cooldownPeriodSeconds']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /FIELD: cooldownPeriodSeconds <integer>/);
  assert.match(r.stdout.replace(/\s+/g, ' '), /minimum number of seconds between two scaling decisions/);
  const pod = await kubectl([
    'explain',
    'rayjobs.spec.rayClusterSpec.headGroupSpec.template.spec.containers.resources',
  ]);
  assert.equal(pod.code, 0, pod.stderr);
  assert.match(
    pod.stdout,
    /limits\s+<map\[string\]Object>\s+Limits describes the maximum amount of compute resources allowed\./,
  );
});

test('every seed example is accepted by the apiserver (server-side dry run)', async () => {
  for (const f of readdirSync(seeds)
    .filter((x) => x.endsWith('.yaml'))
    .sort()) {
    // Into the test namespace (some examples name "default").
    const docs = parseYamlStream(readFileSync(join(seeds, f), 'utf8'), f).map((d) => {
      const o = d.value as { metadata?: Record<string, unknown> };
      return { ...o, metadata: { ...o.metadata, namespace: ns } };
    });
    const r = await kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], toYamlStream(docs));
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
  }
});

test('the apiserver applies exactly the defaults applyRayClusterDefaults applies', async () => {
  for (const f of [
    '01-basic.yaml',
    '02-advanced-gpu-production.yaml',
    '07-prometheus-head.yaml',
    '09-ha-zones.yaml',
  ]) {
    const [doc] = parseYamlStream(readFileSync(join(seeds, f), 'utf8'), f);
    const rc = doc!.value as RayCluster;
    const input = { ...rc, metadata: { name: rc.metadata!.name, namespace: ns } };
    const r = await kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], JSON.stringify(input));
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    const served = JSON.parse(r.stdout) as RayCluster;
    // rayStartParams {} is KubeRay's in-operator default (setDefaults), not the apiserver's.
    const ours = applyRayClusterDefaults(input);
    assert.deepEqual(served.spec, ours.spec, f);
  }
});

test('what validate() calls a schema error the apiserver rejects, at the same field', async () => {
  const [doc] = parseYamlStream(readFileSync(join(seeds, '05-autoscaling-thresholds.yaml'), 'utf8'));
  const rc = doc!.value as RayCluster;
  const cases: [string, (x: RayCluster) => void, string][] = [
    [
      'unknown upscalingMode',
      (x) => {
        x.spec.autoscalerOptions = { ...x.spec.autoscalerOptions, upscalingMode: 'Fast' as 'Default' };
      },
      'spec.autoscalerOptions.upscalingMode',
    ],
    [
      'fraction above 1',
      (x) => {
        x.spec.autoscalerOptions = { ...x.spec.autoscalerOptions, targetUtilizationFraction: 80 };
      },
      'spec.autoscalerOptions.targetUtilizationFraction',
    ],
    [
      'threshold 0',
      (x) => {
        x.spec.autoscalerOptions = { ...x.spec.autoscalerOptions, cpuUtilizationThreshold: 0 };
      },
      'spec.autoscalerOptions.cpuUtilizationThreshold',
    ],
    [
      'negative cooldown',
      (x) => {
        x.spec.autoscalerOptions = { ...x.spec.autoscalerOptions, cooldownPeriodSeconds: -1 };
      },
      'spec.autoscalerOptions.cooldownPeriodSeconds',
    ],
    [
      'string replicas',
      (x) => {
        (x.spec.workerGroupSpecs![0] as unknown as Record<string, unknown>).replicas = 'two';
      },
      'spec.workerGroupSpecs[0].replicas',
    ],
    [
      'bad quantity',
      (x) => {
        x.spec.headGroupSpec.template.spec!.containers[0]!.resources!.limits!.memory = '4GB';
      },
      'spec.headGroupSpec.template.spec.containers[0].resources.limits.memory',
    ],
  ];
  for (const [name, mutate, path] of cases) {
    const bad = structuredClone({ ...rc, metadata: { name: 'bad', namespace: ns } });
    mutate(bad);
    assert.ok(
      validate(bad).errors.some((e) => e.path === path),
      `${name}: validate() finds no error at ${path}`,
    );
    const r = await kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(bad));
    assert.notEqual(r.code, 0, `${name}: the apiserver accepted it`);
    assert.ok(r.stderr.includes(path.replace(/\[(\d+)\]/g, '[$1]')), `${name}: ${r.stderr}`);
  }
});

test('an unknown field is rejected by strict field validation, as validate() reports', async () => {
  const [doc] = parseYamlStream(readFileSync(join(seeds, '01-basic.yaml'), 'utf8'));
  const rc = structuredClone(doc!.value as Record<string, unknown>);
  (rc.spec as Record<string, unknown>).autoscalerOption = {};
  rc.metadata = { name: 'typo', namespace: ns };
  assert.ok(validate(rc).errors.some((e) => e.path === 'spec.autoscalerOption'));
  const r = await kubectl(['create', '--dry-run=server', '--validate=strict', '-f', '-'], JSON.stringify(rc));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown field "spec.autoscalerOption"/);
});

test('a ray.io/v1alpha1 RayJob and RayService are accepted and read back as v1 (conversion None)', async () => {
  const head = {
    rayStartParams: {},
    template: { spec: { containers: [{ name: 'ray-head', image: 'rayproject/ray:2.58.0' }] } },
  };
  const objs = [
    {
      apiVersion: 'ray.io/v1alpha1',
      kind: 'RayJob',
      metadata: { name: 'alpha-job', namespace: ns },
      spec: { entrypoint: 'python -c "print(1)"', rayClusterSpec: { headGroupSpec: head } },
    },
    {
      apiVersion: 'ray.io/v1alpha1',
      kind: 'RayService',
      metadata: { name: 'alpha-svc', namespace: ns },
      spec: { rayClusterConfig: { headGroupSpec: head } },
    },
  ];
  // --dry-run=server: the apiserver validates and converts but no controller acts on it.
  // One object per call: kubectl prints several created objects as concatenated JSON documents.
  for (const o of objs) {
    const r = await kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], toYamlStream([o]));
    assert.equal((JSON.parse(r.stdout) as { apiVersion: string }).apiVersion, 'ray.io/v1alpha1');
  }
  for (const o of objs) {
    await kubectl(['create', '-f', '-'], toYamlStream([o]));
    const plural = o.kind === 'RayJob' ? 'rayjobs' : 'rayservices';
    const v1 = await kubectl(['get', `${plural}.v1.ray.io`, o.metadata.name, '-n', ns, '-o', 'json']);
    const got = JSON.parse(v1.stdout) as { apiVersion: string; spec: Record<string, unknown> };
    assert.equal(got.apiVersion, 'ray.io/v1');
    assert.ok(got.spec.entrypoint === o.spec.entrypoint || o.kind === 'RayService', JSON.stringify(got.spec));
    const alpha = await kubectl([
      'get',
      `${plural}.v1alpha1.ray.io`,
      o.metadata.name,
      '-n',
      ns,
      '-o',
      'json',
    ]);
    assert.equal((JSON.parse(alpha.stdout) as { apiVersion: string }).apiVersion, 'ray.io/v1alpha1');
    await kubectl(['delete', `${plural}.v1.ray.io`, o.metadata.name, '-n', ns, '--wait=false']);
  }
});
