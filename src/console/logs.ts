// The submitter's logs of a RayJob, read with the viewer's own identity (pods/log), so the page
// shows them only to whoever `kubectl logs` would. Where the submitter runs depends on the mode:
//   K8sJobMode  → the newest pod of the batch/v1 Job named after the RayJob (`ray job submit`
//                 follows the job, so its log is the job's output);
//   SidecarMode → the head pod's ray-job-submitter container;
//   HTTPMode / InteractiveMode → no submitter pod: the operator (or the user) submitted through
//                 the Jobs API, and the output lives in Ray (the page says where to look).
import type { RayJob } from '../api/v1/index.ts';
import { LABEL_CLUSTER, LABEL_NODE_TYPE } from '../compiler/constants.ts';
import { SUBMITTER_CONTAINER } from '../controllers/rayjob/submitter.ts';
import { Pods, RayJobs, type KubeObject } from '../runtime/resources.ts';
import type { KubeClient } from '../runtime/transport.ts';
import type { RayJobLogs } from './protocol.ts';

/** Lines from the end; a submitter that followed a chatty job could otherwise send megabytes. */
export const LOG_TAIL_LINES = 500;

type Pod = KubeObject & { status?: { phase?: string; startTime?: string } };

function newest(pods: readonly Pod[]): Pod | undefined {
  const t = (p: Pod) => p.status?.startTime ?? p.metadata.creationTimestamp ?? '';
  return [...pods].sort((a, b) => t(b).localeCompare(t(a)))[0];
}

/** Ray's CLI colours its lines (SGR escapes); a <pre> would show them as boxes. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

async function podLog(client: KubeClient, ns: string, pod: string, container?: string): Promise<string> {
  const q = new URLSearchParams({ tailLines: String(LOG_TAIL_LINES) });
  if (container) q.set('container', container);
  const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/log`;
  return stripAnsi(await client.getText(`${path}?${q.toString()}`));
}

export async function submitterLogs(client: KubeClient, ns: string, name: string): Promise<RayJobLogs> {
  const job = await client.get<KubeObject & RayJob>(RayJobs, ns, name);
  const mode = job.spec.submissionMode ?? 'K8sJobMode';
  if (mode === 'K8sJobMode') {
    // batch/v1 labels every pod of a Job with job-name (and batch.kubernetes.io/job-name).
    const pods = (await client.list<Pod>(Pods, ns, { labelSelector: `job-name=${name}` })).items;
    const pod = newest(pods);
    if (!pod) return { mode, message: `the submitter Job ${name} has no pod yet` };
    const text = await podLog(client, ns, pod.metadata.name!);
    return { mode, source: `pod/${pod.metadata.name} (Job ${name}, ${pods.length} attempt(s))`, text };
  }
  if (mode === 'SidecarMode') {
    const cluster = job.status?.rayClusterName;
    if (!cluster) return { mode, message: 'no Ray cluster yet' };
    const heads = (
      await client.list<Pod>(Pods, ns, {
        labelSelector: `${LABEL_CLUSTER}=${cluster},${LABEL_NODE_TYPE}=head`,
      })
    ).items;
    const head = newest(heads);
    if (!head) return { mode, message: `cluster ${cluster} has no head pod yet` };
    const text = await podLog(client, ns, head.metadata.name!, SUBMITTER_CONTAINER);
    return { mode, source: `pod/${head.metadata.name} container ${SUBMITTER_CONTAINER}`, text };
  }
  const cluster = job.status?.rayClusterName ?? 'CLUSTER';
  return {
    mode,
    message:
      `${mode} has no submitter pod: the job was submitted through Ray's Jobs API. Its output is in the ` +
      `Ray dashboard: kubectl ray session -n ${ns} ${cluster}, then Jobs → ${job.status?.jobId ?? 'the job'}.`,
  };
}
