// Controller expectations (kube-controller-manager's ReplicaSet ControllerExpectations, KubeRay's
// scale expectations): the informer cache lags the controller's own writes, so after creating or
// deleting pods a reconcile must not trust the cache until the informer has observed those writes.
// Until then satisfied(key) is false and the reconcile skips scaling. Records expire after a TTL
// (5 min) so a lost event cannot wedge a controller forever.
import { type Clock, realClock } from './clock.ts';
import type { Informer } from './informer.ts';
import type { KubeObject } from './resources.ts';

interface Record_ {
  adds: number;
  dels: number;
  addNames: Set<string>;
  delNames: Set<string>;
  /** Names already counted as deleted: deletionTimestamp and the final delete are one deletion. */
  delSeen: Set<string>;
  at: number;
}

export interface ExpectationsOptions {
  ttlMs?: number;
  clock?: Clock;
}

export class Expectations {
  readonly #records = new Map<string, Record_>();
  readonly #ttl: number;
  readonly #clock: Clock;

  constructor(opts: ExpectationsOptions = {}) {
    this.#ttl = opts.ttlMs ?? 5 * 60_000;
    this.#clock = opts.clock ?? realClock;
  }

  #rec(key: string): Record_ {
    let r = this.#records.get(key);
    if (!r) {
      r = {
        adds: 0,
        dels: 0,
        addNames: new Set(),
        delNames: new Set(),
        delSeen: new Set(),
        at: this.#clock.now(),
      };
      this.#records.set(key, r);
    }
    r.at = this.#clock.now();
    return r;
  }

  /**
   * Expect creations: a count (objects named by the server via generateName), or names. Call BEFORE
   * sending the creates, since the watch event can arrive before the create call returns.
   */
  expectCreations(key: string, what: number | readonly string[]): void {
    const r = this.#rec(key);
    if (typeof what === 'number') r.adds += what;
    else for (const n of what) r.addNames.add(n);
  }

  /** Expect deletions: a count, or the names (preferred: a delete of a name is observed exactly). */
  expectDeletions(key: string, what: number | readonly string[]): void {
    const r = this.#rec(key);
    if (typeof what === 'number') r.dels += what;
    else
      for (const n of what) {
        r.delNames.add(n);
        r.delSeen.delete(n);
      }
  }

  /** The informer saw a creation (or a create call failed and will never be observed). */
  creationObserved(key: string, name?: string): void {
    const r = this.#records.get(key);
    if (!r) return;
    if (name !== undefined && r.addNames.delete(name)) return;
    if (r.adds > 0) r.adds--;
  }

  /** The informer saw a deletion (or deletionTimestamp set), or a delete call failed. */
  deletionObserved(key: string, name?: string): void {
    const r = this.#records.get(key);
    if (!r) return;
    if (name !== undefined) {
      if (r.delSeen.has(name)) return;
      r.delSeen.add(name);
      if (r.delNames.delete(name)) return;
    }
    if (r.dels > 0) r.dels--;
  }

  /** True when every expectation was observed, none was ever set, or the record expired. */
  satisfied(key: string): boolean {
    const r = this.#records.get(key);
    if (!r) return true;
    const done = r.adds <= 0 && r.dels <= 0 && r.addNames.size === 0 && r.delNames.size === 0;
    if (done) return true;
    return this.#clock.now() - r.at > this.#ttl;
  }

  /** What is still pending (for logs). */
  pending(key: string): { adds: number; dels: number; addNames: string[]; delNames: string[] } | undefined {
    const r = this.#records.get(key);
    if (!r) return undefined;
    return { adds: r.adds, dels: r.dels, addNames: [...r.addNames], delNames: [...r.delNames] };
  }

  /** Forget the key (e.g. the owner was deleted). */
  delete(key: string): void {
    this.#records.delete(key);
  }
}

/**
 * Feeds an informer's events into expectations. keyOf maps a dependent to its controller key (e.g.
 * the owning RayCluster's "ns/name"), or undefined to ignore it. An object that gets a
 * deletionTimestamp counts as deleted, as in ReplicaSet's updatePod.
 */
export function observeExpectations<T extends KubeObject>(
  exp: Expectations,
  informer: Informer<T>,
  keyOf: (obj: T) => string | undefined,
): () => void {
  return informer.addEventHandler({
    onAdd: (o) => {
      const k = keyOf(o);
      if (k === undefined) return;
      if (o.metadata.deletionTimestamp) exp.deletionObserved(k, o.metadata.name);
      else exp.creationObserved(k, o.metadata.name);
    },
    onUpdate: (old, cur) => {
      if (!old.metadata.deletionTimestamp && cur.metadata.deletionTimestamp) {
        const k = keyOf(cur);
        if (k !== undefined) exp.deletionObserved(k, cur.metadata.name);
      }
    },
    onDelete: (o) => {
      const k = keyOf(o);
      // If deletionTimestamp was already seen, the name is in delSeen and this is a no-op.
      if (k !== undefined) exp.deletionObserved(k, o.metadata.name);
    },
  });
}
