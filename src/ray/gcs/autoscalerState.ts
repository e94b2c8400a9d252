// GCS `ray.rpc.autoscaler.AutoscalerStateService/GetClusterResourceState`: the same view Ray's own
// autoscaler v2 works from — every Ray node (pod name, group, total/available resources, idle
// duration) and the pending demand (task/actor shapes with counts, placement groups, and
// request_resources() constraints). It is served by GCS whether autoscaler v1, v2 or none runs.
//
// Field numbers are those of src/ray/protobuf/autoscaler.proto in Ray 2.58 (checked against the
// installed autoscaler_pb2 descriptor). Unknown fields are skipped.
import { unaryCall, type GrpcChannel } from './grpc.ts';
import {
  asBytes,
  asDouble,
  asInt,
  asString,
  encodeVarintFields,
  hex,
  readFields,
  readMapEntry,
  type WireField,
} from './protobuf.ts';

export type Resources = Readonly<Record<string, number>>;

/** NodeStatus enum of autoscaler.proto. */
export type GcsNodeStatus = 'UNSPECIFIED' | 'RUNNING' | 'DEAD' | 'IDLE' | 'DRAINING';
const NODE_STATUS: readonly GcsNodeStatus[] = ['UNSPECIFIED', 'RUNNING', 'DEAD', 'IDLE', 'DRAINING'];

export interface GcsNodeState {
  nodeId: string; // hex
  /** RAY_CLOUD_INSTANCE_ID of the node: the pod name under KubeRay/Kuray. */
  instanceId: string;
  /** RAY_NODE_TYPE_NAME of the node: the worker group name ("headgroup" for the head). */
  rayNodeTypeName: string;
  availableResources: Resources;
  totalResources: Resources;
  status: GcsNodeStatus;
  /** How long the raylet has been idle (no resources in use, no busy workers); 0 when busy. */
  idleDurationMs: number;
  nodeIpAddress: string;
  instanceTypeName: string;
  /** Human-readable reasons the node is busy, e.g. "Resource: CPU currently in use." */
  nodeActivity: readonly string[];
  labels: Readonly<Record<string, string>>;
}

export interface PlacementConstraint {
  kind: 'anti_affinity' | 'affinity';
  labelName: string;
  labelValue: string;
}

export interface GcsResourceRequest {
  resources: Resources;
  placementConstraints: readonly PlacementConstraint[];
}

export interface GcsResourceRequestByCount {
  request: GcsResourceRequest;
  count: number;
}

export interface GcsGangResourceRequest {
  requests: readonly GcsResourceRequest[];
  /** "<pg id>:<STRATEGY>|<STATE>", e.g. "8f03…:STRICT_SPREAD|PENDING". */
  details: string;
}

export interface ClusterResourceState {
  version: number;
  nodes: readonly GcsNodeState[];
  pendingResourceRequests: readonly GcsResourceRequestByCount[];
  pendingGangResourceRequests: readonly GcsGangResourceRequest[];
  /** request_resources() constraints; each is a list of shapes with counts. */
  clusterResourceConstraints: readonly (readonly GcsResourceRequestByCount[])[];
  sessionName: string;
}

function resourceMap(fields: WireField[], fieldNo: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of fields) {
    if (f.field !== fieldNo) continue;
    const [k, v] = readMapEntry(asBytes(f), asDouble, 0);
    out[k] = v;
  }
  return out;
}

function stringMap(fields: WireField[], fieldNo: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    if (f.field !== fieldNo) continue;
    const [k, v] = readMapEntry(asBytes(f), asString, '');
    out[k] = v;
  }
  return out;
}

function decodeNodeState(buf: Uint8Array): GcsNodeState {
  const fs = readFields(buf);
  const node: {
    -readonly [K in keyof GcsNodeState]: GcsNodeState[K];
  } = {
    nodeId: '',
    instanceId: '',
    rayNodeTypeName: '',
    availableResources: resourceMap(fs, 4),
    totalResources: resourceMap(fs, 5),
    status: 'UNSPECIFIED',
    idleDurationMs: 0,
    nodeIpAddress: '',
    instanceTypeName: '',
    nodeActivity: [],
    labels: stringMap(fs, 13),
  };
  const activity: string[] = [];
  for (const f of fs) {
    switch (f.field) {
      case 1:
        node.nodeId = hex(asBytes(f));
        break;
      case 2:
        node.instanceId = asString(f);
        break;
      case 3:
        node.rayNodeTypeName = asString(f);
        break;
      case 8:
        node.status = NODE_STATUS[asInt(f)] ?? 'UNSPECIFIED';
        break;
      case 9:
        node.idleDurationMs = asInt(f);
        break;
      case 10:
        node.nodeIpAddress = asString(f);
        break;
      case 11:
        node.instanceTypeName = asString(f);
        break;
      case 12:
        activity.push(asString(f));
        break;
    }
  }
  node.nodeActivity = activity;
  return node;
}

function decodeConstraint(buf: Uint8Array): PlacementConstraint | undefined {
  for (const f of readFields(buf)) {
    if (f.field !== 1 && f.field !== 2) continue;
    let labelName = '';
    let labelValue = '';
    for (const g of readFields(asBytes(f))) {
      if (g.field === 1) labelName = asString(g);
      else if (g.field === 2) labelValue = asString(g);
    }
    return { kind: f.field === 1 ? 'anti_affinity' : 'affinity', labelName, labelValue };
  }
  return undefined;
}

function decodeResourceRequest(buf: Uint8Array): GcsResourceRequest {
  const fs = readFields(buf);
  const placementConstraints: PlacementConstraint[] = [];
  for (const f of fs) {
    if (f.field !== 2) continue;
    const c = decodeConstraint(asBytes(f));
    if (c) placementConstraints.push(c);
  }
  return { resources: resourceMap(fs, 1), placementConstraints };
}

function decodeByCount(buf: Uint8Array): GcsResourceRequestByCount {
  let request: GcsResourceRequest = { resources: {}, placementConstraints: [] };
  let count = 0;
  for (const f of readFields(buf)) {
    if (f.field === 1) request = decodeResourceRequest(asBytes(f));
    else if (f.field === 2) count = asInt(f);
  }
  return { request, count };
}

function decodeGang(buf: Uint8Array): GcsGangResourceRequest {
  const requests: GcsResourceRequest[] = [];
  let details = '';
  for (const f of readFields(buf)) {
    if (f.field === 1) requests.push(decodeResourceRequest(asBytes(f)));
    else if (f.field === 2) details = asString(f);
  }
  return { requests, details };
}

/** Decodes a ClusterResourceState message. */
export function decodeClusterResourceState(buf: Uint8Array): ClusterResourceState {
  const nodes: GcsNodeState[] = [];
  const pending: GcsResourceRequestByCount[] = [];
  const gangs: GcsGangResourceRequest[] = [];
  const constraints: GcsResourceRequestByCount[][] = [];
  let version = 0;
  let sessionName = '';
  for (const f of readFields(buf)) {
    switch (f.field) {
      case 1:
        version = asInt(f);
        break;
      case 3:
        nodes.push(decodeNodeState(asBytes(f)));
        break;
      case 4:
        pending.push(decodeByCount(asBytes(f)));
        break;
      case 5:
        gangs.push(decodeGang(asBytes(f)));
        break;
      case 6:
        constraints.push(
          readFields(asBytes(f))
            .filter((g) => g.field === 1)
            .map((g) => decodeByCount(asBytes(g))),
        );
        break;
      case 7:
        sessionName = asString(f);
        break;
    }
  }
  return {
    version,
    nodes,
    pendingResourceRequests: pending,
    pendingGangResourceRequests: gangs,
    clusterResourceConstraints: constraints,
    sessionName,
  };
}

/** Decodes a GetClusterResourceStateReply (field 1 = ClusterResourceState). */
export function decodeGetClusterResourceStateReply(buf: Uint8Array): ClusterResourceState {
  for (const f of readFields(buf)) {
    if (f.field === 1) return decodeClusterResourceState(asBytes(f));
  }
  return decodeClusterResourceState(new Uint8Array());
}

export interface GcsCallOptions {
  /** GCS address host:port (the head's `--port`, 6379 by default). */
  address: string;
  timeoutMs?: number;
  /** Ray auth token when RAY_AUTH_MODE=token. */
  token?: string;
  /** A kept connection to this GCS; without it the call opens and closes its own. */
  channel?: GrpcChannel;
}

/** Reads the cluster resource state from GCS. Throws GrpcError on transport or status errors. */
export async function getClusterResourceState(opts: GcsCallOptions): Promise<ClusterResourceState> {
  const reply = await unaryCall({
    address: opts.address,
    path: '/ray.rpc.autoscaler.AutoscalerStateService/GetClusterResourceState',
    request: encodeVarintFields([{ field: 1, value: 0 }]),
    timeoutMs: opts.timeoutMs,
    token: opts.token,
    channel: opts.channel,
  });
  return decodeGetClusterResourceStateReply(reply);
}
