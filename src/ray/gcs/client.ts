// One Ray cluster's GCS, as the native autoscaler talks to it: the cluster resource state (nodes and
// pending demand) and DrainNode, over one kept HTTP/2 connection with the cluster's auth token.
// The autoscaler polls this several times a second per cluster, so the connection is reused
// rather than opened per call (see GrpcChannel).
import { getClusterResourceState, type ClusterResourceState } from './autoscalerState.ts';
import { drainNode, type DrainReason, type DrainResult } from './drainNode.ts';
import { GrpcChannel } from './grpc.ts';

export interface DrainRequest {
  /** Hex node id (GcsNodeState.nodeId). */
  nodeId: string;
  reason: DrainReason;
  message: string;
}

export interface GcsClient {
  /** host:port dialled. */
  readonly address: string;
  clusterResourceState(): Promise<ClusterResourceState>;
  drainNode(req: DrainRequest): Promise<DrainResult>;
  /** Closes the connection; later calls fail. */
  close(): void;
}

export interface GcsClientOptions {
  /** GCS host:port (the head's `--port`, 6379 by default). */
  address: string;
  /** Ray auth token when the cluster runs with RAY_AUTH_MODE=token. */
  token?: string;
  /** Deadline of each call. */
  timeoutMs?: number;
}

export function gcsClient(opts: GcsClientOptions): GcsClient {
  const channel = new GrpcChannel(opts.address);
  const call = { address: opts.address, token: opts.token, timeoutMs: opts.timeoutMs ?? 5_000, channel };
  return {
    address: opts.address,
    clusterResourceState: () => getClusterResourceState(call),
    drainNode: (r) => drainNode({ ...call, ...r }),
    close: () => {
      channel.close();
    },
  };
}
