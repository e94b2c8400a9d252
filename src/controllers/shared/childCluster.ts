// A RayCluster created and owned by another custom resource (a RayJob's cluster, a RayService's
// active/pending clusters), as KubeRay builds it: the owner's labels and annotations copied, the
// `ray.io/originated-from-*` labels (the compiler reads them: a RayJob's head is not restarted, a
// RayService's pods get serve labels), a controller reference so deleting the owner deletes the
// cluster, and the embedded spec copied verbatim.
import type { RayCluster, RayClusterSpec } from '../../api/v1/index.ts';
import {
  LABEL_ORIGINATED_FROM_CR_NAME,
  LABEL_ORIGINATED_FROM_CRD,
  type CreatorKind,
} from '../../compiler/constants.ts';
import { randomSuffix } from '../../compiler/names.ts';
import { controllerRef, type KubeObject } from '../../runtime/resources.ts';

/** `<owner>-<5 random chars>` (KubeRay's GenerateRayClusterName; validation keeps owners ≤ 47 chars). */
export function childClusterName(owner: string, rand: () => string = randomSuffix): string {
  return `${owner}-${rand()}`;
}

export interface ChildClusterOptions {
  /** Added after the owner's labels and the origin labels (e.g. ray.io/job-submission-mode). */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The RayCluster object to create for `owner` (pure; the spec is deep-copied). */
export function childRayCluster(
  owner: KubeObject,
  creator: Exclude<CreatorKind, 'RayCluster'>,
  name: string,
  spec: RayClusterSpec,
  opts: ChildClusterOptions = {},
): RayCluster {
  const m = owner.metadata;
  return {
    apiVersion: 'ray.io/v1',
    kind: 'RayCluster',
    metadata: {
      name,
      namespace: m.namespace ?? '',
      labels: {
        ...(m.labels ?? {}),
        [LABEL_ORIGINATED_FROM_CR_NAME]: m.name ?? '',
        [LABEL_ORIGINATED_FROM_CRD]: creator,
        ...(opts.labels ?? {}),
      },
      annotations: { ...(m.annotations ?? {}), ...(opts.annotations ?? {}) },
      ownerReferences: [controllerRef(owner)],
    },
    spec: structuredClone(spec),
  };
}
