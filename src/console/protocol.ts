// The console's wire protocol: what the server (src/console/server.ts) sends and accepts, imported
// by the browser code too (type-only), so both ends are checked against the same shapes — and the
// objects themselves are the API's own types (src/api/v1, TypeBox `Static<>`).
import type { RayCluster, RayJob, RayService } from '../api/v1/index.ts';
import type { Issue } from '../api/validation/index.ts';
import type { KubeObject } from '../runtime/resources.ts';

/** The kinds the console watches, by the name the stream uses. */
export type WatchedKind = 'rayclusters' | 'rayjobs' | 'rayservices' | 'pods' | 'events';
export const watchedKinds: readonly WatchedKind[] = [
  'rayclusters',
  'rayjobs',
  'rayservices',
  'pods',
  'events',
];

export type RayClusterObject = KubeObject & RayCluster;
/** A RayCluster as the stream sends it: with `kuray validate`'s warnings about its spec. */
export type ConsoleCluster = RayClusterObject & { consoleWarnings?: Issue[] };
export type RayJobObject = KubeObject & RayJob;
export type RayServiceObject = KubeObject & RayService;

/** The fields of a core/v1 Pod the console shows. */
export interface PodObject extends KubeObject {
  spec?: { nodeName?: string; containers?: { name: string }[] };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; ready: boolean; restartCount: number }[];
  };
}

/** The fields of a core/v1 Event the console shows. */
export interface EventObject extends KubeObject {
  involvedObject: { kind?: string; name?: string; namespace?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
}

/** Server-sent events on GET /api/watch, one JSON object per `data:` line. */
export type StreamMessage =
  /** A kind's full list (first sync or relist): replaces what the browser had for it. */
  | { t: 'replace'; kind: WatchedKind; items: KubeObject[] }
  | { t: 'ADDED' | 'MODIFIED' | 'DELETED'; kind: WatchedKind; object: KubeObject }
  /** A kind the viewer may not list (RBAC) or whose watch fails: shown, never hidden. */
  | { t: 'error'; kind: WatchedKind; message: string };

/** GET /api/session: who the console acts as and what it may do. */
export interface SessionInfo {
  /** The kubeconfig context (or "in-cluster"); the console acts only as this identity. */
  context: string;
  user: string;
  server: string;
  /** Namespaces watched; [] means all (the viewer may list cluster-wide). */
  namespaces: string[];
  /** Why the scope is what it is (e.g. "you may not list RayClusters in all namespaces"). */
  scopeNote?: string;
}

export interface ValidatedObject {
  /** "RayCluster/name" or "document 2". */
  label: string;
  kind?: string;
  namespace?: string;
  errors: Issue[];
  warnings: Issue[];
  infos: Issue[];
}

/** POST /api/validate and POST /api/create answer. */
export interface ValidateResponse {
  objects: ValidatedObject[];
  /** YAML that could not be parsed at all. */
  parseError?: string;
}
export interface CreateResponse extends ValidateResponse {
  /** Names created ("RayCluster ns/name"); empty when validation failed or on dry run. */
  created: string[];
  /** An API server refusal (RBAC, admission, conflict), verbatim. */
  error?: string;
}

export interface ScaleRequestBody {
  namespace: string;
  name: string;
  group: string;
  replicas: number;
}
export interface ObjectRef {
  namespace: string;
  name: string;
}
export interface SuspendRequestBody extends ObjectRef {
  suspend: boolean;
}

/** Every error answer of the API: what failed, from the API server when it refused. */
export interface ErrorBody {
  error: string;
  status: number;
}

/** GET /api/rayjob-logs: the submitter's log (text and where it came from), or why there is none. */
export interface RayJobLogs {
  mode: string;
  source?: string;
  text?: string;
  message?: string;
}
