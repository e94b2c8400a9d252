// Which compiler made a worker pod. RollingUpdate replaces a worker whose template hash (the hash of
// the compiled pod, ./rollingHash.ts) differs from the current one — but the compiled pod also
// changes when the *operator* changes: an upgrade that writes a new default into worker pods, or a
// flag such as --restricted-pod-security. Rolling every worker of every RollingUpdate cluster on an
// operator upgrade would kill work in flight that no user asked to restart (KubeRay skips its
// Recreate when its own version changed, for the same reason). So each rolled pod also records this
// fingerprint of the compiler that made it; a pod from another compiler is adopted (its annotations
// rewritten to the current hash), not replaced.
//
// The fingerprint is the template hash of a few reference clusters that together pass through the
// compiler's worker paths (plain; token auth; Redis GCS fault tolerance; autoscaler v2), compiled with
// the operator's options: any change of the compiler or of its options that shows in those pods
// changes it. A change that shows only in a path none of them takes (say TLS) is not seen, and rolls
// as a template change would. Pure; computed once per options object.
import type { RayCluster } from '../api/v1/index.ts';
import { createHash } from 'node:crypto';

const worker = {
  groupName: 'workers',
  replicas: 1,
  minReplicas: 0,
  maxReplicas: 2,
  rayStartParams: {},
  template: {
    spec: {
      containers: [
        {
          name: 'ray-worker',
          image: 'rayproject/ray:2.58.0',
          resources: { limits: { cpu: '1', memory: '2Gi' }, requests: { cpu: '1', memory: '2Gi' } },
        },
      ],
    },
  },
};

const head = {
  rayStartParams: {},
  template: { spec: { containers: [{ name: 'ray-head', image: 'rayproject/ray:2.58.0' }] } },
};

function reference(name: string, extra: Partial<RayCluster['spec']>): RayCluster {
  return {
    apiVersion: 'ray.io/v1',
    kind: 'RayCluster',
    metadata: { name, namespace: 'fingerprint', uid: 'fingerprint' },
    spec: { rayVersion: '2.58.0', headGroupSpec: head, workerGroupSpecs: [worker], ...extra },
  };
}

/** The reference clusters (see above); their one worker group is named `workers`. */
export const REFERENCE_CLUSTERS: readonly RayCluster[] = [
  reference('plain', {}),
  reference('auth', { authOptions: { mode: 'token' } }),
  reference('gcs-ft', {
    gcsFaultToleranceOptions: { redisAddress: 'redis:6379' },
  }),
  reference('autoscaler-v2', {
    enableInTreeAutoscaling: true,
    autoscalerOptions: { version: 'v2' },
  }),
];

/** Combines the reference clusters' worker template hashes; 16 hex characters. */
export function fingerprintOf(hashes: readonly string[]): string {
  return createHash('sha256').update(hashes.join('\n')).digest('hex').slice(0, 16);
}
