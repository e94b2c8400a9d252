// Pure builders of what a RayService owns: its RayClusters (active and pending), `<name>-head-svc` and
// the serve Service, both pointing at the cluster that serves (KubeRay v1.7.0 constructRayClusterFor-
// RayService, BuildHeadServiceForRayService, BuildServeService).
import type { RayCluster, RayService } from '../../api/v1/index.ts';
import {
  KUBERAY_VERSION,
  LABEL_CLUSTER,
  LABEL_ORIGINATED_FROM_CR_NAME,
  LABEL_ORIGINATED_FROM_CRD,
  LABEL_SERVE,
} from '../../compiler/constants.ts';
import type { Service, ServicePort } from '../../compiler/k8sTypes.ts';
import { defaultCompileOptions } from '../../compiler/options.ts';
import { servePorts } from '../../compiler/services.ts';
import { controllerRef, type KubeObject } from '../../runtime/resources.ts';
import { childRayCluster } from '../shared/childCluster.ts';
import { ownerHeadService } from '../shared/ownerHeadService.ts';
import { ANNOTATION_HASH, ANNOTATION_KUBERAY_VERSION, ANNOTATION_NUM_WORKER_GROUPS } from './constants.ts';
import { clusterSpecHash } from './hash.ts';

export type RS = RayService & KubeObject;

export function serveServiceName(rs: RayService): string {
  return rs.spec.serveService?.metadata?.name || `${rs.metadata?.name ?? ''}-serve-svc`;
}

/** The annotations that record which spec a cluster was built from. */
export function clusterAnnotations(rs: RayService): Record<string, string> {
  const spec = rs.spec.rayClusterConfig;
  return {
    [ANNOTATION_HASH]: clusterSpecHash(spec),
    [ANNOTATION_NUM_WORKER_GROUPS]: String(spec.workerGroupSpecs?.length ?? 0),
    [ANNOTATION_KUBERAY_VERSION]: KUBERAY_VERSION,
  };
}

/**
 * The RayCluster `name` of `rs`: rayClusterConfig as given (suspend included: it is passed on only at
 * creation, then belongs to Kueue), the RayService's labels and annotations, the origin labels and
 * the spec-hash annotations. `withoutReplicas`: the pending cluster of an incremental upgrade starts
 * without replicas so the autoscaler sizes it from Serve's target_capacity.
 */
export function desiredCluster(rs: RS, name: string, withoutReplicas = false): RayCluster {
  const rc = childRayCluster(rs, 'RayService', name, rs.spec.rayClusterConfig, {
    annotations: clusterAnnotations(rs),
  });
  if (withoutReplicas)
    for (const g of rc.spec.workerGroupSpecs ?? []) delete (g as { replicas?: number }).replicas;
  return rc;
}

/** `<rs>-head-svc` selecting the head of `cluster` (the compiler's head Service, renamed and owned by rs). */
export function headService(rs: RS, cluster: RayCluster): Service {
  return ownerHeadService(rs, 'RayService', cluster, defaultCompileOptions);
}

export class ServePortError extends Error {}

/**
 * The serve Service (`<rs>-serve-svc`, or `serveService` as given) selecting the pods of `cluster`
 * whose Serve proxy takes traffic (ray.io/serve=true). A user Service keeps everything but its
 * selector and namespace; its ports win over the detected ones of the same name. Throws
 * ServePortError when the head container has no `serve`/`serve-*` port and no serveService is given.
 */
export function serveService(rs: RS, cluster: RayCluster): Service {
  const name = rs.metadata.name ?? '';
  const namespace = rs.metadata.namespace ?? '';
  const labels = {
    [LABEL_ORIGINATED_FROM_CR_NAME]: name,
    [LABEL_ORIGINATED_FROM_CRD]: 'RayService',
    [LABEL_SERVE]: `${name}-serve`,
  };
  const selector = { [LABEL_CLUSTER]: cluster.metadata?.name ?? '', [LABEL_SERVE]: 'true' };
  const detected = servePorts(cluster);
  const type = rs.spec.rayClusterConfig.headGroupSpec.serviceType;
  const user = rs.spec.serveService;
  if (!user && detected.length === 0) {
    throw new ServePortError(
      "the Ray head container has no port named 'serve' (or 'serve-…', e.g. 'serve-grpc'), so there is no " +
        'serve Service to create: add containerPort 8000 named serve to rayClusterConfig.headGroupSpec',
    );
  }
  const svc: Service = user
    ? structuredClone(user)
    : { metadata: {}, spec: { ports: detected, ...(type ? { type } : {}) } };
  svc.apiVersion = 'v1';
  svc.kind = 'Service';
  svc.spec = { ...svc.spec, selector };
  if (user && detected.length > 0) {
    const own = new Map((svc.spec.ports ?? []).map((p) => [p.name, p]));
    svc.spec.ports = detected.map((p): ServicePort => own.get(p.name) ?? p);
  }
  if (!svc.spec.type && type) svc.spec.type = type;
  svc.metadata = {
    ...svc.metadata,
    name: serveServiceName(rs),
    namespace,
    labels: { ...svc.metadata?.labels, ...labels },
    ownerReferences: [controllerRef(rs)],
  };
  return svc;
}
