// What the RayJob state machine sees (read from the informer caches and the background dashboard
// calls by the reconciler) and what it asks the reconciler to do. The machine itself (machine.ts)
// is a pure function of these, so every transition is a unit test.
import type { RayCluster, RayJob, RayJobStatus } from '../../api/v1/index.ts';
import type { JobDetails } from '../../ray/jobs.ts';
import type { Settled } from '../shared/backgroundCalls.ts';

/** The submitter's state: the K8sJobMode batch/v1 Job, or the SidecarMode container of the head pod. */
export interface SubmitterView {
  /** The Job (K8sJobMode) or the head pod (SidecarMode) exists. */
  exists: boolean;
  /** It is being deleted. */
  deleting?: boolean;
  /** K8sJobMode: the Job's Failed condition; SidecarMode: the container exited non-zero. */
  failed?: { reason: string; message: string; exitCode?: number };
  /** When it finished (Job Complete/Failed condition; container terminated). */
  finishedAt?: Date;
}

export interface Observed {
  now: Date;
  /** Validation errors of the RayJob (field path: what: fix), joined; empty when valid. */
  invalid: string;
  /** The cluster named in status.rayClusterName, from the cache. */
  cluster?: RayCluster;
  /** K8sJobMode / SidecarMode only. */
  submitter?: SubmitterView;
  /** The latest GET /api/jobs/<id>: value undefined = Ray has no such job (404). */
  jobInfo?: Settled<JobDetails | undefined>;
  /** HTTPMode: the latest POST /api/jobs/ for this id. */
  submission?: Settled<string>;
  /** The dashboard's host:port for status.dashboardURL (head Service FQDN + port), once the cluster is known. */
  dashboardURL?: string;
}

export interface MachineOptions {
  /** RAYJOB_DEPLOYMENT_STATUS_TRANSITION_GRACE_PERIOD_SECONDS (300). */
  transitionGracePeriodSeconds: number;
  /** RAYJOB_STATUS_CHECK_TIMEOUT_SECONDS (300). */
  statusCheckTimeoutSeconds: number;
  /** How long a finished submitter may wait for Ray to report a terminal job (KubeRay: 30 s). */
  submitterFinishedTimeoutSeconds: number;
  /** DELETE_RAYJOB_CR_AFTER_JOB_FINISHES: shutdownAfterJobFinishes deletes the RayJob, not just its cluster. */
  deleteRayJobAfterFinish: boolean;
  /** The RayJobDeletionPolicy gate (beta, on). */
  deletionPolicyGate: boolean;
  newClusterName: (job: RayJob) => string;
  newJobId: (job: RayJob) => string;
}

export type Action =
  | { type: 'addFinalizer' }
  | { type: 'createCluster' }
  | { type: 'createSubmitter' }
  | { type: 'ensureHeadService' }
  /** HTTPMode: POST the job (background; its result arrives as Observed.submission). */
  | { type: 'submit' }
  | { type: 'deleteCluster'; why: string }
  | { type: 'deleteSubmitter' }
  | { type: 'suspendWorkers' }
  | { type: 'deleteSelf' }
  /** Keep GET /api/jobs/<id> fresh (background). */
  | { type: 'pollJob' }
  | { type: 'event'; kind: 'Normal' | 'Warning'; reason: string; message: string };

export interface Step {
  status: RayJobStatus;
  actions: Action[];
  /** Reconcile again after this long (ms); undefined = only on events. */
  requeueAfterMs?: number;
}
