// Wires Kuray's native autoscaler into a Manager as its own controller: one sync per RayCluster in
// native mode every `syncPeriodMs`, and right away on a spec change, a pod event of the cluster, or
// a poll of its GCS that finds new demand or a changed node set (between syncs, see DemandWatch).
// It shares the RayCluster and Ray-pod informers with the RayCluster controller (same selectors →
// same informer from the factory), so it costs no extra watch. Clusters in other modes are looked
// at once per spec change and then left alone.
import type { RayCluster } from '../../api/v1/index.ts';
import { NativeAutoscaler, type ActuatorDeps } from '../../autoscaler/actuator/actuator.ts';
import type { DemandPollIntervals } from '../../autoscaler/signals/demandChange.ts';
import { LABEL_CLUSTER } from '../../compiler/constants.ts';
import { generationChanged, type Controller } from '../../runtime/controller.ts';
import type { Manager } from '../../runtime/manager.ts';
import { Pods, RayClusters, type KubeObject } from '../../runtime/resources.ts';
import { INDEX_BY_CLUSTER, ownedPods, podClusterIndex } from '../shared/clusterPods.ts';
import { lister } from '../raycluster/setup.ts';
import { AutoscalerMetrics } from '../../autoscaler/actuator/metrics.ts';

export interface AutoscalerControllerOptions {
  /** Namespaces to watch; empty = all. */
  watchNamespaces?: readonly string[];
  /** Time between two syncs of a native-mode cluster (Ray's autoscaler loop: 5 s). */
  syncPeriodMs?: number;
  concurrency?: number;
  /**
   * How often a native cluster's GCS is polled for new demand between syncs (default
   * DEFAULT_DEMAND_POLL); false = not at all, demand waits for the next sync.
   */
  demandPoll?: DemandPollIntervals | false;
  /** Test seams: how Ray is reached, and the clock. */
  actuator?: Pick<ActuatorDeps, 'dialGcs' | 'scrapeMetrics' | 'now' | 'rayTimeoutMs'>;
}

export const DEFAULT_AUTOSCALER_SYNC_MS = 5_000;

export function setupAutoscalerController(mgr: Manager, opts: AutoscalerControllerOptions = {}): Controller {
  const namespaces = opts.watchNamespaces?.length ? [...opts.watchNamespaces] : [''];
  const clusters = namespaces.map((namespace) =>
    mgr.informers.informer<KubeObject>(RayClusters, { namespace }),
  );
  const pods = namespaces.map((namespace) =>
    mgr.informers.informer<KubeObject>(Pods, { namespace, labelSelector: LABEL_CLUSTER }),
  );
  for (const p of pods) {
    try {
      p.addIndex(INDEX_BY_CLUSTER, podClusterIndex);
    } catch {
      // The RayCluster controller added the same index to the shared informer already.
    }
  }
  const all = namespaces.length === 1 && namespaces[0] === '';
  const clusterLister = lister(clusters, all);
  const podLister = lister(pods, all);

  const period = opts.syncPeriodMs ?? DEFAULT_AUTOSCALER_SYNC_MS;
  const actuator = new NativeAutoscaler({
    client: mgr.client,
    metrics: new AutoscalerMetrics(mgr.registry),
    events: mgr.events,
    log: mgr.log,
    ...(opts.demandPoll === false
      ? {}
      : {
          onRayChange: (namespace: string, name: string) => {
            controller.enqueue({ namespace, name });
          },
          ...(opts.demandPoll ? { demandPoll: opts.demandPoll } : {}),
        }),
    ...opts.actuator,
  });
  mgr.stopSignal.addEventListener(
    'abort',
    () => {
      actuator.close();
    },
    { once: true },
  );
  const controller = mgr.newController({
    name: 'autoscaler',
    concurrency: opts.concurrency ?? 2,
    reconcile: async ({ namespace, name }, ctx) => {
      const rc = clusterLister.get(namespace, name) as (KubeObject & RayCluster) | undefined;
      if (!rc) {
        actuator.forget(namespace, name);
        return {};
      }
      const out = await actuator.sync(rc, () => ownedPods(podLister, rc));
      if (out.kind === 'skipped') return {};
      if (out.kind === 'waiting') ctx.log.debug('autoscaler waiting', { why: out.why });
      // Right after our own patch, look again as soon as the cache has it.
      const soon = out.kind === 'waiting' && out.cause === 'cache';
      return { requeueAfter: soon ? 500 : period };
    },
  });
  for (const c of clusters) controller.watchOwn(c, generationChanged);
  // Pod events of one cluster inside a second are one sync (the actuator reads all its pods anyway).
  for (const p of pods) controller.watchOwned(p, 'RayCluster', 'ray.io', { coalesceMs: 1000 });
  return controller;
}
