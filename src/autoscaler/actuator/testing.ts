// Seams for tests and the benchmark that run the actuator against pods whose IPs cannot be dialled
// (KWOK's 10.x): GCS reads, polls and drains go to a real local Ray head instead of the head pod's
// IP, and no metrics port is scraped.
import { gcsClient } from '../../ray/gcs/client.ts';
import { startLocalRayHead, type LocalRayHead } from '../../ray/testing/localRay.ts';
import type { ActuatorDeps } from './actuator.ts';

/**
 * Every cluster's GCS is `address()`, read when the cluster's connection is made (so a test can
 * point a later cluster elsewhere); metrics scrapes find nothing.
 */
export function localRaySeams(
  address: () => string,
): Required<Pick<ActuatorDeps, 'dialGcs' | 'scrapeMetrics'>> {
  return {
    dialGcs: (o) => gcsClient({ ...o, address: address() }),
    scrapeMetrics: () => Promise.resolve(undefined),
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
