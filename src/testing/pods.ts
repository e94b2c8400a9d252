// Test builders for observed pods, cert-manager style: `workerPod('w1', inGroup('g'), running(), ready())`.
// Only what the controller reads is filled in; each modifier returns a new pod.
import type { Pod as V1Pod } from '../compiler/k8sTypes.ts';
import { LABEL_CLUSTER, LABEL_GROUP, LABEL_NODE_TYPE, HEAD_GROUP } from '../compiler/constants.ts';

export type PodMod = (p: V1Pod) => V1Pod;

function base(name: string, nodeType: 'head' | 'worker', group: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: { [LABEL_CLUSTER]: 'c', [LABEL_NODE_TYPE]: nodeType, [LABEL_GROUP]: group },
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    spec: { containers: [{ name: 'ray', image: 'rayproject/ray:2.58.0' }], restartPolicy: 'Always' },
    status: { phase: 'Pending' },
  };
}

export function headPod(name: string, ...mods: PodMod[]): V1Pod {
  return mods.reduce((p, m) => m(p), base(name, 'head', HEAD_GROUP));
}

export function workerPod(name: string, ...mods: PodMod[]): V1Pod {
  return mods.reduce((p, m) => m(p), base(name, 'worker', 'workers'));
}

export const inGroup =
  (group: string): PodMod =>
  (p) => ({ ...p, metadata: { ...p.metadata, labels: { ...p.metadata?.labels, [LABEL_GROUP]: group } } });

export const inCluster =
  (cluster: string): PodMod =>
  (p) => ({ ...p, metadata: { ...p.metadata, labels: { ...p.metadata?.labels, [LABEL_CLUSTER]: cluster } } });

export const scheduled =
  (node = 'node-1'): PodMod =>
  (p) => ({ ...p, spec: { ...p.spec!, nodeName: node } });

export const running =
  (podIP = '10.244.0.10'): PodMod =>
  (p) => ({
    ...scheduled()(p),
    status: { ...p.status, phase: 'Running', podIP, conditions: p.status?.conditions ?? [] },
  });

export const ready = (): PodMod => (p) => ({
  ...p,
  status: {
    ...p.status,
    conditions: [
      ...(p.status?.conditions ?? []).filter((c) => c.type !== 'Ready'),
      { type: 'Ready', status: 'True' },
    ],
  },
});

export const notReady =
  (reason = 'ContainersNotReady'): PodMod =>
  (p) => ({
    ...p,
    status: {
      ...p.status,
      conditions: [
        ...(p.status?.conditions ?? []).filter((c) => c.type !== 'Ready'),
        { type: 'Ready', status: 'False', reason },
      ],
    },
  });

export const phase =
  (ph: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown', reason?: string): PodMod =>
  (p) => ({ ...p, status: { ...p.status, phase: ph, ...(reason ? { reason } : {}) } });

export const restartPolicy =
  (policy: 'Always' | 'Never' | 'OnFailure'): PodMod =>
  (p) => ({ ...p, spec: { ...p.spec!, restartPolicy: policy } });

export const rayContainerTerminated =
  (exitCode = 1): PodMod =>
  (p) => ({
    ...p,
    status: {
      ...p.status,
      containerStatuses: [
        {
          name: p.spec?.containers[0]?.name ?? 'ray',
          image: 'rayproject/ray:2.58.0',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode, reason: 'Error' } },
        },
      ],
    },
  });

export const terminating = (): PodMod => (p) => ({
  ...p,
  metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:05:00Z' },
});

export const createdAt =
  (iso: string): PodMod =>
  (p) => ({ ...p, metadata: { ...p.metadata, creationTimestamp: iso } });

export const withRequests =
  (requests: Record<string, string>, limits?: Record<string, string>): PodMod =>
  (p) => ({
    ...p,
    spec: {
      ...p.spec!,
      containers: p.spec!.containers.map((c, i) =>
        i === 0 ? { ...c, resources: { requests, ...(limits ? { limits } : {}) } } : c,
      ),
    },
  });

/** The compiler fingerprint test inputs call current (RollingGroupInput.compiler). */
export const THIS_COMPILER = 'this-compiler';

/**
 * The worker-template hash a pod was made with (upgradeStrategy RollingUpdate), and the compiler that
 * made it (default THIS_COMPILER; `null`: a pod from before pods recorded one).
 */
export const templateHash =
  (hash: string, compiler: string | null = THIS_COMPILER): PodMod =>
  (p) => {
    const { 'ray.io/worker-template-compiler': _old, ...annotations } = p.metadata?.annotations ?? {};
    annotations['ray.io/worker-template-hash'] = hash;
    if (compiler !== null) annotations['ray.io/worker-template-compiler'] = compiler;
    return { ...p, metadata: { ...p.metadata, annotations } };
  };
