// How Prometheus finds the operator and the Ray pods: KubeRay's config/prometheus shape for the
// Prometheus Operator (a ServiceMonitor for heads, a PodMonitor for workers, a ServiceMonitor for
// the operator) and, for a Prometheus without the Operator, a plain scrape config with Kubernetes
// service discovery that yields the same targets and the same labels. Pure: objects out.
//
// Labels every Ray target carries (Ray's own Grafana dashboards filter on ray_io_cluster; Kuray's
// alert rules also use ray_io_node_type and endpoint, the port name as the Prometheus Operator sets it):
//   ray_io_cluster, ray_io_node_type, namespace, pod, container, endpoint.
//
// The plain config discovers pods (role: pod), not Endpoints: the head Service KubeRay creates is
// headless and selects the head alone, so its endpoints are the head pod anyway, and pods also give
// the head's autoscaler (44217) and dashboard (44227) metrics ports when the pod spec does not name them.

/** Ray's fixed metrics ports on the head besides --metrics-export-port (ray/_private/ray_constants.py). */
export const AUTOSCALER_METRICS_PORT = 44217;
export const DASHBOARD_METRICS_PORT = 44227;

type Relabel = Record<string, unknown>;

const podLabel = (label: string, target: string): Relabel => ({
  source_labels: [`__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`],
  target_label: target,
});

/** namespace/pod/container as the Prometheus Operator sets them, and pods that ended dropped. */
const podTargetLabels: Relabel[] = [
  { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Succeeded|Failed', action: 'drop' },
  { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
  { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
  { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
];

const rayLabels: Relabel[] = [
  podLabel('ray.io/cluster', 'ray_io_cluster'),
  podLabel('ray.io/node-type', 'ray_io_node_type'),
];

export interface ScrapeOptions {
  /** Namespaces of Ray clusters; empty = all. */
  namespaces?: readonly string[];
  /** The operator's namespace; empty = all. */
  operatorNamespace?: string;
}

function sd(selector: string, namespaces: readonly string[] | undefined): Record<string, unknown>[] {
  return [
    {
      role: 'pod',
      ...(namespaces?.length ? { namespaces: { names: [...namespaces] } } : {}),
      selectors: [{ role: 'pod', label: selector }],
    },
  ];
}

/** A job scraping the container port named `port` of the selected pods. */
function namedPortJob(
  job: string,
  selector: string,
  port: string,
  namespaces: readonly string[] | undefined,
  extra: Relabel[] = [],
): Record<string, unknown> {
  return {
    job_name: job,
    kubernetes_sd_configs: sd(selector, namespaces),
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: port, action: 'keep' },
      ...podTargetLabels,
      { source_labels: ['__meta_kubernetes_pod_container_port_name'], target_label: 'endpoint' },
      ...extra,
    ],
  };
}

/** A job scraping a fixed port on each selected pod's IP, labelled endpoint=`endpoint` (the name KubeRay gives that port). */
function fixedPortJob(
  job: string,
  selector: string,
  port: number,
  endpoint: string,
  namespaces: readonly string[] | undefined,
  /** The one target per pod to keep: the Ray container's metrics port, or a container by name. */
  keep: Relabel = {
    source_labels: ['__meta_kubernetes_pod_container_port_name'],
    regex: 'metrics',
    action: 'keep',
  },
): Record<string, unknown> {
  return {
    job_name: job,
    kubernetes_sd_configs: sd(selector, namespaces),
    relabel_configs: [
      // One target per pod (`keep`), then point it at `port`.
      keep,
      ...podTargetLabels,
      {
        source_labels: ['__meta_kubernetes_pod_ip'],
        regex: '(.+)',
        replacement: `$1:${port}`,
        target_label: '__address__',
      },
      { target_label: 'endpoint', replacement: endpoint },
      ...rayLabels,
    ],
  };
}

/** Prometheus `scrape_configs` (Kubernetes SD, role pod) for the operator and every Ray pod. */
export function scrapeConfigs(o: ScrapeOptions = {}): Record<string, unknown>[] {
  const ns = o.namespaces;
  const head = 'ray.io/node-type=head';
  return [
    {
      // The operator's kuberay_* series carry the Ray object's own namespace: honor it.
      ...namedPortJob(
        'kuray-operator',
        'app.kubernetes.io/name=kuberay-operator',
        'http',
        o.operatorNamespace ? [o.operatorNamespace] : undefined,
      ),
      honor_labels: true,
    },
    namedPortJob('ray-head', head, 'metrics', ns, rayLabels),
    // Every head runs Ray's monitor (its own, or the autoscaler sidecar with enableInTreeAutoscaling),
    // which serves the autoscaler's metrics on 44217.
    fixedPortJob('ray-head-autoscaler', head, AUTOSCALER_METRICS_PORT, 'as-metrics', ns),
    fixedPortJob('ray-head-dashboard', head, DASHBOARD_METRICS_PORT, 'dash-metrics', ns),
    namedPortJob('ray-workers', 'ray.io/node-type=worker', 'metrics', ns, rayLabels),
  ];
}

const MONITORING = 'monitoring.coreos.com/v1';

/** The same relabelings for the Prometheus Operator (camelCase keys). */
const operatorRelabelings = [
  {
    action: 'replace',
    sourceLabels: ['__meta_kubernetes_pod_label_ray_io_cluster'],
    targetLabel: 'ray_io_cluster',
  },
  {
    action: 'replace',
    sourceLabels: ['__meta_kubernetes_pod_label_ray_io_node_type'],
    targetLabel: 'ray_io_node_type',
  },
];

export interface MonitorOptions {
  /** Namespace of the monitor objects (KubeRay: prometheus-system). */
  namespace?: string;
  /** Labels the Prometheus selects monitors by (kube-prometheus-stack: release: <its release>). */
  labels?: Readonly<Record<string, string>>;
  /** The operator's namespace (KubeRay's guide: default; the chart: its release namespace). */
  operatorNamespace?: string;
}

/**
 * KubeRay's config/prometheus objects: ServiceMonitors for the operator and the Ray heads (ports
 * metrics, as-metrics, dash-metrics of the head Service) and a PodMonitor for the workers.
 */
export function monitors(o: MonitorOptions = {}): Record<string, unknown>[] {
  const metadata = (name: string) => ({
    name,
    namespace: o.namespace ?? 'prometheus-system',
    ...(o.labels && Object.keys(o.labels).length ? { labels: { ...o.labels } } : {}),
  });
  return [
    {
      apiVersion: MONITORING,
      kind: 'ServiceMonitor',
      metadata: metadata('kuberay-operator-monitor'),
      spec: {
        namespaceSelector: { matchNames: [o.operatorNamespace ?? 'ray-system'] },
        selector: { matchLabels: { 'app.kubernetes.io/name': 'kuberay-operator' } },
        // honorLabels: the kuberay_* series' namespace label is the Ray object's, not the operator's.
        endpoints: [{ port: 'http', path: '/metrics', honorLabels: true }],
      },
    },
    {
      apiVersion: MONITORING,
      kind: 'ServiceMonitor',
      metadata: metadata('ray-head-monitor'),
      spec: {
        jobLabel: 'ray-head',
        namespaceSelector: { any: true },
        selector: { matchLabels: { 'ray.io/node-type': 'head' } },
        // as-metrics (44217) and dash-metrics (44227) exist when the head container names those ports.
        endpoints: ['metrics', 'as-metrics', 'dash-metrics'].map((port) => ({
          port,
          relabelings: operatorRelabelings,
        })),
        targetLabels: ['ray.io/cluster'],
      },
    },
    {
      apiVersion: MONITORING,
      kind: 'PodMonitor',
      metadata: metadata('ray-workers-monitor'),
      spec: {
        jobLabel: 'ray-workers',
        namespaceSelector: { any: true },
        selector: { matchLabels: { 'ray.io/node-type': 'worker' } },
        podMetricsEndpoints: [{ port: 'metrics', relabelings: operatorRelabelings }],
      },
    },
  ];
}
