// Turns GCS's ClusterResourceState into the autoscaler's view: Ray nodes (with pod name, group,
// idle-since) and pending demand (shapes with counts, placement groups, request_resources()).
import type {
  ClusterResourceState,
  GcsNodeState,
  GcsNodeStatus,
  GcsResourceRequest,
  Resources,
} from '../../ray/gcs/autoscalerState.ts';
// One definition of demand shapes: the signal readers produce exactly what the policy consumes.
import type { BundleDemand, GangDemand, PlacementStrategy } from '../policy/types.ts';

export type { BundleDemand, GangDemand, PlacementStrategy };

export interface RayNodeSignal {
  nodeId: string;
  /** Pod name (RAY_CLOUD_INSTANCE_ID), "" when the node was started without it. */
  podName: string;
  /** Worker group (RAY_NODE_TYPE_NAME), "" when unknown. */
  group: string;
  ip: string;
  isHead: boolean;
  alive: boolean;
  /** Ray's node status: RUNNING (busy), IDLE, DRAINING (accepted a drain, going away), DEAD. */
  status: GcsNodeStatus;
  /** Idle per Ray: nothing leased and no busy workers. A draining node is not idle (it is going). */
  idle: boolean;
  /** When it became idle (ms since epoch, from readAt − idle_duration_ms); undefined when busy. */
  idleSinceMs?: number;
  total: Resources;
  /** Missing keys mean 0: GCS omits resources with nothing available. */
  available: Resources;
  activity: readonly string[];
}

export interface DemandSignal {
  /** Queued tasks/actors by shape. */
  bundles: readonly BundleDemand[];
  /** Pending placement groups. */
  gangs: readonly GangDemand[];
  /** request_resources() floor: the cluster must be able to hold these at once. */
  constraints: readonly BundleDemand[];
}

// Ray's logical resources that describe a node's identity rather than capacity.
export function isCapacityResource(name: string): boolean {
  return !name.startsWith('node:') && !name.startsWith('accelerator_type:');
}

function capacityOnly(r: Resources): Resources {
  return Object.fromEntries(Object.entries(r).filter(([k]) => isCapacityResource(k)));
}

export function nodeSignalFromGcs(n: GcsNodeState, readAtMs: number): RayNodeSignal {
  const idle = n.status === 'IDLE';
  return {
    nodeId: n.nodeId,
    podName: n.instanceId,
    group: n.rayNodeTypeName,
    ip: n.nodeIpAddress,
    isHead: 'node:__internal_head__' in n.totalResources,
    alive: n.status !== 'DEAD',
    status: n.status,
    idle,
    idleSinceMs: idle ? readAtMs - n.idleDurationMs : undefined,
    total: capacityOnly(n.totalResources),
    available: capacityOnly(n.availableResources),
    activity: n.nodeActivity,
  };
}

function strategyOf(details: string, requests: readonly GcsResourceRequest[]): PlacementStrategy {
  // details = "<pgid>:<STRATEGY>|<STATE>"
  const m = /:([A-Z_]+)\|/.exec(details);
  const s = m?.[1];
  if (s === 'PACK' || s === 'SPREAD' || s === 'STRICT_PACK' || s === 'STRICT_SPREAD') return s;
  // Fall back on the constraints GCS encodes: anti-affinity on the PG label = STRICT_SPREAD,
  // affinity = STRICT_PACK.
  const c = requests[0]?.placementConstraints[0];
  if (c?.kind === 'anti_affinity') return 'STRICT_SPREAD';
  if (c?.kind === 'affinity') return 'STRICT_PACK';
  return 'PACK';
}

export function demandFromGcs(state: ClusterResourceState): DemandSignal {
  return {
    bundles: state.pendingResourceRequests
      .filter((r) => r.count > 0)
      .map((r) => ({ resources: capacityOnly(r.request.resources), count: r.count })),
    gangs: state.pendingGangResourceRequests.map((g) => ({
      id: g.details.split(':')[0] ?? '',
      strategy: strategyOf(g.details, g.requests),
      bundles: g.requests.map((r) => capacityOnly(r.resources)),
    })),
    constraints: state.clusterResourceConstraints
      .flat()
      .filter((r) => r.count > 0)
      .map((r) => ({ resources: capacityOnly(r.request.resources), count: r.count })),
  };
}

export interface GcsSignals {
  readAtMs: number;
  nodes: readonly RayNodeSignal[];
  demand: DemandSignal;
}

export function signalsFromGcsState(state: ClusterResourceState, readAtMs: number): GcsSignals {
  return {
    readAtMs,
    nodes: state.nodes.map((n) => nodeSignalFromGcs(n, readAtMs)),
    demand: demandFromGcs(state),
  };
}
