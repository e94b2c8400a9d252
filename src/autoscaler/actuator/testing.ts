// Seams for tests and the benchmark that run the actuator against pods whose IPs cannot be dialled
// (KWOK's 10.x): GCS reads and drains go to a real local Ray head instead of the head pod's IP.
import { drainNode } from '../../ray/gcs/drainNode.ts';
import { startLocalRayHead, type LocalRayHead } from '../../ray/testing/localRay.ts';
import { readClusterSignals } from '../signals/read.ts';
import type { ActuatorDeps } from './actuator.ts';

/** readSignals + drain aimed at `address()` (read each call, so a test can point it elsewhere). */
export function localRaySeams(address: () => string): Required<Pick<ActuatorDeps, 'readSignals' | 'drain'>> {
  return {
    readSignals: (o) => readClusterSignals({ ...o, gcsAddress: address(), metricsTargets: [] }),
    drain: (r) =>
      drainNode({
        address: address(),
        nodeId: r.nodeId,
        reason: 'IDLE_TERMINATION',
        message: r.message,
        timeoutMs: r.timeoutMs,
      }),
  };
}

export { patientRayEnv } from '../../../rig/ray/patient.ts';

/** startLocalRayHead, retried: on a machine at load 20+ a Ray component sometimes dies while starting. */
export async function startRayHeadWithRetry(
  opts: Parameters<typeof startLocalRayHead>[0],
  attempts = 3,
): Promise<LocalRayHead> {
  for (let i = 1; ; i++) {
    try {
      return await startLocalRayHead(opts);
    } catch (err) {
      if (i >= attempts) throw err;
      process.stderr.write(`local Ray head failed to start (attempt ${i}/${attempts}): ${String(err)}\n`);
    }
  }
}
