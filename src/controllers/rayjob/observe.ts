// The RayJob's world, read from the informer caches (never the API): its cluster, its submitter (the
// batch/v1 Job, or the head pod's submitter container), and the dashboard address.
import type { RayCluster, RayJob } from '../../api/v1/index.ts';
import { LABEL_NODE_TYPE } from '../../compiler/constants.ts';
import { headServiceFQDN } from '../../compiler/names.ts';
import type { Pod } from '../../compiler/k8sTypes.ts';
import type { KubeObject } from '../../runtime/resources.ts';
import { clusterKey, INDEX_BY_CLUSTER } from '../shared/clusterPods.ts';
import type { Lister } from '../shared/lister.ts';
import { dashboardPort, submissionMode, SUBMITTER_CONTAINER } from './submitter.ts';
import type { SubmitterView } from './types.ts';

interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}
export interface BatchJob extends KubeObject {
  status?: { conditions?: JobCondition[]; active?: number; failed?: number; succeeded?: number };
}

const ownedBy = (o: KubeObject, job: RayJob): boolean =>
  (o.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === job.metadata?.uid);

/** The cluster named in status.rayClusterName (ours must carry our owner reference; a selected one need not). */
export function observeCluster(job: RayJob, clusters: Lister): RayCluster | undefined {
  const name = job.status?.rayClusterName;
  if (!name) return undefined;
  const rc = clusters.get(job.metadata?.namespace, name) as RayCluster | undefined;
  if (!rc) return undefined;
  const selected = Object.keys(job.spec.clusterSelector ?? {}).length > 0;
  return selected || ownedBy(rc as KubeObject, job) ? rc : undefined;
}

/** K8sJobMode: the Job named like the RayJob. Failed/Complete conditions give failure and finish time. */
export function observeK8sJob(job: RayJob, jobs: Lister): SubmitterView {
  const k: BatchJob | undefined = jobs.get(job.metadata?.namespace, job.metadata?.name ?? '');
  if (!k || !ownedBy(k, job)) return { exists: false };
  const conds = (k.status?.conditions ?? []).filter((c) => c.status === 'True');
  const failed = conds.find((c) => c.type === 'Failed');
  const finished = conds.find((c) => c.type === 'Complete' || c.type === 'Failed');
  return {
    exists: true,
    ...(k.metadata.deletionTimestamp ? { deleting: true } : {}),
    ...(failed ? { failed: { reason: failed.reason ?? '', message: failed.message ?? '' } } : {}),
    ...(finished?.lastTransitionTime ? { finishedAt: new Date(finished.lastTransitionTime) } : {}),
  };
}

/** SidecarMode: the head pod's ray-job-submitter container (exit code, finish time). */
export function observeSidecar(cluster: RayCluster | undefined, pods: Lister): SubmitterView {
  if (!cluster?.metadata?.name) return { exists: false };
  const head = (
    pods.byIndex(
      INDEX_BY_CLUSTER,
      clusterKey(cluster.metadata.namespace ?? '', cluster.metadata.name),
    ) as Pod[]
  ).find((p) => p.metadata?.labels?.[LABEL_NODE_TYPE] === 'head' && !p.metadata.deletionTimestamp);
  if (!head) return { exists: false };
  const st = head.status?.containerStatuses?.find((c) => c.name === SUBMITTER_CONTAINER);
  const t = st?.state?.terminated;
  if (!t) return { exists: true };
  return {
    exists: true,
    ...(t.exitCode !== 0
      ? { failed: { reason: t.reason ?? 'Error', message: t.message ?? '', exitCode: t.exitCode } }
      : {}),
    ...(t.finishedAt ? { finishedAt: new Date(t.finishedAt) } : {}),
  };
}

export function observeSubmitter(
  job: RayJob,
  cluster: RayCluster | undefined,
  jobs: Lister,
  pods: Lister,
): SubmitterView | undefined {
  const mode = submissionMode(job);
  if (mode === 'K8sJobMode') return observeK8sJob(job, jobs);
  if (mode === 'SidecarMode') return observeSidecar(cluster, pods);
  return undefined;
}

/** status.dashboardURL: the head Service's FQDN and dashboard port (KubeRay's FetchHeadServiceURL). */
export function dashboardURLOf(cluster: RayCluster, clusterDomain: string): string {
  const port = cluster.status?.endpoints?.dashboard ?? String(dashboardPort(cluster.spec));
  return `${headServiceFQDN(cluster, clusterDomain)}:${port}`;
}

/**
 * Where the operator itself reaches the dashboard: the head pod's IP (routable from the operator's
 * pod in a real cluster, and a loopback address on the rig's local node, where Service names only
 * resolve inside pods). undefined until the head has an IP.
 */
export function dashboardBaseURL(cluster: RayCluster): string | undefined {
  const ip = cluster.status?.head?.podIP;
  if (!ip) return undefined;
  const port = cluster.status?.endpoints?.dashboard ?? String(dashboardPort(cluster.spec));
  return `http://${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
}
