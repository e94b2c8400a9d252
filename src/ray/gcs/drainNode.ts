// GCS `AutoscalerStateService/DrainNode`: ask a raylet to stop taking work before its pod is
// deleted, as Ray's autoscaler v2 and `ray drain-node` do. An idle-termination drain is rejected
// by a node that has become busy in the meantime — exactly the race an autoscaler must not lose
// (deleting a pod that just got work), so callers delete only nodes whose drain was accepted.
import { unaryCall } from './grpc.ts';
import { asInt, asString, encodeFields, readFields } from './protobuf.ts';
import type { GcsCallOptions } from './autoscalerState.ts';

export type DrainReason = 'IDLE_TERMINATION' | 'PREEMPTION';
const REASON_CODE: Record<DrainReason, number> = { IDLE_TERMINATION: 1, PREEMPTION: 2 };

export interface DrainResult {
  accepted: boolean;
  rejectionReason: string;
}

export async function drainNode(
  opts: GcsCallOptions & {
    /** Hex node id (GcsNodeState.nodeId). */
    nodeId: string;
    reason: DrainReason;
    message: string;
    /** Unix ms by which the node will be gone; 0 = no deadline. */
    deadlineMs?: number;
  },
): Promise<DrainResult> {
  const reply = await unaryCall({
    address: opts.address,
    path: '/ray.rpc.autoscaler.AutoscalerStateService/DrainNode',
    request: encodeFields([
      { field: 1, bytes: Buffer.from(opts.nodeId, 'hex') },
      { field: 2, value: REASON_CODE[opts.reason] },
      { field: 3, bytes: opts.message },
      { field: 4, value: opts.deadlineMs ?? 0 },
    ]),
    timeoutMs: opts.timeoutMs,
    token: opts.token,
    channel: opts.channel,
  });
  let accepted = false;
  let rejectionReason = '';
  for (const f of readFields(reply)) {
    if (f.field === 1) accepted = asInt(f) !== 0;
    else if (f.field === 2) rejectionReason = asString(f);
  }
  return { accepted, rejectionReason };
}
