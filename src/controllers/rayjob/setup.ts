// Wires the RayJob controller into a Manager: informers for RayJobs and what they own (their
// RayClusters, submitter Jobs, head Services), the Ray pods the RayCluster controller already caches
// (SidecarMode reads the head's submitter container), and the dashboard client factory.
import type { RayCluster } from '../../api/v1/index.ts';
import type { ValidateOptions } from '../../api/validation/common.ts';
import { gateEnabled, type FeatureGates } from '../../api/validation/features.ts';
import { LABEL_CLUSTER, LABEL_NODE_TYPE, LABEL_ORIGINATED_FROM_CRD } from '../../compiler/constants.ts';
import { defaultCompileOptions, type CompileOptions } from '../../compiler/index.ts';
import { RayTokenSource } from '../../autoscaler/actuator/rayToken.ts';
import type { Controller } from '../../runtime/controller.ts';
import type { Manager } from '../../runtime/manager.ts';
import { watchScope } from '../shared/watchScope.ts';
import {
  controllerOf,
  Jobs,
  Pods,
  RayClusters,
  RayJobs,
  Services,
  type KubeObject,
} from '../../runtime/resources.ts';
import { INDEX_BY_CLUSTER, podClusterIndex } from '../shared/clusterPods.ts';
import { lister } from '../raycluster/setup.ts';
import { podDashboardFactory, RayJobReconciler, type DashboardFactory } from './reconciler.ts';
import { childClusterName } from '../shared/childCluster.ts';
import { randomSuffix } from '../../compiler/names.ts';
import { cached, registerJobMetrics } from '../metrics/kuberay.ts';

export interface RayJobControllerOptions {
  watchNamespaces?: readonly string[];
  concurrency?: number;
  compileOptions?: CompileOptions;
  validateOptions?: ValidateOptions;
  featureGates?: FeatureGates;
  /** Default: the head pod's IP and dashboard port, with the cluster's Ray token. */
  dashboard?: DashboardFactory;
  env?: Readonly<Record<string, string | undefined>>;
}

function seconds(env: Readonly<Record<string, string | undefined>>, name: string, dflt: number): number {
  const n = Number(env[name]);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}

export function setupRayJobController(mgr: Manager, opts: RayJobControllerOptions = {}): Controller {
  const scope = watchScope(mgr, opts.watchNamespaces);
  const { all } = scope;
  const informersFor = scope.informers;
  const jobs = informersFor(RayJobs);
  registerJobMetrics(mgr.registry, cached(jobs));
  const clusters = informersFor(RayClusters);
  // Only the Jobs RayJobs create: the cache stays proportional to RayJobs, not to every batch Job.
  const k8sJobs = informersFor(Jobs, `${LABEL_ORIGINATED_FROM_CRD}=RayJob`);
  // The same informers (and index) as the RayCluster controller's: shared by the factory.
  const pods = informersFor(Pods, LABEL_CLUSTER);
  for (const p of pods) if (!p.hasIndex(INDEX_BY_CLUSTER)) p.addIndex(INDEX_BY_CLUSTER, podClusterIndex);
  const services = informersFor(Services);
  const env = opts.env ?? process.env;
  const compileOptions = opts.compileOptions ?? defaultCompileOptions;
  const tokens = new RayTokenSource(mgr.client);
  const clusterLister = lister(clusters, all);

  // The reconciler's background calls requeue through the controller, which needs the reconciler.
  const queue: { add?: (key: string) => void } = {};
  const reconciler = new RayJobReconciler({
    client: mgr.client,
    jobs: lister(jobs, all),
    clusters: clusterLister,
    k8sJobs: lister(k8sJobs, all),
    pods: lister(pods, all),
    services: lister(services, all),
    events: mgr.events,
    dashboard: opts.dashboard ?? podDashboardFactory((rc) => tokens.tokenFor(rc)),
    compileOptions,
    ...(opts.validateOptions ? { validateOptions: opts.validateOptions } : {}),
    machine: {
      transitionGracePeriodSeconds: seconds(
        env,
        'RAYJOB_DEPLOYMENT_STATUS_TRANSITION_GRACE_PERIOD_SECONDS',
        300,
      ),
      statusCheckTimeoutSeconds: seconds(env, 'RAYJOB_STATUS_CHECK_TIMEOUT_SECONDS', 300),
      submitterFinishedTimeoutSeconds: 30,
      deleteRayJobAfterFinish: (env.DELETE_RAYJOB_CR_AFTER_JOB_FINISHES ?? '').toLowerCase() === 'true',
      deletionPolicyGate: gateEnabled(opts.featureGates, 'RayJobDeletionPolicy'),
      newClusterName: (j) => childClusterName(j.metadata?.name ?? ''),
      newJobId: (j) => `${j.metadata?.name ?? ''}-${randomSuffix()}`,
    },
    requeue: (namespace, name) => queue.add?.(`${namespace}/${name}`),
    metrics: mgr.registry,
  });
  const controller = mgr.newController({
    name: 'rayjob',
    concurrency: opts.concurrency ?? 4,
    reconcile: (req, ctx) => reconciler.reconcile(req, ctx),
  });
  queue.add = (key) => {
    controller.queue.add(key);
  };
  for (const i of jobs) controller.watchOwn(i);
  for (const i of clusters) controller.watchOwned(i, 'RayJob', 'ray.io');
  for (const i of k8sJobs) controller.watchOwned(i, 'RayJob', 'ray.io');
  for (const i of services) controller.watchOwned(i, 'RayJob', 'ray.io');
  // SidecarMode: a head pod's status (its submitter container) → the RayJob owning the pod's cluster.
  for (const i of pods)
    controller.watch(i, (p) => {
      if (p.metadata.labels?.[LABEL_NODE_TYPE] !== 'head') return [];
      const rc = clusterLister.get(p.metadata.namespace, p.metadata.labels[LABEL_CLUSTER] ?? '') as
        (RayCluster & KubeObject) | undefined;
      const owner = rc && controllerOf(rc);
      return owner?.kind === 'RayJob' ? [{ namespace: p.metadata.namespace ?? '', name: owner.name }] : [];
    });
  return controller;
}
