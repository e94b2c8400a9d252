// The time-based rules of the RayJob state machine (KubeRay rayjob_controller.go): deadlines, the
// grace period between a terminal Ray job and the RayJob following it, and how long dashboard checks
// may fail. Each returns true when it moved the status (to Failed/Complete with its reason).
import type { RayJob, RayJobStatus } from '../../api/v1/index.ts';
import type { MachineOptions } from './types.ts';

export const isJobTerminal = (s: string | undefined): boolean =>
  s === 'STOPPED' || s === 'SUCCEEDED' || s === 'FAILED';
export const isDeploymentTerminal = (s: string | undefined): boolean => s === 'Complete' || s === 'Failed';

const ms = (t: string | undefined): number | undefined => (t ? Date.parse(t) : undefined);
/** Go's time.DateTime layout, as KubeRay writes times into messages. */
const goDateTime = (d: Date): string =>
  d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '');

function fail(s: RayJobStatus, reason: NonNullable<RayJobStatus['reason']>, message: string): true {
  s.jobDeploymentStatus = 'Failed';
  s.reason = reason;
  s.message = message;
  return true;
}

/** activeDeadlineSeconds from status.startTime → Failed/DeadlineExceeded (never retried). */
export function activeDeadline(job: RayJob, s: RayJobStatus, now: Date): boolean {
  const d = job.spec.activeDeadlineSeconds;
  const start = ms(s.startTime);
  if (d === undefined || start === undefined || now.getTime() < start + d * 1000) return false;
  return fail(
    s,
    'DeadlineExceeded',
    `The RayJob has passed the activeDeadlineSeconds. StartTime: ${s.startTime}. ActiveDeadlineSeconds: ${d}`,
  );
}

/** preRunningDeadlineSeconds: Running must be reached within it → Failed/PreRunningDeadlineExceeded. */
export function preRunningDeadline(job: RayJob, s: RayJobStatus, now: Date): boolean {
  const d = job.spec.preRunningDeadlineSeconds;
  const start = ms(s.startTime);
  if (d === undefined || start === undefined || now.getTime() < start + d * 1000) return false;
  return fail(
    s,
    'PreRunningDeadlineExceeded',
    `The RayJob has passed the preRunningDeadlineSeconds. StartTime: ${s.startTime}. PreRunningDeadlineSeconds: ${d}`,
  );
}

/** When a deadline comes due, so a reconcile is scheduled for it even if nothing else happens. */
export function nextDeadlineMs(
  job: RayJob,
  s: RayJobStatus,
  now: Date,
  preRunning: boolean,
): number | undefined {
  const start = ms(s.startTime);
  if (start === undefined) return undefined;
  const dues = [job.spec.activeDeadlineSeconds, preRunning ? job.spec.preRunningDeadlineSeconds : undefined]
    .filter((d): d is number => d !== undefined)
    .map((d) => start + d * 1000 - now.getTime());
  return dues.length ? Math.max(0, Math.min(...dues)) + 100 : undefined;
}

/** The Ray job ended but the RayJob stayed Running for the whole grace period → follow it anyway. */
export function transitionGracePeriod(s: RayJobStatus, now: Date, o: MachineOptions): boolean {
  if (!isJobTerminal(s.jobStatus) || s.jobDeploymentStatus !== 'Running') return false;
  const end = ms(s.rayJobInfo?.endTime);
  if (end === undefined || now.getTime() < end + o.transitionGracePeriodSeconds * 1000) return false;
  s.jobDeploymentStatus = s.jobStatus === 'FAILED' ? 'Failed' : 'Complete';
  s.reason = 'JobDeploymentStatusTransitionGracePeriodExceeded';
  s.message =
    'JobDeploymentStatus does not transition to Complete or Failed within the grace period after JobStatus reaches a terminal state.';
  return true;
}

/** Dashboard checks failing for longer than the timeout → Failed/JobStatusCheckTimeoutExceeded. */
export function statusCheckTimeout(s: RayJobStatus, now: Date, o: MachineOptions): boolean {
  const since = ms(s.jobStatusCheckFailureStartTime);
  if (since === undefined || now.getTime() < since + o.statusCheckTimeoutSeconds * 1000) return false;
  return fail(
    s,
    'JobStatusCheckTimeoutExceeded',
    `Job status checks have been failing since ${goDateTime(new Date(since))}; exceeded timeout of ${o.statusCheckTimeoutSeconds}s`,
  );
}

/** The submitter finished but Ray never reported a terminal job within the timeout → Failed. */
export function submitterFinishedTimeout(
  s: RayJobStatus,
  finishedAt: Date | undefined,
  now: Date,
  o: MachineOptions,
): boolean {
  if (!finishedAt || now.getTime() < finishedAt.getTime() + o.submitterFinishedTimeoutSeconds * 1000)
    return false;
  s.jobStatus = 'FAILED';
  return fail(
    s,
    'JobDeploymentStatusTransitionGracePeriodExceeded',
    `The RayJob submitter finished at ${goDateTime(finishedAt)} but the ray job did not reach terminal state within ${o.submitterFinishedTimeoutSeconds}s`,
  );
}

/**
 * KubeRay's checkBackoffLimitAndUpdateStatusIfNeeded: count the outcome, and a failure with retries
 * left (not a deadline or a status-check timeout) becomes Retrying (a new cluster and a new job id).
 */
export function countAndMaybeRetry(job: RayJob, s: RayJobStatus): void {
  let failed = s.failed ?? 0;
  let succeeded = s.succeeded ?? 0;
  if (s.jobDeploymentStatus === 'Failed') failed++;
  if (s.jobStatus === 'SUCCEEDED' && s.jobDeploymentStatus === 'Complete') succeeded++;
  s.failed = failed;
  s.succeeded = succeeded;
  const limit = job.spec.backoffLimit;
  if (s.jobDeploymentStatus !== 'Failed' || limit === undefined || failed >= limit + 1) return;
  if (s.reason === 'DeadlineExceeded' || s.reason === 'JobStatusCheckTimeoutExceeded') return;
  s.jobDeploymentStatus = 'Retrying';
}
