// Wires the RayCronJob controller (KubeRay's gate RayCronJob, alpha, off by default: the operator
// registers it only with --feature-gates=RayCronJob=true, as KubeRay does).
import type { ValidateOptions } from '../../api/validation/common.ts';
import type { Controller } from '../../runtime/controller.ts';
import type { Manager } from '../../runtime/manager.ts';
import { watchScope } from '../shared/watchScope.ts';
import { RayCronJobs, RayJobs } from '../../runtime/resources.ts';
import { lister } from '../raycluster/setup.ts';
import { cronJobIndex, INDEX_BY_CRONJOB, RayCronJobReconciler } from './reconciler.ts';
import { cached, registerCronJobMetrics } from '../metrics/kuberay.ts';

export interface RayCronJobControllerOptions {
  watchNamespaces?: readonly string[];
  concurrency?: number;
  validateOptions?: ValidateOptions;
}

export function setupRayCronJobController(mgr: Manager, opts: RayCronJobControllerOptions = {}): Controller {
  const scope = watchScope(mgr, opts.watchNamespaces);
  const { all } = scope;
  const informersFor = scope.informers;
  const cronJobs = informersFor(RayCronJobs);
  registerCronJobMetrics(mgr.registry, cached(cronJobs));
  // The RayJob controller's informers (shared by the factory), with one more index.
  const jobs = informersFor(RayJobs);
  for (const j of jobs) if (!j.hasIndex(INDEX_BY_CRONJOB)) j.addIndex(INDEX_BY_CRONJOB, cronJobIndex);
  const reconciler = new RayCronJobReconciler({
    client: mgr.client,
    cronJobs: lister(cronJobs, all),
    jobs: lister(jobs, all),
    events: mgr.events,
    ...(opts.validateOptions ? { validateOptions: opts.validateOptions } : {}),
  });
  const controller = mgr.newController({
    name: 'raycronjob',
    concurrency: opts.concurrency ?? 1,
    reconcile: (req, ctx) => reconciler.reconcile(req, ctx),
  });
  for (const c of cronJobs) controller.watchOwn(c);
  // A RayJob finishing updates `active`, frees a Forbid tick and may prune history.
  for (const j of jobs) controller.watchOwned(j, 'RayCronJob', 'ray.io');
  return controller;
}
