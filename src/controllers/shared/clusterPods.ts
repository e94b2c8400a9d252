// A Ray cluster's pods from the shared pod cache: the index every controller (RayCluster, RayJob,
// RayService, the native autoscaler) registers on the pod informer, and the owned-pod lookup.
import type { Pod } from '../../compiler/k8sTypes.ts';
import type { RayCluster } from '../../api/v1/index.ts';
import { LABEL_CLUSTER } from '../../compiler/constants.ts';
import type { KubeObject } from '../../runtime/resources.ts';
import type { Lister } from './lister.ts';

/** Pods index on the informer: "namespace/cluster". */
export const INDEX_BY_CLUSTER = 'byCluster';

export function clusterKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The pods index key of a Ray pod: "<namespace>/<ray.io/cluster label>". */
export function podClusterIndex(o: KubeObject): string[] {
  const c = o.metadata.labels?.[LABEL_CLUSTER];
  return c ? [clusterKey(o.metadata.namespace ?? '', c)] : [];
}

/** The cluster's pods from the cache (INDEX_BY_CLUSTER). */
export function ownedPods(pods: Pick<Lister, 'byIndex'>, rc: RayCluster): Pod[] {
  const uid = rc.metadata?.uid;
  const all = pods.byIndex(INDEX_BY_CLUSTER, clusterKey(rc.metadata!.namespace ?? '', rc.metadata!.name!));
  // A pod labelled for this cluster but owned by an earlier incarnation (same name, other uid) is
  // the garbage collector's, not ours.
  return (all as Pod[]).filter((p) => {
    const owner = p.metadata?.ownerReferences?.find((o) => o.controller);
    return !uid || !owner || owner.uid === uid;
  });
}
