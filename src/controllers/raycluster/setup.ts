// Wires the RayCluster controller into a Manager: informers (one per watched namespace), the pods
// index, expectations fed by pod events, and the watches that map child events to their cluster.
import { LABEL_CLUSTER } from '../../compiler/constants.ts';
import type { CompileOptions } from '../../compiler/options.ts';
import type { ValidateOptions } from '../../api/validation/index.ts';
import type { Controller } from '../../runtime/controller.ts';
import { Expectations, observeExpectations } from '../../runtime/expectations.ts';
import type { Informer } from '../../runtime/informer.ts';
import type { Manager } from '../../runtime/manager.ts';
import { lister, watchScope } from '../shared/watchScope.ts';
import {
  PodDisruptionBudgets,
  Ingresses,
  PersistentVolumeClaims,
  Pods,
  RayClusters,
  RoleBindings,
  Roles,
  ServiceAccounts,
  Services,
  type GVR,
  type KubeObject,
} from '../../runtime/resources.ts';
import { RayClusterReconciler } from './reconciler.ts';
import { INDEX_BY_CLUSTER, podClusterIndex } from '../shared/clusterPods.ts';
import type { Lister } from '../shared/lister.ts';
import { cached, registerClusterMetrics } from '../metrics/kuberay.ts';
import { gateEnabled } from '../../api/validation/features.ts';
import { setupNetworkPolicyController } from './networkPolicies.ts';
import { CertManagerDiscovery } from './certManager.ts';
import { setupMTLSController } from './mtls.ts';
import { completesCluster } from './completingEvent.ts';
import type { Pod } from '../../compiler/k8sTypes.ts';

export interface RayClusterControllerOptions {
  /** Namespaces to watch; empty = all (KubeRay's --watch-namespace). */
  watchNamespaces?: readonly string[];
  /** Concurrent reconciles (KubeRay's --reconcile-concurrency). */
  concurrency?: number;
  podWriteParallelism?: number;
  resyncMs?: number;
  /**
   * Pod events of a cluster reach the queue at most once per this window (default 1000 ms; the first
   * at once), so the pods of a cluster that start together cost one or two reconciles and status
   * writes, not one each; the event that may complete the cluster (completingEvent.ts) is not held.
   * Cluster events are not delayed.
   */
  podEventCoalesceMs?: number;
  /** Passed to the reconciler (see RayClusterReconcilerDeps). */
  compileOptions?: CompileOptions;
  validateOptions?: ValidateOptions;
  defaultTokenAuth?: boolean;
  redisCleanup?: boolean;
  /** With RayClusterMTLS on: how long a cert-manager discovery answer is kept (default 60 s). */
  certManagerRecheckMs?: number;
}

/** A Lister of the objects this process created or found existing, for kinds it does not watch. */
export function createdOnce(): {
  informer: Lister;
  remember: (ns: string | undefined, name: string) => void;
} {
  const seen = new Set<string>();
  const key = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;
  return {
    informer: {
      get: (ns, name) => (seen.has(key(ns, name)) ? { metadata: { namespace: ns, name } } : undefined),
      byIndex: () => [],
    },
    remember: (ns, name) => {
      seen.add(key(ns, name));
    },
  };
}

// Kept here for the controllers that import it from this module.
export { lister } from '../shared/watchScope.ts';

export function setupRayClusterController(mgr: Manager, opts: RayClusterControllerOptions = {}): Controller {
  const scope = watchScope(mgr, opts.watchNamespaces);
  const { all } = scope;
  const informersFor = scope.informers;

  const clusters = informersFor(RayClusters);
  registerClusterMetrics(mgr.registry, cached(clusters));
  // Only Ray pods are cached (KubeRay's cache scoping), keeping memory proportional to Ray pods.
  const pods = informersFor(Pods, LABEL_CLUSTER);
  for (const p of pods) if (!p.hasIndex(INDEX_BY_CLUSTER)) p.addIndex(INDEX_BY_CLUSTER, podClusterIndex);
  const children = new Map<
    string,
    { resource: GVR; informer: Lister; remember?: (ns: string | undefined, name: string) => void }
  >();
  const childInformers: Informer<KubeObject>[][] = [];
  for (const r of [Services, ServiceAccounts, Roles, RoleBindings]) {
    const infs = informersFor(r);
    childInformers.push(infs);
    children.set(r.kind, { resource: r, informer: lister(infs, all) });
  }

  // PodDisruptionBudgets (opt-in, rare) are not watched: a watch per namespace for them would cost a
  // connection each. The operator remembers what it created (or found) instead, so a converged
  // cluster still makes no call; a PDB deleted by hand comes back after an operator restart.
  children.set(PodDisruptionBudgets.kind, { resource: PodDisruptionBudgets, ...createdOnce() });
  // The dashboard Ingress (enableIngress) likewise: created once, a user's edits survive (KubeRay
  // updates it; Kuray leaves it to the user once it exists, like the head Service).
  children.set(Ingresses.kind, { resource: Ingresses, ...createdOnce() });
  // The RocksDB GCS store's claim (gcsFaultToleranceOptions.backend rocksdb): created once, before
  // the head pod that mounts it; never resized or rewritten (KubeRay only warns on drift).
  children.set(PersistentVolumeClaims.kind, { resource: PersistentVolumeClaims, ...createdOnce() });

  const gates = opts.validateOptions?.featureGates;
  const certManager = gateEnabled(gates, 'RayClusterMTLS')
    ? new CertManagerDiscovery(mgr.client, opts.certManagerRecheckMs)
    : undefined;
  const expectations = new Expectations();
  const reconciler = new RayClusterReconciler({
    client: mgr.client,
    clusters: lister(clusters, all),
    pods: lister(pods, all),
    children,
    expectations,
    events: mgr.events,
    log: mgr.log,
    ...(opts.podWriteParallelism !== undefined ? { podWriteParallelism: opts.podWriteParallelism } : {}),
    ...(opts.resyncMs !== undefined ? { resyncMs: opts.resyncMs } : {}),
    ...(opts.compileOptions ? { compileOptions: opts.compileOptions } : {}),
    ...(opts.validateOptions ? { validateOptions: opts.validateOptions } : {}),
    ...(opts.defaultTokenAuth ? { defaultTokenAuth: true } : {}),
    ...(opts.redisCleanup !== undefined ? { redisCleanup: opts.redisCleanup } : {}),
    ...(certManager ? { certManager } : {}),
  });
  const controller = mgr.newController({
    name: 'raycluster',
    concurrency: opts.concurrency ?? 4,
    reconcile: (req, ctx) => reconciler.reconcile(req, ctx),
  });
  for (const c of clusters) controller.watchOwn(c);
  for (const p of pods) {
    observeExpectations(expectations, p, (o) => podClusterIndex(o)[0]);
    controller.watchOwned(p, 'RayCluster', 'ray.io', {
      coalesceMs: opts.podEventCoalesceMs ?? 1000,
      urgent: (o) => completesCluster(p, o as Pod),
    });
  }
  for (const infs of childInformers) for (const i of infs) controller.watchOwned(i, 'RayCluster', 'ray.io');
  // The gated concerns run as controllers of their own (as in KubeRay), only with their gate on.
  if (gateEnabled(gates, 'RayClusterNetworkPolicy'))
    setupNetworkPolicyController(mgr, {
      ...(opts.watchNamespaces ? { watchNamespaces: opts.watchNamespaces } : {}),
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
      ...(opts.compileOptions ? { compileOptions: opts.compileOptions } : {}),
    });
  if (certManager)
    setupMTLSController(mgr, {
      certManager,
      ...(opts.watchNamespaces ? { watchNamespaces: opts.watchNamespaces } : {}),
      ...(opts.compileOptions ? { compileOptions: opts.compileOptions } : {}),
    });
  return controller;
}
