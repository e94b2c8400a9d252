// The head Service, the serve Service and the multi-host headless Service (KubeRay v1.7.0 service.go).
import { clone } from './clone.ts';
import type { Service, ServicePort } from './k8sTypes.ts';
import {
  ANNOTATION_ENABLE_SERVE_SERVICE,
  DEFAULT_CLIENT_PORT,
  DEFAULT_DASHBOARD_PORT,
  DEFAULT_GCS_PORT,
  DEFAULT_METRICS_PORT,
  DEFAULT_SERVE_PORT,
  LABEL_APP_NAME,
  LABEL_CLUSTER,
  LABEL_HEADLESS_WORKER_SVC,
  LABEL_NODE_TYPE,
  LABEL_ORIGINATED_FROM_CRD,
  LABEL_ORIGINATED_FROM_CR_NAME,
  LABEL_SERVE,
  PORT_CLIENT,
  PORT_DASHBOARD,
  PORT_GCS,
  PORT_METRICS,
  PORT_SERVE,
} from './constants.ts';
import type { RayCluster } from '../api/v1/index.ts';
import type { ClusterContext } from './context.ts';
import { headServiceSelector } from './labels.ts';
import { headServiceName, headlessServiceName, serveServiceName } from './names.ts';

/**
 * The head container's named ports (unnamed → `<port>-port`), else KubeRay's defaults (client,
 * gcs-server, dashboard, metrics, serve); `metrics` 8080 is always there. Sorted by name.
 */
export function headServicePorts(rc: RayCluster): [string, number][] {
  const ports = new Map<string, number>();
  for (const p of rc.spec.headGroupSpec.template.spec?.containers[0]?.ports ?? []) {
    ports.set(p.name || `${p.containerPort}-port`, p.containerPort);
  }
  if (ports.size === 0) {
    ports.set(PORT_CLIENT, DEFAULT_CLIENT_PORT);
    ports.set(PORT_GCS, DEFAULT_GCS_PORT);
    ports.set(PORT_DASHBOARD, DEFAULT_DASHBOARD_PORT);
    ports.set(PORT_METRICS, DEFAULT_METRICS_PORT);
    ports.set(PORT_SERVE, DEFAULT_SERVE_PORT);
  }
  if (!ports.has(PORT_METRICS)) ports.set(PORT_METRICS, DEFAULT_METRICS_PORT);
  return [...ports.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function buildHeadService(ctx: ClusterContext): Service {
  const { rc } = ctx;
  const head = rc.spec.headGroupSpec;
  // KubeRay lets the head template's app.kubernetes.io/name steer the selector (and nothing else).
  const appName = head.template.metadata?.labels?.[LABEL_APP_NAME];
  const selector = headServiceSelector(ctx.name, appName !== undefined ? { [LABEL_APP_NAME]: appName } : {});
  const annotations = { ...rc.spec.headServiceAnnotations };
  const ports: ServicePort[] = headServicePorts(rc).map(([name, port]) => ({
    name,
    port,
    appProtocol: 'tcp',
  }));
  const type = head.serviceType;

  if (head.headService) {
    // A user-provided Service is a base: KubeRay forces selector, namespace and its labels, and appends its ports.
    const svc = clone(head.headService);
    svc.apiVersion = 'v1';
    svc.kind = 'Service';
    svc.metadata = { ...svc.metadata };
    svc.spec = { ...svc.spec, selector };
    svc.metadata.annotations = { ...svc.metadata.annotations, ...annotations };
    svc.spec.ports = [...(svc.spec.ports ?? []), ...ports];
    svc.metadata.labels = { ...svc.metadata.labels, ...selector };
    svc.metadata.name ||= headServiceName(rc);
    svc.metadata.namespace = ctx.namespace;
    if (!svc.spec.type && type) svc.spec.type = type;
    svc.metadata.ownerReferences = [ctx.ownerReference];
    return svc;
  }

  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: headServiceName(rc),
      namespace: ctx.namespace,
      labels: { ...selector },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      ownerReferences: [ctx.ownerReference],
    },
    spec: { selector, ports, ...(type ? { type } : {}) },
  };
  if (!ctx.options.headClusterIPService && (!type || type === 'ClusterIP')) {
    // One head pod at most, so no load balancing is needed; headless also keeps its DNS name
    // resolvable while the head is not Ready (workers must reach the GCS to become Ready).
    svc.spec!.clusterIP = 'None';
    svc.spec!.publishNotReadyAddresses = true;
  }
  return svc;
}

/** The head Service's ports named `serve` or `serve-*` (HTTP, gRPC, …): what a serve Service exposes. */
export function servePorts(rc: RayCluster): ServicePort[] {
  return headServicePorts(rc)
    .filter(([name]) => name === PORT_SERVE || name.startsWith(`${PORT_SERVE}-`))
    .map(([name, port]) => ({ name, port }));
}

/** `<cluster>-serve-svc`, only with annotation ray.io/enable-serve-service=true and a serve / serve-* port. */
export function buildServeService(ctx: ClusterContext): Service | undefined {
  if (ctx.rc.metadata?.annotations?.[ANNOTATION_ENABLE_SERVE_SERVICE] !== 'true') return undefined;
  const ports = servePorts(ctx.rc);
  // KubeRay fails the reconcile here; validation warns about it, the compiler just creates nothing.
  if (ports.length === 0) return undefined;
  const type = ctx.rc.spec.headGroupSpec.serviceType;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: serveServiceName(ctx.rc),
      namespace: ctx.namespace,
      labels: {
        [LABEL_ORIGINATED_FROM_CR_NAME]: ctx.name,
        [LABEL_ORIGINATED_FROM_CRD]: 'RayCluster',
        [LABEL_SERVE]: `${ctx.name}-serve`,
      },
      ownerReferences: [ctx.ownerReference],
    },
    spec: { selector: { [LABEL_CLUSTER]: ctx.name }, ports, ...(type ? { type } : {}) },
  };
}

/** `<cluster>-headless`: peer DNS for the pods of multi-host worker groups (numOfHosts > 1). */
export function buildHeadlessService(ctx: ClusterContext): Service | undefined {
  if (!(ctx.rc.spec.workerGroupSpecs ?? []).some((g) => (g.numOfHosts ?? 1) > 1)) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: headlessServiceName(ctx.rc),
      namespace: ctx.namespace,
      labels: { [LABEL_HEADLESS_WORKER_SVC]: ctx.name },
      ownerReferences: [ctx.ownerReference],
    },
    spec: {
      clusterIP: 'None',
      selector: { [LABEL_CLUSTER]: ctx.name, [LABEL_NODE_TYPE]: 'worker' },
      type: 'ClusterIP',
      publishNotReadyAddresses: true,
    },
  };
}
