// A work queue with client-go util/workqueue semantics:
// - an item is queued at most once (the dirty set), however often it is added;
// - an item being processed is never handed to a second worker; if it is added meanwhile it is
//   queued again exactly once when done() is called;
// - addAfter delays (keeping the earliest time if added twice), addRateLimited backs off per item;
// - shutDown stops accepting items; get() hands out what is left, then resolves undefined.
import type { Registry } from 'prom-client';
import { type Clock, realClock, type TimerHandle } from './clock.ts';
import { counter, defaultRegistry, gauge, histogram, workqueueBuckets } from './metrics.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './ratelimit.ts';

export interface WorkQueueOptions<T> {
  /** Metrics label `name` (the controller name). */
  name: string;
  rateLimiter?: RateLimiter<T>;
  clock?: Clock;
  registry?: Registry;
}

interface Waiting {
  at: number;
  timer: TimerHandle;
}

export class WorkQueue<T> {
  readonly name: string;
  readonly #clock: Clock;
  readonly #limiter: RateLimiter<T>;
  #queue: T[] = [];
  readonly #dirty = new Set<T>();
  readonly #processing = new Map<T, number>(); // item → start time
  readonly #addedAt = new Map<T, number>();
  readonly #waiting = new Map<T, Waiting>();
  /** addThrottled: item → the time of its last throttled add (done or scheduled). */
  readonly #throttled = new Map<T, number>();
  /** Size of #throttled at which its passed windows are swept (doubles with the live keys). */
  #sweepAt = 4096;
  #getters: ((item: T | undefined) => void)[] = [];
  #shuttingDown = false;
  #drainWaiters: (() => void)[] = [];
  readonly #m;

  constructor(opts: WorkQueueOptions<T>) {
    this.name = opts.name;
    this.#clock = opts.clock ?? realClock;
    this.#limiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(this.#clock);
    const reg = opts.registry ?? defaultRegistry;
    const l = ['name'] as const;
    this.#m = {
      depth: gauge(reg, 'workqueue_depth', 'Current depth of workqueue', l),
      adds: counter(reg, 'workqueue_adds_total', 'Total number of adds handled by workqueue', l),
      latency: histogram(
        reg,
        'workqueue_queue_duration_seconds',
        'How long in seconds an item stays in workqueue before being requested',
        l,
        workqueueBuckets,
      ),
      work: histogram(
        reg,
        'workqueue_work_duration_seconds',
        'How long in seconds processing an item from workqueue takes',
        l,
        workqueueBuckets,
      ),
      retries: counter(reg, 'workqueue_retries_total', 'Total number of retries handled by workqueue', l),
      unfinished: gauge(
        reg,
        'workqueue_unfinished_work_seconds',
        'How many seconds of work has been done that is in progress and has not been observed by work_duration',
        l,
      ),
      longest: gauge(
        reg,
        'workqueue_longest_running_processor_seconds',
        'How many seconds has the longest running processor for workqueue been running',
        l,
      ),
    };
    this.#m.depth.set({ name: this.name }, 0);
  }

  get length(): number {
    return this.#queue.length;
  }

  isShuttingDown(): boolean {
    return this.#shuttingDown;
  }

  add(item: T): void {
    if (this.#shuttingDown) return;
    if (this.#dirty.has(item)) return;
    this.#m.adds.inc({ name: this.name });
    this.#dirty.add(item);
    if (this.#processing.has(item)) return; // re-queued by done()
    this.#addedAt.set(item, this.#clock.now());
    this.#push(item);
  }

  #push(item: T): void {
    const getter = this.#getters.shift();
    if (getter) {
      this.#hand(item);
      getter(item);
    } else {
      this.#queue.push(item);
      this.#m.depth.set({ name: this.name }, this.#queue.length);
    }
  }

  #hand(item: T): void {
    const now = this.#clock.now();
    const added = this.#addedAt.get(item);
    if (added !== undefined) this.#m.latency.observe({ name: this.name }, (now - added) / 1000);
    this.#addedAt.delete(item);
    this.#processing.set(item, now);
    this.#dirty.delete(item);
  }

  /** The next item, or undefined once shut down and empty. Call done(item) when finished. */
  get(): Promise<T | undefined> {
    const item = this.#queue.shift();
    if (item !== undefined) {
      this.#m.depth.set({ name: this.name }, this.#queue.length);
      this.#hand(item);
      return Promise.resolve(item);
    }
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  done(item: T): void {
    const started = this.#processing.get(item);
    if (started === undefined) return;
    this.#m.work.observe({ name: this.name }, (this.#clock.now() - started) / 1000);
    this.#processing.delete(item);
    if (this.#dirty.has(item)) {
      this.#addedAt.set(item, this.#clock.now());
      this.#push(item);
    }
    if (this.#processing.size === 0) {
      for (const w of this.#drainWaiters.splice(0)) w();
    }
  }

  /** Adds after a delay; if already waiting, the earlier time wins (client-go delaying queue). */
  addAfter(item: T, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const at = this.#clock.now() + delayMs;
    const w = this.#waiting.get(item);
    if (w && w.at <= at) return;
    w?.timer.cancel();
    const timer = this.#clock.after(delayMs, () => {
      this.#waiting.delete(item);
      this.add(item);
    });
    this.#waiting.set(item, { at, timer });
  }

  /**
   * At most one add per `windowMs` for this item: the first call after a quiet window adds at once,
   * calls inside the window fold into one add at its end. (A trailing-only window, addAfter(windowMs)
   * on every call, delays every lone event — a pod failing, a cluster's only pod turning Ready — by the
   * whole window.)
   */
  addThrottled(item: T, windowMs: number): void {
    if (this.#shuttingDown) return;
    const now = this.#clock.now();
    const last = this.#throttled.get(item);
    if (last === undefined || now >= last + windowMs) {
      this.#throttled.set(item, now);
      this.add(item);
    } else if (last <= now) {
      this.#throttled.set(item, last + windowMs);
      this.addAfter(item, last + windowMs - now);
    } // else an add is already scheduled at `last`, inside the window: this call rides on it
    if (this.#throttled.size > this.#sweepAt) {
      // Keys of deleted objects: forget entries whose window has passed. The next sweep waits until
      // the map has doubled again, so many live keys do not make every event walk the whole map.
      for (const [k, t] of this.#throttled) if (now >= t + windowMs) this.#throttled.delete(k);
      this.#sweepAt = Math.max(4096, 2 * this.#throttled.size);
    }
  }

  addRateLimited(item: T): void {
    this.#m.retries.inc({ name: this.name });
    this.addAfter(item, this.#limiter.when(item));
  }

  forget(item: T): void {
    this.#limiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.#limiter.numRequeues(item);
  }

  /** Stops accepting items; waiting get() calls resolve undefined; delayed adds are dropped. */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    for (const w of this.#waiting.values()) w.timer.cancel();
    this.#waiting.clear();
    for (const g of this.#getters.splice(0)) g(undefined);
  }

  /** shutDown, then resolve once every item handed out has been marked done (or the signal aborts). */
  async shutDownWithDrain(signal?: AbortSignal): Promise<void> {
    this.shutDown();
    if (this.#processing.size === 0) return;
    await new Promise<void>((resolve) => {
      this.#drainWaiters.push(resolve);
      signal?.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Refreshes the in-flight gauges; the manager calls it before each scrape. */
  updateUnfinishedWork(): void {
    const now = this.#clock.now();
    let total = 0;
    let longest = 0;
    for (const start of this.#processing.values()) {
      const s = (now - start) / 1000;
      total += s;
      longest = Math.max(longest, s);
    }
    this.#m.unfinished.set({ name: this.name }, total);
    this.#m.longest.set({ name: this.name }, longest);
  }
}
