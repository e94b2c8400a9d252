// Per-node utilization from one Ray node's metrics export (see prometheus.ts).
//
// Names checked against a real Ray 2.58 head (testdata/metrics.head.busy.prom):
//   ray_node_cpu_utilization{ip}        percent of the node's CPUs in use (0–100)
//   ray_node_cpu_count{ip}              CPUs the node sees
//   ray_node_mem_used/total{ip}         bytes, host view
//   ray_node_cgroup_mem_used/total{ip}  bytes, container view — what matters on Kubernetes
//   ray_resources{Name,State=USED|AVAILABLE,NodeAddress}  Ray's logical resources (what the
//                                       scheduler has handed out, not what is burning)
// Each node serves only its own ray_node_* gauges on its --metrics-export-port, so the autoscaler
// scrapes every node (pod IP : metricsPort); the `ip` label identifies the node in the scrape.
import type { Sample } from './prometheus.ts';

export interface LogicalResource {
  used: number;
  available: number;
}

export interface NodeMetrics {
  ip: string;
  isHead: boolean;
  /** Fraction 0..1 of the node's CPUs in use (hardware, not logical). */
  cpuUtilization?: number;
  cpuCount?: number;
  memUsedBytes?: number;
  memTotalBytes?: number;
  /** Fraction 0..1 of memory in use; container (cgroup) view when Ray reports a bounded one. */
  memoryUtilization?: number;
  /** Logical resources by name, e.g. CPU → {used: 2, available: 0}. */
  logical: Readonly<Record<string, LogicalResource>>;
}

function gauge(samples: readonly Sample[], name: string, ip: string): number | undefined {
  // Several series can exist for one node (e.g. after a label change); the last one wins, as the
  // exporter lists the live series last. NaN means "no data".
  let v: number | undefined;
  for (const s of samples) if (s.name === name && s.labels.ip === ip && !Number.isNaN(s.value)) v = s.value;
  return v;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** Every node found in the samples (by the `ip` label of ray_node_cpu_count / mem_total). */
export function nodeMetricsFromSamples(samples: readonly Sample[]): NodeMetrics[] {
  const ips = new Map<string, boolean>();
  for (const s of samples) {
    if ((s.name === 'ray_node_cpu_count' || s.name === 'ray_node_mem_total') && s.labels.ip !== undefined) {
      ips.set(s.labels.ip, s.labels.IsHeadNode === 'true' || ips.get(s.labels.ip) === true);
    }
  }
  const out: NodeMetrics[] = [];
  for (const [ip, isHead] of ips) {
    const cpuPct = gauge(samples, 'ray_node_cpu_utilization', ip);
    const cpuCount = gauge(samples, 'ray_node_cpu_count', ip);
    const hostUsed = gauge(samples, 'ray_node_mem_used', ip);
    const hostTotal = gauge(samples, 'ray_node_mem_total', ip);
    const cgUsed = gauge(samples, 'ray_node_cgroup_mem_used', ip);
    const cgTotal = gauge(samples, 'ray_node_cgroup_mem_total', ip);
    // An unlimited cgroup reports a huge total (~2^63); then the host view is the meaningful one.
    const useCgroup =
      cgUsed !== undefined &&
      cgTotal !== undefined &&
      cgTotal > 0 &&
      (hostTotal === undefined || cgTotal <= hostTotal);
    const memUsedBytes = useCgroup ? cgUsed : hostUsed;
    const memTotalBytes = useCgroup ? cgTotal : hostTotal;
    const logical: Record<string, LogicalResource> = {};
    for (const s of samples) {
      if (s.name !== 'ray_resources' || s.labels.NodeAddress !== ip || Number.isNaN(s.value)) continue;
      const name = s.labels.Name;
      if (name === undefined) continue;
      const r = (logical[name] ??= { used: 0, available: 0 });
      if (s.labels.State === 'USED') r.used = s.value;
      else if (s.labels.State === 'AVAILABLE') r.available = s.value;
    }
    out.push({
      ip,
      isHead,
      cpuUtilization: cpuPct === undefined ? undefined : clamp01(cpuPct / 100),
      cpuCount,
      memUsedBytes,
      memTotalBytes,
      memoryUtilization:
        memUsedBytes !== undefined && memTotalBytes !== undefined && memTotalBytes > 0
          ? clamp01(memUsedBytes / memTotalBytes)
          : undefined,
      logical,
    });
  }
  return out;
}
