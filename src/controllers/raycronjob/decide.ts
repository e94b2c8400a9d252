// The RayCronJob's decision, pure: given the RayCronJob, its RayJobs (from the cache) and the clock,
// what to create, what to delete and the status. KubeRay's controller creates `<cron>-<unix minutes>`
// for the next tick after lastScheduleTime (a deterministic name, so a repeated create is a no-op);
// Kuray adds what batch/v1 CronJob users expect: concurrencyPolicy, startingDeadlineSeconds, history
// limits, an `active` list and lastSuccessfulTime, and it runs only the most recent missed tick
// (KubeRay would create one RayJob per missed tick, back to back, after an operator outage).
import type { RayCronJob, RayCronJobStatus, RayJob } from '../../api/v1/index.ts';
import { controllerRef, type KubeObject } from '../../runtime/resources.ts';
import type { Schedule } from './schedule.ts';

export const LABEL_CRONJOB_NAME = 'ray.io/cronjob-name';
export const ANNOTATION_SCHEDULED = 'ray.io/cronjob-scheduled-timestamp';
/** batch/v1 CronJob gives up counting missed ticks past 100 (and says so). */
const MAX_MISSED = 100;

export interface CronEvent {
  kind: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface CronDecision {
  create?: RayJob;
  /** RayJobs to delete: Replace, and history beyond the limits. */
  delete: string[];
  status: RayCronJobStatus;
  events: CronEvent[];
  /** Reconcile again at the next tick (or deadline). */
  requeueAfterMs?: number;
}

const iso = (t: number): string => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
const deployment = (j: RayJob): string => j.status?.jobDeploymentStatus ?? '';
const finished = (j: RayJob): boolean => ['Complete', 'Failed', 'ValidationFailed'].includes(deployment(j));
const succeeded = (j: RayJob): boolean => deployment(j) === 'Complete' && j.status?.jobStatus === 'SUCCEEDED';
const scheduledAt = (j: RayJob): number =>
  Date.parse(j.metadata?.annotations?.[ANNOTATION_SCHEDULED] ?? j.metadata?.creationTimestamp ?? '') || 0;

/** `<cron>-<unix minutes of the tick>`: the same tick always gives the same name. */
export function rayJobNameFor(cron: RayCronJob, tick: number): string {
  return `${cron.metadata?.name ?? ''}-${Math.floor(tick / 60_000)}`;
}

export function rayJobFor(cron: RayCronJob, tick: number): RayJob {
  return {
    apiVersion: 'ray.io/v1',
    kind: 'RayJob',
    metadata: {
      name: rayJobNameFor(cron, tick),
      namespace: cron.metadata?.namespace ?? '',
      labels: { [LABEL_CRONJOB_NAME]: cron.metadata?.name ?? '' },
      annotations: { [ANNOTATION_SCHEDULED]: iso(tick) },
      ownerReferences: [controllerRef(cron as KubeObject)],
    },
    spec: structuredClone(cron.spec.jobTemplate),
  };
}

/** Finished RayJobs beyond a history limit, oldest first. */
function beyondHistory(jobs: readonly RayJob[], limit: number | undefined): string[] {
  if (limit === undefined) return [];
  const newestFirst = [...jobs].sort((a, b) => scheduledAt(b) - scheduledAt(a));
  return newestFirst.slice(limit).map((j) => j.metadata?.name ?? '');
}

/** The latest tick in (after, now], and how many ticks were missed before it. */
function latestDueTick(s: Schedule, after: number, now: number): { tick?: number; missed: number } {
  let tick: number | undefined;
  let missed = 0;
  for (let t = s.next(new Date(after)).getTime(); t <= now; t = s.next(new Date(t)).getTime()) {
    if (tick !== undefined) missed++;
    tick = t;
    if (missed > MAX_MISSED) break;
  }
  return { ...(tick !== undefined ? { tick } : {}), missed };
}

export function decide(
  cron: RayCronJob,
  jobs: readonly RayJob[],
  schedule: Schedule,
  now: number,
): CronDecision {
  const spec = cron.spec;
  const prev = cron.status ?? {};
  const active = jobs.filter((j) => !finished(j) && !j.metadata?.deletionTimestamp);
  const successes = jobs.filter((j) => finished(j) && succeeded(j));
  const failures = jobs.filter((j) => finished(j) && !succeeded(j));
  const lastSuccess = Math.max(
    0,
    ...successes.map(scheduledAt),
    Date.parse(prev.lastSuccessfulTime ?? '') || 0,
  );
  const status: RayCronJobStatus = {
    ...prev,
    active: active.map((j) => ({
      apiVersion: 'ray.io/v1',
      kind: 'RayJob',
      namespace: j.metadata?.namespace ?? '',
      name: j.metadata?.name ?? '',
      uid: j.metadata?.uid ?? '',
    })),
    ...(lastSuccess > 0 ? { lastSuccessfulTime: iso(lastSuccess) } : {}),
  };
  if (status.active?.length === 0) delete status.active;
  const out: CronDecision = {
    delete: [
      ...beyondHistory(successes, spec.successfulJobsHistoryLimit),
      ...beyondHistory(failures, spec.failedJobsHistoryLimit),
    ],
    status,
    events: [],
  };
  if (spec.suspend) return out;

  const earliest = Date.parse(prev.lastScheduleTime ?? cron.metadata?.creationTimestamp ?? '') || now;
  const { tick, missed } = latestDueTick(schedule, earliest, now);
  const nextTick = schedule.next(new Date(Math.max(now, tick ?? now))).getTime();
  out.requeueAfterMs = Math.max(1, nextTick - now);
  if (tick === undefined) return out;
  if (missed > MAX_MISSED)
    out.events.push({
      kind: 'Warning',
      reason: 'TooManyMissedTimes',
      message: `too many missed start times (> ${MAX_MISSED}); only the most recent runs. Set or lower startingDeadlineSeconds`,
    });
  const deadline = spec.startingDeadlineSeconds;
  if (deadline !== undefined && now - tick > deadline * 1000) {
    out.events.push({
      kind: 'Warning',
      reason: 'MissSchedule',
      message: `missed the run scheduled at ${iso(tick)}: more than startingDeadlineSeconds (${deadline}) late`,
    });
    status.lastScheduleTime = iso(tick);
    return out;
  }
  const name = rayJobNameFor(cron, tick);
  const others = active.filter((j) => j.metadata?.name !== name);
  if (others.length > 0 && spec.concurrencyPolicy === 'Forbid') {
    out.events.push({
      kind: 'Normal',
      reason: 'JobAlreadyActive',
      message: `not starting the run scheduled at ${iso(tick)}: ${others.map((j) => j.metadata?.name).join(', ')} still running (concurrencyPolicy Forbid)`,
    });
    // Retried when the active job finishes (its events requeue us), within startingDeadlineSeconds.
    out.requeueAfterMs = Math.min(out.requeueAfterMs, 10_000);
    return out;
  }
  if (others.length > 0 && spec.concurrencyPolicy === 'Replace')
    out.delete.push(...others.map((j) => j.metadata?.name ?? ''));
  if (!jobs.some((j) => j.metadata?.name === name)) out.create = rayJobFor(cron, tick);
  status.lastScheduleTime = iso(tick);
  return out;
}
