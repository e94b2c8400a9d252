// The dashboard's GET /api/cluster_status (Ray 2.58 reporter_head.py): the JSON the head's v1
// monitor writes to GCS KV every few seconds, passed through the dashboard's camelCase conversion.
//
// Quirks observed on real Ray 2.58 (testdata/cluster_status.demand.json):
// - the conversion camelCases every dict KEY it reaches through dicts and lists of dicts, so
//   resource names used as keys in `usage`/`usageByNode` are mangled ("object_store_memory" →
//   "objectStoreMemory", "node:__internal_head__" → "node:InternalHead");
// - demand lives in lists of [shape, count] PAIRS (lists inside lists), which the conversion does
//   not enter, so demand shapes keep Ray's exact resource names;
// - `clusterStatus` is null when no monitor runs (the head started with --no-monitor, as with
//   in-tree autoscaling) — GCS GetClusterResourceState (src/ray/gcs) works regardless, so it is
//   the primary source and this is the fallback/diagnostic one.
import { RayHttpBodyError } from './http.ts';

export type ResourceShape = Readonly<Record<string, number>>;

export interface ShapeCount {
  shape: ResourceShape;
  count: number;
}

export interface PlacementGroupDemand {
  bundles: readonly ShapeCount[];
  strategy: string;
  count: number;
}

export interface DashboardClusterStatus {
  /** False when the head runs no monitor: then there is no demand data here at all. */
  hasMonitorData: boolean;
  /** Unix seconds of the monitor's last report. */
  time?: number;
  resourceDemand: readonly ShapeCount[];
  pgDemand: readonly PlacementGroupDemand[];
  /** request_resources() demand. */
  requestDemand: readonly ShapeCount[];
  /** Cluster-wide [used, total] by (camelCased!) resource name. */
  usage: Readonly<Record<string, readonly [number, number]>>;
  autoscalingStatus: string | null;
  autoscalingError: string | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shape(v: unknown): ResourceShape {
  const out: Record<string, number> = {};
  if (isObject(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'number') out[k] = x;
  return out;
}

function pairs(v: unknown): ShapeCount[] {
  if (!Array.isArray(v)) return [];
  const out: ShapeCount[] = [];
  for (const p of v as unknown[]) {
    if (Array.isArray(p) && p.length === 2 && typeof p[1] === 'number')
      out.push({ shape: shape(p[0]), count: p[1] });
  }
  return out;
}

export function parseClusterStatus(v: unknown, url: string): DashboardClusterStatus {
  if (!isObject(v) || !isObject(v.data)) throw new RayHttpBodyError(url, `${url}: no "data" object`);
  const data = v.data;
  const cs = data.clusterStatus;
  const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
  const base = {
    autoscalingStatus: str(data.autoscalingStatus),
    autoscalingError: str(data.autoscalingError),
  };
  if (!isObject(cs) || !isObject(cs.loadMetricsReport)) {
    return { hasMonitorData: false, resourceDemand: [], pgDemand: [], requestDemand: [], usage: {}, ...base };
  }
  const lm = cs.loadMetricsReport;
  const pgDemand: PlacementGroupDemand[] = [];
  if (Array.isArray(lm.pgDemand)) {
    for (const p of lm.pgDemand as unknown[]) {
      if (!Array.isArray(p) || p.length !== 2 || !isObject(p[0]) || typeof p[1] !== 'number') continue;
      pgDemand.push({ bundles: pairs(p[0].bundles), strategy: str(p[0].strategy) ?? 'PACK', count: p[1] });
    }
  }
  const usage: Record<string, readonly [number, number]> = {};
  if (isObject(lm.usage)) {
    for (const [k, u] of Object.entries(lm.usage)) {
      if (Array.isArray(u) && typeof u[0] === 'number' && typeof u[1] === 'number') usage[k] = [u[0], u[1]];
    }
  }
  return {
    hasMonitorData: true,
    time: typeof cs.time === 'number' ? cs.time : undefined,
    resourceDemand: pairs(lm.resourceDemand),
    pgDemand,
    requestDemand: pairs(lm.requestDemand),
    usage,
    ...base,
  };
}
