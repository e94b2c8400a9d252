// An in-memory API server for unit tests of the RayCluster controller (RayClusterClient) and its
// informer caches (Lister): one store that both the writes and the cache reads see, so a reconcile's
// effects are visible to the next one at once — which is exactly the "cache caught up" case; tests of
// a lagging cache set `lagging` and call `sync()`. Never used in *.int.test.ts (those run the rig).
// Errors are the real ApiError with the API server's reasons, so callers' isNotFound/isConflict work.
import { ApiError } from '../runtime/errors.ts';
import type { GVR, KubeObject } from '../runtime/resources.ts';
import type { PatchType } from '../runtime/transport.ts';
import type { RayClusterClient } from '../controllers/raycluster/client.ts';
import type { Lister } from '../controllers/shared/lister.ts';

export interface ApiCall {
  verb: 'get' | 'create' | 'patch' | 'patchStatus' | 'delete';
  resource: string;
  namespace?: string | undefined;
  name: string;
  body?: unknown;
  type?: PatchType | undefined;
}

type Index = (o: KubeObject) => string[];
const key = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;
const clone = <T>(v: T): T => structuredClone(v);
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out = new Map<string, unknown>(isObj(target) ? Object.entries(target) : []);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) out.delete(k);
    else out.set(k, mergePatch(out.get(k), v));
  }
  return Object.fromEntries(out);
}

/** RFC 6902 add/replace/remove/test; a failed test is the API server's 422 Invalid. */
function jsonPatch(target: unknown, ops: readonly { op: string; path: string; value?: unknown }[]): unknown {
  const doc = clone(target) as Record<string, unknown>;
  for (const op of ops) {
    const parts = op.path
      .split('/')
      .slice(1)
      .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = parts.pop()!;
    let parent: unknown = doc;
    for (const p of parts) {
      parent = (parent as Record<string, unknown> | undefined)?.[p];
      if (parent === undefined)
        throw new ApiError(422, { reason: 'Invalid', message: `no path ${op.path}` }, 'PATCH', op.path);
    }
    const at = parent as Record<string, unknown> & unknown[];
    if (op.op === 'test') {
      if (JSON.stringify(at[last]) !== JSON.stringify(op.value))
        throw new ApiError(
          422,
          { reason: 'Invalid', message: `test failed at ${op.path}` },
          'PATCH',
          op.path,
        );
    } else if (op.op === 'remove') {
      if (Array.isArray(at)) at.splice(Number(last), 1);
      else Reflect.deleteProperty(at, last);
    } else if (op.op === 'add' && Array.isArray(at)) {
      at.splice(last === '-' ? at.length : Number(last), 0, clone(op.value));
    } else {
      at[last] = clone(op.value);
    }
  }
  return doc;
}

export class FakeApi implements RayClusterClient {
  readonly calls: ApiCall[] = [];
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #indexes = new Map<string, Map<string, Index>>();
  readonly #failures: { verb: ApiCall['verb']; resource: string; err: Error }[] = [];
  #rv = 1;
  #uid = 1;
  /** Watch-like notifications (an informer seeing the write): set by the test harness. */
  onChange?: (type: 'ADDED' | 'MODIFIED' | 'DELETED', r: GVR, obj: KubeObject) => void;

  #bucket(resource: string): Map<string, KubeObject> {
    let b = this.#objects.get(resource);
    if (!b) this.#objects.set(resource, (b = new Map<string, KubeObject>()));
    return b;
  }

  #injected(verb: ApiCall['verb'], r: GVR): void {
    const err = this.#take(verb, r);
    if (err) throw err;
  }

  #take(verb: ApiCall['verb'], r: GVR): Error | undefined {
    const i = this.#failures.findIndex((f) => f.verb === verb && f.resource === r.resource);
    return i >= 0 ? this.#failures.splice(i, 1)[0]!.err : undefined;
  }

  #notFound(r: GVR, name: string): ApiError {
    return new ApiError(
      404,
      { reason: 'NotFound', message: `${r.resource} "${name}" not found` },
      'GET',
      name,
    );
  }

  /** The next `verb` on `r` fails with err (e.g. a Conflict or a 500), once. */
  failNext(verb: ApiCall['verb'], r: GVR, err: Error): void {
    this.#failures.push({ verb, resource: r.resource, err });
  }

  /** Stores obj as if the API server had it (seeding, or a kubelet's status change). */
  put<T extends KubeObject>(r: GVR, obj: T): T {
    const o = clone(obj);
    const existed = this.#bucket(r.resource).has(key(o.metadata.namespace, o.metadata.name!));
    o.metadata.uid ??= `uid-${this.#uid++}`;
    o.metadata.resourceVersion = String(this.#rv++);
    o.metadata.creationTimestamp ??= '2026-01-01T00:00:00Z';
    this.#bucket(r.resource).set(key(o.metadata.namespace, o.metadata.name!), o);
    this.onChange?.(existed ? 'MODIFIED' : 'ADDED', r, clone(o));
    return clone(o);
  }

  list<T extends KubeObject>(r: GVR, namespace?: string): T[] {
    return [...this.#bucket(r.resource).values()]
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .map((o) => clone(o) as T);
  }

  /** The informer view of r, with the named indexes (e.g. INDEX_BY_CLUSTER → podClusterIndex). */
  lister(r: GVR, indexes: Record<string, Index> = {}): Lister {
    this.#indexes.set(r.resource, new Map(Object.entries(indexes)));
    return {
      get: (ns, name) => {
        const o = this.#bucket(r.resource).get(key(ns, name));
        return o ? clone(o) : undefined;
      },
      byIndex: (index, value) => {
        const fn = this.#indexes.get(r.resource)?.get(index);
        if (!fn) throw new Error(`no index ${index} on ${r.resource}`);
        return [...this.#bucket(r.resource).values()].filter((o) => fn(o).includes(value)).map(clone);
      },
    };
  }

  get<T extends KubeObject>(r: GVR, namespace: string | undefined, name: string): Promise<T> {
    this.calls.push({ verb: 'get', resource: r.resource, namespace, name });
    this.#injected('get', r);
    const o = this.#bucket(r.resource).get(key(namespace, name));
    return o ? Promise.resolve(clone(o) as T) : Promise.reject(this.#notFound(r, name));
  }

  create<T extends KubeObject>(r: GVR, obj: T): Promise<T> {
    const name = obj.metadata.name!;
    this.calls.push({
      verb: 'create',
      resource: r.resource,
      namespace: obj.metadata.namespace,
      name,
      body: obj,
    });
    const injected = this.#take('create', r);
    if (injected) return Promise.reject(injected);
    if (this.#bucket(r.resource).has(key(obj.metadata.namespace, name)))
      return Promise.reject(
        new ApiError(409, { reason: 'AlreadyExists', message: `${name} exists` }, 'POST', name),
      );
    return Promise.resolve(this.put(r, obj));
  }

  #patch<T extends KubeObject>(
    verb: 'patch' | 'patchStatus',
    r: GVR,
    namespace: string | undefined,
    name: string,
    body: unknown,
    type: PatchType,
  ): Promise<T> {
    this.calls.push({ verb, resource: r.resource, namespace, name, body, type });
    try {
      this.#injected(verb, r);
      const cur = this.#bucket(r.resource).get(key(namespace, name));
      if (!cur) throw this.#notFound(r, name);
      const patched =
        // Merge and strategic merge agree on what this controller sends.
        type === 'json' ? jsonPatch(cur, body as { op: string; path: string }[]) : mergePatch(cur, body);
      const next = patched as T;
      // The status subresource changes only status; the main resource never changes status.
      const out = verb === 'patchStatus' ? { ...cur, status: next.status } : { ...next, status: cur.status };
      return Promise.resolve(this.put(r, out as unknown as T));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  patch<T extends KubeObject>(r: GVR, ns: string | undefined, name: string, body: unknown, type: PatchType) {
    return this.#patch<T>('patch', r, ns, name, body, type);
  }

  patchStatus<T extends KubeObject>(
    r: GVR,
    ns: string | undefined,
    name: string,
    body: unknown,
    type: PatchType,
  ) {
    return this.#patch<T>('patchStatus', r, ns, name, body, type);
  }

  delete(r: GVR, namespace: string | undefined, name: string): Promise<unknown> {
    this.calls.push({ verb: 'delete', resource: r.resource, namespace, name });
    const injected = this.#take('delete', r);
    if (injected) return Promise.reject(injected);
    const b = this.#bucket(r.resource);
    const gone = b.get(key(namespace, name));
    if (!gone) return Promise.reject(this.#notFound(r, name));
    b.delete(key(namespace, name));
    this.onChange?.('DELETED', r, gone);
    return Promise.resolve({});
  }

  /** The calls of one verb on one resource, for assertions. */
  writes(verb: ApiCall['verb'], r: GVR): ApiCall[] {
    return this.calls.filter((c) => c.verb === verb && c.resource === r.resource);
  }
}
