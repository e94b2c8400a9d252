// What the operator keeps of each Ray pod in its shared cache (the informer transform set in
// src/operator/run.ts). A pod as served is ~5 KB of JSON, ~7 KB of heap — mostly its containers'
// env, command lines, probes and mounts, which no controller reads back (they are the compiler's
// output, not an input). Kept: all of metadata except managedFields (labels, annotations, owner
// references, deletion and creation times), all of status, and of the spec only what a reader uses:
//
//   spec.restartPolicy, spec.containers[].name  raycluster/podState.ts unhealthyReason (the Ray
//                                               container's exit under restartPolicy Never)
//   spec.nodeName                               raycluster/podState.ts deletionRank (unscheduled first)
//   spec.containers[].ports                     rayservice/reconciler.ts (the head's serve port)
//
// A new reader of another spec field must add it here (cachedPod.test.ts lists the readers). Writes
// never start from a cached pod (pods are created from the compiler's output and only ever
// merge-patched), so nothing trimmed can be written back.
import type { Pod } from '../../compiler/k8sTypes.ts';
import type { KubeObject } from '../../runtime/resources.ts';

type Container = NonNullable<Pod['spec']>['containers'][number];

export function trimCachedPod<T extends KubeObject>(obj: T): T {
  const pod = obj as unknown as Pod;
  const { managedFields: _drop, ...metadata } = pod.metadata ?? {};
  const spec = pod.spec;
  const out: Pod = {
    ...(pod.apiVersion !== undefined ? { apiVersion: pod.apiVersion } : {}),
    ...(pod.kind !== undefined ? { kind: pod.kind } : {}),
    metadata,
    ...(spec
      ? {
          spec: {
            containers: spec.containers.map((c): Container => ({
              name: c.name,
              ...(c.ports !== undefined ? { ports: c.ports } : {}),
            })),
            ...(spec.restartPolicy !== undefined ? { restartPolicy: spec.restartPolicy } : {}),
            ...(spec.nodeName !== undefined ? { nodeName: spec.nodeName } : {}),
          },
        }
      : {}),
    ...(pod.status !== undefined ? { status: pod.status } : {}),
  };
  return out as unknown as T;
}
