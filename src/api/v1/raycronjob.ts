// RayCronJob (ray.io/v1): creates RayJobs on a cron schedule. Fields follow KubeRay v1.7.0
// (ray-operator/apis/ray/v1/raycronjob_types.go).
import type { Static } from 'typebox';
import { arr, bool, int32, int64, obj, opt, str, stringEnum, time } from '../schema.ts';
import { objectMeta, typeMetaFields } from './meta.ts';
import { RayJobSpec } from './rayjob.ts';

export const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'] as const;

export const RayCronJobSpec = obj(
  {
    jobTemplate: RayJobSpec,
    schedule: str(
      'Schedule is a standard 5-field cron expression ("minute hour day-of-month month day-of-week"), e.g. ' +
        '"0 3 * * *". Use timeZone, not a TZ= prefix.',
    ),
    timeZone: opt(
      str(
        'TimeZone is the IANA time zone of the schedule (e.g. "Europe/Berlin"). Defaults to the operator\'s ' +
          'local time zone. Must not be empty.',
        { minLength: 1 },
      ),
    ),
    suspend: opt(bool('Suspend stops scheduling new RayJobs; RayJobs already created are not affected.')),
    concurrencyPolicy: opt(
      stringEnum(
        CONCURRENCY_POLICIES,
        'ConcurrencyPolicy is what happens when a tick comes while an earlier RayJob of this RayCronJob is still ' +
          "running (as batch/v1 CronJob; a Kuray extension): Allow runs them side by side (KubeRay's behaviour), " +
          'Forbid skips the tick (it runs late once the earlier job finishes, unless startingDeadlineSeconds has ' +
          'passed), Replace deletes the running RayJob and starts the new one. Defaults to Allow.',
      ),
    ),
    startingDeadlineSeconds: opt(
      int64(
        'StartingDeadlineSeconds is how late a missed tick may still start (operator down, Forbid, suspend); ' +
          'older missed ticks are skipped with a MissSchedule Event. Unset: a missed tick always starts late. ' +
          'Only the most recent missed tick ever runs. (A Kuray extension, as batch/v1 CronJob.)',
        { minimum: 0 },
      ),
    ),
    successfulJobsHistoryLimit: opt(
      int32(
        'SuccessfulJobsHistoryLimit is how many succeeded RayJobs are kept; older ones are deleted (with their ' +
          'clusters). Unset keeps them all, as KubeRay does. (A Kuray extension, as batch/v1 CronJob.)',
        { minimum: 0 },
      ),
    ),
    failedJobsHistoryLimit: opt(
      int32(
        'FailedJobsHistoryLimit is how many failed RayJobs are kept; older ones are deleted. Unset keeps them ' +
          'all, as KubeRay does. (A Kuray extension, as batch/v1 CronJob.)',
        { minimum: 0 },
      ),
    ),
  },
  'RayCronJobSpec defines the schedule and the RayJob template of a RayCronJob.',
);
export type RayCronJobSpec = Static<typeof RayCronJobSpec>;

export const RayCronJobStatus = obj(
  {
    lastScheduleTime: opt(time('LastScheduleTime is when a RayJob was last scheduled.')),
    lastSuccessfulTime: opt(time('LastSuccessfulTime is when a RayJob of this RayCronJob last succeeded.')),
    active: opt(
      arr(
        obj(
          {
            apiVersion: opt(str('APIVersion of the RayJob (ray.io/v1).')),
            kind: opt(str('Kind: RayJob.')),
            namespace: opt(str('Namespace of the RayJob.')),
            name: opt(str('Name of the RayJob.')),
            uid: opt(str('UID of the RayJob.')),
          },
          'A reference to a running RayJob.',
        ),
        'Active lists the RayJobs of this RayCronJob that have not finished yet.',
      ),
    ),
  },
  'RayCronJobStatus is the observed state of the RayCronJob.',
);
export type RayCronJobStatus = Static<typeof RayCronJobStatus>;

export const RayCronJob = obj(
  {
    ...typeMetaFields(),
    metadata: opt(objectMeta()),
    spec: RayCronJobSpec,
    status: opt(RayCronJobStatus),
  },
  'RayCronJob creates a RayJob from jobTemplate on every tick of its cron schedule.',
);
export type RayCronJob = Static<typeof RayCronJob>;
