// What a controller watches: every namespace (one cluster-wide informer per kind) or the namespaces of
// --watch-namespace (one informer per kind and namespace). The factory shares informers with the same
// kind, namespace and label selector, so controllers asking for the same caches watch them once.
import type { Informer } from '../../runtime/informer.ts';
import type { Manager } from '../../runtime/manager.ts';
import type { GVR, KubeObject } from '../../runtime/resources.ts';
import type { Lister } from '../raycluster/reconciler.ts';

export interface WatchScope {
  /** [''] when every namespace is watched. */
  readonly namespaces: readonly string[];
  readonly all: boolean;
  /** One informer per watched namespace (or one cluster-wide), optionally label-filtered. */
  informers: (resource: GVR, labelSelector?: string) => Informer<KubeObject>[];
}

export function watchScope(mgr: Manager, watchNamespaces: readonly string[] | undefined): WatchScope {
  const namespaces = watchNamespaces?.length ? [...watchNamespaces] : [''];
  return {
    namespaces,
    all: namespaces.length === 1 && namespaces[0] === '',
    informers: (resource, labelSelector) =>
      namespaces.map((namespace) =>
        mgr.informers.informer<KubeObject>(resource, {
          namespace,
          ...(labelSelector ? { labelSelector } : {}),
        }),
      ),
  };
}

/** Routes get/byIndex to the informer of the object's namespace. */
export function lister(informers: readonly Informer<KubeObject>[], allNamespaces: boolean): Lister {
  if (allNamespaces) return informers[0]!;
  const byNs = new Map(informers.map((i) => [i.namespace ?? '', i]));
  return {
    get: (ns, name) => byNs.get(ns ?? '')?.get(ns, name),
    byIndex: (index, value) => byNs.get(value.split('/')[0] ?? '')?.byIndex(index, value) ?? [],
  };
}
