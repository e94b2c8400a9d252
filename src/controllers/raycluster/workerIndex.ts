// Replica and host indices for the worker pods a reconcile creates (KubeRay's gate RayMultiHostIndexing,
// beta and on in 1.7): every worker carries ray.io/worker-group-replica-index; a multi-host group's
// pods also carry the replica's name (ray.io/worker-group-replica-name, shared by its hosts) and
// ray.io/replica-host-index. Schedulers (Volcano sub-groups, TPU webhooks) select on these, so two
// live replicas must never share an index and a replica's hosts must share one name.
import type { WorkerIndex } from '../../compiler/workerPod.ts';
import {
  LABEL_REPLICA_HOST_INDEX,
  LABEL_WORKER_REPLICA_INDEX,
  LABEL_WORKER_REPLICA_NAME,
} from '../../compiler/constants.ts';
import type { Pod } from '../../compiler/k8sTypes.ts';

function intLabel(p: Pod, key: string): number | undefined {
  const v = p.metadata?.labels?.[key];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** The lowest indices not in `used`, `count` of them. */
function lowestFree(used: ReadonlySet<number>, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; out.length < count; i++) if (!used.has(i)) out.push(i);
  return out;
}

/**
 * Indices for `count` new pods of a group whose live (non-terminating) pods are `live`. Single-host:
 * the lowest replica indices no live pod holds. Multi-host: first the missing hosts of incomplete
 * replicas (same name and index), then whole new replicas at the lowest free index, named
 * `<group>-<5 random>` as KubeRay names them.
 */
export function assignWorkerIndices(
  group: string,
  numOfHosts: number,
  live: readonly Pod[],
  count: number,
  rand: () => string,
): WorkerIndex[] {
  if (count <= 0) return [];
  const usedReplicas = new Set(
    live.map((p) => intLabel(p, LABEL_WORKER_REPLICA_INDEX)).filter((i) => i !== undefined),
  );
  if (numOfHosts <= 1) return lowestFree(usedReplicas, count).map((replicaIndex) => ({ replicaIndex }));

  const out: WorkerIndex[] = [];
  const replicas = new Map<string, { replicaIndex: number; hosts: Set<number> }>();
  for (const p of live) {
    const name = p.metadata?.labels?.[LABEL_WORKER_REPLICA_NAME];
    const replicaIndex = intLabel(p, LABEL_WORKER_REPLICA_INDEX);
    const host = intLabel(p, LABEL_REPLICA_HOST_INDEX);
    if (!name || replicaIndex === undefined || host === undefined) continue;
    const r = replicas.get(name) ?? { replicaIndex, hosts: new Set<number>() };
    r.hosts.add(host);
    replicas.set(name, r);
  }
  for (const [replicaName, r] of [...replicas].sort((a, b) => a[1].replicaIndex - b[1].replicaIndex)) {
    for (const hostIndex of lowestFree(r.hosts, numOfHosts - r.hosts.size)) {
      if (hostIndex >= numOfHosts || out.length === count) break;
      out.push({ replicaIndex: r.replicaIndex, hostIndex, replicaName });
    }
  }
  const whole = Math.ceil((count - out.length) / numOfHosts);
  for (const replicaIndex of lowestFree(usedReplicas, whole)) {
    const replicaName = `${group}-${rand()}`;
    for (let hostIndex = 0; hostIndex < numOfHosts && out.length < count; hostIndex++)
      out.push({ replicaIndex, hostIndex, replicaName });
  }
  return out;
}
