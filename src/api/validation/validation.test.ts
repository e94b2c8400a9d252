// A table of invalid specs: each must produce an error at the expected field path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { named, rayCluster, withWorkers } from '../../testing/builders.ts';
import { base, cron, HC, job, service, set, W } from './fixtures.ts';
import { validate, type ValidationResult } from './index.ts';

interface Case {
  name: string;
  obj: unknown;
  path: string;
  message: RegExp;
}

const cases: Case[] = [
  // Schema (structural) errors.
  {
    name: 'wrong type',
    obj: set(base, `${W}.minReplicas`, 'one'),
    path: 'spec.workerGroupSpecs[0].minReplicas',
    message: /expected an integer/,
  },
  {
    name: 'unknown upscalingMode',
    obj: set(base, 'spec.autoscalerOptions', { upscalingMode: 'Fast' }),
    path: 'spec.autoscalerOptions.upscalingMode',
    message: /unknown value "Fast"/,
  },
  {
    name: 'unquoted rayStartParams value',
    obj: set(base, 'spec.headGroupSpec.rayStartParams', { 'num-cpus': 2 }),
    path: 'spec.headGroupSpec.rayStartParams.num-cpus',
    message: /expected a string/,
  },
  {
    name: 'unknown field',
    obj: set(base, 'spec.autoscalerOption', {}),
    path: 'spec.autoscalerOption',
    message: /unknown field/,
  },
  {
    name: 'tolerations on the container (pod-level field)',
    obj: set(base, `${HC}.tolerations`, []),
    path: 'spec.headGroupSpec.template.spec.containers[0].tolerations',
    message: /unknown field/,
  },
  {
    name: 'fsGroup on the container securityContext',
    obj: set(base, `${HC}.securityContext`, { fsGroup: 1000 }),
    path: 'spec.headGroupSpec.template.spec.containers[0].securityContext.fsGroup',
    message: /unknown field/,
  },
  {
    name: 'missing headGroupSpec',
    obj: set(base, 'spec.headGroupSpec', undefined),
    path: 'spec.headGroupSpec',
    message: /required field headGroupSpec is missing/,
  },
  {
    name: 'missing groupName',
    obj: set(base, `${W}.groupName`, undefined),
    path: 'spec.workerGroupSpecs[0].groupName',
    message: /required/,
  },
  {
    name: 'unparsable quantity in resources',
    obj: set(base, `${HC}.resources.limits.memory`, '4GB'),
    path: 'spec.headGroupSpec.template.spec.containers[0].resources.limits.memory',
    message: /not a valid quantity/,
  },
  {
    name: 'int32 overflow',
    obj: set(base, `${W}.maxReplicas`, 3_000_000_000),
    path: 'spec.workerGroupSpecs[0].maxReplicas',
    message: /32-bit/,
  },
  {
    name: 'fraction above 1',
    obj: set(base, 'spec.autoscalerOptions', { targetUtilizationFraction: 80 }),
    path: 'spec.autoscalerOptions.targetUtilizationFraction',
    message: /greater than 1|fraction/,
  },
  {
    name: 'threshold of 0',
    obj: set(base, 'spec.autoscalerOptions', { cpuUtilizationThreshold: 0 }),
    path: 'spec.autoscalerOptions.cpuUtilizationThreshold',
    message: /not greater than 0|fraction/,
  },
  {
    name: 'negative cooldown',
    obj: set(base, 'spec.autoscalerOptions', { cooldownPeriodSeconds: -5 }),
    path: 'spec.autoscalerOptions.cooldownPeriodSeconds',
    message: /less than 0|non-negative/,
  },
  {
    name: 'duplicate container names',
    obj: set(base, 'spec.headGroupSpec.template.spec.containers.1', { name: 'ray-head', image: 'x' }),
    path: 'spec.headGroupSpec.template.spec.containers[1]',
    message: /duplicate entry/,
  },
  // KubeRay's semantic rules.
  {
    name: 'duplicate group names',
    obj: rayCluster('demo', withWorkers(1, named('w')), withWorkers(1, named('w'))),
    path: 'spec.workerGroupSpecs[1].groupName',
    message: /duplicate worker group name "w"/,
  },
  {
    name: 'minReplicas > maxReplicas',
    obj: set(set(base, `${W}.minReplicas`, 5), `${W}.maxReplicas`, 2),
    path: 'spec.workerGroupSpecs[0].minReplicas',
    message: /minReplicas 5 is greater than maxReplicas 2/,
  },
  {
    name: 'negative minReplicas',
    obj: set(base, `${W}.minReplicas`, -1),
    path: 'spec.workerGroupSpecs[0].minReplicas',
    message: /negative/,
  },
  {
    name: 'negative replicas',
    obj: set(base, `${W}.replicas`, -3),
    path: 'spec.workerGroupSpecs[0].replicas',
    message: /negative/,
  },
  {
    name: 'numOfHosts 0',
    obj: set(base, `${W}.numOfHosts`, 0),
    path: 'spec.workerGroupSpecs[0].numOfHosts',
    message: /at least 1/,
  },
  {
    name: 'no head containers',
    obj: set(base, 'spec.headGroupSpec.template.spec.containers', []),
    path: 'spec.headGroupSpec.template.spec.containers',
    message: /no containers/,
  },
  {
    name: 'no worker containers',
    obj: set(base, `${W}.template.spec.containers`, []),
    path: 'spec.workerGroupSpecs[0].template.spec.containers',
    message: /no containers/,
  },
  {
    name: 'worker template without spec',
    obj: set(base, `${W}.template`, {}),
    path: 'spec.workerGroupSpecs[0].template.spec.containers',
    message: /no containers/,
  },
  {
    name: 'non-numeric num-cpus',
    obj: set(base, 'spec.headGroupSpec.rayStartParams', { 'num-cpus': 'two' }),
    path: 'spec.headGroupSpec.rayStartParams.num-cpus',
    message: /whole number/,
  },
  {
    name: 'fractional num-cpus',
    obj: set(base, `${W}.rayStartParams`, { 'num-cpus': '1.5' }),
    path: 'spec.workerGroupSpecs[0].rayStartParams.num-cpus',
    message: /whole number/,
  },
  {
    name: 'non-numeric num-gpus',
    obj: set(base, `${W}.rayStartParams`, { 'num-gpus': 'all' }),
    path: 'spec.workerGroupSpecs[0].rayStartParams.num-gpus',
    message: /whole number/,
  },
  {
    name: 'unparsable memory param',
    obj: set(base, 'spec.headGroupSpec.rayStartParams', { memory: '4GB' }),
    path: 'spec.headGroupSpec.rayStartParams.memory',
    message: /neither a number of bytes nor a Kubernetes quantity/,
  },
  {
    name: 'unparsable object-store-memory',
    obj: set(base, `${W}.rayStartParams`, { 'object-store-memory': 'lots' }),
    path: 'spec.workerGroupSpecs[0].rayStartParams.object-store-memory',
    message: /quantity/,
  },
  {
    name: 'metrics port in the worker port range',
    obj: set(base, 'spec.headGroupSpec.rayStartParams', { 'metrics-export-port': '18080' }),
    path: 'spec.headGroupSpec.rayStartParams.metrics-export-port',
    message: /worker port range/,
  },
  {
    name: 'request above limit',
    obj: set(base, `${HC}.resources.requests.cpu`, '4'),
    path: 'spec.headGroupSpec.template.spec.containers[0].resources.requests.cpu',
    message: /greater than the limit/,
  },
  {
    name: 'cluster name too long',
    obj: set(base, 'metadata.name', 'a'.repeat(54)),
    path: 'metadata.name',
    message: /54 characters; at most 53/,
  },
  {
    name: 'cluster name not DNS-1035',
    obj: set(base, 'metadata.name', '1cluster'),
    path: 'metadata.name',
    message: /start with a letter/,
  },
  {
    name: 'group name that cannot be a label',
    obj: set(base, `${W}.groupName`, 'gpu_workers!'),
    path: 'spec.workerGroupSpecs[0].groupName',
    message: /ray\.io\/group label/,
  },
  {
    name: 'port name too long',
    obj: set(base, `${HC}.ports`, [{ name: 'dashboard-http-port', containerPort: 8265 }]),
    path: 'spec.headGroupSpec.template.spec.containers[0].ports[0].name',
    message: /15 characters/,
  },
  {
    name: 'resources in both places',
    obj: set(set(base, `${W}.resources`, { CPU: '2' }), `${W}.rayStartParams`, { 'num-cpus': '2' }),
    path: 'spec.workerGroupSpecs[0].resources',
    message: /both here and in rayStartParams/,
  },
  {
    name: 'labels in rayStartParams',
    obj: set(base, `${W}.rayStartParams`, { labels: 'a=b' }),
    path: 'spec.workerGroupSpecs[0].rayStartParams.labels',
    message: /not supported/,
  },
  {
    name: 'negative autoscaler idle timeout',
    obj: set(base, 'spec.autoscalerOptions', { idleTimeoutSeconds: -1 }),
    path: 'spec.autoscalerOptions.idleTimeoutSeconds',
    message: /non-negative/,
  },
  {
    name: 'group idleTimeoutSeconds without autoscaler v2',
    obj: set(base, `${W}.idleTimeoutSeconds`, 30),
    path: 'spec.workerGroupSpecs[0].idleTimeoutSeconds',
    message: /autoscaler v2 is not enabled/,
  },
  {
    name: 'autoscaler v2 with restartPolicy Always',
    obj:
      set(set(base, 'spec.enableInTreeAutoscaling', true), 'spec.autoscalerOptions', { version: 'v2' }) &&
      set(
        set(set(base, 'spec.enableInTreeAutoscaling', true), 'spec.autoscalerOptions', { version: 'v2' }),
        'spec.headGroupSpec.template.spec.restartPolicy',
        'Always',
      ),
    path: 'spec.headGroupSpec.template.spec.restartPolicy',
    message: /Never or unset with autoscaler v2/,
  },
  {
    name: 'RAY_enable_autoscaler_v2 without autoscaling',
    obj: set(base, `${HC}.env`, [{ name: 'RAY_enable_autoscaler_v2', value: '1' }]),
    path: 'spec.headGroupSpec.template.spec.containers[0].env',
    message: /enableInTreeAutoscaling is not true/,
  },
  {
    name: 'token auth without rayVersion',
    obj: set(set(base, 'spec.authOptions', { mode: 'token' }), 'spec.rayVersion', undefined),
    path: 'spec.rayVersion',
    message: /2\.52\.0/,
  },
  {
    name: 'networkPolicy without its feature gate',
    obj: set(base, 'spec.networkPolicy', { mode: 'DenyAll' }),
    path: 'spec.networkPolicy',
    message: /RayClusterNetworkPolicy feature gate/,
  },
  {
    name: 'RAY_REDIS_ADDRESS without GCS FT options',
    obj: set(base, `${HC}.env`, [{ name: 'RAY_REDIS_ADDRESS', value: 'redis:6379' }]),
    path: 'spec.headGroupSpec.template.spec.containers[0].env',
    message: /implicitly enables GCS fault tolerance/,
  },
  {
    name: 'rocksdb storage on the redis backend',
    obj: set(base, 'spec.gcsFaultToleranceOptions', { storage: { size: '1Gi' } }),
    path: 'spec.gcsFaultToleranceOptions.storage',
    message: /rocksdb backend/,
  },
  {
    name: 'v1alpha1 apiVersion',
    obj: set(base, 'apiVersion', 'ray.io/v1alpha1'),
    path: 'apiVersion',
    message: /not served/,
  },
  {
    name: 'unknown ray.io kind',
    obj: set(base, 'kind', 'RayThing'),
    path: 'kind',
    message: /unknown kind RayThing/,
  },
  {
    name: 'managedBy outside the CEL enum',
    obj: set(base, 'spec.managedBy', 'me'),
    path: 'spec.managedBy',
    message: /not allowed/,
  },
  // RayJob.
  {
    name: 'RayJob name too long',
    obj: set(job, 'metadata.name', 'j'.repeat(48)),
    path: 'metadata.name',
    message: /at most 47/,
  },
  {
    name: 'RayJob without cluster',
    obj: set(job, 'spec.rayClusterSpec', undefined),
    path: 'spec',
    message: /rayClusterSpec or clusterSelector/,
  },
  {
    name: 'RayJob suspend without shutdown',
    obj: set(job, 'spec.suspend', true),
    path: 'spec.suspend',
    message: /cannot be suspended/,
  },
  {
    name: 'RayJob ttl without shutdown',
    obj: set(job, 'spec.ttlSecondsAfterFinished', 60),
    path: 'spec.ttlSecondsAfterFinished',
    message: /shutdownAfterJobFinishes/,
  },
  {
    name: 'RayJob negative activeDeadlineSeconds',
    obj: set(job, 'spec.activeDeadlineSeconds', -10),
    path: 'spec.activeDeadlineSeconds',
    message: /positive/,
  },
  {
    name: 'RayJob bad runtimeEnvYAML',
    obj: set(job, 'spec.runtimeEnvYAML', 'pip: [a\n'),
    path: 'spec.runtimeEnvYAML',
    message: /not valid YAML/,
  },
  {
    name: 'RayJob unknown submissionMode',
    obj: set(job, 'spec.submissionMode', 'Batch'),
    path: 'spec.submissionMode',
    message: /unknown value/,
  },
  {
    name: 'RayJob embedded cluster error',
    obj: set(job, 'spec.rayClusterSpec.workerGroupSpecs.0.minReplicas', -2),
    path: 'spec.rayClusterSpec.workerGroupSpecs[0].minReplicas',
    message: /negative/,
  },
  {
    name: 'RayJob deletion rule TTL order',
    obj: set(job, 'spec.deletionStrategy', {
      deletionRules: [
        { policy: 'DeleteCluster', condition: { jobStatus: 'SUCCEEDED', ttlSeconds: 60 } },
        { policy: 'DeleteSelf', condition: { jobStatus: 'SUCCEEDED', ttlSeconds: 10 } },
      ],
    }),
    path: 'spec.deletionStrategy.deletionRules',
    message: /DeleteSelf TTL \(10\) must be >= DeleteCluster TTL \(60\)/,
  },
  {
    name: 'RayJob selector with SidecarMode',
    obj: set(
      set(set(job, 'spec.rayClusterSpec', undefined), 'spec.clusterSelector', { 'ray.io/cluster': 'c' }),
      'spec.submissionMode',
      'SidecarMode',
    ),
    path: 'spec.submissionMode',
    message: /SidecarMode/,
  },
  {
    name: 'RayJob submitter template without containers',
    obj: set(job, 'spec.submitterPodTemplate', { spec: { containers: [] } }),
    path: 'spec.submitterPodTemplate.spec.containers',
    message: /no containers/,
  },
  // RayService.
  {
    name: 'RayService serve service name',
    obj: set(service, 'spec.serveService', { metadata: { name: 'My_Svc' } }),
    path: 'spec.serveService.metadata.name',
    message: /DNS|lower case/,
  },
  {
    name: 'RayService headService name',
    obj: set(service, 'spec.rayClusterConfig.headGroupSpec.headService', { metadata: { name: 'x' } }),
    path: 'spec.rayClusterConfig.headGroupSpec.headService.metadata.name',
    message: /must not be set/,
  },
  {
    name: 'RayService negative deletion delay',
    obj: set(service, 'spec.rayClusterDeletionDelaySeconds', -1),
    path: 'spec.rayClusterDeletionDelaySeconds',
    message: /less than 0|non-negative/,
  },
  {
    name: 'RayService incremental upgrade without autoscaler',
    obj: set(service, 'spec.upgradeStrategy', {
      type: 'NewClusterWithIncrementalUpgrade',
      clusterUpgradeOptions: { stepSizePercent: 10, intervalSeconds: 30, gatewayClassName: 'istio' },
    }),
    path: 'spec.upgradeStrategy.type',
    message: /autoscaler/,
  },
  {
    name: 'RayService bad initializing timeout',
    obj: set(service, 'metadata.annotations', { 'ray.io/initializing-timeout': 'soon' }),
    path: 'metadata.annotations["ray.io/initializing-timeout"]',
    message: /Go duration/,
  },
  // RayCronJob.
  {
    name: 'RayCronJob bad schedule',
    obj: set(cron, 'spec.schedule', '0 25 * * *'),
    path: 'spec.schedule',
    message: /hour/,
  },
  {
    name: 'RayCronJob TZ in schedule',
    obj: set(cron, 'spec.schedule', 'CRON_TZ=UTC 0 3 * * *'),
    path: 'spec.schedule',
    message: /TZ/,
  },
  {
    name: 'RayCronJob unknown time zone',
    obj: set(cron, 'spec.timeZone', 'Mars/Olympus'),
    path: 'spec.timeZone',
    message: /unknown time zone/,
  },
  {
    name: 'RayCronJob name too long',
    obj: set(cron, 'metadata.name', 'c'.repeat(37)),
    path: 'metadata.name',
    message: /at most 36/,
  },
  {
    name: 'RayCronJob template error',
    obj: set(cron, 'spec.jobTemplate.backoffLimit', -1),
    path: 'spec.jobTemplate.backoffLimit',
    message: /non-negative/,
  },
];

function show(r: ValidationResult): string {
  return r.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n') || '  (no errors)';
}

test('the base objects are valid (a null unknown field, as kubectl writes creationTimestamp, is pruned)', () => {
  for (const o of [
    base,
    job,
    service,
    cron,
    set(base, 'spec.headGroupSpec.template.metadata.creationTimestamp', null),
  ]) {
    const r = validate(o);
    assert.deepEqual(r.errors, [], show(r));
  }
});

for (const c of cases) {
  test(`invalid: ${c.name} -> ${c.path}`, () => {
    const r = validate(c.obj);
    const hit = r.errors.find((e) => e.path === c.path && c.message.test(e.message));
    assert.ok(hit, `expected an error at ${c.path} matching ${c.message}, got:\n${show(r)}`);
    assert.ok(hit.hint.length > 0);
  });
}

test('generateName without a name is valid (kubectl create names the object); its length counts the 5 added characters', () => {
  const cluster = rayCluster('x');
  const j = structuredClone(job);
  for (const o of [cluster, j]) {
    const m = o.metadata as Record<string, unknown>;
    delete m.name;
    m.generateName = 'nightly-';
    assert.deepEqual(validate(o).errors, [], JSON.stringify(validate(o).errors));
  }
  (j.metadata as Record<string, unknown>).generateName = 'a'.repeat(45);
  const e = validate(j).errors;
  assert.equal(e[0]?.path, 'metadata.generateName');
  assert.match(
    e[0]?.message ?? '',
    /RayJob name \(generateName plus 5 random characters\) is 50 characters; at most 47/,
  );
  delete (j.metadata as Record<string, unknown>).generateName;
  assert.equal(validate(j).errors[0]?.message, 'metadata.name is missing');
});

test("rayStartParams.resources written KubeRay's way, a quoted JSON string, is valid", () => {
  const rc = rayCluster('tpu');
  rc.spec.headGroupSpec.rayStartParams = { resources: '"{\\"TPU\\": 4}"' };
  const r = validate(rc);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
});
