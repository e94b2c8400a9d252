// Calls to Ray's dashboard that never block a reconcile. KubeRay calls the dashboard synchronously
// inside the reconcile (2 s timeout, 10 s through the API server proxy), so one dead dashboard holds a
// worker and every other object waits in the queue behind it. Here a reconcile only *reads* the latest
// settled result for a key and, when it is stale, starts a new call in the background (one in flight
// per key, with a timeout); when the call settles, `onSettled(key)` requeues the object, whose next
// reconcile acts on the fresh result. A slow or dead dashboard therefore shows up in status (the error
// and since when calls fail), never in the work queue's latency.

/** The latest finished call for a key. */
export type Settled<T> =
  | { ok: true; value: T; at: number; startedAt: number }
  | { ok: false; error: Error; at: number; startedAt: number };

export interface BackgroundCallsOptions {
  /** Every call is aborted after this long (default 5 s). */
  timeoutMs?: number;
  /** Called with the key once a call settles (typically: enqueue the object). */
  onSettled: (key: string) => void;
  now?: () => number;
}

interface Entry<T> {
  latest?: Settled<T>;
  inFlight?: { startedAt: number; controller: AbortController };
}

export class BackgroundCalls<T> {
  readonly #timeoutMs: number;
  readonly #onSettled: (key: string) => void;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry<T>>();

  constructor(opts: BackgroundCallsOptions) {
    this.#timeoutMs = opts.timeoutMs ?? 5_000;
    this.#onSettled = opts.onSettled;
    this.#now = opts.now ?? Date.now;
  }

  /**
   * The latest settled result for `key` (undefined before the first one settles). Starts `call` in
   * the background when nothing is in flight and the latest result is older than `maxAgeMs` (or absent).
   * A result older than the current call's start is still returned: callers see the freshest known truth.
   */
  poll(key: string, maxAgeMs: number, call: (signal: AbortSignal) => Promise<T>): Settled<T> | undefined {
    const e = this.#entry(key);
    const stale = !e.latest || this.#now() - e.latest.startedAt >= maxAgeMs;
    if (stale && !e.inFlight) this.#start(key, e, call);
    return e.latest;
  }

  /** Starts `call` now unless one is in flight for `key` (for one-shot actions such as a submission). */
  run(key: string, call: (signal: AbortSignal) => Promise<T>): void {
    const e = this.#entry(key);
    if (!e.inFlight) this.#start(key, e, call);
  }

  /** The latest settled result without starting anything. */
  peek(key: string): Settled<T> | undefined {
    return this.#entries.get(key)?.latest;
  }

  inFlight(key: string): boolean {
    return this.#entries.get(key)?.inFlight !== undefined;
  }

  /** Drops the key's result and aborts its call (the object was deleted, or its cluster replaced). */
  forget(key: string): void {
    const e = this.#entries.get(key);
    if (!e) return;
    e.inFlight?.controller.abort();
    this.#entries.delete(key);
  }

  /** Forgets every key with this prefix (e.g. all calls of one RayJob). */
  forgetPrefix(prefix: string): void {
    for (const k of [...this.#entries.keys()]) if (k.startsWith(prefix)) this.forget(k);
  }

  get size(): number {
    return this.#entries.size;
  }

  #entry(key: string): Entry<T> {
    let e = this.#entries.get(key);
    if (!e) {
      e = {};
      this.#entries.set(key, e);
    }
    return e;
  }

  #start(key: string, e: Entry<T>, call: (signal: AbortSignal) => Promise<T>): void {
    const controller = new AbortController();
    const startedAt = this.#now();
    e.inFlight = { startedAt, controller };
    const timer = setTimeout(() => {
      controller.abort(new Error(`no answer within ${this.#timeoutMs} ms`));
    }, this.#timeoutMs);
    const finish = (s: Settled<T>): void => {
      clearTimeout(timer);
      // forget() replaced or removed the entry: this result belongs to nobody any more.
      if (this.#entries.get(key) !== e || e.inFlight?.controller !== controller) return;
      e.inFlight = undefined;
      e.latest = s;
      this.#onSettled(key);
    };
    let p: Promise<T>;
    try {
      p = call(controller.signal);
    } catch (err) {
      p = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    // A call that ignores the signal still ends at the timeout for us.
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => {
        reject(controller.signal.reason instanceof Error ? controller.signal.reason : new Error('aborted'));
      });
    });
    Promise.race([p, aborted]).then(
      (value) => {
        finish({ ok: true, value, at: this.#now(), startedAt });
      },
      (err: unknown) => {
        finish({
          ok: false,
          error: err instanceof Error ? err : new Error(String(err)),
          at: this.#now(),
          startedAt,
        });
      },
    );
  }
}
