// Wires the RayService controller into a Manager. It shares the RayCluster controller's informers
// (RayClusters, Ray pods, Services: same selectors → same informer from the factory) and adds one:
// RayServices. Events of its clusters, their head pods and its Services requeue the RayService that
// owns them. numServeEndpoints comes from the serve Service's selector over the pod cache (endpoints.ts).
import {
  LABEL_CLUSTER,
  LABEL_ORIGINATED_FROM_CR_NAME,
  LABEL_ORIGINATED_FROM_CRD,
} from '../../compiler/constants.ts';
import { generationChanged, type Controller, type Request } from '../../runtime/controller.ts';
import type { Informer } from '../../runtime/informer.ts';
import type { Manager } from '../../runtime/manager.ts';
import {
  controllerOf,
  Pods,
  RayClusters,
  RayServices,
  Services,
  type GVR,
  type KubeObject,
} from '../../runtime/resources.ts';
import { INDEX_BY_CLUSTER, podClusterIndex } from '../shared/clusterPods.ts';
import { lister } from '../raycluster/setup.ts';
import { IncrementalUpgrades } from './incremental.ts';
import { CLUSTERS_BY_RAYSERVICE, RayServiceReconciler, type RayServiceReconcilerDeps } from './reconciler.ts';
import { ServeSync, type ServeSyncOptions } from './serve.ts';
import { cached, registerServiceMetrics } from '../metrics/kuberay.ts';

export interface RayServiceControllerOptions {
  /** Namespaces to watch; empty = all. */
  watchNamespaces?: readonly string[];
  concurrency?: number;
  /** KubeRay's ENABLE_ZERO_DOWNTIME (default true): the strategy when spec.upgradeStrategy is unset. */
  zeroDowntimeDefault?: boolean;
  /** Dashboard timing (timeouts, polling, retries). */
  serve?: Omit<ServeSyncOptions, 'requeue'>;
  /** Test seams: where and how Ray is reached. */
  ray?: Pick<RayServiceReconcilerDeps, 'rayEndpoints' | 'serveApi'>;
}

function addIndex(inf: Informer<KubeObject>, name: string, fn: (o: KubeObject) => string[]): void {
  try {
    inf.addIndex(name, fn);
  } catch {
    // Another controller added the same index to the shared informer.
  }
}

/** "ns/<rayservice>" for a RayCluster a RayService created. */
export function clusterRayServiceIndex(o: KubeObject): string[] {
  const l = o.metadata.labels;
  if (l?.[LABEL_ORIGINATED_FROM_CRD] !== 'RayService' || !l[LABEL_ORIGINATED_FROM_CR_NAME]) return [];
  return [`${o.metadata.namespace ?? ''}/${l[LABEL_ORIGINATED_FROM_CR_NAME]}`];
}

export function setupRayServiceController(mgr: Manager, opts: RayServiceControllerOptions = {}): Controller {
  const namespaces = opts.watchNamespaces?.length ? [...opts.watchNamespaces] : [''];
  const all = namespaces.length === 1 && namespaces[0] === '';
  const informersFor = (resource: GVR, labelSelector?: string) =>
    namespaces.map((namespace) =>
      mgr.informers.informer<KubeObject>(resource, {
        namespace,
        ...(labelSelector ? { labelSelector } : {}),
      }),
    );
  const services = informersFor(RayServices);
  registerServiceMetrics(mgr.registry, cached(services));
  const clusters = informersFor(RayClusters);
  for (const c of clusters) addIndex(c, CLUSTERS_BY_RAYSERVICE, clusterRayServiceIndex);
  const pods = informersFor(Pods, LABEL_CLUSTER);
  for (const p of pods) addIndex(p, INDEX_BY_CLUSTER, podClusterIndex);
  const kubeServices = informersFor(Services);

  const clusterLister = lister(clusters, all);
  const serviceLister = lister(kubeServices, all);
  const controller = mgr.newController({
    name: 'rayservice',
    concurrency: opts.concurrency ?? 4,
    reconcile: (req, ctx) => reconciler.reconcile(req, ctx),
  });
  const serve = new ServeSync({
    ...opts.serve,
    requeue: (key) => {
      const i = key.indexOf('/');
      controller.enqueue({ namespace: key.slice(0, i), name: key.slice(i + 1) });
    },
  });
  const reconciler = new RayServiceReconciler({
    client: mgr.client,
    events: mgr.events,
    services: lister(services, all),
    clusters: clusterLister,
    pods: lister(pods, all),
    kubeServices: serviceLister,
    serve,
    incremental: new IncrementalUpgrades({ client: mgr.client }),
    ...(opts.zeroDowntimeDefault !== undefined ? { zeroDowntimeDefault: opts.zeroDowntimeDefault } : {}),
    ...(opts.serve?.timeoutMs !== undefined ? { dashboardTimeoutMs: opts.serve.timeoutMs } : {}),
    ...opts.ray,
  });

  /** The RayService that owns a RayCluster (its controller reference). */
  const ownerOfCluster = (namespace: string, name: string | undefined): Request[] => {
    const rc = name ? clusterLister.get(namespace, name) : undefined;
    const ref = rc ? controllerOf(rc) : undefined;
    return ref?.kind === 'RayService' ? [{ namespace, name: ref.name }] : [];
  };
  for (const i of services) controller.watchOwn(i, generationChanged);
  for (const i of clusters) controller.watchOwned(i, 'RayService', 'ray.io');
  for (const i of kubeServices) controller.watchOwned(i, 'RayService', 'ray.io');
  // Head pods (ready, serve label) of its clusters; a burst of pod events within a second is one reconcile.
  for (const i of pods) {
    controller.watch(
      i,
      (p) =>
        p.metadata.labels?.['ray.io/node-type'] === 'head'
          ? ownerOfCluster(p.metadata.namespace ?? '', p.metadata.labels[LABEL_CLUSTER])
          : [],
      undefined,
      { coalesceMs: 1000 },
    );
  }
  return controller;
}
