// A thread-safe-by-construction (single event loop) object cache keyed "namespace/name", with
// named secondary indexes, like client-go's cache.Indexer. Objects are treated as immutable.
import { objectKey, type KubeObject } from './resources.ts';

export type IndexFunc<T> = (obj: T) => string[];

/** Index name for the built-in namespace index. */
export const NamespaceIndex = 'namespace';

/** An index function on a label's value, e.g. labelIndex('ray.io/cluster') → pods by cluster. */
export function labelIndex<T extends KubeObject>(label: string): IndexFunc<T> {
  return (o) => {
    const v = o.metadata.labels?.[label];
    return v === undefined ? [] : [`${o.metadata.namespace ?? ''}/${v}`];
  };
}

/** Index by controller ownerReference uid. */
export function ownerUidIndex<T extends KubeObject>(): IndexFunc<T> {
  return (o) => (o.metadata.ownerReferences ?? []).filter((r) => r.controller === true).map((r) => r.uid);
}

export class Store<T extends KubeObject> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  readonly #indices = new Map<string, Map<string, Set<string>>>();

  constructor() {
    this.addIndex(NamespaceIndex, (o) => [o.metadata.namespace ?? '']);
  }

  hasIndex(name: string): boolean {
    return this.#indexers.has(name);
  }

  /** Adds a named index; existing items are indexed immediately. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.#indexers.has(name)) throw new Error(`index ${name} already exists`);
    this.#indexers.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.#indices.set(name, idx);
    for (const [k, o] of this.#items) for (const v of fn(o)) add(idx, v, k);
  }

  /** Objects whose index function returned `value`. For labelIndex the value is "namespace/labelValue". */
  byIndex(name: string, value: string): T[] {
    const idx = this.#indices.get(name);
    if (!idx) throw new Error(`no index named ${name}`);
    const keys = idx.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const o = this.#items.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.#items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return this.byIndex(NamespaceIndex, namespace);
    return [...this.#items.values()];
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  get size(): number {
    return this.#items.size;
  }

  /** Inserts or replaces; returns the previous object. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.#items.get(key);
    if (old) this.#unindex(key, old);
    this.#items.set(key, obj);
    for (const [name, fn] of this.#indexers) {
      const idx = this.#indices.get(name)!;
      for (const v of fn(obj)) add(idx, v, key);
    }
    return old;
  }

  /** Removes by key; returns the removed object. */
  remove(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#unindex(key, old);
    this.#items.delete(key);
    return old;
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const idx = this.#indices.get(name)!;
      for (const v of fn(obj)) {
        const set = idx.get(v);
        set?.delete(key);
        if (set?.size === 0) idx.delete(v);
      }
    }
  }
}

function add(idx: Map<string, Set<string>>, value: string, key: string): void {
  let s = idx.get(value);
  if (!s) idx.set(value, (s = new Set()));
  s.add(key);
}
