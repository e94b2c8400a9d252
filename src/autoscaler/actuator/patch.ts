// The one write the native autoscaler makes to a RayCluster's spec: per group `replicas` and
// `scaleStrategy.workersToDelete` — the contract Ray's own autoscaler uses — plus the annotation
// that remembers when each group was last scaled (so a restarted operator still honours cooldown).
//
// A JSON patch whose `test` ops pin every value the decision was based on (the group at that
// index, its replicas, its current workersToDelete): if the user, the RayCluster controller
// (clearing workersToDelete) or a second operator changed any of them since our cache saw them,
// the apiserver rejects the whole patch (422) and the next sync decides again from fresh data.
import type { RayCluster } from '../../api/v1/index.ts';

export const ANNOTATION_LAST_SCALE = 'kuray.io/autoscaler-last-scale-time';

export interface GroupChange {
  group: string;
  replicas: number;
  /** Pods to add to scaleStrategy.workersToDelete. */
  addWorkersToDelete: readonly string[];
  /** ms since epoch: recorded as the group's last scale time. */
  atMs: number;
}

/** { group: ms } from the annotation; garbage is ignored (worst case: one cooldown is skipped). */
export function parseLastScale(rc: RayCluster): Record<string, number> {
  const raw = rc.metadata?.annotations?.[ANNOTATION_LAST_SCALE];
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: Record<string, number> = {};
    for (const [g, v] of Object.entries(parsed as Record<string, unknown>)) {
      const ms = typeof v === 'string' ? Date.parse(v) : NaN;
      if (Number.isFinite(ms)) out[g] = ms;
    }
    return out;
  } catch {
    return {};
  }
}

export function formatLastScale(times: Readonly<Record<string, number>>): string {
  const sorted = Object.keys(times).sort();
  return JSON.stringify(Object.fromEntries(sorted.map((g) => [g, new Date(times[g]!).toISOString()])));
}

/** RFC 6901: "~" → "~0", "/" → "~1". */
export function pointerEscape(s: string): string {
  return s.replaceAll('~', '~0').replaceAll('/', '~1');
}

export type JsonPatchOp =
  { op: 'test' | 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

/** The JSON patch for `changes`; [] when there is nothing to write. Throws if a group is unknown. */
export function scalePatch(rc: RayCluster, changes: readonly GroupChange[]): JsonPatchOp[] {
  if (!changes.length) return [];
  const specs = rc.spec.workerGroupSpecs ?? [];
  const ops: JsonPatchOp[] = [];
  const times = parseLastScale(rc);
  for (const c of changes) {
    const i = specs.findIndex((g) => g.groupName === c.group);
    if (i < 0) throw new Error(`worker group ${c.group} is not in the spec`);
    const g = specs[i]!;
    const base = `/spec/workerGroupSpecs/${i}`;
    ops.push({ op: 'test', path: `${base}/groupName`, value: g.groupName });
    if (g.replicas !== undefined) {
      ops.push({ op: 'test', path: `${base}/replicas`, value: g.replicas });
      ops.push({ op: 'replace', path: `${base}/replicas`, value: c.replicas });
    } else {
      ops.push({ op: 'add', path: `${base}/replicas`, value: c.replicas });
    }
    const current = g.scaleStrategy?.workersToDelete;
    if (c.addWorkersToDelete.length) {
      const next = [...(current ?? [])];
      for (const w of c.addWorkersToDelete) if (!next.includes(w)) next.push(w);
      if (!g.scaleStrategy) {
        ops.push({ op: 'add', path: `${base}/scaleStrategy`, value: { workersToDelete: next } });
      } else if (current === undefined) {
        ops.push({ op: 'add', path: `${base}/scaleStrategy/workersToDelete`, value: next });
      } else {
        ops.push({ op: 'test', path: `${base}/scaleStrategy/workersToDelete`, value: current });
        ops.push({ op: 'replace', path: `${base}/scaleStrategy/workersToDelete`, value: next });
      }
    } else if (current !== undefined) {
      // Pin it anyway: the decision counted those pods as terminating.
      ops.push({ op: 'test', path: `${base}/scaleStrategy/workersToDelete`, value: current });
    }
    times[c.group] = c.atMs;
  }
  const value = formatLastScale(times);
  if (!rc.metadata?.annotations) {
    ops.push({ op: 'add', path: '/metadata/annotations', value: { [ANNOTATION_LAST_SCALE]: value } });
  } else {
    ops.push({ op: 'add', path: `/metadata/annotations/${pointerEscape(ANNOTATION_LAST_SCALE)}`, value });
  }
  return ops;
}
