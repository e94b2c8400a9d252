// One watch per kind (and namespace, for a viewer who may not list cluster-wide), fanned out to every
// open browser tab as server-sent events: the browser gets a full list, then each change, and never
// polls. The reflectors are the runtime's (list + watch, rewatch from the last resourceVersion,
// relist on 410), run with the viewer's own client: the console sees what the viewer may see.
import { Reflector } from '../runtime/reflector.ts';
import {
  Events,
  Pods,
  RayClusters,
  RayJobs,
  RayServices,
  type GVR,
  type KubeObject,
} from '../runtime/resources.ts';
import type { KubeClient } from '../runtime/transport.ts';
import { nopLogger, type Logger } from '../runtime/log.ts';
import { can } from './access.ts';
import type { ConsoleCluster, PodObject, StreamMessage, WatchedKind } from './protocol.ts';
import { validate } from '../api/validation/index.ts';

interface Source {
  resource: GVR;
  labelSelector?: string;
  fieldSelector?: string;
}

// Pods and Events are scoped to what the console shows: Ray pods, and Events about Ray objects.
const sources: Record<WatchedKind, Source> = {
  rayclusters: { resource: RayClusters },
  rayjobs: { resource: RayJobs },
  rayservices: { resource: RayServices },
  pods: { resource: Pods, labelSelector: 'ray.io/cluster' },
  events: { resource: Events, fieldSelector: 'involvedObject.apiVersion=ray.io/v1' },
};

type Listener = (m: StreamMessage) => void;

/** Drops what the browser never reads (managedFields, last-applied annotations) to keep frames small. */
function slim(o: KubeObject): KubeObject {
  const { managedFields: _m, annotations, ...metadata } = o.metadata;
  const kept =
    annotations === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(annotations).filter(
            ([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration',
          ),
        );
  return { ...o, metadata: { ...metadata, ...(kept ? { annotations: kept } : {}) } };
}

/** The fields of a Pod the console shows (PodObject): a Ray pod's spec alone is ~5 KB. */
function podSummary(o: KubeObject): KubeObject {
  const p = o as PodObject;
  const { name, namespace, uid, labels, creationTimestamp, deletionTimestamp, resourceVersion } = p.metadata;
  const s = p.status;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid, labels, creationTimestamp, deletionTimestamp, resourceVersion },
    spec: { nodeName: p.spec?.nodeName },
    status: {
      phase: s?.phase,
      podIP: s?.podIP,
      conditions: s?.conditions?.map(({ type, status }) => ({ type, status })),
      containerStatuses: s?.containerStatuses?.map(({ name: n, ready, restartCount }) => ({
        name: n,
        ready,
        restartCount,
      })),
    },
  };
}

/** A RayCluster with the warnings `kuray validate` finds in it, so the list can show them. */
function withWarnings(o: KubeObject): KubeObject {
  const { warnings } = validate(o);
  const slimmed = slim(o) as ConsoleCluster;
  slimmed.consoleWarnings = warnings;
  return slimmed;
}

export class WatchHub {
  readonly #client: KubeClient;
  readonly #namespaces: readonly string[];
  readonly #ac = new AbortController();
  /** kind → "ns/name" → object; per namespace scope merged (a viewer's namespaces never overlap). */
  readonly #items = new Map<WatchedKind, Map<string, KubeObject>>();
  readonly #errors = new Map<WatchedKind, string>();
  readonly #listeners = new Set<Listener>();
  #started: Promise<void> | undefined;

  /** namespaces: [] = all namespaces (one cluster-wide watch per kind). */
  constructor(client: KubeClient, namespaces: readonly string[]) {
    this.#client = client;
    this.#namespaces = namespaces;
  }

  start(): Promise<void> {
    this.#started ??= this.#start();
    return this.#started;
  }

  async #start(): Promise<void> {
    const scopes = this.#namespaces.length === 0 ? [''] : this.#namespaces;
    for (const kind of Object.keys(sources) as WatchedKind[]) {
      this.#items.set(kind, new Map());
      const src = sources[kind];
      for (const ns of scopes) {
        // A kind the viewer may not list is reported, not retried forever with 403s.
        const allowed = await can(this.#client, 'watch', src.resource, ns).catch(() => true);
        if (!allowed) {
          this.#fail(
            kind,
            `you may not watch ${src.resource.resource} ${ns === '' ? 'in all namespaces' : `in namespace ${ns}`}`,
          );
          continue;
        }
        this.#run(kind, src, ns);
      }
    }
  }

  #run(kind: WatchedKind, src: Source, namespace: string): void {
    const map = this.#items.get(kind)!;
    const inScope = (o: KubeObject) => namespace === '' || o.metadata.namespace === namespace;
    const reflector = new Reflector<KubeObject>(
      {
        client: this.#client,
        resource: src.resource,
        namespace: namespace === '' ? undefined : namespace,
        labelSelector: src.labelSelector,
        fieldSelector: src.fieldSelector,
        transform: kind === 'rayclusters' ? withWarnings : kind === 'pods' ? podSummary : slim,
        logger: this.#logger(kind),
      },
      {
        replace: (items) => {
          for (const [k, o] of map) if (inScope(o)) map.delete(k);
          for (const o of items) map.set(key(o), o);
          this.#errors.delete(kind);
          this.#send({ t: 'replace', kind, items: [...map.values()] });
        },
        apply: (type, o) => {
          if (type === 'DELETED') map.delete(key(o));
          else map.set(key(o), o);
          this.#send({ t: type, kind, object: o });
        },
      },
    );
    void reflector.run(this.#ac.signal);
  }

  /** The reflector retries failed lists/watches itself; the tab is told why its data may be stale. */
  #logger(kind: WatchedKind): Logger {
    const log: Logger = {
      ...nopLogger,
      warn: (_msg, fields) => {
        const e = fields?.err;
        this.#fail(kind, e instanceof Error ? e.message : String(e));
      },
      child: () => log,
    };
    return log;
  }

  #fail(kind: WatchedKind, message: string): void {
    this.#errors.set(kind, message);
    this.#send({ t: 'error', kind, message });
  }

  #send(m: StreamMessage): void {
    for (const l of this.#listeners) l(m);
  }

  /** Current state as messages (for a new tab), then every change until the returned stop(). */
  subscribe(listener: Listener): () => void {
    for (const [kind, map] of this.#items) listener({ t: 'replace', kind, items: [...map.values()] });
    for (const [kind, message] of this.#errors) listener({ t: 'error', kind, message });
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The cached object, if watched (actions read it to know the current spec). */
  get(kind: WatchedKind, namespace: string, name: string): KubeObject | undefined {
    return this.#items.get(kind)?.get(`${namespace}/${name}`);
  }

  count(kind: WatchedKind): number {
    return this.#items.get(kind)?.size ?? 0;
  }

  stop(): void {
    this.#ac.abort();
    this.#listeners.clear();
  }
}

function key(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}
