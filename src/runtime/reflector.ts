// The reflector: LIST then WATCH from the list's resourceVersion, forever, into a sink.
// client-go semantics (tools/cache/reflector.go): paginated list; watch with bookmarks and a random
// 5–10 min server timeout; rewatch from the last resourceVersion when a watch ends; relist on
// 410 Gone; any other failure backs off with jitter and retries: it never stops silently.
// Two deliberate departures from client-go, both so an API server restart is noticed within
// seconds: the backoff resets as soon as a list succeeds or a watch delivers an event (client-go
// waits 2 min healthy), and its cap defaults to 4 s (client-go 30 s). Measured on the rig: with
// client-go's settings three restarts in a row left the informer blind for up to 21 s.
// Added for the known client-node failure (a watch that goes silent without an error): a stall
// watchdog restarts the watch when no event or bookmark arrived for stallTimeoutMs.
import { Backoff, type BackoffOptions } from './backoff.ts';
import { isAborted, sleep } from './clock.ts';
import { isGone } from './errors.ts';
import { nopLogger, type Logger } from './log.ts';
import type { GVR, KubeObject } from './resources.ts';
import { randomWatchTimeoutSeconds, resourcePath, watchError, type KubeClient } from './transport.ts';

export interface ReflectorSink<T> {
  /** A fresh full list replaced the cache. */
  replace(items: T[], resourceVersion: string): void;
  /** One watch event. */
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void;
}

export interface ReflectorOptions<T extends KubeObject> {
  client: KubeClient;
  resource: GVR;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Applied to every object before caching; default drops metadata.managedFields. */
  transform?: (obj: T) => T;
  /** No event or bookmark for this long → restart the watch. Default 150 s (bookmarks come ~1/min). */
  stallTimeoutMs?: number;
  /** Lower bound of the random server-side watch timeout, seconds (client-go: 300 → [300, 600)). */
  minWatchTimeoutSeconds?: number;
  backoff?: BackoffOptions;
  logger?: Logger;
}

/** The default transform: managedFields are large and no controller reads them from a cache. */
export function stripManagedFields<T extends KubeObject>(obj: T): T {
  if (obj.metadata.managedFields === undefined) return obj;
  const { managedFields: _drop, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

class StallError extends Error {}

export class Reflector<T extends KubeObject> {
  readonly #o: ReflectorOptions<T>;
  readonly #sink: ReflectorSink<T>;
  readonly #log: Logger;
  readonly #transform: (obj: T) => T;
  /** What each listed or watched object becomes before the sink caches it. */
  get transform(): (obj: T) => T {
    return this.#transform;
  }
  #rv: string | undefined;
  #needList = true;
  #onHealthy: () => void = () => undefined;
  /** Counters for tests and /readyz diagnostics. */
  readonly stats = { lists: 0, watches: 0, stalls: 0, errors: 0, relistsOnGone: 0, bookmarks: 0 };

  constructor(opts: ReflectorOptions<T>, sink: ReflectorSink<T>) {
    this.#o = opts;
    this.#sink = sink;
    this.#log = (opts.logger ?? nopLogger).child({
      resource: opts.resource.resource,
      namespace: opts.namespace ?? '',
    });
    this.#transform = opts.transform ?? stripManagedFields;
  }

  get lastResourceVersion(): string | undefined {
    return this.#rv;
  }

  /** Runs until the signal aborts. Never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff({ maxMs: 4000, ...this.#o.backoff });
    this.#onHealthy = () => {
      backoff.reset();
    };
    while (!signal.aborted) {
      try {
        if (this.#needList) await this.#list(signal);
        const events = await this.#watch(signal);
        // A watch the server ended at once with nothing in it is suspicious: don't spin.
        if (events === 0 && !isAborted(signal)) await sleep(backoff.next(), signal);
      } catch (e) {
        if (isAborted(signal)) break;
        if (isGone(e)) {
          this.stats.relistsOnGone++;
          this.#log.info('resourceVersion too old, relisting', { rv: this.#rv });
          this.#needList = true;
          continue;
        }
        this.stats.errors++;
        if (e instanceof StallError) this.stats.stalls++;
        const delay = backoff.next();
        this.#log.warn(
          e instanceof StallError ? 'watch stalled, restarting' : 'list/watch failed, retrying',
          {
            err: e,
            retryInMs: Math.round(delay),
          },
        );
        await sleep(delay, signal);
      }
    }
  }

  async #list(signal: AbortSignal): Promise<void> {
    const { client, resource, namespace, labelSelector, fieldSelector } = this.#o;
    this.stats.lists++;
    const list = await client.listAll<T>(resource, namespace, { labelSelector, fieldSelector });
    signal.throwIfAborted();
    const rv = list.metadata.resourceVersion ?? '';
    this.#sink.replace(list.items.map(this.#transform), rv);
    this.#rv = rv;
    this.#needList = false;
    this.#onHealthy();
  }

  /** One watch; returns the number of events seen when it ends cleanly. */
  async #watch(outer: AbortSignal): Promise<number> {
    const { client, resource, namespace, labelSelector, fieldSelector } = this.#o;
    const timeoutSeconds = randomWatchTimeoutSeconds(this.#o.minWatchTimeoutSeconds ?? 300);
    const stallMs = this.#o.stallTimeoutMs ?? 150_000;
    const ac = new AbortController();
    const onOuter = (): void => {
      ac.abort();
    };
    outer.addEventListener('abort', onOuter, { once: true });
    const state = { stalled: false };
    let stall: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(stall);
      stall = setTimeout(() => {
        state.stalled = true;
        ac.abort();
      }, stallMs);
      stall.unref();
    };
    // The server must close the stream after timeoutSeconds; if it is still open 30 s later it is dead.
    const hard = setTimeout(
      () => {
        state.stalled = true;
        ac.abort();
      },
      (timeoutSeconds + 30) * 1000,
    );
    hard.unref();
    this.stats.watches++;
    let n = 0;
    try {
      arm();
      const path = resourcePath(resource, namespace);
      for await (const ev of client.watch<T>(resource, namespace, {
        labelSelector,
        fieldSelector,
        resourceVersion: this.#rv,
        timeoutSeconds,
        allowWatchBookmarks: true,
        signal: ac.signal,
      })) {
        arm();
        if (n++ === 0) this.#onHealthy();
        if (ev.type === 'ERROR') throw watchError(ev.object, path);
        const rv = ev.object.metadata.resourceVersion;
        if (ev.type === 'BOOKMARK') {
          this.stats.bookmarks++;
        } else {
          this.#sink.apply(ev.type, this.#transform(ev.object));
        }
        if (rv) this.#rv = rv;
      }
      return n;
    } catch (e) {
      if (state.stalled && !isAborted(outer)) throw new StallError(`no watch event for ${stallMs} ms`);
      throw e;
    } finally {
      clearTimeout(stall);
      clearTimeout(hard);
      outer.removeEventListener('abort', onOuter);
      ac.abort();
    }
  }
}
