// Environment variables KubeRay v1.7.0 injects into the Ray container and init containers
// (setContainerEnvVars, setInitContainerEnvVars). Order matters to people diffing pods: kept as KubeRay's.
import type { Container, EnvVar } from './k8sTypes.ts';
import {
  KUBERAY_VERSION,
  LABEL_CLUSTER,
  LABEL_GROUP,
  LOCAL_HOST,
  type CreatorKind,
  type NodeType,
} from './constants.ts';

export function hasEnv(env: readonly EnvVar[] | undefined, name: string): boolean {
  return (env ?? []).some((e) => e.name === name);
}

/** Appends `v` unless a variable of that name is already set (user values win). */
export function addEnvIfAbsent(c: Container, v: EnvVar): void {
  c.env ??= [];
  if (!hasEnv(c.env, v.name)) c.env.push(v);
}

export const fieldRef = (name: string, fieldPath: string): EnvVar => ({
  name,
  valueFrom: { fieldRef: { fieldPath } },
});

/** The head Service's short name, as RAY_IP (deprecated but kept by KubeRay). */
export function rayIPFromFQDN(fqdn: string): string {
  return fqdn.split('.')[0] ?? fqdn;
}

/** Init containers get FQ_RAY_IP and RAY_IP (the worker's wait-gcs-ready dials the head with them). */
export function setInitContainerEnv(c: Container, fqdn: string): void {
  c.env = [
    ...(c.env ?? []),
    { name: 'FQ_RAY_IP', value: fqdn },
    { name: 'RAY_IP', value: rayIPFromFQDN(fqdn) },
  ];
}

export interface RayEnvInput {
  nodeType: NodeType;
  fqdn: string;
  headPort: string;
  rayStartCmd: string;
  creator: CreatorKind;
}

export function setRayContainerEnv(c: Container, input: RayEnvInput): void {
  const { nodeType, fqdn, headPort, rayStartCmd, creator } = input;
  c.env = [...(c.env ?? [])];
  const ip = nodeType === 'worker' ? fqdn : LOCAL_HOST;
  if (nodeType === 'worker') {
    c.env.push({ name: 'FQ_RAY_IP', value: fqdn }, { name: 'RAY_IP', value: rayIPFromFQDN(fqdn) });
  }
  c.env.push(
    fieldRef('RAY_CLUSTER_NAME', `metadata.labels['${LABEL_CLUSTER}']`),
    fieldRef('RAY_CLUSTER_NAMESPACE', 'metadata.namespace'),
    // Ray's autoscaler v2 identifies a node by its pod name and its group by this label.
    fieldRef('RAY_CLOUD_INSTANCE_ID', 'metadata.name'),
    fieldRef('RAY_NODE_TYPE_NAME', `metadata.labels['${LABEL_GROUP}']`),
    { name: 'KUBERAY_GEN_RAY_START_CMD', value: rayStartCmd },
  );
  addEnvIfAbsent(c, { name: 'RAY_PORT', value: headPort });
  if (creator === 'RayService') {
    addEnvIfAbsent(c, { name: 'RAY_timeout_ms_task_wait_for_death_info', value: '0' });
    addEnvIfAbsent(c, { name: 'RAY_gcs_server_request_timeout_seconds', value: '5' });
    addEnvIfAbsent(c, { name: 'RAY_SERVE_KV_TIMEOUT_S', value: '5' });
  }
  addEnvIfAbsent(c, { name: 'RAY_ADDRESS', value: `${ip}:${headPort}` });
  addEnvIfAbsent(c, { name: 'RAY_USAGE_STATS_KUBERAY_IN_USE', value: '1' });
  if (nodeType === 'head') {
    c.env.push({
      name: 'RAY_USAGE_STATS_EXTRA_TAGS',
      value: `kuberay_version=${KUBERAY_VERSION};kuberay_crd=${creator}`,
    });
  }
  addEnvIfAbsent(c, { name: 'RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE', value: '1' });
}
