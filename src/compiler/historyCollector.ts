// The Ray history server's collector sidecar (historyServerOptions.collectorOptions, gate
// RayClusterHistoryServer), injected into every Ray pod as KubeRay v1.7 does: a container named
// `ray-history-collector` with the user's image, pull policy, resources and env, plus the env the
// collector reads to label what it ships (POD_IP, RAY_ROLE, EVENTS_PORT, OWNER_KIND/OWNER_NAME). It
// reads Ray's logs, so it shares the Ray container's /tmp/ray (the user's volume there, else an
// emptyDir `ray-logs`), and Ray is told to emit its events (RAY_enable_ray_event) for it to collect.
import type { Container, PodSpec } from './k8sTypes.ts';
import type { ClusterContext } from './context.ts';
import { RAY_LOGS_VOLUME, type NodeType } from './constants.ts';
import { addEnvIfAbsent } from './env.ts';
import { addEmptyDir } from './volumes.ts';
import { clone } from './clone.ts';

export const HISTORY_COLLECTOR_CONTAINER = 'ray-history-collector';
export const HISTORY_COLLECTOR_EVENTS_PORT = 8084;
const RAY_LOGS_PATH = '/tmp/ray';

/** Adds the collector to a pod's spec (mutated) when the cluster asks for it. */
export function addHistoryCollector(
  spec: PodSpec,
  ray: Container,
  nodeType: NodeType,
  ctx: ClusterContext,
): void {
  const options = ctx.rc.spec.historyServerOptions?.collectorOptions;
  if (!options) return;
  if (spec.containers.some((c) => c.name === HISTORY_COLLECTOR_CONTAINER)) return;
  const collector: Container = {
    name: HISTORY_COLLECTOR_CONTAINER,
    image: options.image ?? '',
    ...(options.imagePullPolicy ? { imagePullPolicy: options.imagePullPolicy } : {}),
    ...(options.resources ? { resources: clone(options.resources) } : {}),
    env: [
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'RAY_ROLE', value: nodeType === 'head' ? 'Head' : 'Worker' },
      { name: 'EVENTS_PORT', value: String(HISTORY_COLLECTOR_EVENTS_PORT) },
      { name: 'OWNER_KIND', value: ctx.creator },
      { name: 'OWNER_NAME', value: ownerName(ctx) },
      ...clone<NonNullable<Container['env']>>(options.env ?? []),
    ],
  };
  spec.containers.push(collector);
  // Share whatever the Ray container already mounts at /tmp/ray, else a new emptyDir.
  const logs = ray.volumeMounts?.find((m) => m.mountPath === RAY_LOGS_PATH);
  if (logs) collector.volumeMounts = [{ name: logs.name, mountPath: RAY_LOGS_PATH }];
  else {
    addEmptyDir(spec, ray, RAY_LOGS_VOLUME, RAY_LOGS_PATH, '');
    addEmptyDir(spec, collector, RAY_LOGS_VOLUME, RAY_LOGS_PATH, '');
  }
  addEnvIfAbsent(ray, { name: 'RAY_enable_ray_event', value: 'true' });
}

/** The RayJob/RayService a cluster was made for, else the cluster itself. */
function ownerName(ctx: ClusterContext): string {
  return ctx.rc.metadata?.labels?.['ray.io/originated-from-cr-name'] ?? ctx.name;
}
