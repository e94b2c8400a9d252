// The RayCronJob reconciler: its RayJobs from the cache → decide (pure) → create / delete → status
// (written only when it changed) → requeue at the next tick.
import type { RayCronJob, RayJob } from '../../api/v1/index.ts';
import type { ValidateOptions } from '../../api/validation/common.ts';
import { validate } from '../../api/validation/index.ts';
import type { ReconcileContext, Request, Result } from '../../runtime/controller.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../../runtime/errors.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import { RayCronJobs, RayJobs, type KubeObject } from '../../runtime/resources.ts';
import type { KubeClient } from '../../runtime/transport.ts';
import { canonicalJSON } from '../../util/canonical.ts';
import type { Lister } from '../shared/lister.ts';
import { decide } from './decide.ts';
import { parseSchedule } from './schedule.ts';

/** RayJobs index on the informer: "namespace/<owning RayCronJob>". */
export const INDEX_BY_CRONJOB = 'byCronJob';

export function cronJobIndex(o: KubeObject): string[] {
  const ref = o.metadata.ownerReferences?.find((r) => r.controller === true && r.kind === 'RayCronJob');
  return ref ? [`${o.metadata.namespace ?? ''}/${ref.name}`] : [];
}

export interface RayCronJobReconcilerDeps {
  client: KubeClient;
  cronJobs: Lister;
  /** RayJobs indexed by INDEX_BY_CRONJOB. */
  jobs: Lister;
  events: EventRecorder;
  validateOptions?: ValidateOptions;
  now?: () => number;
}

export class RayCronJobReconciler {
  readonly #d: RayCronJobReconcilerDeps;
  readonly #now: () => number;

  constructor(deps: RayCronJobReconcilerDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const cron = this.#d.cronJobs.get(req.namespace, req.name) as (RayCronJob & KubeObject) | undefined;
    if (!cron?.metadata || cron.metadata.deletionTimestamp) return {};
    const { errors } = validate(cron, this.#d.validateOptions);
    if (errors.length > 0) {
      // KubeRay: an Event, no status, no RayJob; a fixed spec is a new generation and a new reconcile.
      this.#d.events.warning(
        cron,
        'InvalidRayCronJobSpec',
        `${req.namespace}/${req.name}: ${errors.map((e) => `${e.path}: ${e.message} (${e.hint})`).join('; ')}`,
      );
      return {};
    }
    const jobs = this.#d.jobs
      .byIndex(INDEX_BY_CRONJOB, `${req.namespace}/${req.name}`)
      .filter((j) => j.metadata.ownerReferences?.some((r) => r.uid === cron.metadata.uid)) as RayJob[];
    const d = decide(cron, jobs, parseSchedule(cron.spec.schedule, cron.spec.timeZone ?? 'UTC'), this.#now());
    for (const e of d.events) {
      if (e.kind === 'Warning') this.#d.events.warning(cron, e.reason, e.message);
      else this.#d.events.normal(cron, e.reason, e.message);
    }
    for (const name of d.delete) {
      await this.#d.client
        .delete(RayJobs, req.namespace, name, { propagationPolicy: 'Background' })
        .catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
      this.#d.events.normal(cron, 'SuccessfulDelete', `Deleted RayJob ${name}`);
    }
    if (d.create) {
      try {
        await this.#d.client.create(RayJobs, d.create as KubeObject);
        this.#d.events.normal(cron, 'SuccessfulCreate', `Created RayJob ${d.create.metadata?.name ?? ''}`);
      } catch (err) {
        // The name is the tick's: an earlier reconcile already created it.
        if (!isAlreadyExists(err)) throw err;
      }
    }
    if (canonicalJSON(d.status) !== canonicalJSON(cron.status ?? {})) {
      try {
        await this.#d.client.updateStatus(RayCronJobs, { ...cron, status: d.status });
      } catch (err) {
        if (isConflict(err)) return { requeue: true };
        throw err;
      }
    }
    ctx.log.debug('raycronjob reconciled', { created: d.create?.metadata?.name, deleted: d.delete });
    return d.requeueAfterMs !== undefined ? { requeueAfter: d.requeueAfterMs } : {};
  }
}
