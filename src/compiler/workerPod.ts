// Worker pods (KubeRay v1.7.0 DefaultWorkerPodTemplate + BuildPod + owner reference).
import { clone } from './clone.ts';
import type { Pod, PodTemplateSpec } from './k8sTypes.ts';
import type { WorkerGroupSpec } from '../api/v1/index.ts';
import { configureTokenAuth, isAuthEnabled } from './auth.ts';
import { ensureMetricsPort, finishPod, initTemplateAnnotations, rayContainer } from './buildPod.ts';
import {
  LABEL_REPLICA_HOST_INDEX,
  LABEL_WORKER_REPLICA_INDEX,
  LABEL_WORKER_REPLICA_NAME,
} from './constants.ts';
import type { ClusterContext } from './context.ts';
import { configureGcsFaultTolerance } from './gcsFaultTolerance.ts';
import { applyWorkerSpread } from './highAvailability.ts';
import { waitGcsReadyContainer } from './initContainer.ts';
import { mergeGroupLabels, podLabels } from './labels.ts';
import { containerShell } from './rayStartCommand.ts';
import { withholdWorkerApiToken } from './serviceAccountToken.ts';
import { applyGroupLabels, applyGroupResources, setMissingParams, type Params } from './rayStartParams.ts';

/** Where a worker pod sits in its group (KubeRay's RayMultiHostIndexing labels). */
export interface WorkerIndex {
  /** Index of the replica in the group (0-based, the lowest free index). */
  readonly replicaIndex?: number;
  /** `<group>-<5 random>`: shared by the pods of one multi-host replica. */
  readonly replicaName?: string;
  /** Host index within a multi-host replica (0 … numOfHosts−1). */
  readonly hostIndex?: number;
}

export function buildWorkerPod(
  ctx: ClusterContext,
  group: WorkerGroupSpec,
  name: string,
  index: WorkerIndex = {},
): Pod {
  const { rc } = ctx;
  const template: PodTemplateSpec = clone(group.template);
  template.metadata = { ...template.metadata };
  template.spec ??= { containers: [] };
  const ray = rayContainer(template);

  if (ctx.options.enableInitContainerInjection) {
    // Without it, a worker started before the GCS is up crash-loops until the head is ready.
    const wait = waitGcsReadyContainer(ray, containerShell(ctx.options.loginShell), ctx.fqdn, ctx.headPort);
    template.spec.initContainers = [...(template.spec.initContainers ?? []), wait];
  }

  const params: Params = { ...group.rayStartParams };
  applyGroupResources(params, group.resources);
  applyGroupLabels(params, group.labels);
  const labels = podLabels(
    'worker',
    ctx.name,
    group.groupName,
    mergeGroupLabels(group.template.metadata?.labels, group.labels),
  );
  labels[LABEL_WORKER_REPLICA_INDEX] = String(index.replicaIndex ?? 0);
  if ((group.numOfHosts ?? 1) > 1) {
    labels[LABEL_WORKER_REPLICA_NAME] = index.replicaName ?? '';
    labels[LABEL_REPLICA_HOST_INDEX] = String(index.hostIndex ?? 0);
  }
  template.metadata.labels = labels;
  setMissingParams(params, 'worker', ctx.headPort, ctx.fqdn);
  initTemplateAnnotations(template, ctx);
  configureGcsFaultTolerance(template, rc, 'worker', params);
  ensureMetricsPort(ray);
  if (ctx.autoscaling && rc.spec.autoscalerOptions?.version === 'v2') template.spec.restartPolicy = 'Never';
  applyWorkerSpread(template.spec, rc, group.groupName);
  if (isAuthEnabled(rc)) configureTokenAuth(template.spec, rc);
  if (ctx.options.restrictedPodSecurity) withholdWorkerApiToken(template.spec);
  return finishPod(template, 'worker', params, ctx, name);
}
