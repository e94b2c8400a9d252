// Joins a group's pods with what Ray and the metrics say about them, giving the policy's
// WorkerState list. This is the glue an actuator calls each sync:
//   signals = await readClusterSignals({ gcsAddress, metricsTargets: metricsTargetsFor(pods, port) })
//   workers = workerStatesFor('group', pods, signals)
//
// A pod is matched to its Ray node by pod name (RAY_CLOUD_INSTANCE_ID, which Kuray sets like
// KubeRay), falling back on the pod IP when exactly one live node has it (Ray started without
// the env). A pod without a live node is still launching (since its creation, unless GCS lists a
// dead node of it: then it joined once). A pod being deleted, or listed in
// scaleStrategy.workersToDelete, is terminating and counts for nothing.
import type { WorkerState } from '../policy/types.ts';
import type { RayNodeSignal } from './gcsSignals.ts';
import type { ClusterSignals, MetricsTarget } from './read.ts';

export interface PodView {
  name: string;
  /** ray.io/group label. */
  group: string;
  /** metadata.deletionTimestamp is set. */
  deleting: boolean;
  podIP?: string;
  /** metadata.creationTimestamp in ms since epoch. */
  createdAtMs?: number;
}

function nodeFor(pod: PodView, nodes: readonly RayNodeSignal[]): RayNodeSignal | undefined {
  const alive = nodes.filter((n) => n.alive && !n.isHead);
  const byName = alive.find((n) => n.podName === pod.name);
  if (byName) return byName;
  if (!pod.podIP) return undefined;
  const byIp = alive.filter((n) => n.podName === '' && n.ip === pod.podIP);
  return byIp.length === 1 ? byIp[0] : undefined;
}

export function workerStatesFor(
  group: string,
  pods: readonly PodView[],
  signals: Pick<ClusterSignals, 'nodes' | 'metrics'>,
  workersToDelete: ReadonlySet<string> = new Set(),
): WorkerState[] {
  return pods
    .filter((p) => p.group === group)
    .map((p): WorkerState => {
      if (p.deleting || workersToDelete.has(p.name)) return { podName: p.name, phase: 'terminating' };
      const n = nodeFor(p, signals.nodes);
      if (!n) {
        // The launch timeout is for pods that never became a Ray node. A pod whose node GCS lists
        // as dead did join once (its Ray restarted, or it is going away): it keeps no start time,
        // so its age never makes it look stuck.
        const joinedOnce = signals.nodes.some((x) => !x.alive && x.podName === p.name);
        return {
          podName: p.name,
          phase: 'pending',
          ...(p.createdAtMs !== undefined && !joinedOnce ? { pendingSinceMs: p.createdAtMs } : {}),
        };
      }
      const m = signals.metrics.get(p.name);
      return {
        podName: p.name,
        phase: 'running',
        total: n.total,
        available: n.available,
        idleSinceMs: n.idleSinceMs,
        cpuUtilization: m?.cpuUtilization,
        memoryUtilization: m?.memoryUtilization,
      };
    });
}

/** Scrape targets for the pods that have an IP: http://<podIP>:<metricsPort>/metrics. */
export function metricsTargetsFor(pods: readonly PodView[], metricsPort: number): MetricsTarget[] {
  return pods
    .filter((p) => !p.deleting && p.podIP)
    .map((p) => {
      const host = p.podIP!.includes(':') ? `[${p.podIP!}]` : p.podIP!; // IPv6 pods
      return { podName: p.name, url: `http://${host}:${metricsPort}/metrics`, ip: p.podIP };
    });
}
