// An informer: a reflector feeding a Store, plus event handlers (add/update/delete, with the old
// object on update, and periodic resync from the cache). A shared factory hands out one informer
// per (resource, namespace, selectors) so every controller shares one watch and one cache.
import { type BackoffOptions } from './backoff.ts';
import { nopLogger, type Logger } from './log.ts';
import { Reflector, type ReflectorSink } from './reflector.ts';
import { objectKey, type GVR, type KubeObject } from './resources.ts';
import { Store, type IndexFunc } from './store.ts';
import type { KubeClient } from './transport.ts';

export interface EventHandler<T> {
  /** initialList: true for objects from the first list (client-go's isInInitialList). */
  onAdd?(obj: T, initialList: boolean): void;
  /** old === new on a resync. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** The last state the cache knew. */
  onDelete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  client: KubeClient;
  resource: GVR;
  /** Omit (or '') for all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Periodic resync from the cache (no API traffic); 0/undefined = off. */
  resyncMs?: number;
  transform?: (obj: T) => T;
  stallTimeoutMs?: number;
  minWatchTimeoutSeconds?: number;
  backoff?: BackoffOptions;
  logger?: Logger;
}

export class Informer<T extends KubeObject> implements ReflectorSink<T> {
  readonly resource: GVR;
  readonly namespace: string | undefined;
  readonly store = new Store<T>();
  readonly reflector: Reflector<T>;
  readonly #handlers = new Set<EventHandler<T>>();
  readonly #log: Logger;
  readonly #resyncMs: number;
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #ac: AbortController | undefined;
  #running: Promise<void> | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;

  constructor(opts: InformerOptions<T>) {
    this.resource = opts.resource;
    this.namespace = opts.namespace || undefined;
    this.#log = opts.logger ?? nopLogger;
    this.#resyncMs = opts.resyncMs ?? 0;
    this.reflector = new Reflector<T>({ ...opts, namespace: this.namespace, logger: this.#log }, this);
  }

  /** Registers handlers; if the cache is already synced, replays an add for every cached object. */
  addEventHandler(h: EventHandler<T>): () => void {
    this.#handlers.add(h);
    if (this.#synced) for (const o of this.store.list()) this.#call(h, 'onAdd', () => h.onAdd?.(o, true));
    return () => this.#handlers.delete(h);
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    this.store.addIndex(name, fn);
  }

  /** Controllers sharing an informer (the factory dedupes them) add a shared index once. */
  hasIndex(name: string): boolean {
    return this.store.hasIndex(name);
  }

  byIndex(name: string, value: string): T[] {
    return this.store.byIndex(name, value);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.getByName(namespace, name);
  }

  list(namespace?: string): T[] {
    return this.store.list(namespace);
  }

  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves true once the first list is in the cache, false if the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.#syncWaiters.push(() => {
        resolve(true);
      });
      signal?.addEventListener(
        'abort',
        () => {
          resolve(false);
        },
        { once: true },
      );
    });
  }

  start(): void {
    if (this.#ac) return;
    this.#ac = new AbortController();
    this.#running = this.reflector.run(this.#ac.signal);
    if (this.#resyncMs > 0) {
      this.#resyncTimer = setInterval(() => {
        this.#resync();
      }, this.#resyncMs);
      this.#resyncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#resyncTimer);
    this.#ac?.abort();
    await this.#running;
  }

  // ReflectorSink ---------------------------------------------------------------------------------

  replace(items: T[], _rv: string): void {
    const initial = !this.#synced;
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.store.upsert(obj);
      if (!old) this.#dispatch((h) => h.onAdd?.(obj, initial));
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
        this.#dispatch((h) => h.onUpdate?.(old, obj));
      }
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const old = this.store.remove(key);
      if (old) this.#dispatch((h) => h.onDelete?.(old));
    }
    if (!this.#synced) {
      this.#synced = true;
      for (const w of this.#syncWaiters.splice(0)) w();
    }
  }

  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    if (type === 'DELETED') {
      const old = this.store.remove(objectKey(obj));
      this.#dispatch((h) => h.onDelete?.(obj.metadata.resourceVersion ? obj : (old ?? obj)));
      return;
    }
    const old = this.store.upsert(obj);
    if (old) this.#dispatch((h) => h.onUpdate?.(old, obj));
    else this.#dispatch((h) => h.onAdd?.(obj, false));
  }

  #resync(): void {
    for (const o of this.store.list()) this.#dispatch((h) => h.onUpdate?.(o, o));
  }

  #dispatch(fn: (h: EventHandler<T>) => void): void {
    for (const h of this.#handlers)
      this.#call(h, 'handler', () => {
        fn(h);
      });
  }

  #call(_h: EventHandler<T>, what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      // A throwing handler must not break the cache or the other handlers.
      this.#log.error('informer event handler threw', { what, err: e });
    }
  }
}

export interface InformerSelector {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface SharedInformerFactoryOptions {
  client: KubeClient;
  resyncMs?: number;
  stallTimeoutMs?: number;
  logger?: Logger;
}

function gvrKey(r: GVR): string {
  return `${r.group}|${r.version}|${r.resource}`;
}

/** One informer per resource+namespace+selectors; start() starts all, waitForSync() waits for all. */
export class SharedInformerFactory {
  readonly #o: SharedInformerFactoryOptions;
  readonly #informers = new Map<string, Informer<KubeObject>>();
  readonly #transforms = new Map<string, (obj: KubeObject) => KubeObject>();
  #started = false;

  constructor(opts: SharedInformerFactoryOptions) {
    this.#o = opts;
  }

  /**
   * What every informer of `resource` caches instead of the object as served (the reflector's default:
   * the object without managedFields). Informers are shared, so the process sets it once, before any
   * controller asks for one: a cache must not hold differently-trimmed objects depending on who asked first.
   */
  setTransform<T extends KubeObject>(resource: GVR, transform: (obj: T) => T): void {
    const g = gvrKey(resource);
    if ([...this.#informers.keys()].some((k) => k.startsWith(g + '|')))
      throw new Error(`setTransform(${resource.resource}): an informer for it exists already`);
    this.#transforms.set(g, transform as unknown as (obj: KubeObject) => KubeObject);
  }

  informer<T extends KubeObject>(resource: GVR, sel: InformerSelector = {}): Informer<T> {
    const key = [
      gvrKey(resource),
      sel.namespace ?? '',
      sel.labelSelector ?? '',
      sel.fieldSelector ?? '',
    ].join('|');
    let inf = this.#informers.get(key) as Informer<T> | undefined;
    if (!inf) {
      const transform = this.#transforms.get(gvrKey(resource));
      inf = new Informer<T>({
        client: this.#o.client,
        resource,
        ...sel,
        ...(transform ? { transform: transform as unknown as (obj: T) => T } : {}),
        resyncMs: this.#o.resyncMs,
        stallTimeoutMs: this.#o.stallTimeoutMs,
        logger: this.#o.logger,
      });
      this.#informers.set(key, inf as unknown as Informer<KubeObject>);
      if (this.#started) inf.start();
    }
    return inf;
  }

  all(): Informer<KubeObject>[] {
    return [...this.#informers.values()];
  }

  start(): void {
    this.#started = true;
    for (const i of this.#informers.values()) i.start();
  }

  hasSynced(): boolean {
    return this.all().every((i) => i.hasSynced());
  }

  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const r = await Promise.all(this.all().map((i) => i.waitForSync(signal)));
    return r.every(Boolean);
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((i) => i.stop()));
  }
}
