// RayCronJob checks: KubeRay v1.7.0 ValidateRayCronJobSpec.
import type { RayCronJobSpec } from '../v1/index.ts';
import { cronProblem, isTimeZone } from './cron.ts';
import { enableGateHint, gateEnabled } from './features.ts';
import { at, type Report } from './issue.ts';
import type { ClusterContext } from './raycluster.ts';
import { checkRayJobSpec } from './rayjob.ts';

/** 47 (RayJob) minus the `-<unix minutes>` suffix of the RayJobs it creates. */
export const MAX_RAYCRONJOB_NAME = 36;

export function checkRayCronJobSpec(p: string, spec: RayCronJobSpec, ctx: ClusterContext, r: Report): void {
  if (!gateEnabled(ctx.featureGates, 'RayCronJob'))
    r.warn(
      p,
      "the operator's RayCronJob feature gate (alpha, off by default as in KubeRay) is off: this RayCronJob is accepted but never scheduled",
      `${enableGateHint('RayCronJob')}; kuray validate takes the same flag`,
    );
  const sp = at(p, 'schedule');
  if (typeof spec.schedule === 'string') {
    if (spec.schedule.includes('TZ')) {
      r.error(
        sp,
        'TZ or CRON_TZ cannot be used in the schedule',
        'remove it and set spec.timeZone, e.g. "Europe/Berlin"',
      );
    } else {
      const problem = cronProblem(spec.schedule);
      if (problem)
        r.error(
          sp,
          `invalid cron schedule ${JSON.stringify(spec.schedule)}: ${problem}`,
          'use five fields "minute hour day-of-month month day-of-week", e.g. "0 3 * * *"',
        );
    }
  }
  if (typeof spec.timeZone === 'string') {
    if (spec.timeZone === '')
      r.error(
        at(p, 'timeZone'),
        'timeZone must not be empty',
        "omit it to use the operator's local time zone",
      );
    else if (!isTimeZone(spec.timeZone))
      r.error(
        at(p, 'timeZone'),
        `unknown time zone ${JSON.stringify(spec.timeZone)}`,
        'use an IANA name, e.g. "UTC" or "America/New_York"',
      );
  }
  checkRayJobSpec(
    at(p, 'jobTemplate'),
    spec.jobTemplate,
    { ...ctx, clusterName: ctx.clusterName === undefined ? undefined : `${ctx.clusterName}-29000000` },
    r,
  );
}
