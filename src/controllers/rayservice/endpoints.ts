// numServeEndpoints: the pods that the serve Service sends traffic to, counted from its EndpointSlices
// (ready endpoints, one per pod: in dual-stack clusters a pod appears in one slice per IP family).
import type { KubeObject } from '../../runtime/resources.ts';
import type { Lister } from '../shared/lister.ts';

/** EndpointSlices index: "ns/<service name>" from the kubernetes.io/service-name label. */
export const ENDPOINTS_BY_SERVICE = 'byService';
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';

export function endpointSliceIndex(o: KubeObject): string[] {
  const svc = o.metadata.labels?.[LABEL_SERVICE_NAME];
  return svc ? [`${o.metadata.namespace ?? ''}/${svc}`] : [];
}

interface EndpointSlice {
  endpoints?: { conditions?: { ready?: boolean }; targetRef?: { uid?: string }; addresses?: string[] }[];
}

/** Unique pods with a ready endpoint in the Service's slices. */
export function countReadyEndpoints(
  slices: Pick<Lister, 'byIndex'>,
  namespace: string,
  service: string,
): number {
  const pods = new Set<string>();
  for (const s of slices.byIndex(ENDPOINTS_BY_SERVICE, `${namespace}/${service}`) as (KubeObject &
    EndpointSlice)[]) {
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready !== true) continue;
      const id = e.targetRef?.uid ?? e.addresses?.[0];
      if (id) pods.add(id);
    }
  }
  return pods.size;
}
