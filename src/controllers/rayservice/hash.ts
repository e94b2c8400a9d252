// Which changes of rayClusterConfig need a new RayCluster. KubeRay hashes the spec without the fields
// that change under a running cluster on their own (replicas and workersToDelete move with the
// autoscaler; min/max replicas; tolerations and scheduling gates that Kueue injects; suspend, which
// belongs to Kueue once the cluster exists; the cluster's own upgradeStrategy) and keeps the hash in
// an annotation of each cluster it creates.
//
// The hash here is Kuray's own (SHA-256 of canonical JSON, prefixed "kuray-"): Go's struct-ordered
// JSON cannot be reproduced field for field. A cluster whose annotation lacks the prefix was hashed by
// KubeRay: it is adopted (updated in place, as KubeRay does when its own version changes) rather
// than replaced, so switching operators never starts a blue/green upgrade by itself.
import { createHash } from 'node:crypto';
import type { RayClusterSpec } from '../../api/v1/index.ts';

export const HASH_PREFIX = 'kuray-';

/** JSON with object keys sorted at every level: equal specs give equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The spec with every field that must not cause a new cluster removed (a private copy). */
export function specForHashing(spec: RayClusterSpec): RayClusterSpec {
  const s = structuredClone(spec);
  delete s.suspend;
  delete s.upgradeStrategy;
  const head = s.headGroupSpec.template.spec;
  if (head) {
    delete head.tolerations;
    delete head.schedulingGates;
  }
  for (const g of s.workerGroupSpecs ?? []) {
    const loose = g as Partial<typeof g>;
    delete loose.replicas;
    delete loose.minReplicas;
    delete loose.maxReplicas;
    if (g.scaleStrategy) {
      delete g.scaleStrategy.workersToDelete;
      // An empty scaleStrategy is no scaleStrategy (KubeRay's is a struct, not a pointer).
      if (Object.keys(g.scaleStrategy).length === 0) delete (g as { scaleStrategy?: unknown }).scaleStrategy;
    }
    const t = g.template.spec;
    if (t) {
      delete t.tolerations;
      delete t.schedulingGates;
    }
  }
  return s;
}

/** The hash of the whole spec, or of its first `workerGroups` groups (to detect appended groups). */
export function clusterSpecHash(spec: RayClusterSpec, workerGroups?: number): string {
  const s = specForHashing(spec);
  // No worker groups and an empty list are the same spec (a group appended to a head-only cluster).
  const groups = s.workerGroupSpecs ?? [];
  s.workerGroupSpecs = workerGroups === undefined ? groups : groups.slice(0, workerGroups);
  return HASH_PREFIX + createHash('sha256').update(canonicalJson(s)).digest('hex').slice(0, 40);
}

/** Whether an annotation value was written by Kuray (else KubeRay, or nobody). */
export function isKurayHash(v: string | undefined): boolean {
  return v?.startsWith(HASH_PREFIX) ?? false;
}
