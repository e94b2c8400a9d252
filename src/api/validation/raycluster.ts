// Errors in a RayClusterSpec: everything KubeRay v1.7.0 rejects (controllers/ray/utils/validation.go
// ValidateRayClusterSpec and the RayCluster webhook), plus what Kuray knows will fail later (a pod the
// apiserver refuses, a `ray start` Ray refuses). Used for RayCluster and for the clusters embedded in
// RayJob, RayService and RayCronJob.
import type { NameToCheck } from './rayjob.ts';
import { isQuantity } from '../quantity.ts';
import { desiredClusterPods, desiredWorkerPods } from '../replicas.ts';
import type { HeadGroupSpec, RayClusterSpec, WorkerGroupSpec } from '../v1/index.ts';
import {
  containersOf,
  envByName,
  envIsTrue,
  isAutoscaling,
  isAutoscalingV2,
  parseVersion,
  rayContainer,
  versionLess,
} from './common.ts';
import { enableGateHint, gateEnabled, type FeatureGates } from './features.ts';
import { at, type Report } from './issue.ts';
import { dns1035Label, dns1123Label, dns1123Subdomain, labelValue, qualifiedName } from './names.ts';
import { checkPodTemplate, checkPortNumbers, checkResourceQuantity, checkResources } from './pod.ts';
import { checkRayStartParams } from './ray-start-params.ts';
import {
  checkAuth,
  checkGcsFaultTolerance,
  checkHistoryServer,
  checkNetworkPolicy,
  checkTls,
} from './cluster-options.ts';

export interface ClusterContext {
  annotations: Record<string, string>;
  labels: Record<string, string>;
  featureGates: FeatureGates | undefined;
  /** Name of the RayCluster (or of the object whose clusters get derived names), if known. */
  clusterName: string | undefined;
  /** The operator's bound on a cluster's pods. */
  maxPodsPerCluster: number;
}

/** The pods the cluster asks for must stay within the operator's bound (a typo'd 1000000 would be). */
function checkPodCount(p: string, spec: RayClusterSpec, max: number, r: Report): void {
  const groups = spec.workerGroupSpecs ?? [];
  const numeric = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v));
  if (
    !groups.every((g) =>
      ['replicas', 'minReplicas', 'maxReplicas', 'numOfHosts'].every((f) =>
        numeric(g[f as keyof WorkerGroupSpec]),
      ),
    )
  )
    return; // the schema check reports it
  const total = desiredClusterPods(spec);
  if (total <= max) return;
  let biggest = 0;
  groups.forEach((g, i) => {
    if (desiredWorkerPods(g) > desiredWorkerPods(groups[biggest]!)) biggest = i;
  });
  const g = groups[biggest]!;
  r.error(
    at(at(at(p, 'workerGroupSpecs'), biggest), 'replicas'),
    `the cluster asks for ${total} pods (${g.groupName}: ${desiredWorkerPods(g)}); the operator creates at most ${max} per cluster`,
    `lower replicas (pods = replicas clamped to [minReplicas, maxReplicas] × numOfHosts), split the work over several clusters, or raise the operator's --max-pods-per-cluster`,
  );
}

const GROUP_RESOURCE_PARAMS = ['num-cpus', 'num-gpus', 'memory', 'resources'];
/** `<cluster>-<group>` longer than this is cut when KubeRay/Kuray derive pod names. */
const MAX_POD_PREFIX = 50;

function checkGroupResourcesAndLabels(
  p: string,
  group: string,
  g: {
    rayStartParams?: Record<string, string>;
    resources?: Record<string, string>;
    labels?: Record<string, string>;
  },
  r: Report,
): void {
  const params = g.rayStartParams ?? {};
  const setParams = GROUP_RESOURCE_PARAMS.filter((k) => (params[k] ?? '') !== '');
  if (setParams.length > 0 && Object.keys(g.resources ?? {}).length > 0) {
    r.error(
      at(p, 'resources'),
      `resources are set both here and in rayStartParams (${setParams.join(', ')}) for the ${group} group`,
      'use only one: either the resources map or the num-cpus/num-gpus/memory/resources entries of rayStartParams',
    );
  }
  for (const [k, v] of Object.entries(g.resources ?? {})) {
    // Keys become Ray resource names in the `ray start --resources` JSON (or num-cpus/memory/num-gpus).
    if (!/^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/.test(k) || k.length > 253) {
      r.error(
        at(at(p, 'resources'), k),
        `${JSON.stringify(k)} is not a resource name`,
        'use letters, digits, "-", "_", "." and "/", e.g. CPU, memory, nvidia.com/gpu or my_accelerator',
      );
    }
    if (!isQuantity(v)) {
      r.error(
        at(at(p, 'resources'), k),
        `${JSON.stringify(v)} is not a quantity`,
        'use a number with an optional suffix, e.g. "2", "500m", "4Gi"',
      );
    } else checkResourceQuantity(at(at(p, 'resources'), k), v, r);
  }
  if (Object.hasOwn(params, 'labels')) {
    r.error(
      at(at(p, 'rayStartParams'), 'labels'),
      `rayStartParams['labels'] is not supported for the ${group} group`,
      'use the group-level labels map instead (labels: {key: value})',
    );
  }
  for (const [k, v] of Object.entries(g.labels ?? {})) {
    for (const m of qualifiedName(k))
      r.error(
        at(at(p, 'labels'), k),
        `invalid label key ${JSON.stringify(k)}: ${m}`,
        'use a valid Kubernetes label key, e.g. example.com/zone',
      );
    for (const m of labelValue(v))
      r.error(
        at(at(p, 'labels'), k),
        `invalid label value ${JSON.stringify(v)}: ${m}`,
        'use a valid Kubernetes label value (≤63 characters)',
      );
  }
}

function checkHead(p: string, head: HeadGroupSpec, r: Report): void {
  checkPodTemplate(at(p, 'template'), head.template, 'head', r);
  checkGroupResourcesAndLabels(p, 'head', head, r);
  checkRayStartParams(at(p, 'rayStartParams'), head.rayStartParams, 'head', r);
  checkPortNumbers(at(p, 'headService'), head.headService, r);
  const svcName = head.headService?.metadata?.name;
  if (svcName) {
    for (const m of dns1035Label(svcName)) {
      r.error(
        at(at(at(p, 'headService'), 'metadata'), 'name'),
        `head service name ${JSON.stringify(svcName)} ${m}`,
        'use a DNS-1035 label, e.g. my-cluster-head',
      );
    }
  }
}

function checkWorker(
  p: string,
  g: WorkerGroupSpec,
  spec: RayClusterSpec,
  ctx: ClusterContext,
  r: Report,
): void {
  const name = g.groupName;
  checkPodTemplate(at(p, 'template'), g.template, `worker group ${name}`, r);
  if (typeof name === 'string') {
    if (name === '') r.error(at(p, 'groupName'), 'groupName is empty', 'give the group a name, e.g. workers');
    for (const m of labelValue(name)) {
      r.error(
        at(p, 'groupName'),
        `groupName ${JSON.stringify(name)} cannot be the ray.io/group label of its pods: ${m}`,
        'use lower-case letters, digits and "-", at most 63 characters',
      );
    }
    if (ctx.clusterName !== undefined && name !== '') {
      const prefix = `${ctx.clusterName}-${name}`.toLowerCase();
      const podName = `${prefix.slice(-MAX_POD_PREFIX)}-worker-xxxxx`;
      if (dns1123Subdomain(podName).length > 0) {
        r.error(
          at(p, 'groupName'),
          `pods of this group would get the invalid name ${podName}`,
          'use only letters, digits and "-" in the group name',
        );
      }
    }
  }
  const min = g.minReplicas;
  const max = g.maxReplicas;
  // KubeRay also rejects a group without min/max when autoscaling is off; the CRD defaults (0 and
  // maxInt32), applied before validation as the apiserver does, make that unreachable here.
  if (typeof min === 'number' && min < 0)
    r.error(at(p, 'minReplicas'), `minReplicas is negative (${min})`, 'use 0 or more');
  if (typeof max === 'number' && max < 0)
    r.error(at(p, 'maxReplicas'), `maxReplicas is negative (${max})`, 'use 0 or more');
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    r.error(
      at(p, 'minReplicas'),
      `minReplicas ${min} is greater than maxReplicas ${max}`,
      `lower minReplicas to at most ${max} or raise maxReplicas to at least ${min}`,
    );
  }
  if (typeof g.replicas === 'number' && g.replicas < 0)
    r.error(at(p, 'replicas'), `replicas is negative (${g.replicas})`, 'use 0 or more');
  if (typeof g.numOfHosts === 'number' && g.numOfHosts < 1) {
    r.error(
      at(p, 'numOfHosts'),
      `numOfHosts must be at least 1 (is ${g.numOfHosts})`,
      'use 1 for ordinary groups, the slice size for multi-host TPU groups',
    );
  }
  checkGroupResourcesAndLabels(p, name, g, r);
  checkRayStartParams(at(p, 'rayStartParams'), g.rayStartParams, 'worker', r);

  const headEnv = rayContainer(spec.headGroupSpec.template)?.env;
  const v2 = isAutoscalingV2(spec) || envIsTrue(headEnv, 'RAY_enable_autoscaler_v2');
  if (typeof g.idleTimeoutSeconds === 'number') {
    if (g.idleTimeoutSeconds < 0) {
      r.error(
        at(p, 'idleTimeoutSeconds'),
        `idleTimeoutSeconds must be non-negative, got ${g.idleTimeoutSeconds}`,
        'use 0 or more seconds',
      );
    } else if (!v2) {
      r.error(
        at(p, 'idleTimeoutSeconds'),
        'idleTimeoutSeconds is set, but autoscaler v2 is not enabled',
        "set spec.autoscalerOptions.version: v2, or remove the group's idleTimeoutSeconds and use autoscalerOptions.idleTimeoutSeconds",
      );
    }
  }
  if (typeof g.priority === 'number' && g.priority !== 0) {
    const rv = spec.rayVersion ? parseVersion(spec.rayVersion) : undefined;
    if (!spec.rayVersion)
      r.error(
        at(p, 'priority'),
        'priority is set, but rayVersion is not; Ray 2.56.0 or later is required',
        'set spec.rayVersion (e.g. "2.58.0")',
      );
    else if (!rv)
      r.error(
        'rayVersion',
        `rayVersion ${JSON.stringify(spec.rayVersion)} is not a version`,
        'use e.g. "2.58.0"',
      );
    else if (versionLess(rv, [2, 56, 0]))
      r.error(
        at(p, 'priority'),
        `priority needs Ray 2.56.0 or later, rayVersion is ${spec.rayVersion}`,
        'upgrade Ray or remove priority',
      );
    else if (!v2)
      r.error(
        at(p, 'priority'),
        `priority is set to ${g.priority}, but autoscaler v2 is not enabled`,
        'set spec.autoscalerOptions.version: v2',
      );
  }
  if (g.suspend === true) {
    if (!gateEnabled(ctx.featureGates, 'RayJobDeletionPolicy')) {
      r.error(
        at(p, 'suspend'),
        `worker group ${name} can be suspended only when the RayJobDeletionPolicy feature gate is enabled`,
        `${enableGateHint('RayJobDeletionPolicy')}, or remove suspend`,
      );
    }
    if (isAutoscaling(spec)) {
      r.error(
        at(p, 'suspend'),
        `worker group ${name} cannot be suspended with the autoscaler enabled`,
        'remove suspend or disable enableInTreeAutoscaling',
      );
    }
  }
  if (isAutoscaling(spec) && isAutoscalingV2(spec)) {
    const rp = g.template.spec?.restartPolicy;
    if (rp !== undefined && rp !== '' && rp !== 'Never') {
      r.error(
        at(at(at(p, 'template'), 'spec'), 'restartPolicy'),
        `restartPolicy for worker group ${name} must be Never or unset with autoscaler v2 (is ${rp})`,
        'remove restartPolicy or set it to Never',
      );
    }
  }
}

function checkAutoscaler(p: string, spec: RayClusterSpec, r: Report): void {
  const headEnv = rayContainer(spec.headGroupSpec.template)?.env;
  const envPath = `${p}.headGroupSpec.template.spec.containers[0].env`;
  const v2env = envByName(headEnv, 'RAY_enable_autoscaler_v2');
  if (!isAutoscaling(spec) && v2env && (v2env.value === '1' || v2env.value === 'true')) {
    r.error(
      envPath,
      `RAY_enable_autoscaler_v2 is '${v2env.value}' but enableInTreeAutoscaling is not true`,
      'set enableInTreeAutoscaling: true to use autoscaler v2, or remove the variable',
    );
  }
  if (isAutoscaling(spec)) {
    if (spec.autoscalerOptions?.version !== undefined && v2env) {
      r.error(
        envPath,
        'both autoscalerOptions.version and the head env var RAY_enable_autoscaler_v2 are set',
        'keep only autoscalerOptions.version',
      );
    }
    if (isAutoscalingV2(spec)) {
      const rp = spec.headGroupSpec.template.spec?.restartPolicy;
      if (rp !== undefined && rp !== '' && rp !== 'Never') {
        r.error(
          `${p}.headGroupSpec.template.spec.restartPolicy`,
          `restartPolicy for the head pod must be Never or unset with autoscaler v2 (is ${rp})`,
          'remove restartPolicy or set it to Never',
        );
      }
    }
  }
  const ao = spec.autoscalerOptions;
  if (!ao) return;
  const ap = at(p, 'autoscalerOptions');
  checkResources(ap, ao.resources, r);
  if (typeof ao.idleTimeoutSeconds === 'number' && ao.idleTimeoutSeconds < 0) {
    r.error(
      at(ap, 'idleTimeoutSeconds'),
      `idleTimeoutSeconds must be non-negative, got ${ao.idleTimeoutSeconds}`,
      'use 0 or more seconds (default 60)',
    );
  }
  if (envByName(ao.env, 'KUBERAY_GEN_AUTOSCALER_START_CMD')) {
    r.error(
      at(ap, 'env'),
      'autoscalerOptions.env must not contain KUBERAY_GEN_AUTOSCALER_START_CMD: the operator injects it',
      'remove the variable',
    );
  }
  // Bounds of the Kuray extension fields are in the schema (so in the CRD); repeated here with a
  // message that says what the number means.
  for (const f of [
    'targetUtilizationFraction',
    'cpuUtilizationThreshold',
    'memoryUtilizationThreshold',
  ] as const) {
    const v = ao[f];
    if (typeof v === 'number' && !(v > 0 && v <= 1)) {
      r.error(
        at(ap, f),
        `${f} is a fraction in (0, 1], got ${v}`,
        `write it as a fraction, e.g. 0.8 for 80%`,
      );
    }
  }
  if (typeof ao.cooldownPeriodSeconds === 'number' && ao.cooldownPeriodSeconds < 0) {
    r.error(
      at(ap, 'cooldownPeriodSeconds'),
      `cooldownPeriodSeconds must be non-negative, got ${ao.cooldownPeriodSeconds}`,
      'use 0 (no cooldown) or more seconds',
    );
  }
}

/** Checks a RayClusterSpec at path `p` (`spec`, `spec.rayClusterSpec`, ...). */
export function checkRayClusterSpec(p: string, spec: RayClusterSpec, ctx: ClusterContext, r: Report): void {
  const head = spec.headGroupSpec;
  checkHead(at(p, 'headGroupSpec'), head, r);
  const groups = spec.workerGroupSpecs ?? [];
  const seen = new Map<string, number>();
  groups.forEach((g, i) => {
    const gp = at(at(p, 'workerGroupSpecs'), i);
    const first = seen.get(g.groupName);
    if (first !== undefined) {
      r.error(
        at(gp, 'groupName'),
        `duplicate worker group name ${JSON.stringify(g.groupName)} (also workerGroupSpecs[${first}])`,
        'worker group names must be unique: rename one of them',
      );
    } else seen.set(g.groupName, i);
    checkWorker(gp, g, spec, ctx, r);
  });
  if (containersOf(head.template).length > 0) {
    checkGcsFaultTolerance(p, spec, ctx, r);
    checkAutoscaler(p, spec, r);
    checkHistoryServer(p, spec, ctx, r);
    checkTls(p, spec, ctx, r);
  }
  checkAuth(p, spec, r);
  checkNetworkPolicy(p, spec, ctx, r);
  checkPodCount(p, spec, ctx.maxPodsPerCluster, r);
  checkRollingUpdate(p, spec, r);
  const ut = spec.upgradeStrategy?.type;
  if (ut !== undefined) {
    const origin = ctx.labels['ray.io/originated-from-crd'];
    if (origin === 'RayJob' || origin === 'RayService') {
      r.error(
        at(at(p, 'upgradeStrategy'), 'type'),
        `upgradeStrategy cannot be set when the RayCluster is created by a ${origin}`,
        `remove it; the ${origin} manages upgrades`,
      );
    }
  }
}

/** upgradeStrategy.rollingUpdate (Kuray-only): only with type RollingUpdate; maxUnavailable ≥ 1 or "1%".."100%". */
function checkRollingUpdate(p: string, spec: RayClusterSpec, r: Report): void {
  const us = spec.upgradeStrategy;
  const ru = us?.rollingUpdate;
  if (!ru) return;
  const up = at(p, 'upgradeStrategy');
  if (us.type !== 'RollingUpdate')
    r.error(
      at(up, 'rollingUpdate'),
      `rollingUpdate is only used with type RollingUpdate, but type is ${JSON.stringify(us.type ?? 'None')}`,
      'set upgradeStrategy.type: RollingUpdate, or remove upgradeStrategy.rollingUpdate',
    );
  const mu = ru.maxUnavailable;
  if (mu === undefined) return;
  const pct = typeof mu === 'string' ? /^(\d+)%$/.exec(mu.trim()) : null;
  const ok =
    typeof mu === 'number'
      ? Number.isInteger(mu) && mu >= 1
      : pct !== null && Number(pct[1]) >= 1 && Number(pct[1]) <= 100;
  if (!ok)
    r.error(
      at(at(up, 'rollingUpdate'), 'maxUnavailable'),
      `maxUnavailable must be a whole number ≥ 1 or a percentage from "1%" to "100%", got ${JSON.stringify(mu)}`,
      'use e.g. maxUnavailable: 1 (one pod at a time) or maxUnavailable: "25%"',
    );
}

/** RayCluster metadata: the name becomes part of every derived object name. */
export function checkRayClusterName(n: NameToCheck, r: Report): void {
  const { name, path, what } = n;
  if (name === undefined) {
    r.error(
      path,
      'metadata.name is missing',
      'give the RayCluster a name (or a generateName with kubectl create)',
    );
    return;
  }
  if (name.length > 53) {
    r.error(
      path,
      `RayCluster ${what} is ${name.length} characters; at most 53 are allowed`,
      'shorten it: pod and service names (<name>-head-svc, <name>-<group>-worker-xxxxx) must stay within 63 characters',
    );
  }
  for (const m of dns1035Label(name))
    if (!m.startsWith('must be no more'))
      r.error(
        path,
        `RayCluster ${what} ${JSON.stringify(name)} ${m}`,
        'use a DNS-1035 label, e.g. my-cluster (it names the head Service)',
      );
}

export { dns1123Label };
