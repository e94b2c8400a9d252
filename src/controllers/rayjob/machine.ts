// The RayJob state machine (KubeRay v1.7 rayjob_controller.go), as a pure function: the RayJob and
// what the reconciler observed in → the next status and the actions to take out. jobDeploymentStatus:
//
//   '' (New) → Initializing → [Waiting →] Running → Complete | Failed [→ Retrying → New]
//   Initializing | Running → Suspending → Suspended → New        (spec.suspend, e.g. Kueue)
//   any → ValidationFailed                                         (terminal)
//
// Dashboard calls are never made here: the reconciler runs them in the background and passes in the
// latest result (Observed.jobInfo/submission); the machine asks for fresh ones with `pollJob`/`submit`.
import type { RayJob, RayJobStatus } from '../../api/v1/index.ts';
import type { JobDetails } from '../../ray/jobs.ts';
import { isJobAlreadyExists } from '../../ray/dashboard.ts';
import {
  activeDeadline,
  countAndMaybeRetry,
  isDeploymentTerminal,
  isJobTerminal,
  nextDeadlineMs,
  preRunningDeadline,
  statusCheckTimeout,
  submitterFinishedTimeout,
  transitionGracePeriod,
} from './checks.ts';
import { terminalStep } from './deletion.ts';
import { submissionMode } from './submitter.ts';
import type { Action, MachineOptions, Observed, Step } from './types.ts';

export const FINALIZER = 'ray.io/rayjob-finalizer';
/** KubeRay requeues a RayJob every 3 s; here too while work is pending (results also requeue). */
export const REQUEUE_MS = 3_000;

const iso = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, 'Z');
const hasSelector = (job: RayJob): boolean => Object.keys(job.spec.clusterSelector ?? {}).length > 0;

export function step(job: RayJob, o: Observed, opts: MachineOptions): Step {
  const before = job.status ?? {};
  const s: RayJobStatus = structuredClone(before);
  const actions: Action[] = [];

  if (o.invalid) return validationFailed(job, s, o.invalid);
  if (s.jobDeploymentStatus === 'ValidationFailed') return { status: s, actions };
  if (isDeploymentTerminal(s.jobDeploymentStatus)) return terminalStep(job, s, o, opts);

  let requeueAfterMs: number | undefined = REQUEUE_MS;
  switch (s.jobDeploymentStatus ?? '') {
    case '':
      if (!(job.metadata?.finalizers ?? []).includes(FINALIZER)) actions.push({ type: 'addFinalizer' });
      initialize(job, s, o, opts);
      break;
    case 'Initializing': {
      const r = initializing(job, s, o, actions);
      if (r === 'wait') return { status: before, actions, requeueAfterMs };
      requeueAfterMs = Math.min(REQUEUE_MS, nextDeadlineMs(job, s, o.now, true) ?? REQUEUE_MS);
      break;
    }
    case 'Waiting':
      if (preRunningDeadline(job, s, o.now)) break;
      if (!job.spec.jobId) return { status: before, actions, requeueAfterMs };
      s.jobId = job.spec.jobId;
      s.jobDeploymentStatus = 'Running';
      break;
    case 'Running':
      if (running(job, s, o, opts, actions) === 'wait') return { status: before, actions, requeueAfterMs };
      break;
    case 'Suspending':
    case 'Retrying':
      if (!releaseResources(job, o, actions)) return { status: before, actions, requeueAfterMs };
      resetForNewAttempt(s);
      s.jobDeploymentStatus = s.jobDeploymentStatus === 'Suspending' ? 'Suspended' : '';
      break;
    case 'Suspended':
      if (job.spec.suspend) return { status: s, actions };
      s.jobStatus = '';
      s.jobDeploymentStatus = '';
      break;
    default:
      return { status: s, actions, requeueAfterMs };
  }
  countAndMaybeRetry(job, s);
  if (isDeploymentTerminal(s.jobDeploymentStatus) && !isDeploymentTerminal(before.jobDeploymentStatus)) {
    s.endTime = iso(o.now);
    requeueAfterMs = 1_000; // the clean-up (TTL) counts from this endTime, once the cache has it
  }
  if (job.metadata?.generation !== undefined) s.observedGeneration = job.metadata.generation;
  return { status: s, actions, requeueAfterMs };
}

function validationFailed(job: RayJob, s: RayJobStatus, invalid: string): Step {
  if (s.jobDeploymentStatus === 'ValidationFailed' && s.message === invalid)
    return { status: s, actions: [] };
  s.jobDeploymentStatus = 'ValidationFailed';
  s.reason = 'ValidationFailed';
  s.message = invalid;
  const ns = job.metadata?.namespace ?? '';
  return {
    status: s,
    actions: [
      {
        type: 'event',
        kind: 'Warning',
        reason: 'InvalidRayJobSpec',
        message: `${ns}/${job.metadata?.name ?? ''}: ${invalid}`,
      },
    ],
  };
}

/** New → Initializing: the job id and cluster name are fixed before anything is created or submitted. */
function initialize(job: RayJob, s: RayJobStatus, o: Observed, opts: MachineOptions): void {
  if (submissionMode(job) !== 'InteractiveMode' && !s.jobId) s.jobId = job.spec.jobId || opts.newJobId(job);
  if (!s.rayClusterName) {
    s.rayClusterName = job.spec.clusterSelector?.['ray.io/cluster'] || opts.newClusterName(job);
  }
  s.jobStatus ??= '';
  s.jobDeploymentStatus = 'Initializing';
  s.startTime = iso(o.now);
}

function initializing(job: RayJob, s: RayJobStatus, o: Observed, actions: Action[]): 'wait' | 'next' {
  if (job.spec.suspend) {
    s.jobDeploymentStatus = 'Suspending';
    return 'next';
  }
  if (activeDeadline(job, s, o.now) || preRunningDeadline(job, s, o.now)) return 'next';
  if (!ensureCluster(job, o, actions)) return 'wait';
  const cluster = o.cluster!;
  if (!s.dashboardURL) {
    if (cluster.status?.state !== 'ready') {
      s.rayClusterStatus = cluster.status ?? {};
      return 'next';
    }
    if (!o.dashboardURL) return 'wait';
    s.dashboardURL = o.dashboardURL;
  }
  const mode = submissionMode(job);
  if (mode === 'InteractiveMode') {
    s.jobDeploymentStatus = 'Waiting';
    return 'next';
  }
  // Built from this step's status (dashboardURL and jobId are final by now), as KubeRay does.
  if (mode === 'K8sJobMode' && !o.submitter?.exists) actions.push({ type: 'createSubmitter' });
  s.jobDeploymentStatus = 'Running';
  s.rayClusterStatus = cluster.status ?? {};
  return 'next';
}

/** The cluster exists (or is being created: false). A selector names a cluster nobody creates for us. */
function ensureCluster(job: RayJob, o: Observed, actions: Action[]): boolean {
  if (o.cluster) return true;
  if (hasSelector(job)) {
    const name = job.status?.rayClusterName ?? '';
    actions.push({
      type: 'event',
      kind: 'Warning',
      reason: 'RayClusterNotFound',
      message: `RayCluster ${job.metadata?.namespace ?? ''}/${name} set in the clusterSelector is not found. It must be created manually`,
    });
  } else {
    actions.push({ type: 'createCluster' });
  }
  return false;
}

function running(
  job: RayJob,
  s: RayJobStatus,
  o: Observed,
  opts: MachineOptions,
  actions: Action[],
): 'wait' | 'next' {
  if (job.spec.suspend) {
    s.jobDeploymentStatus = 'Suspending';
    return 'next';
  }
  if (
    activeDeadline(job, s, o.now) ||
    transitionGracePeriod(s, o.now, opts) ||
    statusCheckTimeout(s, o.now, opts)
  )
    return 'next';
  if (!ensureCluster(job, o, actions)) return 'wait';
  if (!hasSelector(job)) actions.push({ type: 'ensureHeadService' });

  const mode = submissionMode(job);
  const withSubmitter = mode === 'K8sJobMode' || mode === 'SidecarMode';
  let finishedAt: Date | undefined;
  if (withSubmitter) {
    const sub = o.submitter;
    if (mode === 'K8sJobMode' && !sub?.exists) {
      // Not yet in the cache, or deleted by hand: (re)create it. Its script checks `ray job status`
      // before submitting, so a second submitter never submits the job twice.
      actions.push({ type: 'createSubmitter' });
      return 'wait';
    }
    if (mode === 'SidecarMode' && !sub?.exists) {
      s.jobDeploymentStatus = 'Failed';
      s.reason = 'AppFailed';
      s.message = 'Ray head pod not found.';
      return 'next';
    }
    const failed = sub?.failed;
    if (failed) {
      s.jobDeploymentStatus = 'Failed';
      if (s.jobStatus === 'FAILED') s.reason = 'AppFailed';
      else {
        s.reason = 'SubmissionFailed';
        s.message =
          mode === 'K8sJobMode'
            ? `Job submission has failed. Reason: ${failed.reason}. Message: ${failed.message}`
            : `Ray head pod container ray-job-submitter terminated with exit code ${failed.exitCode ?? 1}: ${failed.reason}`;
      }
    }
    finishedAt = sub?.finishedAt;
    if (submitterFinishedTimeout(s, finishedAt, o.now, opts)) return 'next';
    if (failed) return 'next';
  }

  actions.push({ type: 'pollJob' });
  const info = o.jobInfo;
  if (!info) return 'next';
  if (!info.ok) {
    recordCheckFailure(s, o.now);
    return 'next';
  }
  if (info.value === undefined) return jobNotFound(job, s, o, finishedAt, info.startedAt, actions);
  delete s.jobStatusCheckFailureStartTime;
  followRayJob(s, info.value, withSubmitter ? finishedAt !== undefined : true, o);
  return 'next';
}

function jobNotFound(
  job: RayJob,
  s: RayJobStatus,
  o: Observed,
  finishedAt: Date | undefined,
  lookedAt: number,
  actions: Action[],
): 'next' {
  if (submissionMode(job) === 'HTTPMode') {
    const sub = o.submission;
    if (sub && !sub.ok && !isJobAlreadyExists(sub.error) && sub.at > lookedAt) recordCheckFailure(s, o.now);
    // A 404 read before our last submission settled says nothing about it: wait for a fresh look.
    else if (!sub || sub.at <= lookedAt) actions.push({ type: 'submit' });
    if (sub?.ok) delete s.jobStatusCheckFailureStartTime;
    return 'next';
  }
  if (finishedAt) {
    s.jobDeploymentStatus = 'Failed';
    s.reason = 'AppFailed';
    s.message = 'Submitter completed but Ray job not found in RayCluster.';
  }
  return 'next';
}

function recordCheckFailure(s: RayJobStatus, now: Date): void {
  s.jobStatusCheckFailureStartTime ??= iso(now);
}

/** Copies Ray's view; a terminal Ray job ends the RayJob once its submitter (if any) has finished. */
function followRayJob(s: RayJobStatus, info: JobDetails, submitterDone: boolean, o: Observed): void {
  const terminal = isJobTerminal(info.status) && submitterDone;
  s.rayClusterStatus = o.cluster?.status ?? {};
  s.jobStatus = info.status;
  s.jobDeploymentStatus = terminal ? (info.status === 'FAILED' ? 'Failed' : 'Complete') : 'Running';
  if (terminal && info.status === 'FAILED') s.reason = 'AppFailed';
  else delete s.reason;
  s.message = info.message ?? '';
  const times = { ...s.rayJobInfo };
  if (info.start_time) times.startTime = iso(new Date(info.start_time));
  if (info.end_time) times.endTime = iso(new Date(info.end_time));
  s.rayJobInfo = times;
}

/** Suspending/Retrying: the cluster (unless it is not ours) and the submitter Job must be gone first. */
function releaseResources(job: RayJob, o: Observed, actions: Action[]): boolean {
  let gone = true;
  if (!hasSelector(job) && o.cluster) {
    gone = false;
    if (!o.cluster.metadata?.deletionTimestamp)
      actions.push({ type: 'deleteCluster', why: `RayJob ${job.status?.jobDeploymentStatus ?? ''}` });
  }
  if (submissionMode(job) === 'K8sJobMode' && o.submitter?.exists) {
    gone = false;
    if (!o.submitter.deleting) actions.push({ type: 'deleteSubmitter' });
  }
  return gone;
}

function resetForNewAttempt(s: RayJobStatus): void {
  s.rayClusterStatus = {};
  s.rayClusterName = '';
  s.dashboardURL = '';
  s.jobId = '';
  s.message = '';
  delete s.reason;
  s.rayJobInfo = {};
  delete s.jobStatusCheckFailureStartTime;
  s.jobStatus = '';
}
