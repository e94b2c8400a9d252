// The part of pod construction shared by head and workers (KubeRay v1.7.0 BuildPod): shared-memory
// and log volumes, the generated container command, injected env and default probes.
import type { Container, Pod, PodTemplateSpec } from './k8sTypes.ts';
import {
  ANNOTATION_OVERWRITE_CONTAINER_CMD,
  AUTOSCALER_CONTAINER,
  LABEL_SERVE,
  RAY_LOGS_PATH,
  RAY_LOGS_VOLUME,
  SHM_PATH,
  SHM_VOLUME,
  type NodeType,
} from './constants.ts';
import type { ClusterContext } from './context.ts';
import { setInitContainerEnv, setRayContainerEnv } from './env.ts';
import { injectProbes } from './probes.ts';
import { containerArgs, containerShell, rayStartCommand, userCommandString } from './rayStartCommand.ts';
import { deriveFromContainerResources, normalizeQuantityParams, type Params } from './rayStartParams.ts';
import { addEmptyDir } from './volumes.ts';
import { addHistoryCollector } from './historyCollector.ts';
import { applyRestrictedSecurityContext } from './securityContext.ts';
import { configureTLS } from './tls.ts';

/** Head and workers share: the Ray container is always containers[0] (KubeRay's hard rule). */
export function rayContainer(template: PodTemplateSpec): Container {
  const c = template.spec?.containers[0];
  if (!c) throw new Error('pod template has no containers (validation should have rejected this spec)');
  return c;
}

/** Metrics port 8080 named `metrics` on the Ray container unless one is already named so. */
export function ensureMetricsPort(c: Container): void {
  if (!(c.ports ?? []).some((p) => p.name === 'metrics')) {
    c.ports = [...(c.ports ?? []), { name: 'metrics', containerPort: 8080 }];
  }
}

/** Copies the cluster's overwrite-container-cmd annotation onto the template (KubeRay initTemplateAnnotations). */
export function initTemplateAnnotations(template: PodTemplateSpec, ctx: ClusterContext): void {
  template.metadata ??= {};
  template.metadata.annotations ??= {};
  if (ctx.rc.metadata?.annotations?.[ANNOTATION_OVERWRITE_CONTAINER_CMD]?.toLowerCase() === 'true') {
    template.metadata.annotations[ANNOTATION_OVERWRITE_CONTAINER_CMD] = 'true';
  }
}

export function finishPod(
  template: PodTemplateSpec,
  nodeType: NodeType,
  params: Params,
  ctx: ClusterContext,
  name: string,
): Pod {
  const meta = template.metadata ?? {};
  const labels = { ...meta.labels };
  if (ctx.creator === 'RayService') labels[LABEL_SERVE] = nodeType === 'head' ? 'false' : 'true';
  const annotations = meta.annotations ?? {};
  const { generateName: _g, name: _n, namespace: _ns, labels: _l, annotations: _a, ...restMeta } = meta;
  const spec = template.spec!;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ctx.namespace,
      ...restMeta,
      labels,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      ownerReferences: [ctx.ownerReference],
    },
    spec,
  };
  const ray = spec.containers[0]!;

  // The object store lives in /dev/shm; Docker's 64 MiB default would throttle it.
  if (params['plasma-directory'] === undefined) addEmptyDir(spec, ray, SHM_VOLUME, SHM_PATH, 'Memory');
  if (nodeType === 'head' && ctx.autoscaling) {
    // The autoscaler writes event logs that the head's dashboard reads.
    const autoscaler = spec.containers.find((c) => c.name === AUTOSCALER_CONTAINER);
    addEmptyDir(spec, ray, RAY_LOGS_VOLUME, RAY_LOGS_PATH, '');
    if (autoscaler) addEmptyDir(spec, autoscaler, RAY_LOGS_VOLUME, RAY_LOGS_PATH, '');
  }
  addHistoryCollector(spec, ray, nodeType, ctx);
  configureTLS(spec, nodeType, ctx);

  const userCmd = userCommandString(ray.command, ray.args);
  deriveFromContainerResources(params, ray.resources);
  normalizeQuantityParams(params);
  const rayStart = rayStartCommand(nodeType, params);
  const overwrite = annotations[ANNOTATION_OVERWRITE_CONTAINER_CMD]?.toLowerCase() === 'true';
  // A user command that already runs `ray start` is left alone, as KubeRay does.
  if (!overwrite && !userCmd.includes('ray start')) {
    ray.command = containerShell(ctx.options.loginShell);
    ray.args = [containerArgs(userCmd, rayStart)];
  }

  for (const ic of spec.initContainers ?? []) setInitContainerEnv(ic, ctx.fqdn);
  setRayContainerEnv(ray, {
    nodeType,
    fqdn: ctx.fqdn,
    headPort: ctx.headPort,
    rayStartCmd: rayStart,
    creator: ctx.creator,
  });
  if (ctx.options.enableProbesInjection)
    injectProbes(ray, nodeType, ctx.creator, params, ctx.rc.spec.rayVersion);
  // Last, so it covers every container the steps above added (init container, autoscaler sidecar).
  if (ctx.options.restrictedPodSecurity) applyRestrictedSecurityContext(spec);
  return pod;
}
