// The RayCluster reconciler: observe (informer caches only) → diff against the compiler's desired
// state (planPods) → act (bounded-parallel creates/deletes, guarded by expectations) → status (pure
// computeStatus, written only when it changed). A reconcile of a converged cluster makes no API call.
import type { Pod, Service } from '../../compiler/k8sTypes.ts';
import type { RayCluster } from '../../api/v1/index.ts';
import { validate } from '../../api/validation/index.ts';
import {
  compileCluster,
  newHeadPodName,
  newWorkerPodName,
  type CompiledCluster,
} from '../../compiler/index.ts';
import { errMessage, isAlreadyExists, isNotFound, isUnprocessable } from '../../runtime/errors.ts';
import type { Expectations } from '../../runtime/expectations.ts';
import type { Logger } from '../../runtime/log.ts';
import type { ReconcileContext, Request, Result } from '../../runtime/controller.ts';
import { Pods, RayClusters, type GVR, type KubeObject } from '../../runtime/resources.ts';
import { clusterKey, ownedPods } from '../shared/clusterPods.ts';
import type { Lister } from '../shared/lister.ts';
import { MANAGED_BY_KURAY } from '../shared/managedBy.ts';
import { inBatches } from '../../util/inBatches.ts';
import { randomSuffix } from '../../compiler/names.ts';
import type { EventSink, RayClusterClient } from './client.ts';
import { autoscalingMode } from '../../autoscaler/policy/mode.ts';
import { ANNOTATION_DISABLE_PROVISIONED_HEAD_RESTART } from '../../compiler/constants.ts';
import { conditionTrue, COND_PROVISIONED, COND_SUSPENDING } from './conditions.ts';
import { planPods, type PodDeletion, type PodPlan } from './plan.ts';
import { computeStatus, statusChanged, type ReconcileFailure } from './status.ts';
import { clusterStatusPatch } from './statusPatch.ts';
import { assignWorkerIndices } from './workerIndex.ts';
import { recreateDecision, recreatePlan } from './recreate.ts';
import { adoptions, groupProgress, rollingPlan, type RollingGroupInput } from './rolling.ts';
import {
  ANNOTATION_WORKER_TEMPLATE_COMPILER,
  ANNOTATION_WORKER_TEMPLATE_HASH,
  isRollingUpdate,
} from '../../compiler/rollingHash.ts';
import { isTerminating, podGroup, podName } from './podState.ts';
import { ensureObjects, splitChildren } from './objects.ts';
import { ensureAuthSecret } from './authSecret.ts';
import { groupBy, podBatchMessage } from './podEvents.ts';
import { authSecretName } from '../../compiler/auth.ts';
import type { CompileOptions } from '../../compiler/options.ts';
import type { ValidateOptions } from '../../api/validation/index.ts';
import { ExposureWarnings } from './exposure.ts';
import { applyTokenAuthDefault } from './authDefault.ts';
import { reconcileRedisCleanup } from './redisCleanup.ts';
import { isTLSEnabled } from '../../compiler/tls.ts';
import { CERT_MANAGER_MISSING, type CertManagerDiscovery } from './certManager.ts';
import { mtlsNotReady } from './mtlsGate.ts';

/** A pod write that succeeded, for its batch Event. */
interface PodWrite {
  name: string;
  head: boolean;
  /** Why a pod was deleted (the plan's reason); none for creates. */
  why?: string;
}

export interface RayClusterReconcilerDeps {
  client: RayClusterClient;
  clusters: Lister;
  /** Pods of Ray clusters, indexed by INDEX_BY_CLUSTER. */
  pods: Lister;
  /** A cache per child kind the compiler emits (Service, ServiceAccount, Role, RoleBinding, …). */
  children: ReadonlyMap<
    string,
    { resource: GVR; informer: Lister; remember?: (ns: string | undefined, name: string) => void }
  >;
  expectations: Expectations;
  events: EventSink;
  log: Logger;
  /** Max pod creates/deletes in flight per reconcile. */
  podWriteParallelism?: number;
  /** Periodic re-reconcile of a converged cluster (KubeRay: 300 s); it reads only the cache. */
  resyncMs?: number;
  now?: () => Date;
  /** Random pod-name suffixes (5 chars of [a-z0-9], like generateName); injectable for tests. */
  randomSuffix?: () => string;
  /** The operator's compile options (restricted pods, the pod bound, …); default: `kuray render`'s. */
  compileOptions?: CompileOptions;
  /** The operator's validation options (the pod bound). */
  validateOptions?: ValidateOptions;
  /** --default-token-auth: new clusters without auth get token auth (./authDefault.ts). */
  defaultTokenAuth?: boolean;
  /** KubeRay's ENABLE_GCS_FT_REDIS_CLEANUP (default true): the Redis cleanup finalizer (./redisCleanup.ts). */
  redisCleanup?: boolean;
  /** With the RayClusterMTLS gate on: whether cert-manager is installed (tlsOptions needs it). */
  certManager?: Pick<CertManagerDiscovery, 'available' | 'recheckMs'>;
}

export class RayClusterReconciler {
  readonly #d: RayClusterReconcilerDeps;
  readonly #parallel: number;
  readonly #now: () => Date;
  readonly #rand: () => string;
  readonly #exposure = new ExposureWarnings();

  constructor(deps: RayClusterReconcilerDeps) {
    this.#d = deps;
    this.#parallel = deps.podWriteParallelism ?? 8; // the operator's default (src/operator/options.ts)
    this.#now = deps.now ?? (() => new Date());
    this.#rand = deps.randomSuffix ?? (() => randomSuffix());
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const key = clusterKey(req.namespace, req.name);
    const rc = this.#d.clusters.get(req.namespace, req.name) as RayCluster | undefined;
    if (!rc?.metadata) {
      this.#d.expectations.delete(key);
      this.#exposure.forget(req.namespace, req.name);
      return {};
    }
    // Kueue's MultiKueue (and others) take a cluster over with managedBy; then it is not ours.
    if (rc.spec.managedBy && rc.spec.managedBy !== MANAGED_BY_KURAY) return {};
    // GCS FT with Redis: its finalizer comes first, and runs the deletion of a cluster that has it.
    const cleanup = await reconcileRedisCleanup(
      { ...this.#d, now: this.#now, enabled: this.#d.redisCleanup ?? true },
      rc,
      ownedPods(this.#d.pods, rc),
      () => compileCluster(rc, this.#d.compileOptions),
    );
    if (cleanup) return cleanup;
    // Children carry owner references: the garbage collector removes them after the cluster.
    if (rc.metadata.deletionTimestamp) return {};

    // The admission checks, again at reconcile time (KubeRay does the same): without the webhook,
    // or for objects admitted before an upgrade, this is what stops a broken spec from acting.
    const { errors } = validate(rc, this.#d.validateOptions);
    let compiled: CompiledCluster | undefined;
    let invalid = errors.map((e) => `${e.path}: ${e.message} (${e.hint})`).join('; ');
    if (!invalid && this.#d.defaultTokenAuth && (await applyTokenAuthDefault(this.#d.client, rc))) {
      this.#d.events.normal(
        rc as KubeObject,
        'DefaultedTokenAuth',
        'authOptions set to {mode: token} (--default-token-auth)',
        'Update',
      );
      return {}; // the patched cluster comes back as an update
    }
    if (!invalid) {
      this.#exposure.check(rc, this.#d.events);
      try {
        compiled = compileCluster(rc, this.#d.compileOptions);
      } catch (err) {
        invalid = errMessage(err);
      }
    }
    if (!compiled) {
      this.#d.events.warning(rc as KubeObject, 'InvalidRayClusterSpec', invalid, 'Validate');
      await this.#writeStatus(rc, undefined, { reason: 'InvalidRayClusterSpec', message: invalid }, ctx);
      return {}; // a spec error is fixed by the user; the next edit triggers a reconcile
    }

    if (isTLSEnabled(rc) && this.#d.certManager && !(await this.#d.certManager.available())) {
      // KubeRay's answer (an InvalidRayClusterSpec Event, nothing created), plus the reason in the status.
      this.#d.events.warning(rc as KubeObject, 'InvalidRayClusterSpec', CERT_MANAGER_MISSING, 'Validate');
      const failure = { reason: 'CertManagerNotInstalled', message: CERT_MANAGER_MISSING };
      await this.#writeStatus(rc, compiled, failure, ctx);
      return { requeueAfter: this.#d.certManager.recheckMs }; // cert-manager may be installed meanwhile
    }

    // What the pods name (ServiceAccount, PVC, …) exists before them: admission rejects a pod whose
    // ServiceAccount is missing. What only points at the pods (Services, Ingress, PDB) is created
    // alongside them — one round trip less per new cluster, which is what bounds a burst of new
    // clusters when the client limiter does not (bench/README.md).
    const { before, alongside } = splitChildren(compiled.objects);
    const ensure = (objs: typeof compiled.objects): Promise<ReconcileFailure | undefined> =>
      ensureObjects(this.#d, rc as KubeObject, objs, ctx.log).then(
        () => undefined,
        (err: unknown) => ({ reason: 'FailedCreateService', message: errMessage(err) }),
      );
    let failure = await ensure(before);
    let requeueAfter: number | undefined;
    if (!failure) {
      const children = ensure(alongside);
      if (this.#d.expectations.satisfied(key)) {
        const pods = ownedPods(this.#d.pods, rc);
        failure = await this.#reconcilePods(rc, compiled, pods, key, ctx);
      } else {
        // The cache has not caught up with our own writes yet; acting now could double-create.
        ctx.log.debug('waiting for expectations', { pending: this.#d.expectations.pending(key) });
        requeueAfter = 1000;
      }
      failure = (await children) ?? failure;
    }
    await this.#writeStatus(rc, compiled, failure, ctx);
    if (failure?.requeueAfterMs !== undefined) return { requeueAfter: failure.requeueAfterMs };
    if (failure) throw new Error(`${failure.reason}: ${failure.message}`); // rate-limited retry
    return { requeueAfter: requeueAfter ?? this.#d.resyncMs ?? 300_000 };
  }

  async #reconcilePods(
    rc: RayCluster,
    compiled: CompiledCluster,
    pods: Pod[],
    key: string,
    ctx: ReconcileContext,
  ): Promise<ReconcileFailure | undefined> {
    const recreate = recreateDecision(compiled.cluster, pods);
    if (recreate.action === 'adopt') {
      // Made by another operator version: record the spec it runs instead of restarting it.
      await this.#d.client.patch(
        Pods,
        rc.metadata!.namespace,
        recreate.head,
        { metadata: { annotations: recreate.annotations } },
        'merge',
      );
    }
    const suspend = rc.spec.suspend === true || conditionTrue(rc.status?.conditions, COND_SUSPENDING);
    const specs = compiled.cluster.spec.workerGroupSpecs ?? [];
    const planned = planPods({
      suspend: suspend || recreate.action === 'recreate',
      // In-tree (Ray's sidecar) or native (Kuray's actuator): either way the autoscaler picks who goes.
      autoscaling: autoscalingMode(compiled.cluster.spec).mode !== 'none',
      groups: compiled.groups.map((g) => {
        const spec = specs.find((s) => s.groupName === g.name);
        return {
          name: g.name,
          desiredPods: g.desiredPods,
          suspend: spec?.suspend === true,
          workersToDelete: spec?.scaleStrategy?.workersToDelete ?? [],
        };
      }),
      pods,
      noHeadRecreate:
        rc.metadata?.annotations?.[ANNOTATION_DISABLE_PROVISIONED_HEAD_RESTART] === 'true' &&
        conditionTrue(rc.status?.conditions, COND_PROVISIONED),
    });
    const plan =
      recreate.action === 'recreate' && !suspend
        ? recreatePlan(planned, recreate.reason)
        : isRollingUpdate(compiled.cluster) && !suspend
          ? rollingPlan(planned, rollingGroups(compiled), pods)
          : planned;
    if (isRollingUpdate(compiled.cluster) && !suspend && recreate.action !== 'recreate')
      await this.#adoptWorkers(rc, rollingGroups(compiled), pods);
    for (const g of plan.groups) {
      if (g.surplusKept > 0)
        ctx.log.debug('surplus workers kept for the autoscaler to choose', {
          group: g.group,
          surplus: g.surplusKept,
        });
    }

    const failures: ReconcileFailure[] = [];
    await this.#deletePods(rc, key, plan, failures);
    await this.#createPods(rc, compiled, key, plan, failures);
    await this.#clearWorkersToDelete(rc, plan, failures);
    return failures[0];
  }

  /** RollingUpdate workers another compiler made: recorded as this one's, not restarted (./rolling.ts). */
  async #adoptWorkers(
    rc: RayCluster,
    groups: readonly RollingGroupInput[],
    pods: readonly Pod[],
  ): Promise<void> {
    const adopt = adoptions(groups, pods);
    if (!adopt.length) return;
    const ns = rc.metadata!.namespace!;
    let adopted = 0;
    await inBatches(adopt, this.#parallel, async (p) => {
      const g = groups.find((x) => x.name === podGroup(p))!;
      const annotations = {
        [ANNOTATION_WORKER_TEMPLATE_HASH]: g.hash,
        [ANNOTATION_WORKER_TEMPLATE_COMPILER]: g.compiler,
      };
      try {
        await this.#d.client.patch(Pods, ns, podName(p), { metadata: { annotations } }, 'merge');
        adopted++;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    });
    if (adopted > 0)
      this.#d.events.normal(
        rc as KubeObject,
        'AdoptedWorkerPods',
        `${adopted} worker Pods made by another operator version or flags now carry this one's template hash; not restarted`,
        'Update',
      );
  }

  async #deletePods(rc: RayCluster, key: string, plan: PodPlan, failures: ReconcileFailure[]): Promise<void> {
    const items: { d: PodDeletion; head: boolean }[] = [
      ...plan.deleteHead.map((d) => ({ d, head: true })),
      ...plan.groups.flatMap((g) => g.delete.map((d) => ({ d, head: false }))),
      ...plan.deleteOrphans.map((d) => ({ d, head: false })),
    ];
    if (!items.length) return;
    const ns = rc.metadata!.namespace!;
    this.#d.expectations.expectDeletions(
      key,
      items.map((i) => i.d.name),
    );
    const deleted: PodWrite[] = [];
    await inBatches(items, this.#parallel, async ({ d, head }) => {
      const kind = head ? 'HeadPod' : 'WorkerPod';
      try {
        await this.#d.client.delete(Pods, ns, d.name);
        deleted.push({ name: d.name, head, why: d.reason });
      } catch (err) {
        this.#d.expectations.deletionObserved(key, d.name); // will never be observed
        if (isNotFound(err)) return;
        const message = `Failed to delete ${ns}/${d.name}: ${errMessage(err)}`;
        failures.push({ reason: `FailedDelete${kind}`, message });
        this.#d.events.warning(rc as KubeObject, `FailedToDelete${kind}`, message, 'Delete');
      }
    });
    this.#recordPodBatches(rc, 'Deleted', deleted);
  }

  /** One Event per (head/worker, reason) batch of pod writes that succeeded. */
  #recordPodBatches(rc: RayCluster, verb: 'Created' | 'Deleted', done: readonly PodWrite[]): void {
    const ns = rc.metadata!.namespace!;
    for (const batch of groupBy(done, (x) => `${String(x.head)}/${x.why ?? ''}`).values()) {
      const { head, why } = batch[0]!;
      this.#d.events.normal(
        rc as KubeObject,
        `${verb}${head ? 'HeadPod' : 'WorkerPod'}`,
        podBatchMessage(
          verb,
          head ? 'head' : 'worker',
          ns,
          batch.map((x) => x.name),
          why,
        ),
        verb === 'Created' ? 'Create' : 'Delete',
      );
    }
  }

  async #createPods(
    rc: RayCluster,
    compiled: CompiledCluster,
    key: string,
    plan: PodPlan,
    failures: ReconcileFailure[],
  ): Promise<void> {
    const name = rc.metadata!.name!;
    const ns = rc.metadata!.namespace!;
    const todo: { pod: Pod; head: boolean }[] = [];
    if (plan.createHead) todo.push({ pod: compiled.headPod(newHeadPodName(name, this.#rand)), head: true });
    const pods = plan.groups.some((g) => g.create > 0) ? ownedPods(this.#d.pods, rc) : [];
    for (const g of plan.groups) {
      if (g.create <= 0) continue;
      // Replica/host index labels (KubeRay's RayMultiHostIndexing): the pods staying in the group.
      const leaving = new Set(g.delete.map((d) => d.name));
      const staying = pods.filter(
        (p) => podGroup(p) === g.group && !isTerminating(p) && !leaving.has(p.metadata?.name ?? ''),
      );
      const hosts = compiled.groups.find((x) => x.name === g.group)?.numOfHosts ?? 1;
      for (const index of assignWorkerIndices(g.group, hosts, staying, g.create, this.#rand))
        todo.push({
          pod: compiled.workerPod(g.group, newWorkerPodName(name, g.group, this.#rand), index),
          head: false,
        });
    }
    if (!todo.length) return;
    if (isTLSEnabled(rc)) {
      // The pods mount the certificates' Secrets: not before cert-manager issued them (./mtlsGate.ts).
      const waiting = await mtlsNotReady(this.#d.client, rc);
      if (waiting) {
        failures.push({
          reason: 'WaitingForMTLSCertificates',
          message: `waiting for mTLS: ${waiting}`,
          requeueAfterMs: 2000,
        });
        return;
      }
    }
    // Token auth: the pods read their token from a Secret that has to exist first.
    try {
      if (await ensureAuthSecret(this.#d.client, rc))
        this.#d.events.normal(
          rc as KubeObject,
          'CreatedSecret',
          `Created Secret ${ns}/${authSecretName(rc)}`,
          'Create',
        );
    } catch (err) {
      const message = `Failed to create the auth token Secret ${ns}/${authSecretName(rc)}: ${errMessage(err)}`;
      failures.push({ reason: 'FailedCreateSecret', message });
      this.#d.events.warning(rc as KubeObject, 'FailedToCreateSecret', message, 'Create');
      return;
    }
    this.#d.expectations.expectCreations(
      key,
      todo.map((t) => t.pod.metadata!.name!),
    );
    const created: PodWrite[] = [];
    await inBatches(todo, this.#parallel, async ({ pod, head }) => {
      const podName = pod.metadata!.name!;
      const kind = head ? 'HeadPod' : 'WorkerPod';
      try {
        await this.#d.client.create(Pods, { ...pod, metadata: { ...pod.metadata, namespace: ns } });
        created.push({ name: podName, head });
      } catch (err) {
        this.#d.expectations.creationObserved(key, podName);
        if (isAlreadyExists(err)) return; // a name collision: the next reconcile counts again
        const message = `Failed to create ${head ? 'head' : 'worker'} Pod ${ns}/${podName}: ${errMessage(err)}`;
        failures.push({ reason: `FailedCreate${kind}`, message });
        this.#d.events.warning(rc as KubeObject, `FailedToCreate${kind}`, message, 'Create');
      }
    });
    this.#recordPodBatches(rc, 'Created', created);
  }

  /**
   * Clears scaleStrategy.workersToDelete once every listed pod is gone. A JSON patch `test` on the
   * exact list makes this safe against the autoscaler writing a new list in between.
   */
  async #clearWorkersToDelete(rc: RayCluster, plan: PodPlan, failures: ReconcileFailure[]): Promise<void> {
    const specs = rc.spec.workerGroupSpecs ?? [];
    const ops: unknown[] = [];
    specs.forEach((spec, i) => {
      const list = spec.scaleStrategy?.workersToDelete ?? [];
      if (!list.length) return;
      const g = plan.groups.find((x) => x.group === spec.groupName);
      if (!g || g.workersToDeleteDone.length !== new Set(list).size) return;
      const path = `/spec/workerGroupSpecs/${i}/scaleStrategy/workersToDelete`;
      ops.push({ op: 'test', path, value: list }, { op: 'replace', path, value: [] });
    });
    if (!ops.length) return;
    try {
      await this.#d.client.patch(RayClusters, rc.metadata!.namespace, rc.metadata!.name!, ops, 'json');
    } catch (err) {
      // 422 on a failed test: the autoscaler changed the list; the next reconcile sees the new one.
      if (!isNotFound(err) && !isUnprocessable(err))
        failures.push({ reason: 'FailedClearWorkersToDelete', message: errMessage(err) });
    }
  }

  async #writeStatus(
    rc: RayCluster,
    compiled: CompiledCluster | undefined,
    failure: ReconcileFailure | undefined,
    ctx: ReconcileContext,
  ): Promise<void> {
    const svcName = compiled?.objects.find((o) => o.kind === 'Service')?.metadata?.name;
    const services = this.#d.children.get('Service')?.informer;
    const headService = svcName
      ? (services?.get(rc.metadata!.namespace, svcName) as Service | undefined)
      : undefined;
    const pods = ownedPods(this.#d.pods, rc);
    const status = computeStatus({
      cluster: compiled?.cluster ?? rc,
      groups: compiled?.groups ?? [],
      pods,
      headService,
      rolling:
        compiled && isRollingUpdate(compiled.cluster)
          ? compiled.groups.map((g) =>
              groupProgress(
                g.name,
                compiled.workerTemplateHash(g.name),
                compiled.compilerFingerprint(),
                pods,
              ),
            )
          : undefined,
      failure,
      now: this.#now(),
    });
    if (!statusChanged(rc.status, status)) return;
    // Only this controller's members: status.autoscaler is the native autoscaler's (statusPatch.ts).
    const p = clusterStatusPatch(rc.status, status);
    if (!p) return;
    try {
      await this.#d.client.patchStatus(
        RayClusters,
        rc.metadata!.namespace,
        rc.metadata!.name!,
        p.body,
        p.type,
      );
    } catch (err) {
      if (isNotFound(err)) return;
      ctx.log.warn('status update failed', { error: errMessage(err) });
      throw err;
    }
  }
}

/** The RollingUpdate inputs of each group: its replicas, current hash and maxUnavailable. */
function rollingGroups(compiled: CompiledCluster): RollingGroupInput[] {
  const maxUnavailable = compiled.cluster.spec.upgradeStrategy?.rollingUpdate?.maxUnavailable;
  // Multi-host groups are left alone: replacing one host of a replica breaks the replica (KubeRay
  // replaces whole replicas); their pods keep the old template until the user recreates them.
  return compiled.groups
    .filter((g) => g.numOfHosts === 1)
    .map((g) => ({
      name: g.name,
      desiredPods: g.desiredPods,
      hash: compiled.workerTemplateHash(g.name),
      compiler: compiled.compilerFingerprint(),
      maxUnavailable,
    }));
}
