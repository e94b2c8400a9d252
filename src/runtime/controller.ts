// A controller: a work queue of "namespace/name" keys, N workers calling reconcile, requeue with
// rate limit on error, and controller-runtime's metrics. watch*() map informer events to keys.
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { Clock } from './clock.ts';
import type { Informer } from './informer.ts';
import { nopLogger, type Logger } from './log.ts';
import { counter, defaultRegistry, gauge, histogram, reconcileBuckets } from './metrics.ts';
import type { RateLimiter } from './ratelimit.ts';
import { controllerOf, objectKey, splitKey, type KubeObject } from './resources.ts';
import { WorkQueue } from './workqueue.ts';

export interface Request {
  namespace: string;
  name: string;
}

export interface Result {
  /** Reconcile again after this many ms (the rate limiter is reset). */
  requeueAfter?: number;
  /** Reconcile again soon, rate limited (like an error, without logging one). */
  requeue?: boolean;
}

export interface ReconcileContext {
  log: Logger;
  reconcileID: string;
  /** Aborted when the reconcile times out or the controller is stopping. */
  signal: AbortSignal;
}

// `void` so a reconcile that has nothing to say can simply return; matches the documented contract.
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type
export type Reconciler = (req: Request, ctx: ReconcileContext) => Promise<Result | void>;

/** An error that retrying cannot fix (e.g. an invalid spec): logged and counted, not requeued. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

export interface ControllerOptions {
  name: string;
  reconcile: Reconciler;
  /** Workers (controller-runtime MaxConcurrentReconciles), default 1. */
  concurrency?: number;
  rateLimiter?: RateLimiter<string>;
  /** Abort signal fires after this long; 0 = none. */
  reconcileTimeoutMs?: number;
  logger?: Logger;
  registry?: Registry;
  clock?: Clock;
}

/**
 * An update filter: spec (generation), labels, annotations, finalizers or deletion changed.
 * controller-runtime's GenerationChanged|LabelChanged|AnnotationChanged predicates combined.
 */
export function generationChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  const a = oldObj.metadata;
  const b = newObj.metadata;
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    JSON.stringify(a.labels ?? {}) !== JSON.stringify(b.labels ?? {}) ||
    JSON.stringify(a.annotations ?? {}) !== JSON.stringify(b.annotations ?? {}) ||
    JSON.stringify(a.finalizers ?? []) !== JSON.stringify(b.finalizers ?? [])
  );
}

export function requestKey(req: Request): string {
  return req.namespace ? `${req.namespace}/${req.name}` : req.name;
}

export interface WatchOptions {
  /**
   * At most one enqueue per this many ms for a key (WorkQueue.addThrottled): the first event after a
   * quiet window goes at once, events inside the window become one reconcile at its end — a burst
   * of pod status changes of one cluster costs one status write per window instead of one per pod,
   * and a lone event waits for nothing.
   */
  coalesceMs?: number;
  /**
   * With coalesceMs: an event for which this returns true enqueues at once, not at the window's end —
   * the event that may complete what users wait for (the last pod of a cluster turning Ready). A
   * false positive costs one extra reconcile.
   */
  urgent?: (obj: KubeObject) => boolean;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  readonly concurrency: number;
  readonly #reconcile: Reconciler;
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #stopping = new AbortController();
  #workers: Promise<void>[] = [];
  #started = false;
  readonly #m;

  constructor(opts: ControllerOptions) {
    this.name = opts.name;
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.#reconcile = opts.reconcile;
    this.#log = (opts.logger ?? nopLogger).child({ controller: opts.name });
    this.#timeoutMs = opts.reconcileTimeoutMs ?? 0;
    const registry = opts.registry ?? defaultRegistry;
    this.queue = new WorkQueue<string>({
      name: opts.name,
      rateLimiter: opts.rateLimiter,
      clock: opts.clock,
      registry,
    });
    this.#m = {
      total: counter(
        registry,
        'controller_runtime_reconcile_total',
        'Total number of reconciliations per controller',
        ['controller', 'result'],
      ),
      errors: counter(
        registry,
        'controller_runtime_reconcile_errors_total',
        'Total number of reconciliation errors per controller',
        ['controller'],
      ),
      terminal: counter(
        registry,
        'controller_runtime_terminal_reconcile_errors_total',
        'Total number of terminal reconciliation errors per controller',
        ['controller'],
      ),
      time: histogram(
        registry,
        'controller_runtime_reconcile_time_seconds',
        'Length of time per reconciliation per controller',
        ['controller'],
        reconcileBuckets,
      ),
      active: gauge(
        registry,
        'controller_runtime_active_workers',
        'Number of currently used workers per controller',
        ['controller'],
      ),
      max: gauge(
        registry,
        'controller_runtime_max_concurrent_reconciles',
        'Maximum number of concurrent reconciles per controller',
        ['controller'],
      ),
    };
    const c = { controller: this.name };
    this.#m.max.set(c, this.concurrency);
    this.#m.active.set(c, 0);
    for (const result of ['success', 'error', 'requeue', 'requeue_after'])
      this.#m.total.inc({ ...c, result }, 0);
    this.#m.errors.inc(c, 0);
    this.#m.terminal.inc(c, 0);
  }

  enqueue(req: Request): void {
    this.queue.add(requestKey(req));
  }

  enqueueAfter(req: Request, ms: number): void {
    this.queue.addAfter(requestKey(req), ms);
  }

  /**
   * Enqueue keys computed from any event on the informer. map returns the requests to reconcile
   * (default: the object itself). On update both old and new are mapped (a label change can move
   * an object between owners). updateFilter, if given, drops updates it returns false for (e.g.
   * generationChanged, so our own status writes don't trigger another reconcile); resyncs
   * (old === new) always pass.
   */
  watch<T extends KubeObject>(
    informer: Informer<T>,
    map: (obj: T) => Request[] = (o) => [splitKey(objectKey(o))],
    updateFilter?: (oldObj: T, newObj: T) => boolean,
    opts: WatchOptions = {},
  ): () => void {
    const window = opts.coalesceMs ?? 0;
    const put = (k: string, urgent = false): void => {
      if (window > 0 && !urgent) this.queue.addThrottled(k, window);
      else this.queue.add(k);
    };
    const enqueueAll = (o: T): void => {
      const urgent = opts.urgent?.(o) ?? false;
      for (const r of map(o)) put(requestKey(r), urgent);
    };
    return informer.addEventHandler({
      onAdd: enqueueAll,
      onUpdate: (old, cur) => {
        if (old !== cur && updateFilter && !updateFilter(old, cur)) return;
        // One enqueue per distinct key: if old and new map to the same owner, a second add while
        // the first is already being processed would cost a needless extra reconcile.
        const keys = new Set(map(cur).map(requestKey));
        if (old !== cur) for (const r of map(old)) keys.add(requestKey(r));
        const urgent = opts.urgent?.(cur) ?? false;
        for (const k of keys) put(k, urgent);
      },
      onDelete: enqueueAll,
    });
  }

  /** Reconcile the object itself on every event (the controller's own kind). */
  watchOwn<T extends KubeObject>(
    informer: Informer<T>,
    updateFilter?: (oldObj: T, newObj: T) => boolean,
  ): () => void {
    return this.watch(informer, undefined, updateFilter);
  }

  /** Reconcile the owner named by the controller ownerReference of kind ownerKind. */
  watchOwned<T extends KubeObject>(
    informer: Informer<T>,
    ownerKind: string,
    ownerApiGroup?: string,
    opts: WatchOptions = {},
  ): () => void {
    return this.watch(
      informer,
      (o) => {
        const ref = controllerOf(o);
        if (!ref || ref.kind !== ownerKind) return [];
        if (ownerApiGroup !== undefined && ref.apiVersion.split('/')[0] !== ownerApiGroup) return [];
        return [{ namespace: o.metadata.namespace ?? '', name: ref.name }];
      },
      undefined,
      opts,
    );
  }

  /** Starts the workers. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#log.info('starting workers', { workers: this.concurrency });
    for (let i = 0; i < this.concurrency; i++) this.#workers.push(this.#worker());
  }

  /**
   * Stops taking work and waits for in-flight reconciles, at most drainMs; then aborts their
   * signals and waits for the workers to return.
   */
  async stop(drainMs = 30_000): Promise<void> {
    const deadline = AbortSignal.timeout(drainMs);
    await this.queue.shutDownWithDrain(deadline);
    this.#stopping.abort();
    await Promise.all(this.#workers);
  }

  async #worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this.#process(key);
    }
  }

  async #process(key: string): Promise<void> {
    const c = { controller: this.name };
    const req = splitKey(key);
    const reconcileID = randomUUID();
    const log = this.#log.child({ namespace: req.namespace, name: req.name, reconcileID });
    const signals = [this.#stopping.signal];
    if (this.#timeoutMs > 0) signals.push(AbortSignal.timeout(this.#timeoutMs));
    const signal = AbortSignal.any(signals);
    this.#m.active.inc(c);
    const started = performance.now();
    try {
      const res = (await this.#reconcile(req, { log, reconcileID, signal })) ?? {};
      if (res.requeueAfter !== undefined && res.requeueAfter > 0) {
        this.queue.forget(key);
        this.queue.addAfter(key, res.requeueAfter);
        this.#m.total.inc({ ...c, result: 'requeue_after' });
      } else if (res.requeue) {
        this.queue.addRateLimited(key);
        this.#m.total.inc({ ...c, result: 'requeue' });
      } else {
        this.queue.forget(key);
        this.#m.total.inc({ ...c, result: 'success' });
      }
    } catch (e) {
      this.#m.total.inc({ ...c, result: 'error' });
      this.#m.errors.inc(c);
      if (e instanceof TerminalError) {
        this.#m.terminal.inc(c);
        this.queue.forget(key);
        log.error('reconcile failed terminally', { err: e });
      } else {
        this.queue.addRateLimited(key);
        log.error('reconcile failed, requeued', { err: e, requeues: this.queue.numRequeues(key) });
      }
    } finally {
      this.#m.time.observe(c, (performance.now() - started) / 1000);
      this.#m.active.dec(c);
      this.queue.done(key);
    }
  }
}
