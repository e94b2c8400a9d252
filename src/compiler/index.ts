// The desired-state compiler: RayCluster → every object the operator owns. Pure: no I/O, no clock,
// no randomness (pod name suffixes come from the caller). The controller creates pods from
// `headPod`/`workerPod` and the other objects from `objects`; `kuray render` prints `renderCluster`.
import { clone } from './clone.ts';
import type {
  Job,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  Ingress,
  NetworkPolicy,
  Role,
  RoleBinding,
  Service,
  ServiceAccount,
} from './k8sTypes.ts';
import { buildPodDisruptionBudgets } from './highAvailability.ts';
import { buildRedisCleanupJob, redisCleanupJobName } from './redisCleanupJob.ts';
import { applyRayClusterDefaults } from '../api/defaults.ts';
import { desiredClusterPods } from '../api/replicas.ts';
import { MAX_REPLICAS_DEFAULT, type RayCluster, type WorkerGroupSpec } from '../api/v1/index.ts';
import { clusterContext, type ClusterContext } from './context.ts';
import { groupPlans } from './groups.ts';
import { buildHeadPod } from './headPod.ts';
import { deterministicSuffix, newHeadPodName, newWorkerPodName } from './names.ts';
import { defaultCompileOptions, type CompileOptions } from './options.ts';
import { buildAutoscalerRole, buildAutoscalerRoleBinding, buildAutoscalerServiceAccount } from './rbac.ts';
import { buildHeadService, buildHeadlessService, buildServeService } from './services.ts';
import { buildWorkerPod, type WorkerIndex } from './workerPod.ts';
import {
  ANNOTATION_WORKER_TEMPLATE_COMPILER,
  ANNOTATION_WORKER_TEMPLATE_HASH,
  isRollingUpdate,
  workerTemplateHash,
} from './rollingHash.ts';
import { fingerprintOf, REFERENCE_CLUSTERS } from './compilerFingerprint.ts';
import { buildIngress } from './ingress.ts';
import { buildGcsStoragePVC } from './gcsStoragePVC.ts';
import { buildNetworkPolicies } from './networkPolicy.ts';
import { buildTLSObjects, type CertManagerObject } from './tls.ts';

export type KubeObject =
  | Pod
  | Service
  | ServiceAccount
  | Role
  | RoleBinding
  | PodDisruptionBudget
  | Ingress
  | NetworkPolicy
  | PersistentVolumeClaim
  | CertManagerObject;

export interface GroupDesired {
  readonly name: string;
  /** replicas clamped to [min, max] × numOfHosts; 0 if the group or the cluster is suspended. */
  readonly desiredPods: number;
  readonly numOfHosts: number;
}

export interface CompiledCluster {
  /** The input, defaulted (as the compiler read it). */
  readonly cluster: RayCluster;
  /** The full head pod, given its name (see newHeadPodName). */
  headPod(name: string): Pod;
  /** A full worker pod of `group`, given its name; `index` sets the replica/host index labels. */
  workerPod(group: string, name: string, index?: WorkerIndex): Pod;
  /** The hash of `group`'s worker pods (./rollingHash.ts): what RollingUpdate compares. */
  workerTemplateHash(group: string): string;
  /** Which compiler (code and options) made these pods (./compilerFingerprint.ts). */
  compilerFingerprint(): string;
  readonly groups: readonly GroupDesired[];
  /**
   * Everything but pods, in KubeRay's reconcile order: autoscaler SA/Role/RoleBinding, Ingress, head, headless
   * and serve Services; then the RocksDB GCS store's claim (./gcsStoragePVC.ts) and Kuray's
   * PodDisruptionBudgets (./highAvailability.ts).
   */
  readonly objects: readonly KubeObject[];
  /**
   * The NetworkPolicies of spec.networkPolicy (./networkPolicy.ts): kept equal to this by their own
   * controller (created, updated, removed with the spec), not created once like `objects`.
   */
  readonly networkPolicies: readonly NetworkPolicy[];
  /**
   * tlsOptions.enabled: cert-manager's Issuers and Certificates (./tls.ts), given the live pods' IPs
   * per node type (the certificates' IP SANs); kept by the mTLS controller.
   */
  tlsObjects(ips: { head: readonly string[]; worker: readonly string[] }): CertManagerObject[];
  /** The Job that deletes the cluster's keys in Redis (GCS fault tolerance with Redis), made on deletion. */
  redisCleanupJob(): Job;
}

/**
 * The RayCluster as the operator sees it: the API server's CRD defaults and KubeRay's (applied here
 * too, so a file rendered with `kuray render` compiles like the stored object), on a private copy.
 */
const fingerprints = new WeakMap<CompileOptions, string>();

/** The fingerprint of this compiler under `options` (./compilerFingerprint.ts), once per options object. */
function compilerFingerprint(options: CompileOptions): string {
  let f = fingerprints.get(options);
  if (f === undefined) {
    f = fingerprintOf(
      REFERENCE_CLUSTERS.map((rc) => {
        const cluster = normalize(rc);
        const group = cluster.spec.workerGroupSpecs![0]!;
        return workerTemplateHash(buildWorkerPod(clusterContext(cluster, options), group, 'template'));
      }),
    );
    fingerprints.set(options, f);
  }
  return f;
}

function normalize(rc: RayCluster): RayCluster {
  const copy = clone(applyRayClusterDefaults(rc));
  copy.spec.headGroupSpec.rayStartParams ??= {};
  for (const g of copy.spec.workerGroupSpecs ?? []) {
    // The CRD's defaults, for objects that never went through the API server (kuray render, tests).
    const loose = g as Partial<WorkerGroupSpec>;
    loose.minReplicas ??= 0;
    loose.maxReplicas ??= MAX_REPLICAS_DEFAULT;
    g.numOfHosts ??= 1;
    g.rayStartParams ??= {};
  }
  return copy;
}

export function compileCluster(
  rc: RayCluster,
  options: CompileOptions = defaultCompileOptions,
): CompiledCluster {
  const cluster = normalize(rc);
  const ctx: ClusterContext = clusterContext(cluster, options);
  const groups = groupPlans(cluster);
  const pods = desiredClusterPods(cluster.spec);
  if (pods > options.maxPodsPerCluster) {
    // Checked before anything is built: a million-replica spec must not exhaust the heap.
    throw new Error(
      `RayCluster ${ctx.namespace}/${ctx.name} asks for ${pods} pods; the operator creates at most ${options.maxPodsPerCluster} per cluster (--max-pods-per-cluster): lower the workers' replicas (× numOfHosts)`,
    );
  }
  const objects: KubeObject[] = [];
  const push = (o: KubeObject | undefined) => {
    if (o) objects.push(o);
  };
  push(buildAutoscalerServiceAccount(ctx));
  push(buildAutoscalerRole(ctx));
  push(buildAutoscalerRoleBinding(ctx));
  const headService = buildHeadService(ctx);
  push(buildIngress(ctx, headService.metadata!.name!));
  push(headService);
  push(buildHeadlessService(ctx));
  push(buildServeService(ctx));
  push(buildGcsStoragePVC(ctx));
  for (const b of buildPodDisruptionBudgets(ctx)) push(b);
  // One hash per group, of a pod with a fixed name and no index (./rollingHash.ts).
  const hashes = new Map<string, string>();
  const hashOf = (groupName: string): string => {
    let h = hashes.get(groupName);
    if (h === undefined) {
      const group = (cluster.spec.workerGroupSpecs ?? []).find((g) => g.groupName === groupName);
      h = group ? workerTemplateHash(buildWorkerPod(ctx, group, 'template', undefined)) : '';
      hashes.set(groupName, h);
    }
    return h;
  };
  return {
    cluster,
    headPod: (name) => buildHeadPod(ctx, name),
    workerPod: (groupName, name, index) => {
      const group = (cluster.spec.workerGroupSpecs ?? []).find((g) => g.groupName === groupName);
      if (!group)
        throw new Error(
          `RayCluster ${ctx.namespace}/${ctx.name} has no worker group ${JSON.stringify(groupName)}`,
        );
      const pod = buildWorkerPod(ctx, group, name, index);
      if (isRollingUpdate(cluster)) {
        pod.metadata = {
          ...pod.metadata,
          annotations: {
            ...pod.metadata?.annotations,
            [ANNOTATION_WORKER_TEMPLATE_HASH]: hashOf(groupName),
            [ANNOTATION_WORKER_TEMPLATE_COMPILER]: compilerFingerprint(options),
          },
        };
      }
      return pod;
    },
    workerTemplateHash: hashOf,
    compilerFingerprint: () => compilerFingerprint(options),
    groups,
    objects,
    networkPolicies: buildNetworkPolicies(ctx),
    tlsObjects: (ips) => buildTLSObjects(ctx, ips),
    redisCleanupJob: () => buildRedisCleanupJob(ctx, buildHeadPod(ctx, redisCleanupJobName(ctx.name))),
  };
}

/**
 * Everything the operator would create for `rc`, pods included, with stable name suffixes (as
 * `helm template` prints a release). A suspended cluster has no pods.
 */
export function renderCluster(rc: RayCluster, options: CompileOptions = defaultCompileOptions): KubeObject[] {
  const compiled = compileCluster(rc, options);
  const name = compiled.cluster.metadata?.name ?? '';
  const out: KubeObject[] = [
    ...compiled.objects,
    ...compiled.networkPolicies,
    ...compiled.tlsObjects({ head: [], worker: [] }),
  ];
  if (compiled.cluster.spec.suspend === true) return out;
  const used = new Set<string>();
  // Suffixes derive from the cluster, group and ordinal; a (rare) collision takes the next seed.
  const unique = (make: (seed: string) => string, seed: string): string => {
    let n = make(seed);
    for (let i = 1; used.has(n); i++) n = make(`${seed}#${i}`);
    used.add(n);
    return n;
  };
  out.push(
    compiled.headPod(unique((s) => newHeadPodName(name, () => deterministicSuffix(s)), `${name}/head`)),
  );
  for (const g of compiled.groups) {
    for (let i = 0; i < g.desiredPods; i++) {
      const replicaIndex = Math.floor(i / g.numOfHosts);
      const podName = unique(
        (s) => newWorkerPodName(name, g.name, () => deterministicSuffix(s)),
        `${name}/${g.name}/${i}`,
      );
      const index: WorkerIndex =
        g.numOfHosts > 1
          ? {
              replicaIndex,
              hostIndex: i % g.numOfHosts,
              replicaName: `${g.name}-${deterministicSuffix(`${name}/${g.name}/replica/${replicaIndex}`)}`,
            }
          : { replicaIndex };
      out.push(compiled.workerPod(g.name, podName, index));
    }
  }
  return out;
}

export {
  newHeadPodName,
  newWorkerPodName,
  randomSuffix,
  deterministicSuffix,
  podNamePrefix,
} from './names.ts';
export { compileOptionsFromEnv, defaultCompileOptions, type CompileOptions } from './options.ts';
export { desiredWorkerPods } from './groups.ts';
export type { WorkerIndex } from './workerPod.ts';
