// What every piece of a cluster's compilation needs to know, computed once.
import type { OwnerReference } from './k8sTypes.ts';
import type { RayCluster } from '../api/v1/index.ts';
import { LABEL_ORIGINATED_FROM_CRD, type CreatorKind } from './constants.ts';
import { headServiceFQDN, namespaceOf } from './names.ts';
import type { CompileOptions } from './options.ts';
import { headPort } from './rayStartParams.ts';

export interface ClusterContext {
  readonly rc: RayCluster;
  readonly options: CompileOptions;
  readonly name: string;
  readonly namespace: string;
  /** `<head svc>.<ns>.svc.<domain>` */
  readonly fqdn: string;
  /** The GCS port workers dial (head rayStartParams `port`, else 6379). */
  readonly headPort: string;
  readonly creator: CreatorKind;
  readonly autoscaling: boolean;
  readonly ownerReference: OwnerReference;
}

function creatorOf(rc: RayCluster): CreatorKind {
  const v = rc.metadata?.labels?.[LABEL_ORIGINATED_FROM_CRD];
  return v === 'RayJob' || v === 'RayService' ? v : 'RayCluster';
}

/** The controller reference KubeRay's SetControllerReference writes on every child. */
export function ownerReferenceFor(rc: RayCluster): OwnerReference {
  // A RayCluster read from a file has no uid yet; the API server requires one, the operator always has it.
  const ref = {
    apiVersion: 'ray.io/v1',
    kind: 'RayCluster',
    name: rc.metadata?.name ?? '',
    ...(rc.metadata?.uid ? { uid: rc.metadata.uid } : {}),
    controller: true,
    blockOwnerDeletion: true,
  };
  return ref as OwnerReference;
}

export function clusterContext(rc: RayCluster, options: CompileOptions): ClusterContext {
  return {
    rc,
    options,
    name: rc.metadata?.name ?? '',
    namespace: namespaceOf(rc),
    fqdn: headServiceFQDN(rc, options.clusterDomain),
    headPort: headPort(rc.spec.headGroupSpec.rayStartParams),
    creator: creatorOf(rc),
    autoscaling: rc.spec.enableInTreeAutoscaling === true,
    ownerReference: ownerReferenceFor(rc),
  };
}
