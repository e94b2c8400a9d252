// The `ray start` parameters of a group, completed as KubeRay v1.7.0 does (group `resources`/`labels`
// fields, missing defaults, values derived from the Ray container's resources), plus one Kuray fix:
// Kubernetes quantities in memory-like parameters become the plain integers `ray start` accepts.
import type { ResourceRequirements } from './k8sTypes.ts';
import { parseQuantity, type Quantity } from '../api/quantity.ts';
import { literalValue } from '../util/shell.ts';
import {
  DEFAULT_DASHBOARD_AGENT_PORT,
  DEFAULT_GCS_PORT,
  DEFAULT_METRICS_PORT,
  type NodeType,
} from './constants.ts';

export type Params = Record<string, string>;

/** nvidia.com/gpu, amd.com/gpu, … or an NVIDIA MIG slice (nvidia.com/mig-2g.32gb). */
export function isGPUResourceKey(key: string): boolean {
  return key.endsWith('gpu') || /nvidia\.com\/mig-\d+g\.\d+gb$/.test(key);
}

// Container resources that become Ray custom resources (the first one found, in key order).
const CUSTOM_ACCELERATORS: Readonly<Record<string, string>> = {
  'aws.amazon.com/neuroncore': 'neuron_cores',
  'google.com/tpu': 'TPU',
};

function tryQuantity(v: unknown): Quantity | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  try {
    return parseQuantity(v);
  } catch {
    return undefined;
  }
}

/** Quantity.AsApproximateFloat64. */
function approxFloat(q: Quantity): number {
  return Number(q.nanos) / 1e9;
}

/**
 * json.Marshal of a map[string]float64 (sorted keys). KubeRay wraps it in single quotes here, which
 * a key containing `'` breaks out of; Kuray leaves quoting to the command line (./shell.ts).
 */
function resourcesJSON(map: Readonly<Record<string, number>>): string {
  const sorted = Object.keys(map).sort();
  const body = sorted.map((k) => `${JSON.stringify(k)}:${JSON.stringify(map[k])}`).join(',');
  return `{${body}}`;
}

/** The head port workers dial: rayStartParams `port`, else 6379. */
export function headPort(headParams: Readonly<Params> | undefined): string {
  return headParams?.port ?? String(DEFAULT_GCS_PORT);
}

/** The group's top-level `resources` override num-cpus / memory / num-gpus / resources. */
export function applyGroupResources(
  params: Params,
  groupResources: Readonly<Record<string, string>> | undefined,
): void {
  if (!groupResources || Object.keys(groupResources).length === 0) return;
  const custom: Record<string, number> = {};
  for (const [name, raw] of Object.entries(groupResources)) {
    const q = tryQuantity(raw);
    if (!q) continue; // KubeRay logs and skips an unparsable quantity
    const lower = name.toLowerCase();
    if (lower === 'cpu') params['num-cpus'] = q.value().toString();
    else if (lower === 'memory') params.memory = q.value().toString();
    else if (isGPUResourceKey(lower)) params['num-gpus'] = q.value().toString();
    else custom[name] = approxFloat(q);
  }
  if (Object.keys(custom).length > 0) params.resources = resourcesJSON(custom);
}

/** The group's top-level `labels` become `--labels=k=v,...` (sorted). */
export function applyGroupLabels(
  params: Params,
  groupLabels: Readonly<Record<string, string>> | undefined,
): void {
  if (!groupLabels || Object.keys(groupLabels).length === 0) return;
  params.labels = Object.keys(groupLabels)
    .sort()
    .map((k) => `${k}=${groupLabels[k]}`)
    .join(',');
}

/** KubeRay's setMissingRayStartParams: worker address, head dashboard-host, metrics and agent ports, --block. */
export function setMissingParams(params: Params, nodeType: NodeType, port: string, fqdn: string): void {
  if (nodeType === 'worker' && !('address' in params)) params.address = `${fqdn}:${port}`;
  if (nodeType === 'head' && !('dashboard-host' in params)) params['dashboard-host'] = '0.0.0.0';
  if (!('metrics-export-port' in params)) params['metrics-export-port'] = String(DEFAULT_METRICS_PORT);
  params.block = 'true';
  if (!('dashboard-agent-listen-port' in params)) {
    params['dashboard-agent-listen-port'] = String(DEFAULT_DASHBOARD_AGENT_PORT);
  }
}

/**
 * num-cpus from the CPU limit (else request), rounded up; memory from the memory limit only; num-gpus
 * and TPU/Neuron custom resources from the limits — each only when the user did not set it.
 */
export function deriveFromContainerResources(
  params: Params,
  resources: ResourceRequirements | undefined,
): void {
  const limits = resources?.limits ?? {};
  const requests = resources?.requests ?? {};
  if (!('num-cpus' in params)) {
    const lim = tryQuantity(limits.cpu);
    const req = tryQuantity(requests.cpu);
    if (lim && !lim.isZero()) params['num-cpus'] = lim.value().toString();
    else if (req && !req.isZero()) params['num-cpus'] = req.value().toString();
  }
  if (!('memory' in params)) {
    const mem = tryQuantity(limits.memory);
    if (mem && !mem.isZero()) params.memory = mem.value().toString();
  }
  addAcceleratorResources(params, limits);
}

function addAcceleratorResources(params: Params, limits: Readonly<Record<string, unknown>>): void {
  const keys = Object.keys(limits).sort();
  if (keys.length === 0) return;
  let map: Record<string, number> = {};
  if (params.resources !== undefined) {
    let parsed: unknown;
    try {
      // The user's value may be pre-quoted for KubeRay's shell ('{"A": 1}' or "{\"A\": 1}").
      parsed = JSON.parse(literalValue(params.resources) ?? '');
    } catch {
      return; // KubeRay logs the error and adds nothing
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return;
    map = parsed as Record<string, number>;
  }
  let customAdded = Object.values(CUSTOM_ACCELERATORS).some((r) => r in map);
  for (const key of keys) {
    const q = tryQuantity(limits[key]);
    if (!q || q.isZero()) continue;
    if (!('num-gpus' in params) && isGPUResourceKey(key)) params['num-gpus'] = q.value().toString();
    const rayName = CUSTOM_ACCELERATORS[key];
    if (!customAdded && rayName !== undefined) {
      if (!(rayName in map)) {
        map[rayName] = approxFloat(q);
        params.resources = resourcesJSON(map);
      }
      customAdded = true;
    }
  }
}

// `ray start` reads these as integers (bytes or counts); KubeRay passes "4Gi" through and Ray fails.
const BYTE_PARAMS = ['memory', 'object-store-memory'];
const COUNT_PARAMS = ['num-cpus', 'num-gpus'];

/** Kuray: `memory: "4Gi"` → `4294967296`, `num-cpus: "1500m"` → `2`; plain integers and other values untouched. */
export function normalizeQuantityParams(params: Params): void {
  for (const key of [...BYTE_PARAMS, ...COUNT_PARAMS]) {
    const v = params[key];
    if (v === undefined || /^[0-9]+$/.test(v)) continue;
    const q = tryQuantity(v);
    if (q && q.sign() >= 0) params[key] = q.value().toString();
  }
}
