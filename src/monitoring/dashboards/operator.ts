// The Kuray operator dashboard: the Ray objects it manages (KubeRay's kuberay_* series, so the same
// panels work against KubeRay) and the operator itself (reconciles, queues, API calls, footprint).
import { dashboard } from './grafana.ts';

const ns = 'namespace=~"$namespace"';

export function operatorDashboard(): Record<string, unknown> {
  return dashboard({
    uid: 'kuray-operator',
    title: 'Kuray operator',
    description:
      'RayClusters, RayJobs and RayServices as the operator sees them, and the operator’s own health.',
    tags: ['kuray', 'ray', 'operator'],
    variables: [
      { name: 'namespace', label: 'Namespace', query: 'label_values(kuberay_cluster_info, namespace)' },
    ],
    rows: [
      {
        title: 'Ray objects',
        panels: [
          {
            title: 'RayClusters by provisioned state',
            description:
              'kuberay_cluster_condition_provisioned: clusters whose pods all became Ready once (true) and those still coming up (false).',
            targets: [
              {
                expr: `sum by (condition) (kuberay_cluster_condition_provisioned{${ns}})`,
                legend: 'provisioned={{condition}}',
              },
            ],
          },
          {
            title: 'Time to provision',
            description:
              'kuberay_cluster_provisioned_duration_seconds: creation to all pods Ready, per cluster.',
            unit: 's',
            targets: [
              {
                expr: `max by (namespace, name) (kuberay_cluster_provisioned_duration_seconds{${ns}})`,
                legend: '{{namespace}}/{{name}}',
              },
            ],
          },
          {
            title: 'Worker pods: desired vs ready',
            description:
              'kuray_cluster_worker_replicas from RayCluster status; a gap that lasts means workers stuck pending.',
            targets: [{ expr: `sum by (state) (kuray_cluster_worker_replicas{${ns}})`, legend: '{{state}}' }],
          },
          {
            title: 'RayClusters by owner',
            description:
              'kuberay_cluster_info by owner_kind: standalone (None), from RayJobs, from RayServices.',
            targets: [
              { expr: `count by (owner_kind) (kuberay_cluster_info{${ns}})`, legend: '{{owner_kind}}' },
            ],
          },
          {
            title: 'RayJobs by deployment status',
            description: 'kuberay_job_deployment_status.',
            targets: [
              {
                expr: `count by (deployment_status) (kuberay_job_deployment_status{${ns}})`,
                legend: '{{deployment_status}}',
              },
            ],
          },
          {
            title: 'RayJob execution time',
            description:
              'kuberay_job_execution_duration_seconds: Initializing to Complete, Failed or Retrying.',
            unit: 's',
            targets: [
              {
                expr: `max by (namespace, name, job_deployment_status) (kuberay_job_execution_duration_seconds{${ns}})`,
                legend: '{{namespace}}/{{name}} {{job_deployment_status}}',
              },
            ],
          },
          {
            title: 'RayServices ready',
            description: 'kuberay_service_condition_ready and kuberay_service_condition_upgrade_in_progress.',
            targets: [
              {
                expr: `count by (condition) (kuberay_service_condition_ready{${ns}})`,
                legend: 'ready={{condition}}',
              },
              {
                expr: `count by (condition) (kuberay_service_condition_upgrade_in_progress{${ns}})`,
                legend: 'upgrading={{condition}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Operator',
        panels: [
          {
            title: 'Reconciles per second',
            description: 'controller_runtime_reconcile_total by controller and result.',
            unit: 'ops',
            targets: [
              {
                expr: 'sum by (controller, result) (rate(controller_runtime_reconcile_total[$__rate_interval]))',
                legend: '{{controller}} {{result}}',
              },
            ],
          },
          {
            title: 'Reconcile errors per second',
            description: 'controller_runtime_reconcile_errors_total by controller.',
            unit: 'ops',
            targets: [
              {
                expr: 'sum by (controller) (rate(controller_runtime_reconcile_errors_total[$__rate_interval]))',
                legend: '{{controller}}',
              },
            ],
          },
          {
            title: 'Reconcile time p99',
            description: 'controller_runtime_reconcile_time_seconds.',
            unit: 's',
            targets: [
              {
                expr: 'histogram_quantile(0.99, sum by (controller, le) (rate(controller_runtime_reconcile_time_seconds_bucket[$__rate_interval])))',
                legend: '{{controller}}',
              },
            ],
          },
          {
            title: 'Work queue depth and wait p99',
            description: 'workqueue_depth and workqueue_queue_duration_seconds by queue.',
            targets: [
              { expr: 'sum by (name) (workqueue_depth)', legend: 'depth {{name}}' },
              {
                expr: 'histogram_quantile(0.99, sum by (name, le) (rate(workqueue_queue_duration_seconds_bucket[$__rate_interval])))',
                legend: 'wait p99 (s) {{name}}',
              },
            ],
          },
          {
            title: 'Kubernetes API requests per second',
            description: 'rest_client_requests_total by verb and status code.',
            unit: 'reqps',
            targets: [
              {
                expr: 'sum by (method, code) (rate(rest_client_requests_total[$__rate_interval]))',
                legend: '{{method}} {{code}}',
              },
            ],
          },
          {
            title: 'Kubernetes API latency p99',
            description: 'rest_client_request_duration_seconds by verb.',
            unit: 's',
            targets: [
              {
                expr: 'histogram_quantile(0.99, sum by (verb, le) (rate(rest_client_request_duration_seconds_bucket[$__rate_interval])))',
                legend: '{{verb}}',
              },
            ],
          },
          {
            title: 'Operator memory and CPU',
            description:
              'process_resident_memory_bytes and process_cpu_seconds_total of each operator replica.',
            targets: [
              {
                expr: 'max by (pod) (process_resident_memory_bytes{job=~"kuray-operator|kuberay-operator"}) / 2^20',
                legend: 'RSS MiB {{pod}}',
              },
              {
                expr: 'max by (pod) (rate(process_cpu_seconds_total{job=~"kuray-operator|kuberay-operator"}[$__rate_interval]))',
                legend: 'CPU cores {{pod}}',
              },
            ],
          },
          {
            title: 'Event loop lag p99 and leader',
            description:
              'nodejs_eventloop_lag_p99_seconds (a busy operator answers late) and leader_election_master_status (1 on the leader).',
            targets: [
              { expr: 'max by (pod) (nodejs_eventloop_lag_p99_seconds)', legend: 'lag p99 (s) {{pod}}' },
              { expr: 'max by (pod, name) (leader_election_master_status)', legend: 'leader {{pod}}' },
            ],
          },
        ],
      },
    ],
  });
}
