// Kuray's alert rules, as a plain Prometheus rules file and as a PrometheusRule. Each alert is a
// signal (a PromQL expression with one series per object it watches, healthy or not) compared with a
// threshold, so the e2e can evaluate every signal against a real Prometheus and show it returns data
// while nothing is wrong (`signal <op> bool threshold`), and each carries a runbook line.
//
// Labels the expressions rely on: see scrape.ts (ray_io_cluster, ray_io_node_type, endpoint,
// namespace) and the operator's kuberay_* / kuray_* series (namespace = the Ray object's).

export interface AlertRule {
  alert: string;
  /** One series per watched object, present whether or not it is healthy. */
  signal: string;
  op: '>' | '<' | '>=' | '<=' | '==' | '!=';
  threshold: number;
  /** Prometheus `for:`; '0s' fires at the first evaluation. */
  for: string;
  severity: 'critical' | 'warning';
  summary: string;
  description: string;
  /** What to do, in one line. */
  runbook: string;
}

/** `expr` where it has series, else 0 for every series of `base` (both aggregated `by`). */
function orZero(expr: string, by: string, base: string): string {
  return `${expr} or on (${by}) (0 * group by (${by}) (${base}))`;
}

/** Provisioned RayClusters, labelled like their Ray targets (namespace, ray_io_cluster). */
const provisioned =
  'max by (namespace, ray_io_cluster) (label_replace(kuberay_cluster_condition_provisioned{condition="true"}, "ray_io_cluster", "$1", "name", "(.*)"))';
const headUp = 'up{ray_io_node_type="head", endpoint="metrics"}';

export const alertRules: readonly AlertRule[] = [
  {
    alert: 'RayHeadDown',
    // Head metrics targets up, per provisioned cluster; 0 when the head pod is gone (no target at all).
    signal: `(sum by (namespace, ray_io_cluster) (${headUp}) or on (namespace, ray_io_cluster) (0 * ${provisioned})) and on (namespace, ray_io_cluster) ${provisioned}`,
    op: '<',
    threshold: 1,
    for: '1m',
    severity: 'critical',
    summary: 'Ray head of {{ $labels.namespace }}/{{ $labels.ray_io_cluster }} is down',
    description:
      'The head pod of a provisioned RayCluster has not served metrics for 1 minute: without GCS fault tolerance its jobs, actors and Serve apps are lost.',
    runbook:
      'kubectl -n {{ $labels.namespace }} get pods -l ray.io/cluster={{ $labels.ray_io_cluster }},ray.io/node-type=head; describe the pod and read `kubectl logs` (--previous) of its ray-head container; the operator recreates a missing head unless ray.io/disable-provisioned-head-restart is set.',
  },
  {
    alert: 'RayGcsUnreachable',
    // GCS's own series stop while the head's metrics endpoint still answers. last_over_time: Ray
    // leaves a gauge out of an export now and then; only 2 minutes without any sample count.
    signal: orZero(
      'count by (namespace, ray_io_cluster) (last_over_time(ray_gcs_actors_count{ray_io_node_type="head"}[2m]))',
      'namespace, ray_io_cluster',
      `${headUp} == 1`,
    ),
    op: '<',
    threshold: 1,
    for: '1m',
    severity: 'critical',
    summary: 'GCS of {{ $labels.namespace }}/{{ $labels.ray_io_cluster }} reports nothing',
    description:
      "The head's metrics endpoint answers but the GCS server has reported no metrics for 3 minutes: workers cannot register, schedule or fetch objects.",
    runbook:
      'kubectl exec the head and run `ray status`; read /tmp/ray/session_latest/logs/gcs_server.out; with external Redis (gcsFaultToleranceOptions) check Redis is reachable; restart the head pod if the GCS process died.',
  },
  {
    alert: 'RayWorkersStuckPending',
    signal:
      'max by (namespace, name) (kuray_cluster_worker_replicas{state="desired"}) - max by (namespace, name) (kuray_cluster_worker_replicas{state="ready"})',
    op: '>',
    threshold: 0,
    for: '10m',
    severity: 'warning',
    summary: '{{ $value }} worker(s) of {{ $labels.namespace }}/{{ $labels.name }} not Ready for 10 minutes',
    description:
      'Worker pods the RayCluster asks for have not turned Ready: unschedulable, image pull, or Ray failing to join.',
    runbook:
      'kubectl -n {{ $labels.namespace }} get pods -l ray.io/cluster={{ $labels.name }},ray.io/node-type=worker; `kubectl describe pod` shows FailedScheduling (resources, quotas, node selectors) or image errors; `kubectl logs -c wait-gcs-ready` shows a worker waiting for GCS.',
  },
  {
    alert: 'RayOOMKills',
    signal: orZero(
      'sum by (namespace, ray_io_cluster) (increase(ray_memory_manager_worker_eviction_total[10m]))',
      'namespace, ray_io_cluster',
      headUp,
    ),
    op: '>',
    threshold: 0,
    for: '0s',
    severity: 'warning',
    summary:
      'Ray killed {{ $value }} task/actor worker(s) for memory in {{ $labels.namespace }}/{{ $labels.ray_io_cluster }}',
    description:
      "Ray's memory monitor killed workers in the last 10 minutes because a node went over its memory threshold.",
    runbook:
      'Open the Ray cluster dashboard (Ray OOM Kills, Node Memory Usage); give the group more memory (container limits = Ray memory), lower task parallelism or set num_cpus/memory per task; see https://docs.ray.io/en/latest/ray-core/scheduling/ray-oom-prevention.html.',
  },
  {
    alert: 'RayAutoscalerCannotScale',
    // Kuray's native autoscaler capped by maxReplicas, or Ray's own autoscaler failing to create nodes.
    signal: orZero(
      'sum by (namespace, cluster) (increase(kuray_autoscaler_decisions_total{rule="max-replicas"}[15m]))',
      'namespace, cluster',
      'kuray_autoscaler_decisions_total',
    ),
    op: '>',
    threshold: 0,
    for: '15m',
    severity: 'warning',
    summary:
      'Autoscaler of {{ $labels.namespace }}/{{ $labels.cluster }} wants more workers than maxReplicas allows',
    description:
      'For 15 minutes the native autoscaler has had demand or utilization above what maxReplicas allows.',
    runbook:
      "kubectl -n {{ $labels.namespace }} get raycluster {{ $labels.cluster }} -o jsonpath='{.status.autoscaler}' and its Events show the rule and signal; raise the group's maxReplicas or reduce the demand.",
  },
  {
    alert: 'RayAutoscalerNodeCreationFailing',
    signal: orZero(
      'sum by (namespace, ray_io_cluster) (increase(autoscaler_failed_create_nodes[15m]))',
      'namespace, ray_io_cluster',
      'autoscaler_pending_nodes',
    ),
    op: '>',
    threshold: 0,
    for: '0s',
    severity: 'warning',
    summary:
      "Ray's autoscaler failed to create nodes in {{ $labels.namespace }}/{{ $labels.ray_io_cluster }}",
    description:
      "Ray's in-tree autoscaler (enableInTreeAutoscaling) could not create worker pods in the last 15 minutes.",
    runbook:
      'kubectl -n {{ $labels.namespace }} logs <head pod> -c autoscaler; check the RayCluster Events and the operator logs for rejected pod creations (quota, admission, RBAC of the autoscaler ServiceAccount).',
  },
  {
    alert: 'RayJobFailed',
    signal: orZero(
      'sum by (namespace, name) (kuberay_job_deployment_status{deployment_status="Failed"})',
      'namespace, name',
      'kuberay_job_info',
    ),
    op: '>',
    threshold: 0,
    for: '0s',
    severity: 'warning',
    summary: 'RayJob {{ $labels.namespace }}/{{ $labels.name }} failed',
    description:
      'The RayJob reached the Failed deployment status (job failed, deadline exceeded or submitter failed).',
    runbook:
      'kubectl -n {{ $labels.namespace }} describe rayjob {{ $labels.name }} (status.reason, status.message, Events); `kubectl ray job logs {{ $labels.name }}` or the submitter Job logs show the entrypoint output.',
  },
  {
    alert: 'RayServiceNotReady',
    signal: orZero(
      'sum by (namespace, name) (kuberay_service_condition_ready{condition="false"})',
      'namespace, name',
      'kuberay_service_info',
    ),
    op: '>',
    threshold: 0,
    for: '5m',
    severity: 'critical',
    summary: 'RayService {{ $labels.namespace }}/{{ $labels.name }} not Ready for 5 minutes',
    description: 'The RayService has no ready serve endpoint: requests to its serve Service fail.',
    runbook:
      'kubectl -n {{ $labels.namespace }} describe rayservice {{ $labels.name }}: status.activeServiceStatus.applicationStatuses shows which Serve app or deployment is not RUNNING and why; Events show cluster and Serve config errors.',
  },
  {
    alert: 'KurayOperatorDown',
    signal: 'max by (job) (up{job=~"kuray-operator|kuberay-operator"})',
    op: '<',
    threshold: 1,
    for: '5m',
    severity: 'critical',
    summary: 'The Kuray operator is not serving metrics',
    description: 'No Ray object is reconciled, scaled or repaired while the operator is down.',
    runbook:
      'kubectl -n <operator namespace> get pods -l app.kubernetes.io/name=kuberay-operator; read its logs and Events; with leader election, `kubectl get lease` shows which replica leads.',
  },
  {
    alert: 'KurayReconcileErrors',
    signal: 'sum by (controller) (rate(controller_runtime_reconcile_errors_total[5m]))',
    op: '>',
    threshold: 0,
    for: '15m',
    severity: 'warning',
    summary: 'Kuray {{ $labels.controller }} reconciles keep failing',
    description: 'Reconcile errors for 15 minutes: objects are not converging.',
    runbook:
      'Operator logs at level error name the object and the API error; Warning Events on the objects say the same; check RBAC and admission webhooks that may reject its writes.',
  },
];

export function alertExpr(r: AlertRule): string {
  // Parenthesized: in PromQL a comparison binds tighter than and/or, so `a or b < 1` compares b alone
  // and an alert built with `or` would never fire.
  return `(${r.signal}) ${r.op} ${r.threshold}`;
}

/** The comparison as a 0/1 value per signal series: what the e2e evaluates. */
export function alertProbe(r: AlertRule): string {
  return `(${r.signal}) ${r.op} bool ${r.threshold}`;
}

/** The rules file's groups (plain Prometheus `rule_files` and PrometheusRule spec alike). */
export function ruleGroups(interval?: string): Record<string, unknown>[] {
  return [
    {
      name: 'kuray.rules',
      ...(interval ? { interval } : {}),
      rules: alertRules.map((r) => ({
        alert: r.alert,
        expr: alertExpr(r),
        for: r.for,
        labels: { severity: r.severity },
        annotations: { summary: r.summary, description: r.description, runbook: r.runbook },
      })),
    },
  ];
}

export function prometheusRule(
  o: { namespace?: string; labels?: Readonly<Record<string, string>> } = {},
): Record<string, unknown> {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'kuray-alerts',
      namespace: o.namespace ?? 'prometheus-system',
      ...(o.labels && Object.keys(o.labels).length ? { labels: { ...o.labels } } : {}),
    },
    spec: { groups: ruleGroups() },
  };
}
