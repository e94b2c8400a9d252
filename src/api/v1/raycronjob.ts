// RayCronJob (ray.io/v1): creates RayJobs on a cron schedule. Fields follow KubeRay v1.7.0
// (ray-operator/apis/ray/v1/raycronjob_types.go).
import type { Static } from 'typebox';
import { bool, obj, opt, str, time } from '../schema.ts';
import { objectMeta, typeMetaFields } from './meta.ts';
import { RayJobSpec } from './rayjob.ts';

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
  },
  'RayCronJobSpec defines the schedule and the RayJob template of a RayCronJob.',
);
export type RayCronJobSpec = Static<typeof RayCronJobSpec>;

export const RayCronJobStatus = obj(
  { lastScheduleTime: opt(time('LastScheduleTime is when a RayJob was last scheduled.')) },
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
