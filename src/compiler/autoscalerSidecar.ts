// The in-tree autoscaler sidecar (KubeRay v1.7.0 BuildAutoscalerContainer + mergeAutoscalerOverrides):
// Ray's own `ray kuberay-autoscaler` in the head pod, patching the RayCluster's replicas and
// workersToDelete through the ServiceAccount/Role that rbac.ts builds.
import { clone } from './clone.ts';
import type { Container } from './k8sTypes.ts';
import type { AutoscalerOptions } from '../api/v1/index.ts';
import { AUTOSCALER_CONTAINER, LABEL_CLUSTER } from './constants.ts';
import { fieldRef } from './env.ts';

export const AUTOSCALER_START_CMD =
  'ray kuberay-autoscaler --cluster-name $(RAY_CLUSTER_NAME) --cluster-namespace $(RAY_CLUSTER_NAMESPACE)';

export function autoscalerContainer(
  image: string | undefined,
  command: string[],
  options: AutoscalerOptions | undefined,
): Container {
  const c: Container = {
    name: AUTOSCALER_CONTAINER,
    image,
    imagePullPolicy: 'IfNotPresent',
    env: [
      fieldRef('RAY_CLUSTER_NAME', `metadata.labels['${LABEL_CLUSTER}']`),
      fieldRef('RAY_CLUSTER_NAMESPACE', 'metadata.namespace'),
      fieldRef('RAY_HEAD_POD_NAME', 'metadata.name'),
      { name: 'KUBERAY_CRD_VER', value: 'v1' },
      // Users overriding args can still run the generated command: `...; $KUBERAY_GEN_AUTOSCALER_START_CMD`.
      { name: 'KUBERAY_GEN_AUTOSCALER_START_CMD', value: AUTOSCALER_START_CMD },
    ],
    command,
    args: [AUTOSCALER_START_CMD],
    resources: {
      limits: { cpu: '500m', memory: '512Mi' },
      requests: { cpu: '500m', memory: '512Mi' },
    },
  };
  if (!options) return c;
  if (options.resources) c.resources = clone(options.resources);
  if (options.image) c.image = options.image;
  if (options.imagePullPolicy) c.imagePullPolicy = options.imagePullPolicy;
  if (options.env?.length) c.env = [...(c.env ?? []), ...clone(options.env)];
  if (options.envFrom?.length) c.envFrom = clone(options.envFrom);
  if (options.volumeMounts?.length) c.volumeMounts = clone(options.volumeMounts);
  if (options.securityContext) c.securityContext = clone(options.securityContext);
  if (options.command?.length) c.command = [...options.command];
  if (options.args?.length) c.args = [...options.args];
  return c;
}
