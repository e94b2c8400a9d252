// The head pod (KubeRay v1.7.0 DefaultHeadPodTemplate + BuildPod + owner reference).
import { clone } from './clone.ts';
import type { Pod, PodTemplateSpec } from './k8sTypes.ts';
import { configureTokenAuth, isAuthEnabled, setTokenAuthEnv } from './auth.ts';
import { autoscalerContainer } from './autoscalerSidecar.ts';
import { ensureMetricsPort, finishPod, initTemplateAnnotations, rayContainer } from './buildPod.ts';
import { HEAD_GROUP, KUBERAY_VERSION } from './constants.ts';
import {
  ANNOTATION_KUBERAY_VERSION,
  ANNOTATION_RECREATE_HASH,
  isRecreate,
  recreateHash,
} from './recreateHash.ts';
import type { ClusterContext } from './context.ts';
import { configureGcsFaultTolerance } from './gcsFaultTolerance.ts';
import { mergeGroupLabels, podLabels } from './labels.ts';
import { autoscalerServiceAccountName, checkName } from './names.ts';
import { containerShell } from './rayStartCommand.ts';
import { applyGroupLabels, applyGroupResources, setMissingParams, type Params } from './rayStartParams.ts';

export function buildHeadPod(ctx: ClusterContext, name: string): Pod {
  const { rc } = ctx;
  const head = rc.spec.headGroupSpec;
  const template: PodTemplateSpec = clone(head.template);
  template.metadata = { ...template.metadata };
  template.spec ??= { containers: [] };
  const ray = rayContainer(template);
  const params: Params = { ...head.rayStartParams };

  applyGroupResources(params, head.resources);
  applyGroupLabels(params, head.labels);
  template.metadata.labels = podLabels(
    'head',
    ctx.name,
    HEAD_GROUP,
    mergeGroupLabels(head.template.metadata?.labels, head.labels),
  );
  setMissingParams(params, 'head', ctx.headPort, ctx.fqdn);
  initTemplateAnnotations(template, ctx);
  if (isRecreate(rc)) {
    template.metadata.annotations = {
      ...template.metadata.annotations,
      [ANNOTATION_RECREATE_HASH]: recreateHash(rc),
      [ANNOTATION_KUBERAY_VERSION]: KUBERAY_VERSION,
    };
  }

  if (ctx.autoscaling) {
    // Ray's own monitor does not understand Kubernetes; the kuberay-autoscaler sidecar replaces it.
    params['no-monitor'] = 'true';
    template.spec.serviceAccountName = checkName(autoscalerServiceAccountName(rc));
    const sidecar = autoscalerContainer(
      ray.image,
      containerShell(ctx.options.loginShell),
      rc.spec.autoscalerOptions,
    );
    if (isAuthEnabled(rc)) setTokenAuthEnv(sidecar, rc);
    template.spec.containers.push(sidecar);
    const version = rc.spec.autoscalerOptions?.version;
    if (version === 'v2') {
      ray.env = [...(ray.env ?? []), { name: 'RAY_enable_autoscaler_v2', value: 'true' }];
      // Autoscaler v2 replaces nodes itself; a kubelet restart would confuse its bookkeeping.
      template.spec.restartPolicy = 'Never';
    } else if (version === 'v1') {
      ray.env = [...(ray.env ?? []), { name: 'RAY_enable_autoscaler_v2', value: 'false' }];
    }
  }

  configureGcsFaultTolerance(template, rc, 'head', params);
  ensureMetricsPort(ray);
  if (isAuthEnabled(rc)) configureTokenAuth(template.spec, rc);
  return finishPod(template, 'head', params, ctx, name);
}
