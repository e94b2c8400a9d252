// numServeEndpoints: the pods the serve Service sends traffic to, computed from its selector the way
// the EndpointSlice controller computes its endpoints, not read back from EndpointSlices.
//
// Why not read Endpoints/EndpointSlices (KubeRay reads the Service's Endpoints): they are a copy the
// EndpointSlice controller derives from exactly these inputs — the pods in the Service's namespace
// whose labels match spec.selector, that have a pod IP, are not being deleted, and whose Ready condition
// is True (ready endpoints; the serve Service never sets publishNotReadyAddresses). Computing it
// directly gives the same number without the extra hop's lag, without an EndpointSlice watch (and its
// RBAC), and also where the API server refuses to store the addresses: it rejects loopback IPs in an
// EndpointSlice, so a node that gives pods 127.x addresses never gets endpoints although routing by
// selector reaches them.
// The serve Service's selector always names ray.io/cluster (objects.ts), so the pod cache's cluster
// index holds every pod it can select; a Service without that label selects nothing here.
import { LABEL_CLUSTER } from '../../compiler/constants.ts';
import type { Pod, Service } from '../../compiler/k8sTypes.ts';
import { isReady, isTerminating } from '../raycluster/podState.ts';
import { clusterKey, INDEX_BY_CLUSTER } from '../shared/clusterPods.ts';
import type { Lister } from '../shared/lister.ts';

/** Pods selected by the Service's selector that would be ready endpoints (one per pod). */
export function selectedReadyPods(pods: Pick<Lister, 'byIndex'>, svc: Service | undefined): Pod[] {
  const selector = svc?.spec?.selector;
  const cluster = selector?.[LABEL_CLUSTER];
  if (!svc || !selector || !cluster) return [];
  const ns = svc.metadata?.namespace ?? '';
  return (pods.byIndex(INDEX_BY_CLUSTER, clusterKey(ns, cluster)) as Pod[]).filter(
    (p) =>
      (p.metadata?.namespace ?? '') === ns &&
      Object.entries(selector).every(([k, v]) => p.metadata?.labels?.[k] === v) &&
      !!p.status?.podIP &&
      !isTerminating(p) &&
      p.status.phase !== 'Succeeded' &&
      p.status.phase !== 'Failed' &&
      isReady(p),
  );
}

export function countReadyEndpoints(pods: Pick<Lister, 'byIndex'>, svc: Service | undefined): number {
  return selectedReadyPods(pods, svc).length;
}
