// The RayJob reconciler: observe (informer caches, and the latest background dashboard results) →
// step (pure state machine) → act (creates, deletes, patches, background calls) → status (written only
// when it changed, with the object's resourceVersion). Never waits on Ray: dashboard calls run in
// BackgroundCalls, and their results requeue the RayJob.
import type { RayCluster, RayJob, RayJobStatus } from '../../api/v1/index.ts';
import { validate } from '../../api/validation/index.ts';
import type { ValidateOptions } from '../../api/validation/common.ts';
import type { CompileOptions } from '../../compiler/index.ts';
import type { Service } from '../../compiler/k8sTypes.ts';
import { DashboardClient } from '../../ray/dashboard.ts';
import type { JobDetails, JobSubmitRequest } from '../../ray/jobs.ts';
import { isJobAlreadyExists } from '../../ray/dashboard.ts';
import type { ReconcileContext, Request, Result } from '../../runtime/controller.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../../runtime/errors.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import { Jobs, RayClusters, RayJobs, Services, type KubeObject } from '../../runtime/resources.ts';
import type { KubeClient } from '../../runtime/transport.ts';
import { MANAGED_BY_KURAY } from '../shared/managedBy.ts';
import type { Lister } from '../shared/lister.ts';
import { BackgroundCalls, type Settled } from '../shared/backgroundCalls.ts';
import { ownerHeadService, ownerHeadServiceName, selectedCluster } from '../shared/ownerHeadService.ts';
import { canonicalJSON } from '../../util/canonical.ts';
import { isJobTerminal } from './checks.ts';
import { FINALIZER, step } from './machine.ts';
import { dashboardBaseURL, dashboardURLOf, observeCluster, observeSubmitter } from './observe.ts';
import { clusterForJob, runtimeEnvJSON, submitterJob } from './submitter.ts';
import type { Action, MachineOptions, Observed } from './types.ts';
import type { Registry } from 'prom-client';
import { observeJobTransition } from '../metrics/kuberay.ts';

/** How the operator reaches a cluster's dashboard (injectable: int tests point it at a local Ray). */
export type DashboardFactory = (
  cluster: RayCluster,
  signal: AbortSignal,
) => Promise<DashboardClient | undefined>;

export interface RayJobReconcilerDeps {
  client: KubeClient;
  jobs: Lister;
  clusters: Lister;
  /** batch/v1 Jobs created for RayJobs. */
  k8sJobs: Lister;
  /** Ray pods, indexed by INDEX_BY_CLUSTER (SidecarMode reads the head's submitter container). */
  pods: Lister;
  services: Lister;
  events: EventRecorder;
  dashboard: DashboardFactory;
  machine: MachineOptions;
  compileOptions: CompileOptions;
  validateOptions?: ValidateOptions;
  /** Called when a background dashboard call for this RayJob settles. */
  requeue: (namespace: string, name: string) => void;
  /** How often a Running job's status is re-read from Ray (KubeRay: every 3 s reconcile). */
  pollMs?: number;
  /** Where kuberay_job_execution_duration_seconds is recorded on a transition. */
  metrics?: Registry;
  now?: () => Date;
}

type CallResult = JobDetails | undefined | string | boolean;

export class RayJobReconciler {
  readonly #d: RayJobReconcilerDeps;
  readonly #calls: BackgroundCalls<CallResult>;
  readonly #now: () => Date;

  constructor(deps: RayJobReconcilerDeps) {
    this.#d = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#calls = new BackgroundCalls<CallResult>({
      timeoutMs: 5_000,
      onSettled: (key) => {
        const [ns = '', name = ''] = key.split('/');
        deps.requeue(ns, name);
      },
    });
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const prefix = `${req.namespace}/${req.name}/`;
    const job = this.#d.jobs.get(req.namespace, req.name) as RayJob | undefined;
    if (!job?.metadata) {
      this.#calls.forgetPrefix(prefix);
      return {};
    }
    if (job.spec.managedBy && job.spec.managedBy !== MANAGED_BY_KURAY) return {};
    if (job.metadata.deletionTimestamp) return this.#finalize(job, prefix, ctx);

    const now = this.#now();
    const cluster = observeCluster(job, this.#d.clusters);
    const s = job.status ?? {};
    const infoKey = `${prefix}info/${s.rayClusterName ?? ''}/${s.jobId ?? ''}`;
    const submitKey = `${prefix}submit/${s.rayClusterName ?? ''}/${s.jobId ?? ''}`;
    const o: Observed = {
      now,
      invalid: validate(job, this.#d.validateOptions)
        .errors.map((e) => `${e.path}: ${e.message} (${e.hint})`)
        .join('; '),
      ...(cluster
        ? { cluster, dashboardURL: dashboardURLOf(cluster, this.#d.compileOptions.clusterDomain) }
        : {}),
      ...optional('submitter', observeSubmitter(job, cluster, this.#d.k8sJobs, this.#d.pods)),
      ...optional('jobInfo', this.#calls.peek(infoKey) as Settled<JobDetails | undefined> | undefined),
      ...optional('submission', this.#calls.peek(submitKey) as Settled<string> | undefined),
    };
    const next = step(job, o, this.#d.machine);
    const after: RayJob = { ...job, status: next.status };

    let latest: RayJob = job;
    for (const a of next.actions) {
      const r = await this.#act(a, after, cluster, { infoKey, submitKey }, ctx);
      if (r === 'gone') return {};
      if (r) latest = r;
    }
    if (canonicalJSON(next.status) !== canonicalJSON(s)) {
      try {
        await this.#d.client.updateStatus(RayJobs, { ...latest, status: next.status } as KubeObject);
      } catch (err) {
        if (isConflict(err) || isNotFound(err)) return { requeue: true };
        throw err;
      }
      this.#transitionEvent(job, s, next.status);
      if (this.#d.metrics) observeJobTransition(this.#d.metrics, job, s, next.status, now);
    }
    return next.requeueAfterMs !== undefined ? { requeueAfter: next.requeueAfterMs } : {};
  }

  /** Carries out one action; returns the RayJob as written (finalizer) or 'gone' (deleted itself). */
  async #act(
    a: Action,
    job: RayJob,
    cluster: RayCluster | undefined,
    keys: { infoKey: string; submitKey: string },
    ctx: ReconcileContext,
  ): Promise<RayJob | 'gone' | undefined> {
    const ns = job.metadata!.namespace!;
    const name = job.metadata!.name!;
    const client = this.#d.client;
    switch (a.type) {
      case 'addFinalizer':
        return client.patch<RayJob & KubeObject>(
          RayJobs,
          ns,
          name,
          {
            metadata: {
              finalizers: [...(job.metadata!.finalizers ?? []), FINALIZER],
              resourceVersion: job.metadata!.resourceVersion,
            },
          },
          'merge',
        );
      case 'createCluster': {
        const rc = clusterForJob(job, job.status!.rayClusterName!);
        await this.#create(
          job,
          RayClusters,
          rc as KubeObject,
          'CreatedRayCluster',
          'FailedToCreateRayCluster',
          'RayCluster',
        );
        return undefined;
      }
      case 'createSubmitter':
        if (cluster) {
          const k = submitterJob(job, cluster, { restricted: this.#d.compileOptions.restrictedPodSecurity });
          await this.#create(
            job,
            Jobs,
            k,
            'CreatedRayJobSubmitter',
            'FailedToCreateRayJobSubmitter',
            'Kubernetes Job',
          );
        }
        return undefined;
      case 'ensureHeadService':
        if (cluster) await this.#ensureHeadService(job, cluster);
        return undefined;
      case 'pollJob':
        if (cluster) {
          const id = job.status!.jobId!;
          this.#calls.poll(keys.infoKey, this.#d.pollMs ?? 2_000, async (signal) =>
            (await this.#dashboardOf(cluster, signal)).getJob(id),
          );
        }
        return undefined;
      case 'submit':
        if (cluster) this.#calls.run(keys.submitKey, (signal) => this.#submit(job, cluster, signal));
        return undefined;
      case 'deleteCluster':
        if (cluster?.metadata?.name) {
          await this.#delete(
            job,
            RayClusters,
            cluster.metadata.name,
            'DeletedRayCluster',
            'FailedToDeleteRayCluster',
            'cluster',
          );
        }
        return undefined;
      case 'deleteSubmitter':
        await this.#delete(
          job,
          Jobs,
          name,
          'DeletedRayJobSubmitter',
          'FailedToDeleteRayJobSubmitter',
          'submitter K8s Job',
        );
        return undefined;
      case 'suspendWorkers':
        if (cluster?.metadata?.name) await this.#suspendWorkers(job, cluster);
        return undefined;
      case 'deleteSelf':
        ctx.log.info('deleting the RayJob (deletion policy)');
        await client.delete(RayJobs, ns, name).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
        return 'gone';
      case 'event':
        if (a.kind === 'Warning') this.#d.events.warning(job as KubeObject, a.reason, a.message);
        else this.#d.events.normal(job as KubeObject, a.reason, a.message);
        return undefined;
    }
  }

  async #create(
    job: RayJob,
    r: typeof RayClusters,
    obj: KubeObject,
    okReason: string,
    failReason: string,
    what: string,
  ): Promise<void> {
    const where = `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
    try {
      await this.#d.client.create(r, obj);
      this.#d.events.normal(job as KubeObject, okReason, `Created ${what} ${where}`);
    } catch (err) {
      if (isAlreadyExists(err)) return; // a lagging cache; the next reconcile sees it
      this.#d.events.warning(
        job as KubeObject,
        failReason,
        `Failed to create ${what} ${where}: ${(err as Error).message}`,
      );
      throw err;
    }
  }

  async #delete(
    job: RayJob,
    r: typeof RayClusters,
    name: string,
    okReason: string,
    failReason: string,
    what: string,
  ): Promise<void> {
    const ns = job.metadata!.namespace!;
    try {
      await this.#d.client.delete(r, ns, name, { propagationPolicy: 'Background' });
      this.#d.events.normal(job as KubeObject, okReason, `Deleted ${what} ${ns}/${name}`);
    } catch (err) {
      if (isNotFound(err)) return;
      this.#d.events.warning(
        job as KubeObject,
        failReason,
        `Failed to delete ${what} ${ns}/${name}: ${(err as Error).message}`,
      );
      throw err;
    }
  }

  /** DeleteWorkers: every worker group suspended (the RayCluster controller then removes the pods). */
  async #suspendWorkers(job: RayJob, cluster: RayCluster): Promise<void> {
    const groups = cluster.spec.workerGroupSpecs ?? [];
    const patch = groups.map((_, i) => ({
      op: 'add',
      path: `/spec/workerGroupSpecs/${i}/suspend`,
      value: true,
    }));
    const where = `${cluster.metadata!.namespace ?? ''}/${cluster.metadata!.name ?? ''}`;
    // The test guards the indexes against a concurrent edit of the groups.
    await this.#d.client.patch(
      RayClusters,
      cluster.metadata!.namespace,
      cluster.metadata!.name!,
      [{ op: 'test', path: '/metadata/resourceVersion', value: cluster.metadata!.resourceVersion }, ...patch],
      'json',
    );
    this.#d.events.normal(
      job as KubeObject,
      'UpdatedRayCluster',
      `Set the \`suspend\` field to true for all worker groups in cluster ${where}`,
    );
  }

  async #ensureHeadService(job: RayJob, cluster: RayCluster): Promise<void> {
    const ns = job.metadata!.namespace!;
    const want = ownerHeadService(job as KubeObject, 'RayJob', cluster, this.#d.compileOptions);
    const have = this.#d.services.get(ns, ownerHeadServiceName(job as KubeObject)) as Service | undefined;
    if (!have) {
      await this.#create(
        job,
        Services,
        want as KubeObject,
        'CreatedService',
        'FailedToCreateService',
        'service',
      );
      return;
    }
    if (selectedCluster(have) === selectedCluster(want)) return;
    // Only when the job moved to another cluster (a retry). ClusterIP is immutable: keep it.
    const spec = { ...want.spec, ...(have.spec?.clusterIP ? { clusterIP: have.spec.clusterIP } : {}) };
    await this.#d.client.update(Services, { ...have, spec } as KubeObject);
    this.#d.events.normal(
      job as KubeObject,
      'UpdatedService',
      `Updated the service ${ns}/${have.metadata?.name ?? ''}`,
    );
  }

  async #dashboardOf(cluster: RayCluster, signal: AbortSignal): Promise<DashboardClient> {
    const d = await this.#d.dashboard(cluster, signal);
    if (!d) throw new Error(`the head pod of RayCluster ${cluster.metadata?.name ?? ''} has no IP yet`);
    return d;
  }

  async #submit(job: RayJob, cluster: RayCluster, signal: AbortSignal): Promise<string> {
    const spec = job.spec;
    const req: JobSubmitRequest = {
      entrypoint: (spec.entrypoint ?? '').trim(),
      submission_id: job.status!.jobId!,
      ...optional('runtime_env', runtimeEnvJSON(job)),
      ...optional('metadata', spec.metadata),
      ...optional('entrypoint_num_cpus', spec.entrypointNumCpus || undefined),
      ...optional('entrypoint_num_gpus', spec.entrypointNumGpus || undefined),
      ...optional(
        'entrypoint_resources',
        spec.entrypointResources
          ? (JSON.parse(spec.entrypointResources) as Record<string, number>)
          : undefined,
      ),
    };
    try {
      return await (await this.#dashboardOf(cluster, signal)).submitJob(req);
    } catch (err) {
      if (isJobAlreadyExists(err)) return req.submission_id!;
      throw err;
    }
  }

  /** Deletion: stop a Ray job that may still run (best effort, in the background), then let go. */
  async #finalize(job: RayJob, prefix: string, ctx: ReconcileContext): Promise<Result> {
    const finalizers = job.metadata?.finalizers ?? [];
    if (!finalizers.includes(FINALIZER)) return {};
    const cluster = observeCluster(job, this.#d.clusters);
    const id = job.status?.jobId;
    if (!isJobTerminal(job.status?.jobStatus) && cluster && id && dashboardBaseURL(cluster)) {
      const key = `${prefix}stop/${id}`;
      const done = this.#calls.peek(key);
      if (!done) {
        this.#calls.run(key, async (signal) => (await this.#dashboardOf(cluster, signal)).stopJob(id));
        return { requeueAfter: 5_000 };
      }
      if (!done.ok)
        ctx.log.info('stopping the Ray job failed; removing the finalizer anyway', { err: done.error });
    }
    this.#calls.forgetPrefix(prefix);
    await this.#d.client
      .patch(
        RayJobs,
        job.metadata!.namespace,
        job.metadata!.name!,
        [
          { op: 'test', path: '/metadata/finalizers', value: finalizers },
          { op: 'replace', path: '/metadata/finalizers', value: finalizers.filter((f) => f !== FINALIZER) },
        ],
        'json',
      )
      .catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
    return {};
  }

  #transitionEvent(job: RayJob, before: RayJobStatus, after: RayJobStatus): void {
    if (before.jobDeploymentStatus === after.jobDeploymentStatus) return;
    const to = after.jobDeploymentStatus || 'New';
    const msg = after.reason ? `${to}: ${after.reason}${after.message ? `: ${after.message}` : ''}` : to;
    if (to === 'Failed') this.#d.events.warning(job as KubeObject, 'RayJobFailed', msg);
    else if (to === 'Complete') this.#d.events.normal(job as KubeObject, 'RayJobComplete', msg);
  }
}

/** `{ [k]: v }` when v is defined, else `{}` (exactOptionalPropertyTypes-friendly spreading). */
function optional<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return v === undefined ? {} : ({ [k]: v } as { [P in K]?: V });
}

/** The default: the head pod's IP and dashboard port, with the cluster's Ray auth token if it has one. */
export function podDashboardFactory(
  token: (rc: RayCluster) => Promise<string | undefined>,
): DashboardFactory {
  return async (cluster) => {
    const base = dashboardBaseURL(cluster);
    if (!base) return undefined;
    const t = await token(cluster);
    return new DashboardClient({ baseUrl: base, timeoutMs: 4_000, ...(t ? { token: t } : {}) });
  };
}
