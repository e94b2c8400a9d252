// An event recorder writing core/v1 Events (what `kubectl describe` shows), with client-go's
// correlator behaviour: a repeat of the same (object, type, reason, message) PATCHes the existing
// Event's count and lastTimestamp instead of creating a new one, and a per-object token bucket
// (burst 25, one token per 5 min) drops spam. Recording never throws and never blocks a reconcile:
// writes go through a small async queue.
import { hostname } from 'node:os';
import { isNotFound } from './errors.ts';
import { nopLogger, type Logger } from './log.ts';
import { Events, type KubeObject } from './resources.ts';
import { TokenBucket } from './ratelimit.ts';
import type { KubeClient } from './transport.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  client: KubeClient;
  /** source.component and reportingController; default "kuray". */
  component?: string;
  instance?: string;
  logger?: Logger;
  /** Per-object spam filter; client-go: burst 25, qps 1/300. */
  burst?: number;
  qps?: number;
  /** Max distinct events remembered for aggregation (LRU), client-go uses 4096. */
  cacheSize?: number;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

export interface RecordedEvent {
  type: EventType;
  reason: string;
  message: string;
  action?: string;
}

export class EventRecorder {
  readonly #o: EventRecorderOptions;
  readonly #component: string;
  readonly #instance: string;
  readonly #log: Logger;
  readonly #seen = new Map<string, Seen>();
  readonly #buckets = new Map<string, TokenBucket>();
  #chain: Promise<void> = Promise.resolve();
  /** Counters for tests/metrics. */
  readonly stats = { created: 0, patched: 0, dropped: 0, failed: 0 };

  constructor(opts: EventRecorderOptions) {
    this.#o = opts;
    this.#component = opts.component ?? 'kuray';
    this.#instance = opts.instance ?? hostname();
    this.#log = opts.logger ?? nopLogger;
  }

  /** Records an event about obj; `action` is what the controller did (e.g. "CreatePod"). */
  event(obj: KubeObject, type: EventType, reason: string, message: string, action?: string): void {
    const uid = obj.metadata.uid ?? `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
    let bucket = this.#buckets.get(uid);
    if (!bucket) {
      bucket = new TokenBucket(this.#o.qps ?? 1 / 300, this.#o.burst ?? 25);
      this.#buckets.set(uid, bucket);
      if (this.#buckets.size > (this.#o.cacheSize ?? 4096))
        this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    if (!bucket.tryTake()) {
      this.stats.dropped++;
      return;
    }
    this.#chain = this.#chain.then(() => this.#write(obj, { type, reason, message, action }));
  }

  normal(obj: KubeObject, reason: string, message: string, action?: string): void {
    this.event(obj, 'Normal', reason, message, action);
  }

  warning(obj: KubeObject, reason: string, message: string, action?: string): void {
    this.event(obj, 'Warning', reason, message, action);
  }

  /** Resolves when every event recorded so far has been written (or has failed). */
  flush(): Promise<void> {
    return this.#chain;
  }

  async #write(obj: KubeObject, e: RecordedEvent): Promise<void> {
    const m = obj.metadata;
    const namespace = m.namespace || 'default';
    const key = [m.uid ?? '', m.namespace ?? '', m.name ?? '', e.type, e.reason, e.message].join('\u0000');
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const seen = this.#seen.get(key);
    try {
      if (seen) {
        try {
          await this.#o.client.patch(
            Events,
            seen.namespace,
            seen.name,
            { count: seen.count + 1, lastTimestamp: now },
            'merge',
          );
          seen.count++;
          this.#seen.delete(key); // refresh LRU position
          this.#seen.set(key, seen);
          this.stats.patched++;
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          this.#seen.delete(key); // expired server-side (1 h TTL): create a fresh one
        }
      }
      const name = `${m.name ?? 'unknown'}.${(BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`;
      await this.#o.client.create(Events, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          name: m.name,
          namespace: m.namespace,
          uid: m.uid,
          resourceVersion: m.resourceVersion,
        },
        type: e.type,
        reason: e.reason,
        message: e.message,
        action: e.action,
        source: { component: this.#component },
        reportingComponent: this.#component,
        reportingInstance: this.#instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      });
      this.stats.created++;
      this.#seen.set(key, { name, namespace, count: 1 });
      if (this.#seen.size > (this.#o.cacheSize ?? 4096)) this.#seen.delete(this.#seen.keys().next().value!);
    } catch (err) {
      this.stats.failed++;
      this.#log.warn('failed to record event', {
        err,
        reason: e.reason,
        object: `${namespace}/${m.name ?? ''}`,
      });
    }
  }
}
