// KubeRay's operator metrics (ray-operator/controllers/ray/metrics, v1.7 names and labels), so
// KubeRay's operator dashboard and alerts work against Kuray unchanged. KubeRay computes its state
// gauges when Prometheus scrapes (a List per kind per scrape); Kuray does the same from the informer
// caches the controllers already keep, so a scrape costs no API call. The two gauges KubeRay sets on a
// transition are kept as KubeRay keeps them:
//   kuberay_cluster_provisioned_duration_seconds — derived from the RayClusterProvisioned condition's
//     lastTransitionTime − creationTimestamp (the same instant KubeRay measures at), so it survives an
//     operator restart or a leader change, which KubeRay's in-memory gauge does not;
//   kuberay_job_execution_duration_seconds — set by the RayJob controller when a job leaves Running
//     (observeJobTransition), dropped once the RayJob is gone, as KubeRay deletes it.
import { Gauge, type Registry } from 'prom-client';
import type { RayCluster, RayCronJob, RayJob, RayJobStatus, RayService } from '../../api/v1/index.ts';
import { LABEL_ORIGINATED_FROM_CRD } from '../../compiler/constants.ts';

interface Condition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

function conditionOf(conds: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conds?.find((c) => c.type === type);
}

function isTrue(conds: readonly Condition[] | undefined, type: string): boolean {
  return conditionOf(conds, type)?.status === 'True';
}

function meta(o: { metadata?: { name?: string; namespace?: string; uid?: string } }): {
  name: string;
  namespace: string;
  uid: string;
} {
  return { name: o.metadata?.name ?? '', namespace: o.metadata?.namespace ?? '', uid: o.metadata?.uid ?? '' };
}

function seconds(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** Registers a gauge whose values are recomputed from `list()` at every scrape. */
function stateGauge<L extends string, T>(
  reg: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  list: () => readonly T[],
  samples: (o: T) => Iterable<[Record<L, string>, number]>,
): void {
  if (reg.getSingleMetric(name)) reg.removeSingleMetric(name);
  new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [reg],
    collect() {
      this.reset();
      for (const o of list()) for (const [labels, v] of samples(o)) this.set(labels, v);
    },
  });
}

const one = <L extends string>(labels: Record<L, string>): [Record<L, string>, number][] => [[labels, 1]];

/** kuberay_cluster_*: info, provisioned condition and provisioning time of every cached RayCluster. */
export function registerClusterMetrics(reg: Registry, list: () => readonly RayCluster[]): void {
  stateGauge(
    reg,
    'kuberay_cluster_info',
    'Metadata information about RayCluster custom resources',
    ['name', 'namespace', 'uid', 'owner_kind'],
    list,
    (rc) => one({ ...meta(rc), owner_kind: rc.metadata?.labels?.[LABEL_ORIGINATED_FROM_CRD] ?? 'None' }),
  );
  stateGauge(
    reg,
    'kuberay_cluster_condition_provisioned',
    'Indicates whether the RayCluster is provisioned',
    ['name', 'namespace', 'uid', 'condition'],
    list,
    (rc) => one({ ...meta(rc), condition: String(isTrue(rc.status?.conditions, 'RayClusterProvisioned')) }),
  );
  stateGauge(
    reg,
    'kuberay_cluster_provisioned_duration_seconds',
    "The time, in seconds, when a RayCluster's `RayClusterProvisioned` status transitions from false (or unset) to true",
    ['name', 'namespace', 'uid'],
    list,
    (rc) => {
      const c = conditionOf(rc.status?.conditions, 'RayClusterProvisioned');
      const at = c?.status === 'True' ? seconds(c.lastTransitionTime) : undefined;
      const created = seconds(rc.metadata?.creationTimestamp);
      return at !== undefined && created !== undefined ? [[meta(rc), Math.max(0, at - created)]] : [];
    },
  );
  // Kuray's own, next to KubeRay's: workers the spec asks for against those Ready, so "workers stuck
  // pending" can be alerted on without kube-state-metrics.
  stateGauge(
    reg,
    'kuray_cluster_worker_replicas',
    'Worker pods of the RayCluster: desired (spec), ready and available (status)',
    ['name', 'namespace', 'uid', 'state'],
    list,
    (rc) => {
      const s = rc.status ?? {};
      return (
        [
          ['desired', s.desiredWorkerReplicas],
          ['ready', s.readyWorkerReplicas],
          ['available', s.availableWorkerReplicas],
        ] as const
      ).map(([state, v]): [Record<'name' | 'namespace' | 'uid' | 'state', string>, number] => [
        { ...meta(rc), state },
        v ?? 0,
      ]);
    },
  );
}

/** The execution-duration gauge of one registry and the label sets it holds per RayJob uid. */
interface Execution {
  gauge: Gauge;
  byUid: Map<string, Record<string, string>[]>;
}
const executions = new WeakMap<Registry, Execution>();

function execution(reg: Registry): Execution {
  let e = executions.get(reg);
  if (!e) {
    e = {
      gauge: new Gauge({
        name: 'kuberay_job_execution_duration_seconds',
        help:
          "Duration from when the RayJob CR's JobDeploymentStatus transitions from Initializing to either " +
          'the Retrying state or a terminal state, such as Complete or Failed. The Retrying state indicates ' +
          'that the CR previously failed and that spec.backoffLimit is enabled.',
        labelNames: ['name', 'namespace', 'uid', 'job_deployment_status', 'retry_count'],
        registers: [reg],
      }),
      byUid: new Map(),
    };
    executions.set(reg, e);
  }
  return e;
}

const MEASURED = new Set(['Complete', 'Failed', 'Retrying']);

/**
 * Called by the RayJob controller after it wrote a status change: a job that reaches Complete,
 * Failed or Retrying records how long it ran (from status.startTime, as KubeRay does).
 */
export function observeJobTransition(
  reg: Registry,
  job: RayJob,
  before: RayJobStatus,
  after: RayJobStatus,
  now: Date,
): void {
  const to = after.jobDeploymentStatus ?? '';
  if (to === before.jobDeploymentStatus || !MEASURED.has(to)) return;
  const start = seconds(before.startTime ?? after.startTime);
  if (start === undefined) return;
  const e = execution(reg);
  const labels = { ...meta(job), job_deployment_status: to, retry_count: String(after.failed ?? 0) };
  e.gauge.set(labels, Math.max(0, now.getTime() / 1000 - start));
  e.byUid.set(labels.uid, [...(e.byUid.get(labels.uid) ?? []), labels]);
}

/** kuberay_job_*: info and deployment status of every cached RayJob, plus the execution durations. */
export function registerJobMetrics(reg: Registry, list: () => readonly RayJob[]): void {
  const e = execution(reg);
  stateGauge(
    reg,
    'kuberay_job_info',
    'Metadata information about RayJob custom resources',
    ['name', 'namespace', 'uid'],
    () => {
      // The durations of RayJobs that are gone go with them (KubeRay deletes them on NotFound).
      const jobs = list();
      const live = new Set(jobs.map((j) => j.metadata?.uid ?? ''));
      for (const [uid, sets] of e.byUid) {
        if (live.has(uid)) continue;
        for (const l of sets) e.gauge.remove(l);
        e.byUid.delete(uid);
      }
      return jobs;
    },
    (j) => one(meta(j)),
  );
  stateGauge(
    reg,
    'kuberay_job_deployment_status',
    'The RayJobs current deployment status',
    ['name', 'namespace', 'uid', 'deployment_status'],
    list,
    (j) => one({ ...meta(j), deployment_status: j.status?.jobDeploymentStatus ?? '' }),
  );
}

/** kuberay_service_*: info, Ready and UpgradeInProgress of every cached RayService. */
export function registerServiceMetrics(reg: Registry, list: () => readonly RayService[]): void {
  stateGauge(
    reg,
    'kuberay_service_info',
    'Metadata information about RayService custom resources',
    ['name', 'namespace', 'uid'],
    list,
    (s) => one(meta(s)),
  );
  stateGauge(
    reg,
    'kuberay_service_condition_ready',
    'Describes whether the RayService is ready. Ready means users can send requests to the underlying cluster and the number of serve endpoints is greater than 0.',
    ['name', 'namespace', 'uid', 'condition'],
    list,
    (s) => one({ ...meta(s), condition: String(isTrue(s.status?.conditions, 'Ready')) }),
  );
  stateGauge(
    reg,
    'kuberay_service_condition_upgrade_in_progress',
    'Describes whether the RayService is performing a zero-downtime upgrade.',
    ['name', 'namespace', 'uid', 'condition'],
    list,
    (s) => one({ ...meta(s), condition: String(isTrue(s.status?.conditions, 'UpgradeInProgress')) }),
  );
}

/** kuberay_cronjob_*: KubeRay registers them with the RayCronJob controller (feature gate RayCronJob). */
export function registerCronJobMetrics(reg: Registry, list: () => readonly RayCronJob[]): void {
  stateGauge(
    reg,
    'kuberay_cronjob_info',
    'Metadata information about RayCronJob custom resources.',
    ['name', 'namespace', 'uid', 'schedule', 'concurrency_policy', 'suspend'],
    list,
    (c) =>
      one({
        ...meta(c),
        schedule: c.spec.schedule,
        concurrency_policy: c.spec.concurrencyPolicy ?? '',
        suspend: String(c.spec.suspend === true),
      }),
  );
  stateGauge(
    reg,
    'kuberay_cronjob_active_jobs',
    'The number of currently active jobs for a RayCronJob.',
    ['name', 'namespace', 'uid'],
    list,
    (c) => [[meta(c), c.status?.active?.length ?? 0]],
  );
  const at = (name: string, help: string, field: 'lastScheduleTime' | 'lastSuccessfulTime') => {
    stateGauge(reg, name, help, ['name', 'namespace', 'uid'], list, (c) => {
      const t = seconds(c.status?.[field]);
      return t === undefined ? [] : [[meta(c), t]];
    });
  };
  at(
    'kuberay_cronjob_last_schedule_time_seconds',
    'The Unix timestamp of the last time a job was successfully scheduled.',
    'lastScheduleTime',
  );
  at(
    'kuberay_cronjob_last_successful_time_seconds',
    'The Unix timestamp of the last time a job successfully completed.',
    'lastSuccessfulTime',
  );
}

/** Every object the informers of one kind (one per watched namespace) hold. */
export function cached<T>(informers: readonly { list(): object[] }[]): () => T[] {
  return () => informers.flatMap((i) => i.list() as T[]);
}
