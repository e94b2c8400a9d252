// The autoscaling dashboard: each decision of Kuray's native autoscaler (by rule and action), the
// replicas it wants against the Ray nodes that exist, the numeric inputs behind its latest decision,
// and the Ray signals it reads (node CPU and memory utilization, logical CPU use).
import { dashboard } from './grafana.ts';

const sel = 'namespace=~"$namespace", cluster=~"$cluster"';
const ray = 'namespace=~"$namespace", ray_io_cluster=~"$cluster"';

export function autoscalingDashboard(): Record<string, unknown> {
  return dashboard({
    uid: 'kuray-autoscaling',
    title: 'Kuray autoscaling',
    description: 'Native autoscaler decisions with the signal behind each, and the Ray metrics it reads.',
    tags: ['kuray', 'ray', 'autoscaling'],
    variables: [
      {
        name: 'namespace',
        label: 'Namespace',
        query: 'label_values(kuray_autoscaler_decisions_total, namespace)',
      },
      {
        name: 'cluster',
        label: 'RayCluster',
        query: 'label_values(kuray_autoscaler_decisions_total{namespace=~"$namespace"}, cluster)',
      },
    ],
    rows: [
      {
        title: 'Decisions',
        panels: [
          {
            title: 'Decisions by rule and action',
            description:
              'kuray_autoscaler_decisions_total: one per worker group per sync; the rule that decided (pending-demand, cpu-utilization, idle-timeout, cooldown, max-replicas, steady…) and what it did (up, down, same, none).',
            wide: true,
            targets: [
              {
                expr: `sum by (cluster, group, rule, action) (increase(kuray_autoscaler_decisions_total{${sel}}[$__rate_interval]))`,
                legend: '{{cluster}}/{{group}} {{rule}} → {{action}}',
              },
            ],
          },
          {
            title: 'Desired replicas vs Ray worker nodes',
            description:
              'kuray_autoscaler_desired_replicas per group against the worker pods that are Ready (kuray_cluster_worker_replicas).',
            targets: [
              {
                expr: `max by (cluster, group) (kuray_autoscaler_desired_replicas{${sel}})`,
                legend: 'desired {{cluster}}/{{group}}',
              },
              {
                expr: 'max by (cluster) (label_replace(kuray_cluster_worker_replicas{state="ready", namespace=~"$namespace", name=~"$cluster"}, "cluster", "$1", "name", "(.*)"))',
                legend: 'ready workers {{cluster}}',
              },
            ],
          },
          {
            title: 'Signal behind the latest decision',
            description:
              'kuray_autoscaler_decision_input: the numbers the deciding rule read (utilization and threshold, pending demand, idle seconds, cooldown…), the same inputs as the Event and status.autoscaler.',
            targets: [
              {
                expr: `max by (cluster, group, rule, input) (kuray_autoscaler_decision_input{${sel}})`,
                legend: '{{cluster}}/{{group}} {{rule}}: {{input}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Ray signals',
        panels: [
          {
            title: 'Node CPU utilization',
            description: 'ray_node_cpu_utilization per Ray node (percent), the CPU rule’s input.',
            unit: 'percent',
            targets: [
              { expr: `max by (ray_io_cluster, pod) (ray_node_cpu_utilization{${ray}})`, legend: '{{pod}}' },
            ],
          },
          {
            title: 'Node memory utilization',
            description: 'ray_node_mem_used / ray_node_mem_total per Ray node, the memory rule’s input.',
            unit: 'percentunit',
            targets: [
              {
                expr: `max by (ray_io_cluster, pod) (ray_node_mem_used{${ray}}) / max by (ray_io_cluster, pod) (ray_node_mem_total{${ray}})`,
                legend: '{{pod}}',
              },
            ],
          },
          {
            title: 'Logical CPUs used and total',
            description:
              'ray_resources{Name="CPU"}: what tasks and actors hold, against what the nodes offer.',
            targets: [
              {
                expr: `sum by (ray_io_cluster, State) (ray_resources{Name="CPU", ${ray}})`,
                legend: '{{ray_io_cluster}} {{State}}',
              },
            ],
          },
          {
            title: 'Tasks by state',
            description: 'ray_tasks by state: queued work (PENDING_*) is the demand rule’s input.',
            targets: [{ expr: `sum by (State) (ray_tasks{${ray}})`, legend: '{{State}}' }],
          },
        ],
      },
    ],
  });
}
