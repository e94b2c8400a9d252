// What submits a RayJob's Ray job (pure builders): the `ray job submit` script, the K8sJobMode batch/v1
// Job that runs it, the SidecarMode container injected into the head pod, and the RayCluster itself.
//
// KubeRay's behaviour (common/job.go, rayjob_controller.go) with one deliberate difference: every
// user-written value is ONE quoted shell word. KubeRay pastes the entrypoint, the submission id and the
// JSON of runtimeEnvYAML/metadata into `bash -ce` as raw text; here the submitter's shell cannot be
// made to run anything else; the entrypoint reaches Ray as the command the user wrote (entrypointWords).
import type { RayCluster, RayJob } from '../../api/v1/index.ts';
import {
  ANNOTATION_DISABLE_PROVISIONED_HEAD_RESTART,
  DEFAULT_DASHBOARD_PORT,
  PORT_DASHBOARD,
} from '../../compiler/constants.ts';
import { setTokenAuthEnv } from '../../compiler/auth.ts';
import type { Container, PodTemplateSpec } from '../../compiler/k8sTypes.ts';
import { applyRestrictedSecurityContext } from '../../compiler/securityContext.ts';
import { argWord, splitShellWords } from '../../util/shell.ts';
import { parseYamlStream } from '../../util/yaml.ts';
import { controllerRef, type KubeObject } from '../../runtime/resources.ts';
import { childRayCluster } from '../shared/childCluster.ts';

export const SUBMITTER_CONTAINER = 'ray-job-submitter';
export const LABEL_SUBMISSION_MODE = 'ray.io/job-submission-mode';
export const LABEL_CREATED_BY_K8S = 'app.kubernetes.io/created-by';
/** KubeRay's submitter Job backoffLimit when submitterConfig says nothing. */
export const DEFAULT_SUBMITTER_BACKOFF_LIMIT = 2;

export type SubmissionMode = 'K8sJobMode' | 'HTTPMode' | 'InteractiveMode' | 'SidecarMode';

export function submissionMode(job: RayJob): SubmissionMode {
  return job.spec.submissionMode ?? 'K8sJobMode';
}

/** runtimeEnvYAML as the JSON `--runtime-env-json` / the Jobs API take (validation checked the YAML). */
export function runtimeEnvJSON(job: RayJob): Record<string, unknown> | undefined {
  const y = job.spec.runtimeEnvYAML;
  if (!y?.trim()) return undefined;
  const v = parseYamlStream(y, 'spec.runtimeEnvYAML')[0]?.value;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The head container's dashboard port (named `dashboard`), else 8265. */
export function dashboardPort(spec: RayCluster['spec']): number {
  const c = spec.headGroupSpec.template.spec?.containers[0];
  return c?.ports?.find((p) => p.name === PORT_DASHBOARD)?.containerPort ?? DEFAULT_DASHBOARD_PORT;
}

/**
 * The entrypoint as `ray job submit -- <words>` arguments. Ray's CLI quotes each word and joins them
 * (shlex.join), then runs the result with a shell on the head. A simple command is split into its
 * words, so Ray records exactly the command the user wrote; one that needs a shell (`&&`, pipes,
 * redirections, `$VAR`, globs) becomes `sh -c '<entrypoint>'`, so the whole line runs on the head as
 * in HTTPMode — never partly in the submitter, which is what KubeRay's unquoted paste does.
 */
export function entrypointWords(entrypoint: string): string[] {
  return splitShellWords(entrypoint) ?? ['sh', '-c', entrypoint];
}

/** KubeRay prints entrypoint CPUs/GPUs with Go's %f (six decimals). */
const goFloat = (n: number): string => n.toFixed(6);

const pythonHealth = (url: string): string =>
  `python -c ${argWord(
    `import urllib.request; r=urllib.request.urlopen(${JSON.stringify(url)}, timeout=10); exit(0 if b'success' in r.read() else 1)`,
  )}`;

/**
 * The bash script of the submitter (`bash -ce <script>`). K8sJobMode: wait for GCS through the
 * dashboard, submit with --no-wait unless a job with this id already exists (a retried submitter pod
 * must not submit twice), then follow the logs. SidecarMode: a blocking `ray job submit` against the
 * head's own dashboard. Every word is quoted for bash and escaped for the kubelet's $(VAR) expansion.
 */
export function submitScript(job: RayJob, mode: 'K8sJobMode' | 'SidecarMode', dashboardURL: string): string {
  const spec = job.spec;
  const jobId = job.status?.jobId ?? '';
  let address: string;
  let healthURL: string;
  if (mode === 'SidecarMode') {
    const port = spec.rayClusterSpec ? dashboardPort(spec.rayClusterSpec) : DEFAULT_DASHBOARD_PORT;
    address = `http://127.0.0.1:${port}`;
    healthURL = `http://localhost:${port}/api/gcs_healthz`;
  } else {
    address = dashboardURL.startsWith('http://') ? dashboardURL : `http://${dashboardURL}`;
    healthURL = `${address}/api/gcs_healthz`;
  }
  const addr = argWord(address);
  const id = argWord(jobId);
  const parts: string[] = [
    `until ${pythonHealth(healthURL)} >/dev/null 2>&1 ; do echo ${argWord(`Waiting for Ray Dashboard GCS to become healthy at ${address} ...`)} ; sleep 2 ; done ;`,
  ];
  const check = mode === 'K8sJobMode';
  const submit = ['ray', 'job', 'submit', '--address', addr];
  if (check) submit.push('--no-wait');
  const env = runtimeEnvJSON(job);
  if (env) submit.push('--runtime-env-json', argWord(JSON.stringify(env)));
  if (spec.metadata && Object.keys(spec.metadata).length > 0)
    submit.push('--metadata-json', argWord(JSON.stringify(spec.metadata)));
  if (jobId) submit.push('--submission-id', id);
  if ((spec.entrypointNumCpus ?? 0) > 0)
    submit.push('--entrypoint-num-cpus', goFloat(spec.entrypointNumCpus!));
  if ((spec.entrypointNumGpus ?? 0) > 0)
    submit.push('--entrypoint-num-gpus', goFloat(spec.entrypointNumGpus!));
  if (spec.entrypointResources) submit.push('--entrypoint-resources', argWord(spec.entrypointResources));
  submit.push('--', ...entrypointWords((spec.entrypoint ?? '').trim()).map(argWord));
  if (check) {
    parts.push(
      `if ! ray job status --address ${addr} ${id} >/dev/null 2>&1 ; then ${submit.join(' ')} ; fi ;`,
    );
    parts.push(`ray job logs --address ${addr} --follow ${id}`);
  } else {
    parts.push(`${submit.join(' ')} ;`);
  }
  return parts.join(' ');
}

/** Env every submitter gets: unbuffered Python, and the address and id for user-written commands. */
function configureSubmitter(
  c: Container,
  job: RayJob,
  cluster: RayCluster | undefined,
  script: string | undefined,
): void {
  if (script !== undefined) {
    c.command = ['/bin/bash', '-ce', '--'];
    c.args = [script];
  }
  c.env = [
    ...(c.env ?? []),
    { name: 'PYTHONUNBUFFERED', value: '1' },
    { name: 'RAY_DASHBOARD_ADDRESS', value: job.status?.dashboardURL ?? '' },
    { name: 'RAY_JOB_SUBMISSION_ID', value: job.status?.jobId ?? '' },
  ];
  if (cluster) setTokenAuthEnv(c, cluster);
}

function defaultSubmitterContainer(spec: RayCluster['spec']): Container {
  return {
    name: SUBMITTER_CONTAINER,
    image: spec.headGroupSpec.template.spec?.containers[0]?.image ?? '',
    resources: {
      limits: { cpu: '1', memory: '1Gi' },
      requests: { cpu: '500m', memory: '200Mi' },
    },
  };
}

export interface SubmitterOptions {
  /** The operator's --restricted-pod-security (default true): fill in what the user left unset. */
  restricted?: boolean;
}

/** The K8sJobMode submitter pod template: the user's submitterPodTemplate, else KubeRay's default. */
export function submitterTemplate(
  job: RayJob,
  cluster: RayCluster,
  opts: SubmitterOptions = {},
): PodTemplateSpec {
  const tpl: PodTemplateSpec = job.spec.submitterPodTemplate
    ? structuredClone(job.spec.submitterPodTemplate)
    : { spec: { containers: [defaultSubmitterContainer(cluster.spec)], restartPolicy: 'Never' } };
  const spec = tpl.spec!;
  const c = spec.containers[0]!;
  // A command the user wrote is theirs (they may use $RAY_DASHBOARD_ADDRESS / $RAY_JOB_SUBMISSION_ID).
  const script = c.command?.length
    ? undefined
    : submitScript(job, 'K8sJobMode', job.status?.dashboardURL ?? '');
  configureSubmitter(c, job, cluster, script);
  if (opts.restricted ?? true) applyRestrictedSecurityContext(spec);
  tpl.metadata = {
    ...tpl.metadata,
    labels: {
      ...(tpl.metadata?.labels ?? {}),
      'ray.io/originated-from-cr-name': job.metadata?.name ?? '',
      'ray.io/originated-from-crd': 'RayJob',
      [LABEL_CREATED_BY_K8S]: 'kuberay-operator',
    },
  };
  return tpl;
}

/** The K8sJobMode submitter: a batch/v1 Job named like the RayJob, owned by it. */
export function submitterJob(job: RayJob, cluster: RayCluster, opts: SubmitterOptions = {}): KubeObject {
  const name = job.metadata?.name ?? '';
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: job.metadata?.namespace ?? '',
      labels: {
        'ray.io/originated-from-cr-name': name,
        'ray.io/originated-from-crd': 'RayJob',
        [LABEL_CREATED_BY_K8S]: 'kuberay-operator',
      },
      ownerReferences: [controllerRef(job as KubeObject)],
    },
    spec: {
      // Fewer retries than batch/v1's 6: a submission that fails three times fails for a reason.
      backoffLimit: job.spec.submitterConfig?.backoffLimit ?? DEFAULT_SUBMITTER_BACKOFF_LIMIT,
      template: submitterTemplate(job, cluster, opts),
    },
  };
}

/**
 * The RayCluster a RayJob creates. SidecarMode: the submitter container joins the head pod, whose
 * restartPolicy becomes Never (a finished submitter must not restart the job), and the cluster is
 * marked so the operator does not recreate a lost head once provisioned.
 */
export function clusterForJob(job: RayJob, name: string): RayCluster {
  const mode = submissionMode(job);
  const rc = childRayCluster(job as KubeObject, 'RayJob', name, job.spec.rayClusterSpec!, {
    labels: { [LABEL_SUBMISSION_MODE]: mode },
    ...(mode === 'SidecarMode'
      ? { annotations: { [ANNOTATION_DISABLE_PROVISIONED_HEAD_RESTART]: 'true' } }
      : {}),
  });
  if (mode === 'SidecarMode') {
    const head = rc.spec.headGroupSpec.template.spec!;
    const c = defaultSubmitterContainer(rc.spec);
    configureSubmitter(c, job, rc, submitScript(job, 'SidecarMode', ''));
    head.containers.push(c);
    head.restartPolicy = 'Never';
  }
  return rc;
}
