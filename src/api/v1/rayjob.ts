// RayJob (ray.io/v1): a Ray job plus the RayCluster it runs on. Fields follow KubeRay v1.7.0
// (ray-operator/apis/ray/v1/rayjob_types.go).
import type { Static } from 'typebox';
import {
  arr,
  bool,
  int32,
  int64,
  num,
  obj,
  openStringUnion,
  opt,
  str,
  stringEnum,
  stringMap,
  time,
} from '../schema.ts';
import { podTemplate } from './core.ts';
import { objectMeta, typeMetaFields } from './meta.ts';
import { managedByField, RayClusterSpec, RayClusterStatus } from './raycluster.ts';

export const JOB_SUBMISSION_MODES = ['K8sJobMode', 'HTTPMode', 'InteractiveMode', 'SidecarMode'] as const;
export const DELETION_POLICY_TYPES = ['DeleteCluster', 'DeleteWorkers', 'DeleteSelf', 'DeleteNone'] as const;
/** Ray's job statuses; '' is "not yet known". */
export const JOB_STATUSES = ['', 'PENDING', 'RUNNING', 'STOPPED', 'SUCCEEDED', 'FAILED'] as const;
export const JOB_DEPLOYMENT_STATUSES = [
  '',
  'Initializing',
  'Running',
  'Complete',
  'Failed',
  'ValidationFailed',
  'Suspending',
  'Suspended',
  'Retrying',
  'Waiting',
] as const;
export const JOB_FAILED_REASONS = [
  'SubmissionFailed',
  'DeadlineExceeded',
  'PreRunningDeadlineExceeded',
  'AppFailed',
  'JobDeploymentStatusTransitionGracePeriodExceeded',
  'JobStatusCheckTimeoutExceeded',
  'ValidationFailed',
] as const;

const legacyPolicy = (d: string) =>
  obj(
    {
      policy: opt(
        stringEnum(
          DELETION_POLICY_TYPES,
          'Policy is what to delete: DeleteCluster (the RayCluster), DeleteWorkers (only the worker pods), ' +
            'DeleteSelf (the RayJob and everything it owns) or DeleteNone.',
        ),
      ),
    },
    d,
  );

export const DeletionRule = obj(
  {
    policy: stringEnum(
      DELETION_POLICY_TYPES,
      'Policy is the action to take when the condition is met: DeleteCluster, DeleteWorkers, DeleteSelf or ' +
        'DeleteNone.',
    ),
    condition: obj(
      {
        jobStatus: opt(
          stringEnum(
            ['SUCCEEDED', 'FAILED'],
            'JobStatus is the terminal Ray job status that triggers the rule (SUCCEEDED or FAILED).',
          ),
        ),
        jobDeploymentStatus: opt(
          stringEnum(
            ['Failed'],
            'JobDeploymentStatus is the terminal deployment status that triggers the rule (only Failed); useful ' +
              'to clean up when the job could not even be submitted.',
          ),
        ),
        ttlSeconds: opt(
          int32('TTLSeconds is the delay, from reaching the status, before the action runs. Must be >= 0.', {
            default: 0,
            minimum: 0,
          }),
        ),
      },
      'Condition is when the rule triggers: exactly one of jobStatus or jobDeploymentStatus.',
      {
        'x-kubernetes-validations': [
          {
            message:
              'JobStatus and JobDeploymentStatus cannot be used together within the same deletion condition.',
            rule: '!(has(self.jobStatus) && has(self.jobDeploymentStatus))',
          },
          {
            message: 'the deletion condition requires either the JobStatus or the JobDeploymentStatus field.',
            rule: 'has(self.jobStatus) || has(self.jobDeploymentStatus)',
          },
        ],
      },
    ),
  },
  'DeletionRule is one deletion action and the condition that triggers it.',
);

export const DeletionStrategy = obj(
  {
    onSuccess: opt(
      legacyPolicy(
        'OnSuccess is the deletion policy for a successful RayJob. Deprecated: use deletionRules.',
      ),
    ),
    onFailure: opt(
      legacyPolicy('OnFailure is the deletion policy for a failed RayJob. Deprecated: use deletionRules.'),
    ),
    deletionRules: opt(
      arr(
        DeletionRule,
        'DeletionRules is a list of deletion rules. If several are overdue (e.g. after operator downtime), ' +
          'the most impactful one (e.g. DeleteSelf) runs first.',
        { minItems: 1, 'x-kubernetes-list-type': 'atomic' },
      ),
    ),
  },
  'DeletionStrategy automates clean-up after the RayJob finishes. Either legacy (both onSuccess and ' +
    'onFailure) or deletionRules; rules are incompatible with shutdownAfterJobFinishes and a global ' +
    'ttlSecondsAfterFinished. Needs the RayJobDeletionPolicy feature gate.',
  {
    'x-kubernetes-validations': [
      {
        message:
          'legacy policies (onSuccess/onFailure) and deletionRules cannot be used together within the same deletionStrategy',
        rule: '!((has(self.onSuccess) || has(self.onFailure)) && has(self.deletionRules))',
      },
      {
        message:
          'deletionStrategy requires either BOTH onSuccess and onFailure, OR the deletionRules field (cannot be empty)',
        rule: '((has(self.onSuccess) && has(self.onFailure)) || has(self.deletionRules))',
      },
    ],
  },
);

export const RayJobSpec = obj(
  {
    activeDeadlineSeconds: opt(
      int32(
        'ActiveDeadlineSeconds is how long the RayJob may be active before the operator fails it ' +
          '(reason DeadlineExceeded, not retried). Must be a positive integer.',
      ),
    ),
    backoffLimit: opt(
      int32(
        'BackoffLimit is the number of retries before the job is marked failed. Each retry creates a new ' +
          'RayCluster. Defaults to 0.',
        { default: 0 },
      ),
    ),
    rayClusterSpec: opt(RayClusterSpec),
    submitterPodTemplate: opt(
      podTemplate(
        'SubmitterPodTemplate is the template of the pod that runs `ray job submit` (K8sJobMode only). ' +
          'Defaults to the head image with 500m/200Mi requests and 1/1Gi limits.',
      ),
    ),
    metadata: opt(stringMap('Metadata is data stored along with the job (ray job submit --metadata-json).')),
    clusterSelector: opt(
      stringMap(
        'ClusterSelector selects an existing RayCluster to run the job on, as {"ray.io/cluster": "<name>"}, ' +
          'instead of creating one from rayClusterSpec.',
      ),
    ),
    submitterConfig: opt(
      obj(
        {
          backoffLimit: opt(
            int32(
              'BackoffLimit of the submitter: the Kubernetes Job backoffLimit in K8sJobMode (default 2), or the ' +
                'maximum container restart count in SidecarMode.',
            ),
          ),
        },
        'SubmitterConfig configures the submitter Kubernetes Job.',
      ),
    ),
    managedBy: opt(managedByField('RayJob')),
    deletionStrategy: opt(DeletionStrategy),
    entrypoint: opt(
      str('Entrypoint is the command that starts the job, e.g. "python /home/ray/samples/job.py".'),
    ),
    runtimeEnvYAML: opt(
      str(
        'RuntimeEnvYAML is the Ray runtime environment (pip, working_dir, env_vars, ...) as a YAML string.',
      ),
    ),
    jobId: opt(
      str(
        'JobId is the Ray job submission id. If not set, one is generated (<rayjob>-<random>). In ' +
          'InteractiveMode, set it to the id of the job you submitted.',
      ),
    ),
    submissionMode: opt(
      stringEnum(
        JOB_SUBMISSION_MODES,
        'SubmissionMode specifies how the job is submitted: K8sJobMode (default; a submitter Kubernetes Job), ' +
          'HTTPMode (the operator calls the Ray job API), InteractiveMode (the operator waits for you to submit ' +
          'and set jobId), SidecarMode (a submitter container in the head pod).',
        { default: 'K8sJobMode' },
      ),
    ),
    entrypointResources: opt(
      str(
        'EntrypointResources are custom resources to reserve for the entrypoint, as a JSON string: {"r": 1}.',
      ),
    ),
    entrypointNumCpus: opt(
      num('EntrypointNumCpus is the number of CPUs to reserve for the entrypoint command.'),
    ),
    entrypointNumGpus: opt(
      num('EntrypointNumGpus is the number of GPUs to reserve for the entrypoint command.'),
    ),
    ttlSecondsAfterFinished: opt(
      int32(
        'TTLSecondsAfterFinished is how long the RayCluster is kept after the job finishes. Only works with ' +
          'shutdownAfterJobFinishes true. Must be >= 0.',
        { default: 0 },
      ),
    ),
    preRunningDeadlineSeconds: opt(
      int32(
        'PreRunningDeadlineSeconds is the deadline for the RayJob to reach Running from its start; jobs stuck ' +
          'in Initializing or Waiting longer are failed (PreRunningDeadlineExceeded). Must be >= 1.',
        { minimum: 1 },
      ),
    ),
    shutdownAfterJobFinishes: opt(
      bool(
        'ShutdownAfterJobFinishes deletes the RayCluster once the job succeeded or failed (after the TTL).',
      ),
    ),
    suspend: opt(
      bool(
        'Suspend, when true, keeps the RayCluster from being created (or deletes it); setting it back to false ' +
          'creates a new one. Requires shutdownAfterJobFinishes. Used by Kueue.',
      ),
    ),
  },
  'RayJobSpec defines the desired state of a RayJob.',
);
export type RayJobSpec = Static<typeof RayJobSpec>;

export const RayJobStatus = obj(
  {
    rayJobInfo: opt(
      obj(
        {
          startTime: opt(time('StartTime of the job as reported by Ray.')),
          endTime: opt(time('EndTime of the job as reported by Ray.')),
        },
        'RayJobInfo is information about the Ray job retrieved from the Ray dashboard.',
      ),
    ),
    jobId: opt(str('JobId is the submission id of the Ray job.')),
    rayClusterName: opt(str('RayClusterName is the name of the RayCluster running the job.')),
    dashboardURL: opt(str('DashboardURL is the address of the Ray dashboard of the cluster (host:port).')),
    jobStatus: opt(
      openStringUnion(
        JOB_STATUSES,
        'JobStatus is the Ray job status: PENDING, RUNNING, STOPPED, SUCCEEDED, FAILED.',
      ),
    ),
    jobDeploymentStatus: opt(
      openStringUnion(
        JOB_DEPLOYMENT_STATUSES,
        'JobDeploymentStatus is the status of the RayJob as a whole (cluster and submission): Initializing, ' +
          'Running, Complete, Failed, ValidationFailed, Suspending, Suspended, Retrying, Waiting.',
      ),
    ),
    reason: opt(
      openStringUnion(
        JOB_FAILED_REASONS,
        'Reason is why the RayJob failed, e.g. DeadlineExceeded, AppFailed, SubmissionFailed.',
      ),
    ),
    message: opt(str('Message is a human-readable explanation of the current status.')),
    startTime: opt(time('StartTime is when the RayJob moved from New to Initializing.')),
    endTime: opt(time('EndTime is when the RayJob reached Complete or Failed.')),
    succeeded: opt(int32('Succeeded is the number of times this job succeeded.', { default: 0 })),
    failed: opt(int32('Failed is the number of times this job failed.', { default: 0 })),
    rayClusterStatus: opt(RayClusterStatus),
    jobStatusCheckFailureStartTime: opt(
      time('JobStatusCheckFailureStartTime is when job status checks via the dashboard started failing.'),
    ),
    observedGeneration: opt(int64('ObservedGeneration is the most recent metadata.generation observed.')),
  },
  'RayJobStatus is the observed state of the RayJob, written by the operator.',
);
export type RayJobStatus = Static<typeof RayJobStatus>;

export const RayJob = obj(
  {
    ...typeMetaFields(),
    metadata: opt(objectMeta()),
    spec: RayJobSpec,
    status: opt(RayJobStatus),
  },
  'RayJob runs a Ray job on a RayCluster it creates (or on an existing one) and tracks it to completion.',
);
export type RayJob = Static<typeof RayJob>;
