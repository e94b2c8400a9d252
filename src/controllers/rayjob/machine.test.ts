import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RayCluster, RayJob, RayJobStatus } from '../../api/v1/index.ts';
import { RayHttpConnectionError, RayHttpStatusError } from '../../ray/http.ts';
import type { JobDetails, JobStatus } from '../../ray/jobs.ts';
import { rayCluster } from '../../testing/builders.ts';
import {
  inMode,
  onCluster,
  rayJob,
  withFinalizer,
  withJobSpec,
  withJobStatus,
} from '../../testing/rayjobs.ts';
import type { Settled } from '../shared/backgroundCalls.ts';
import { FINALIZER, step } from './machine.ts';
import type { MachineOptions, Observed } from './types.ts';

const T0 = Date.parse('2026-12-05T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const iso = (s: number) =>
  at(s)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z');

const opts: MachineOptions = {
  transitionGracePeriodSeconds: 300,
  statusCheckTimeoutSeconds: 300,
  submitterFinishedTimeoutSeconds: 30,
  deleteRayJobAfterFinish: false,
  deletionPolicyGate: true,
  newClusterName: (j) => `${j.metadata?.name ?? ''}-abcde`,
  newJobId: (j) => `${j.metadata?.name ?? ''}-xyz12`,
};

const cluster = (
  state?: 'ready' | 'suspended' | 'failed' | '',
  mod: (rc: RayCluster) => RayCluster = (x) => x,
): RayCluster => mod({ ...rayCluster('j-abcde'), status: state ? { state } : {} });

function obs(over: Partial<Observed> = {}): Observed {
  return { now: at(10), invalid: '', ...over };
}

function info(status: JobStatus, over: Partial<JobDetails> = {}): Settled<JobDetails | undefined> {
  return {
    ok: true,
    at: T0 + 9000,
    startedAt: T0 + 9000,
    value: {
      type: 'SUBMISSION',
      job_id: 'raysubmit_1',
      submission_id: 'j-xyz12',
      status,
      entrypoint: 'python x.py',
      message: `Job ${status.toLowerCase()}`,
      error_type: null,
      start_time: T0 + 5000,
      end_time: status === 'SUCCEEDED' || status === 'FAILED' ? T0 + 8000 : null,
      metadata: null,
      runtime_env: null,
      driver_info: null,
      driver_agent_http_address: null,
      driver_node_id: null,
      driver_exit_code: null,
      ...over,
    },
  };
}
const notFound = (when = 9): Settled<JobDetails | undefined> => ({
  ok: true,
  value: undefined,
  at: T0 + when * 1000,
  startedAt: T0 + when * 1000,
});

const started = (...more: RayJobStatus[]): ((j: RayJob) => RayJob) => {
  const base: RayJobStatus = {
    jobId: 'j-xyz12',
    rayClusterName: 'j-abcde',
    jobStatus: '',
    jobDeploymentStatus: 'Initializing',
    startTime: iso(0),
  };
  return withJobStatus(Object.assign(base, ...more) as RayJobStatus);
};
const runningJob = (...mods: ((j: RayJob) => RayJob)[]) =>
  rayJob(
    'j',
    withFinalizer(),
    started({
      jobDeploymentStatus: 'Running',
      dashboardURL: 'j-abcde-head-svc.default.svc.cluster.local:8265',
    }),
    ...mods,
  );
const types = (s: { actions: { type: string }[] }) => s.actions.map((a) => a.type);

describe('RayJob state machine', () => {
  it('New: finalizer, job id and cluster name fixed before anything is created; Initializing from now', () => {
    const s = step(rayJob('j'), obs(), opts);
    assert.deepEqual(types(s), ['addFinalizer']);
    assert.equal(s.status.jobDeploymentStatus, 'Initializing');
    assert.equal(s.status.jobId, 'j-xyz12');
    assert.equal(s.status.rayClusterName, 'j-abcde');
    assert.equal(s.status.startTime, iso(10));
    const own = step(rayJob('j', withJobSpec({ jobId: 'mine' }), onCluster('shared')), obs(), opts);
    assert.equal(own.status.jobId, 'mine');
    assert.equal(own.status.rayClusterName, 'shared');
    assert.equal(step(rayJob('j', inMode('InteractiveMode')), obs(), opts).status.jobId, undefined);
  });

  it('Initializing: creates the cluster, mirrors its status until ready, then K8sJobMode creates the submitter and runs', () => {
    const j = rayJob('j', withFinalizer(), started());
    const missing = step(j, obs(), opts);
    assert.deepEqual(types(missing), ['createCluster']);
    assert.deepEqual(missing.status, j.status);
    const pending = step(j, obs({ cluster: { ...cluster(), status: { desiredWorkerReplicas: 2 } } }), opts);
    assert.equal(pending.status.jobDeploymentStatus, 'Initializing');
    assert.deepEqual(pending.status.rayClusterStatus, { desiredWorkerReplicas: 2 });
    const url = 'j-abcde-head-svc.default.svc.cluster.local:8265';
    const ready = step(j, obs({ cluster: cluster('ready'), dashboardURL: url }), opts);
    assert.equal(ready.status.jobDeploymentStatus, 'Running');
    assert.equal(ready.status.dashboardURL, url);
    assert.deepEqual(types(ready), ['createSubmitter']);
    const http = step(
      rayJob('j', inMode('HTTPMode'), started()),
      obs({ cluster: cluster('ready'), dashboardURL: url }),
      opts,
    );
    assert.deepEqual(types(http), []);
    assert.equal(http.status.jobDeploymentStatus, 'Running');
    const interactive = step(
      rayJob('j', inMode('InteractiveMode'), started()),
      obs({ cluster: cluster('ready'), dashboardURL: url }),
      opts,
    );
    assert.equal(interactive.status.jobDeploymentStatus, 'Waiting');
  });

  it('clusterSelector: a missing cluster is an Event, never a create', () => {
    const s = step(rayJob('j', onCluster('shared'), started({ rayClusterName: 'shared' })), obs(), opts);
    assert.deepEqual(types(s), ['event']);
    assert.match(
      JSON.stringify(s.actions[0]),
      /RayClusterNotFound.*default\/shared set in the clusterSelector is not found/,
    );
  });

  it('InteractiveMode: Waiting until spec.jobId is set, then Running on that id', () => {
    const w = rayJob('j', inMode('InteractiveMode'), started({ jobId: '', jobDeploymentStatus: 'Waiting' }));
    assert.equal(step(w, obs(), opts).status.jobDeploymentStatus, 'Waiting');
    const set = step({ ...w, spec: { ...w.spec, jobId: 'user-id' } }, obs(), opts);
    assert.equal(set.status.jobDeploymentStatus, 'Running');
    assert.equal(set.status.jobId, 'user-id');
  });

  it('HTTPMode: a 404 submits once; a 404 read before the submission settled never submits again', () => {
    const j = runningJob(inMode('HTTPMode'));
    const first = step(j, obs({ cluster: cluster('ready'), jobInfo: notFound(9) }), opts);
    assert.deepEqual(types(first), ['ensureHeadService', 'pollJob', 'submit']);
    const submitted: Settled<string> = { ok: true, value: 'j-xyz12', at: T0 + 9500, startedAt: T0 + 9200 };
    const stale = step(
      j,
      obs({ cluster: cluster('ready'), jobInfo: notFound(9), submission: submitted }),
      opts,
    );
    assert.ok(!types(stale).includes('submit'));
    const running = step(
      j,
      obs({ cluster: cluster('ready'), jobInfo: info('RUNNING'), submission: submitted }),
      opts,
    );
    assert.equal(running.status.jobStatus, 'RUNNING');
    assert.equal(running.status.jobDeploymentStatus, 'Running');
    assert.equal(running.status.rayJobInfo?.startTime, iso(5));
  });

  it('Running → Complete when Ray says SUCCEEDED and the submitter has finished; counters and endTime', () => {
    const j = runningJob();
    const url = { cluster: cluster('ready'), jobInfo: info('SUCCEEDED') };
    const waiting = step(j, obs({ ...url, submitter: { exists: true } }), opts);
    assert.equal(waiting.status.jobDeploymentStatus, 'Running', 'the submitter is still streaming logs');
    const done = step(j, obs({ ...url, submitter: { exists: true, finishedAt: at(9) } }), opts);
    assert.equal(done.status.jobDeploymentStatus, 'Complete');
    assert.equal(done.status.jobStatus, 'SUCCEEDED');
    assert.equal(done.status.succeeded, 1);
    assert.equal(done.status.failed, 0);
    assert.equal(done.status.endTime, iso(10));
    assert.equal(done.status.rayJobInfo?.endTime, iso(8));
  });

  it('a failed Ray job retries backoffLimit times (Retrying → new cluster and id), then stays Failed', () => {
    const j = runningJob(withJobSpec({ backoffLimit: 1 }));
    const o = obs({
      cluster: cluster('ready'),
      jobInfo: info('FAILED'),
      submitter: { exists: true, finishedAt: at(9) },
    });
    const first = step(j, o, opts);
    assert.equal(first.status.jobDeploymentStatus, 'Retrying');
    assert.equal(first.status.failed, 1);
    const retrying = rayJob(
      'j',
      withFinalizer(),
      withJobStatus(first.status),
      withJobSpec({ backoffLimit: 1 }),
    );
    const releasing = step(retrying, obs({ cluster: cluster('ready'), submitter: { exists: true } }), opts);
    assert.deepEqual(types(releasing), ['deleteCluster', 'deleteSubmitter']);
    assert.equal(releasing.status.jobDeploymentStatus, 'Retrying');
    const released = step(retrying, obs(), opts);
    assert.equal(released.status.jobDeploymentStatus, '');
    assert.equal(released.status.jobId, '');
    assert.equal(released.status.rayClusterName, '');
    const again = step(rayJob('j', withFinalizer(), withJobStatus(released.status)), obs(), opts);
    assert.equal(again.status.jobDeploymentStatus, 'Initializing');
    assert.equal(again.status.rayClusterName, 'j-abcde');
    const second = step(runningJob(withJobSpec({ backoffLimit: 1 }), withJobStatus({ failed: 1 })), o, opts);
    assert.equal(second.status.jobDeploymentStatus, 'Failed');
    assert.equal(second.status.reason, 'AppFailed');
    assert.equal(second.status.failed, 2);
  });

  it('K8sJobMode: a failed submitter Job fails the RayJob (SubmissionFailed unless Ray already said FAILED)', () => {
    const s = step(
      runningJob(),
      obs({
        cluster: cluster('ready'),
        submitter: {
          exists: true,
          failed: { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
        },
      }),
      opts,
    );
    assert.equal(s.status.jobDeploymentStatus, 'Failed');
    assert.equal(s.status.reason, 'SubmissionFailed');
    assert.equal(
      s.status.message,
      'Job submission has failed. Reason: BackoffLimitExceeded. Message: Job has reached the specified backoff limit',
    );
    const missing = step(
      runningJob(),
      obs({ cluster: cluster('ready'), submitter: { exists: false } }),
      opts,
    );
    assert.deepEqual(types(missing), ['ensureHeadService', 'createSubmitter']);
  });

  it('SidecarMode: a lost head pod or a non-zero submitter exit fails the RayJob', () => {
    const j = runningJob(inMode('SidecarMode'));
    const gone = step(j, obs({ cluster: cluster('ready'), submitter: { exists: false } }), opts);
    assert.equal(gone.status.reason, 'AppFailed');
    assert.equal(gone.status.message, 'Ray head pod not found.');
    const exit = step(
      j,
      obs({
        cluster: cluster('ready'),
        submitter: { exists: true, failed: { reason: 'Error', message: '', exitCode: 1 }, finishedAt: at(9) },
      }),
      opts,
    );
    assert.equal(exit.status.reason, 'SubmissionFailed');
    assert.equal(
      exit.status.message,
      'Ray head pod container ray-job-submitter terminated with exit code 1: Error',
    );
  });

  it('deadlines: activeDeadlineSeconds fails Running (never retried); preRunningDeadlineSeconds fails Initializing', () => {
    const late = step(
      runningJob(withJobSpec({ activeDeadlineSeconds: 5, backoffLimit: 3 })),
      obs({ cluster: cluster('ready') }),
      opts,
    );
    assert.equal(late.status.jobDeploymentStatus, 'Failed');
    assert.equal(late.status.reason, 'DeadlineExceeded');
    const pre = step(rayJob('j', withJobSpec({ preRunningDeadlineSeconds: 5 }), started()), obs(), opts);
    assert.equal(pre.status.reason, 'PreRunningDeadlineExceeded');
    const early = step(
      rayJob('j', withJobSpec({ activeDeadlineSeconds: 60 }), started()),
      obs({ cluster: cluster('') }),
      opts,
    );
    assert.ok(early.requeueAfterMs !== undefined && early.requeueAfterMs <= 3000);
  });

  it('a dead dashboard: the first failure is recorded, after the timeout the job fails; a success clears it', () => {
    const err: Settled<JobDetails | undefined> = {
      ok: false,
      error: new RayHttpConnectionError('http://x', 'connect ECONNREFUSED', 'ECONNREFUSED'),
      at: T0 + 9000,
      startedAt: T0 + 9000,
    };
    const first = step(
      runningJob(),
      obs({ cluster: cluster('ready'), submitter: { exists: true }, jobInfo: err }),
      opts,
    );
    assert.equal(first.status.jobStatusCheckFailureStartTime, iso(10));
    assert.equal(first.status.jobDeploymentStatus, 'Running');
    const later = step(
      runningJob(withJobStatus({ jobStatusCheckFailureStartTime: iso(10) })),
      obs({ now: at(400), cluster: cluster('ready'), submitter: { exists: true }, jobInfo: err }),
      opts,
    );
    assert.equal(later.status.reason, 'JobStatusCheckTimeoutExceeded');
    const ok = step(
      runningJob(withJobStatus({ jobStatusCheckFailureStartTime: iso(10) })),
      obs({ cluster: cluster('ready'), submitter: { exists: true }, jobInfo: info('RUNNING') }),
      opts,
    );
    assert.equal(ok.status.jobStatusCheckFailureStartTime, undefined);
  });

  it('HTTPMode: a refused submission counts as a failed check; "already exists" does not', () => {
    const j = runningJob(inMode('HTTPMode'));
    const refused: Settled<string> = {
      ok: false,
      error: new RayHttpStatusError('http://x', 'POST', 500, 'boom'),
      at: T0 + 9500,
      startedAt: T0 + 9200,
    };
    const s = step(j, obs({ cluster: cluster('ready'), jobInfo: notFound(9), submission: refused }), opts);
    assert.equal(s.status.jobStatusCheckFailureStartTime, iso(10));
    const dup: Settled<string> = {
      ...refused,
      error: new RayHttpStatusError('http://x', 'POST', 500, 'Job with submission_id j already exists'),
    };
    const d = step(j, obs({ cluster: cluster('ready'), jobInfo: notFound(9), submission: dup }), opts);
    assert.equal(d.status.jobStatusCheckFailureStartTime, undefined);
  });

  it('suspend: Running → Suspending → (cluster and submitter gone) Suspended → resume → New', () => {
    const s1 = step(runningJob(withJobSpec({ suspend: true, shutdownAfterJobFinishes: true })), obs(), opts);
    assert.equal(s1.status.jobDeploymentStatus, 'Suspending');
    const suspending = runningJob(
      withJobSpec({ suspend: true }),
      withJobStatus({ jobDeploymentStatus: 'Suspending' }),
    );
    assert.deepEqual(
      types(step(suspending, obs({ cluster: cluster('ready'), submitter: { exists: true } }), opts)),
      ['deleteCluster', 'deleteSubmitter'],
    );
    const deleting = cluster('ready', (rc) => ({
      ...rc,
      metadata: { ...rc.metadata, deletionTimestamp: iso(9) },
    }));
    assert.deepEqual(
      types(step(suspending, obs({ cluster: deleting }), opts)),
      [],
      'wait while it is being deleted',
    );
    const done = step(suspending, obs(), opts);
    assert.equal(done.status.jobDeploymentStatus, 'Suspended');
    assert.equal(done.status.rayClusterName, '');
    const resumed = step(rayJob('j', withJobStatus(done.status)), obs(), opts);
    assert.equal(resumed.status.jobDeploymentStatus, '');
    const still = step(rayJob('j', withJobSpec({ suspend: true }), withJobStatus(done.status)), obs(), opts);
    assert.equal(still.requeueAfterMs, undefined, 'a suspended RayJob waits for a spec change');
  });

  it('the grace period: Ray terminal but the RayJob still Running after 300 s → follows Ray with its reason', () => {
    const s = step(
      runningJob(withJobStatus({ jobStatus: 'SUCCEEDED', rayJobInfo: { endTime: iso(0) } })),
      obs({ now: at(301) }),
      opts,
    );
    assert.equal(s.status.jobDeploymentStatus, 'Complete');
    assert.equal(s.status.reason, 'JobDeploymentStatusTransitionGracePeriodExceeded');
  });

  it('validation: an invalid RayJob ends ValidationFailed with the message and one Warning Event', () => {
    const s = step(rayJob('j'), obs({ invalid: 'spec.entrypointResources: not valid JSON (fix it)' }), opts);
    assert.equal(s.status.jobDeploymentStatus, 'ValidationFailed');
    assert.equal(s.status.message, 'spec.entrypointResources: not valid JSON (fix it)');
    assert.deepEqual(types(s), ['event']);
    const again = step(rayJob('j', withJobStatus(s.status)), obs({ invalid: s.status.message }), opts);
    assert.deepEqual(types(again), [], 'no Event storm');
    assert.ok(FINALIZER);
  });

  describe('after the job: deletion', () => {
    const finished = (...mods: ((j: RayJob) => RayJob)[]) =>
      runningJob(
        withJobStatus({ jobDeploymentStatus: 'Complete', jobStatus: 'SUCCEEDED', endTime: iso(0) }),
        ...mods,
      );

    it('shutdownAfterJobFinishes: the cluster goes after ttlSecondsAfterFinished; the submitter Job stays', () => {
      const j = finished(withJobSpec({ shutdownAfterJobFinishes: true, ttlSecondsAfterFinished: 30 }));
      const early = step(j, obs({ now: at(10), cluster: cluster('ready') }), opts);
      assert.deepEqual(types(early), []);
      assert.equal(early.requeueAfterMs, 22_000);
      assert.deepEqual(types(step(j, obs({ now: at(30), cluster: cluster('ready') }), opts)), [
        'deleteCluster',
      ]);
      assert.deepEqual(types(step(j, obs({ now: at(40) }), opts)), [], 'done once the cluster is gone');
      assert.deepEqual(
        types(
          step(j, obs({ now: at(30), cluster: cluster('ready') }), {
            ...opts,
            deleteRayJobAfterFinish: true,
          }),
        ),
        ['deleteSelf'],
      );
    });

    it('deletionRules: the most destructive overdue rule first; the next one is scheduled; done ones are skipped', () => {
      const j = finished(
        withJobSpec({
          deletionStrategy: {
            deletionRules: [
              { policy: 'DeleteWorkers', condition: { jobStatus: 'SUCCEEDED', ttlSeconds: 0 } },
              { policy: 'DeleteCluster', condition: { jobStatus: 'SUCCEEDED', ttlSeconds: 20 } },
              { policy: 'DeleteSelf', condition: { jobStatus: 'SUCCEEDED', ttlSeconds: 60 } },
              { policy: 'DeleteSelf', condition: { jobStatus: 'FAILED', ttlSeconds: 0 } },
            ],
          },
        }),
      );
      const c = cluster('ready', (rc) => ({
        ...rc,
        spec: {
          ...rc.spec,
          workerGroupSpecs: [{ ...rc.spec.workerGroupSpecs?.[0], groupName: 'w', suspend: false } as never],
        },
      }));
      const t5 = step(j, obs({ now: at(5), cluster: c }), opts);
      assert.deepEqual(types(t5), ['suspendWorkers']);
      assert.equal(t5.requeueAfterMs, 17_000);
      const t25 = step(j, obs({ now: at(25), cluster: c }), opts);
      assert.deepEqual(types(t25), ['deleteCluster'], 'DeleteCluster outranks the overdue DeleteWorkers');
      assert.deepEqual(types(step(j, obs({ now: at(61) }), opts)), ['deleteSelf']);
    });

    it('a job on a selected cluster never deletes it', () => {
      const j = finished(onCluster('shared'), withJobSpec({ shutdownAfterJobFinishes: true }));
      assert.deepEqual(types(step(j, obs({ now: at(100), cluster: cluster('ready') }), opts)), []);
    });
  });
});
