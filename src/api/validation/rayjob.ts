// RayJob checks: KubeRay v1.7.0 ValidateRayJobMetadata/ValidateRayJobSpec (validation.go), the embedded
// cluster's checks, and a few of Kuray's.
import { parseYamlStream } from '../../util/yaml.ts';
import type { RayJobSpec } from '../v1/index.ts';
import { isAutoscaling, isObj } from './common.ts';
import { enableGateHint, gateEnabled } from './features.ts';
import { at, type Report } from './issue.ts';
import { dns1035Label } from './names.ts';
import { checkPodTemplate } from './pod.ts';
import { checkRayClusterSpec, type ClusterContext } from './raycluster.ts';
import { warnRayClusterSpec } from './raycluster-warnings.ts';

/** Leaves room for the `-xxxxx` suffix of the RayCluster name (53). */
export const MAX_RAYJOB_NAME = 47;

/** The name an object will have: metadata.name, or generateName plus the 5 characters the API server adds. */
export interface NameToCheck {
  name: string | undefined;
  /** metadata.name or metadata.generateName: where problems are reported. */
  path: string;
  /** How messages refer to it. */
  what: string;
}

export function nameToCheck(meta: Record<string, unknown>): NameToCheck {
  if (typeof meta.name === 'string' && meta.name !== '')
    return { name: meta.name, path: 'metadata.name', what: 'name' };
  if (typeof meta.generateName === 'string' && meta.generateName !== '')
    // `kubectl create` sends generateName; the API server appends 5 characters of this alphabet.
    return {
      name: `${meta.generateName}bcdfg`,
      path: 'metadata.generateName',
      what: 'name (generateName plus 5 random characters)',
    };
  return { name: undefined, path: 'metadata.name', what: 'name' };
}

export function checkDerivedName(kind: string, n: NameToCheck, max: number, why: string, r: Report): void {
  const { name, path, what } = n;
  if (name === undefined) {
    r.error(
      path,
      'metadata.name is missing',
      `give the ${kind} a name (or a generateName with kubectl create)`,
    );
    return;
  }
  if (name.length > max)
    r.error(
      path,
      `${kind} ${what} is ${name.length} characters; at most ${max} are allowed`,
      `shorten it: ${why}`,
    );
  for (const m of dns1035Label(name))
    if (!m.startsWith('must be no more'))
      r.error(path, `${kind} ${what} ${JSON.stringify(name)} ${m}`, 'use a DNS-1035 label, e.g. my-job');
}

const mode = (spec: RayJobSpec): string => spec.submissionMode ?? 'K8sJobMode';

const POLICY_ORDER = ['DeleteWorkers', 'DeleteCluster', 'DeleteSelf'] as const;

function checkDeletion(p: string, spec: RayJobSpec, ctx: ClusterContext, r: Report): void {
  if (!spec.shutdownAfterJobFinishes && (spec.ttlSecondsAfterFinished ?? 0) > 0) {
    r.error(
      at(p, 'ttlSecondsAfterFinished'),
      'ttlSecondsAfterFinished needs shutdownAfterJobFinishes: true',
      'set shutdownAfterJobFinishes: true or remove the TTL',
    );
  }
  const ds = spec.deletionStrategy;
  if (!ds) return;
  const dp = at(p, 'deletionStrategy');
  if (!gateEnabled(ctx.featureGates, 'RayJobDeletionPolicy')) {
    r.error(
      dp,
      'deletionStrategy needs the RayJobDeletionPolicy feature gate',
      `${enableGateHint('RayJobDeletionPolicy')}, or remove deletionStrategy`,
    );
    return;
  }
  const legacy = ds.onSuccess !== undefined || ds.onFailure !== undefined;
  const rules = ds.deletionRules ?? [];
  const selector = Object.keys(spec.clusterSelector ?? {}).length > 0;
  const autoscaling = spec.rayClusterSpec !== undefined && isAutoscaling(spec.rayClusterSpec);
  if (rules.length > 0 && spec.shutdownAfterJobFinishes) {
    r.error(
      at(dp, 'deletionRules'),
      'shutdownAfterJobFinishes and deletionRules are mutually exclusive',
      'express the clean-up as a rule (DeleteCluster) and set shutdownAfterJobFinishes: false',
    );
  }
  if (rules.length > 0 && legacy) {
    r.error(dp, 'onSuccess/onFailure and deletionRules cannot be used together', 'keep only deletionRules');
    return;
  }
  if (legacy) {
    if (!ds.onSuccess || !ds.onFailure) {
      r.error(
        dp,
        'both onSuccess and onFailure must be set when using the legacy deletion policy',
        'set both, or migrate to deletionRules',
      );
      return;
    }
    for (const [k, pol] of [
      ['onSuccess', ds.onSuccess.policy],
      ['onFailure', ds.onFailure.policy],
    ] as const) {
      const pp = at(at(dp, k), 'policy');
      if (pol === undefined)
        r.error(pp, `${k}.policy must be set`, 'set DeleteCluster, DeleteWorkers, DeleteSelf or DeleteNone');
      else if (selector && (pol === 'DeleteCluster' || pol === 'DeleteWorkers'))
        r.error(
          pp,
          `${pol} is not supported with clusterSelector (the cluster is not the RayJob's)`,
          'use DeleteSelf or DeleteNone',
        );
      else if (pol === 'DeleteWorkers' && autoscaling)
        r.error(pp, 'DeleteWorkers does not support a cluster with autoscaling enabled', 'use DeleteCluster');
      else if (pol === 'DeleteNone' && spec.shutdownAfterJobFinishes)
        r.error(
          pp,
          'DeleteNone contradicts shutdownAfterJobFinishes: true',
          'set shutdownAfterJobFinishes: false or choose another policy',
        );
    }
    return;
  }
  if (rules.length === 0) {
    r.error(
      dp,
      'deletionStrategy needs either both onSuccess and onFailure, or a non-empty deletionRules',
      'add deletionRules',
    );
    return;
  }
  const ttls = new Map<string, Map<string, number>>();
  rules.forEach((rule, i) => {
    const rp = at(at(dp, 'deletionRules'), i);
    const c = rule.condition;
    const hasJob = c.jobStatus !== undefined;
    const hasDep = c.jobDeploymentStatus !== undefined;
    if (hasJob === hasDep) {
      r.error(
        at(rp, 'condition'),
        'exactly one of jobStatus and jobDeploymentStatus must be set',
        'keep one of them',
      );
      return;
    }
    if ((c.ttlSeconds ?? 0) < 0)
      r.error(at(at(rp, 'condition'), 'ttlSeconds'), 'ttlSeconds must be non-negative', 'use 0 or more');
    if (selector && (rule.policy === 'DeleteCluster' || rule.policy === 'DeleteWorkers')) {
      r.error(
        at(rp, 'policy'),
        `${rule.policy} is not supported with clusterSelector`,
        'use DeleteSelf or DeleteNone',
      );
      return;
    }
    if (autoscaling && rule.policy === 'DeleteWorkers') {
      r.error(
        at(rp, 'policy'),
        'DeleteWorkers is not supported with autoscaling enabled',
        'use DeleteCluster',
      );
      return;
    }
    const key = hasJob
      ? `JobStatus '${String(c.jobStatus)}'`
      : `JobDeploymentStatus '${String(c.jobDeploymentStatus)}'`;
    const byPolicy = ttls.get(key) ?? new Map<string, number>();
    if (byPolicy.has(rule.policy)) {
      r.error(rp, `duplicate rule for ${rule.policy} and ${key}`, 'remove one of them');
      return;
    }
    byPolicy.set(rule.policy, c.ttlSeconds ?? 0);
    ttls.set(key, byPolicy);
  });
  for (const [key, byPolicy] of ttls) {
    let prev: [string, number] | undefined;
    for (const pol of POLICY_ORDER) {
      const ttl = byPolicy.get(pol);
      if (ttl === undefined) continue;
      if (prev && ttl < prev[1]) {
        r.error(
          at(dp, 'deletionRules'),
          `for ${key}: ${pol} TTL (${ttl}) must be >= ${prev[0]} TTL (${prev[1]})`,
          'order the TTLs DeleteWorkers <= DeleteCluster <= DeleteSelf',
        );
      }
      prev = [pol, ttl];
    }
  }
}

/** Checks a RayJobSpec at path `p` (`spec`, or `spec.jobTemplate` of a RayCronJob). */
export function checkRayJobSpec(p: string, spec: RayJobSpec, ctx: ClusterContext, r: Report): void {
  const selector = Object.keys(spec.clusterSelector ?? {}).length > 0;
  if (spec.suspend === true && !spec.shutdownAfterJobFinishes) {
    r.error(
      at(p, 'suspend'),
      'a RayJob with shutdownAfterJobFinishes false cannot be suspended',
      'set shutdownAfterJobFinishes: true',
    );
  }
  if ((spec.ttlSecondsAfterFinished ?? 0) < 0)
    r.error(
      at(p, 'ttlSecondsAfterFinished'),
      'ttlSecondsAfterFinished must be non-negative',
      'use 0 or more seconds',
    );
  checkDeletion(p, spec, ctx, r);
  if (spec.suspend === true && selector)
    r.error(
      at(p, 'suspend'),
      'clusterSelector mode does not support suspend',
      'remove suspend or use rayClusterSpec',
    );
  if (spec.rayClusterSpec === undefined && !selector) {
    r.error(
      p,
      'one of rayClusterSpec or clusterSelector must be set',
      'add rayClusterSpec (a cluster created for the job) or clusterSelector: {ray.io/cluster: <existing cluster>}',
    );
  }
  if (selector) {
    // KubeRay silently ignores rayClusterSpec here; a user who wrote both meant one of them.
    if (spec.rayClusterSpec !== undefined)
      r.error(
        at(p, 'clusterSelector'),
        'clusterSelector and rayClusterSpec are both set: the job would run on the selected cluster and rayClusterSpec would be ignored',
        'keep rayClusterSpec for a cluster created for this job, or clusterSelector to use an existing one',
      );
    if ((spec.clusterSelector?.['ray.io/cluster'] ?? '') === '')
      r.error(
        at(p, 'clusterSelector'),
        'clusterSelector must name the cluster under the key ray.io/cluster',
        'use clusterSelector: {ray.io/cluster: <name>}',
      );
    if (spec.submissionMode === 'SidecarMode')
      r.error(
        at(p, 'submissionMode'),
        'clusterSelector is not supported in SidecarMode',
        'use K8sJobMode or HTTPMode',
      );
    if ((spec.backoffLimit ?? 0) > 0)
      r.error(
        at(p, 'backoffLimit'),
        'backoffLimit is incompatible with clusterSelector (a retry needs a new cluster)',
        'remove backoffLimit',
      );
  }
  if (spec.submissionMode === 'InteractiveMode' && (spec.backoffLimit ?? 0) > 0) {
    r.error(
      at(p, 'backoffLimit'),
      'backoffLimit is incompatible with InteractiveMode',
      'remove backoffLimit',
    );
  }
  if (spec.submissionMode === 'SidecarMode') {
    if (spec.submitterPodTemplate)
      r.error(
        at(p, 'submitterPodTemplate'),
        'SidecarMode does not support submitterPodTemplate',
        'remove it (the submitter runs in the head pod)',
      );
    if (spec.submitterConfig)
      r.error(at(p, 'submitterConfig'), 'SidecarMode does not support submitterConfig', 'remove it');
    const rp = spec.rayClusterSpec?.headGroupSpec.template.spec?.restartPolicy;
    if (rp !== undefined && rp !== '' && rp !== 'Never') {
      r.error(
        `${p}.rayClusterSpec.headGroupSpec.template.spec.restartPolicy`,
        'the head restartPolicy must be Never or unset in SidecarMode',
        'set it to Never',
      );
    }
  }
  if (spec.submitterPodTemplate && mode(spec) === 'K8sJobMode') {
    checkPodTemplate(at(p, 'submitterPodTemplate'), spec.submitterPodTemplate, 'submitter', r);
  }
  if (spec.rayClusterSpec) {
    const cp = at(p, 'rayClusterSpec');
    if (spec.rayClusterSpec.authOptions?.enableK8sTokenAuth === true) {
      r.error(
        `${cp}.authOptions.enableK8sTokenAuth`,
        'Kubernetes token auth is not supported for RayJob',
        'remove enableK8sTokenAuth',
      );
    }
    checkRayClusterSpec(
      cp,
      spec.rayClusterSpec,
      { ...ctx, clusterName: ctx.clusterName === undefined ? undefined : `${ctx.clusterName}-xxxxx` },
      r,
    );
    warnRayClusterSpec(cp, spec.rayClusterSpec, undefined, r);
  }
  if (typeof spec.runtimeEnvYAML === 'string' && spec.runtimeEnvYAML.trim() !== '') {
    try {
      const docs = parseYamlStream(spec.runtimeEnvYAML, 'runtimeEnvYAML');
      if (docs.length > 0 && !isObj(docs[0]!.value))
        r.error(
          at(p, 'runtimeEnvYAML'),
          'runtimeEnvYAML must be a YAML mapping (pip:, working_dir:, env_vars:, ...)',
          'write the runtime env as key: value lines',
        );
    } catch (e) {
      r.error(
        at(p, 'runtimeEnvYAML'),
        `runtimeEnvYAML is not valid YAML: ${(e as Error).message}`,
        'fix the YAML (use a block scalar: runtimeEnvYAML: |)',
      );
    }
  }
  if (typeof spec.entrypointResources === 'string' && spec.entrypointResources.trim() !== '') {
    let ok: boolean;
    try {
      const v: unknown = JSON.parse(spec.entrypointResources);
      ok = isObj(v) && Object.values(v).every((n) => typeof n === 'number');
    } catch {
      ok = false;
    }
    if (!ok)
      r.error(
        at(p, 'entrypointResources'),
        'entrypointResources must be a JSON object of resource amounts',
        `use e.g. '{"custom_resource": 1}'`,
      );
  }
  if (typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds <= 0)
    r.error(
      at(p, 'activeDeadlineSeconds'),
      'activeDeadlineSeconds must be a positive integer',
      'use 1 or more seconds, or remove it',
    );
  if (typeof spec.preRunningDeadlineSeconds === 'number' && spec.preRunningDeadlineSeconds <= 0)
    r.error(
      at(p, 'preRunningDeadlineSeconds'),
      'preRunningDeadlineSeconds must be a positive integer',
      'use 1 or more seconds, or remove it',
    );
  if (typeof spec.backoffLimit === 'number' && spec.backoffLimit < 0)
    r.error(at(p, 'backoffLimit'), 'backoffLimit must be non-negative', 'use 0 (no retry) or more');
  if (mode(spec) !== 'InteractiveMode' && (spec.entrypoint ?? '').trim() === '') {
    r.warn(
      at(p, 'entrypoint'),
      `entrypoint is empty: in ${mode(spec)} the operator submits nothing runnable and the job fails`,
      'set entrypoint, e.g. "python /home/ray/samples/job.py"',
    );
  }
}
