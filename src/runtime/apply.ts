// Server-side apply with Kuray's field manager, and needsUpdate(): does the observed object already
// carry every field of our intent? Used to skip writes so a reconcile of an unchanged cluster makes
// no API write.
import type { GVR, KubeObject } from './resources.ts';
import type { KubeClient } from './transport.ts';

export const FieldManager = 'kuray';

export interface ApplyOptions {
  fieldManager?: string;
  /** Default true: controllers force conflicts on objects they own. */
  force?: boolean;
  dryRun?: boolean;
}

/** The intent without server-owned metadata (resourceVersion, uid, managedFields…) and status. */
export function applyIntent<T extends KubeObject>(obj: T): T {
  const {
    resourceVersion: _rv,
    uid: _uid,
    managedFields: _mf,
    creationTimestamp: _ct,
    generation: _g,
    ...metadata
  } = obj.metadata;
  const { status: _status, ...rest } = obj;
  return { ...rest, metadata } as T;
}

/** Server-side apply of obj (its spec/metadata intent). */
export function apply<T extends KubeObject>(
  client: KubeClient,
  r: GVR,
  obj: KubeObject,
  opts: ApplyOptions = {},
): Promise<T> {
  return client.apply<T>(r, applyIntent(obj), {
    fieldManager: opts.fieldManager ?? FieldManager,
    force: opts.force ?? true,
    dryRun: opts.dryRun,
  });
}

/** Server-side apply to the status subresource: send apiVersion, kind, metadata name/namespace, status. */
export function applyStatus<T extends KubeObject>(
  client: KubeClient,
  r: GVR,
  obj: KubeObject,
  opts: ApplyOptions = {},
): Promise<T> {
  const body = {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace },
    status: obj.status,
  };
  return client.apply<T>(r, body, {
    fieldManager: opts.fieldManager ?? FieldManager,
    force: opts.force ?? true,
    subresource: 'status',
    dryRun: opts.dryRun,
  });
}

/**
 * True when `desired` has a field whose value differs from `observed`. Objects compare as subsets
 * (fields the server defaulted or others own don't count); arrays and scalars compare exactly
 * (arrays element-wise by position, each element again as a subset). Like an SSA no-op check for
 * the fields we manage.
 */
export function needsUpdate(desired: unknown, observed: unknown): boolean {
  return !covers(desired, observed);
}

function covers(d: unknown, o: unknown): boolean {
  if (d === undefined) return true;
  if (d === null || typeof d !== 'object') {
    if (typeof d === 'number' && typeof o === 'number') return d === o;
    return d === o;
  }
  if (Array.isArray(d)) {
    if (!Array.isArray(o) || o.length !== d.length) return false;
    return d.every((x, i) => covers(x, o[i]));
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return false;
  const oo = o as Record<string, unknown>;
  for (const [k, v] of Object.entries(d as Record<string, unknown>)) {
    if (!covers(v, oo[k])) return false;
  }
  return true;
}
