// A small typed REST client over a kubeconfig. kubeconfig.ts supplies kubeconfig loading and auth
// (applyToHTTPSOptions, client-node's interface); the wire is HTTP/2 (h2pool.ts: every request and
// watch multiplexed over a bounded number of connections, as client-go) with HTTP/1.1 as the fallback
// (a plain-http server, a proxy-url, or a server that does not negotiate h2), and plain JSON, so
// timestamps stay strings and nothing is lost in a serializer.
import type * as Http from 'node:http';
import https from 'node:https';
import { H2Pool, H2UnsupportedError, type TlsIdentity } from './h2pool.ts';
import { KubeConfig } from './kubeconfig.ts';
import { fromIncomingMessage, RetriableWireError, type WireResponse } from './wire.ts';
import type { Registry } from 'prom-client';
import { ApiError, type StatusBody } from './errors.ts';
import { counter, defaultRegistry, histogram, requestBuckets } from './metrics.ts';
import { TokenBucket } from './ratelimit.ts';
import { sleep } from './clock.ts';
import type { GVR, KubeObject, ObjectList, WatchEvent } from './resources.ts';
import { http } from '../util/nodeHttp.ts';

export interface ClientOptions {
  /** Client-side rate limit. client-go's 5/10 is too low for an operator; default 50/100. */
  qps?: number;
  burst?: number;
  /**
   * One qps/burst bucket per API resource (group/version/resource; a subresource counts with its
   * object) instead of one for the client. controller-runtime's client — what KubeRay writes with —
   * builds a REST client per kind, and client-go gives each its own token bucket when the config has
   * no RateLimiter (KubeRay sets only QPS and Burst), so KubeRay's --qps 100 is 100/s for pods, 100/s
   * for Services, 100/s for RayClusters. The operator's main client does the same, so one set of
   * flags gives both operators the same budget. Default false: one bucket, as a client-go clientset.
   */
  limitPerResource?: boolean;
  registry?: Registry;
  /** User-Agent header; defaults to "kuray". */
  userAgent?: string;
  /** Per-request timeout for non-watch calls (ms), default 60 s. */
  timeoutMs?: number;
  /** HTTP/2 to https servers (default true); false keeps every call on HTTP/1.1 keep-alive sockets. */
  http2?: boolean;
  /**
   * HTTP/2 sessions shared with other clients of the same server (the manager's main, Events and
   * Lease clients use one, as client-go's clientsets share a transport); its owner closes it.
   */
  pool?: H2Pool;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

const patchContentType: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
}

export interface PatchOptions extends WriteOptions {
  /** Only for apply patches: take ownership of conflicting fields. */
  force?: boolean;
  subresource?: string;
}

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  dryRun?: boolean;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  /** Server-side timeout; the server ends the watch cleanly after it. */
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
  signal?: AbortSignal;
}

interface RawResponse {
  status: number;
  body: string;
}

/** client-go's rule for the watch timeout: random in [5 min, 10 min] so watches don't all reconnect together. */
export function randomWatchTimeoutSeconds(minSeconds = 300): number {
  return Math.floor(minSeconds * (1 + Math.random()));
}

/**
 * The resource a request path addresses, as `group/version/resource` ("" group for the core API):
 * `/api/v1/namespaces/a/pods/p/status` → `/v1/pods`, `/apis/ray.io/v1/rayclusters` →
 * `ray.io/v1/rayclusters`, `/api/v1/namespaces/a` → `/v1/namespaces`. Anything else (discovery,
 * /version) is one key of its own.
 */
export function limiterKey(path: string): string {
  const parts = path.split('?', 1)[0]!.split('/').filter(Boolean);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) [group, rest] = ['', parts.slice(1)];
  else if (parts[0] === 'apis' && parts.length >= 4) [group, rest] = [parts[1]!, parts.slice(2)];
  else return 'other';
  const [version, ...tail] = rest;
  // namespaces/<ns>/<resource>/… is a namespaced resource; namespaces or namespaces/<ns> the Namespace itself.
  const resource = tail[0] === 'namespaces' && tail.length >= 3 ? tail[2] : tail[0];
  return `${group}/${version ?? ''}/${resource ?? ''}`;
}

export function resourcePath(r: GVR, namespace?: string, name?: string, subresource?: string): string {
  let p = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export class KubeClient {
  readonly kubeConfig: KubeConfig;
  readonly server: URL;
  readonly host: string;
  readonly #bucket: TokenBucket;
  /** With limitPerResource: a bucket per limiterKey(path), made on first use. */
  readonly #buckets: Map<string, TokenBucket> | undefined;
  readonly #qps: number;
  readonly #burst: number;
  /** HTTP/2 sessions; undefined once the server is known not to speak h2 (or for http:). */
  #h2: H2Pool | undefined;
  readonly #ownsPool: boolean;
  readonly #agent: Http.Agent;
  /** HTTP/1.1 watches only: each holds its socket for minutes, so they never share the capped pool. */
  readonly #watchAgent: Http.Agent;
  readonly #userAgent: string;
  readonly #timeoutMs: number;
  readonly #m;

  constructor(kc: KubeConfig, opts: ClientOptions = {}) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.kubeConfig = kc;
    this.server = new URL(cluster.server);
    this.host = this.server.host;
    this.#qps = opts.qps ?? 50;
    this.#burst = opts.burst ?? 100;
    this.#bucket = new TokenBucket(this.#qps, this.#burst);
    this.#buckets = opts.limitPerResource ? new Map() : undefined;
    const Agent = this.server.protocol === 'http:' ? http.Agent : https.Agent;
    if (this.server.protocol === 'https:' && opts.http2 !== false && !cluster.proxyUrl)
      this.#h2 = opts.pool ?? new H2Pool(this.server);
    this.#ownsPool = opts.pool === undefined;
    // HTTP/1.1 only (the fallback). Requests share at most 100 sockets. Watches get their own uncapped pool: with one open watch per
    // kind and namespace (--watch-namespace with many namespaces), a shared capped pool was filled by
    // watches and every list, create and status write waited forever (measured: ~16 namespaces and the
    // RayCluster + RayJob + RayService caches, 160 watches, hung the operator). The API server does not
    // count watches against its in-flight limits.
    this.#agent = new Agent({ keepAlive: true, maxSockets: 100 });
    this.#watchAgent = new Agent({ keepAlive: true });
    this.#userAgent = opts.userAgent ?? 'kuray';
    this.#timeoutMs = opts.timeoutMs ?? 60_000;
    const reg = opts.registry ?? defaultRegistry;
    this.#m = {
      requests: counter(
        reg,
        'rest_client_requests_total',
        'Number of HTTP requests, partitioned by status code, method, and host.',
        ['code', 'method', 'host'],
      ),
      latency: histogram(
        reg,
        'rest_client_request_duration_seconds',
        'Request latency in seconds. Broken down by verb, and host.',
        ['verb', 'host'],
        requestBuckets,
      ),
      // client-go's name: time spent waiting for the client-side QPS/burst limiter. When it adds up,
      // the operator is bound by --qps, not by the API server.
      limiter: histogram(
        reg,
        'rest_client_rate_limiter_duration_seconds',
        'Client side rate limiter latency in seconds. Broken down by verb, and host.',
        ['verb', 'host'],
        requestBuckets,
      ),
    };
  }

  /** Loads a kubeconfig file (or the default chain: $KUBECONFIG, ~/.kube/config, in-cluster). */
  static fromFile(path?: string, opts?: ClientOptions): KubeClient {
    const kc = new KubeConfig();
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault();
    return new KubeClient(kc, opts);
  }

  /** Stops pooling connections (idle sockets close). */
  close(): void {
    if (this.#ownsPool) this.#h2?.close();
    this.#agent.destroy();
    this.#watchAgent.destroy();
  }

  /** Open connections to the API server and the streams over them (HTTP/1.1: sockets, one per call). */
  connections(): { protocol: 'h2' | 'http/1.1'; connections: number; streams: number } {
    if (this.#h2) return { protocol: 'h2', connections: this.#h2.connections, streams: this.#h2.streams };
    const count = (a: Http.Agent, lists: 'sockets' | 'freeSockets') =>
      Object.values(a[lists]).reduce((n, l) => n + (l?.length ?? 0), 0);
    const busy = count(this.#agent, 'sockets') + count(this.#watchAgent, 'sockets');
    const idle = count(this.#agent, 'freeSockets') + count(this.#watchAgent, 'freeSockets');
    return { protocol: 'http/1.1', connections: busy + idle, streams: busy };
  }

  /**
   * One call on the wire: waits for the QPS limiter (requests only: client-go's watches are long-lived
   * streams, not counted as queries per second), adds auth, and sends over HTTP/2 or HTTP/1.1.
   */
  async #open(
    method: string,
    path: string,
    body: string | undefined,
    contentType: string | undefined,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    watch = false,
  ): Promise<WireResponse> {
    if (!watch) {
      const waitStart = performance.now();
      await this.#limiter(path).take(signal);
      this.#m.limiter.observe({ verb: method, host: this.host }, (performance.now() - waitStart) / 1000);
    }
    signal?.throwIfAborted();
    const opts: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(opts);
    const headers: Record<string, string | string[]> = {
      ...(opts.headers as Record<string, string | string[]> | undefined),
      accept: 'application/json',
      'user-agent': this.#userAgent,
    };
    if (contentType) headers['content-type'] = contentType;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const started = performance.now();
    let res: WireResponse;
    try {
      res = await this.#send(method, path, headers, body, signal, timeoutMs, opts, watch);
    } catch (e) {
      this.#m.requests.inc({ code: '<error>', method, host: this.host });
      throw e;
    }
    this.#m.requests.inc({ code: String(res.status), method, host: this.host });
    // client-go re-runs an exec credential plugin after a 401 (the credential was revoked or rotated early).
    if (res.status === 401) this.kubeConfig.invalidateCredentials();
    this.#m.latency.observe({ verb: method, host: this.host }, (performance.now() - started) / 1000);
    return res;
  }

  #limiter(path: string): TokenBucket {
    if (!this.#buckets) return this.#bucket;
    const key = limiterKey(path);
    let b = this.#buckets.get(key);
    if (!b) this.#buckets.set(key, (b = new TokenBucket(this.#qps, this.#burst)));
    return b;
  }

  async #send(
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
    body: string | undefined,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    opts: https.RequestOptions,
    watch: boolean,
  ): Promise<WireResponse> {
    if (this.#h2) {
      const id: TlsIdentity = {
        ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
        ...(opts.cert !== undefined ? { cert: opts.cert } : {}),
        ...(opts.key !== undefined ? { key: opts.key as TlsIdentity['key'] } : {}),
        ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
        ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
      };
      try {
        return await this.#h2.request(id, {
          method,
          path,
          headers,
          ...(body !== undefined ? { body } : {}),
          ...(signal ? { signal } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        });
      } catch (e) {
        if (!(e instanceof H2UnsupportedError)) throw e;
        // The server does not speak h2 (ALPN): HTTP/1.1 from now on for this client.
        if (this.#ownsPool) this.#h2.close();
        this.#h2 = undefined;
      }
    }
    const agent = watch ? this.#watchAgent : this.#agent;
    if (!this.kubeConfig.getCurrentCluster()?.proxyUrl) opts.agent = agent;
    const url = new URL(path, this.server);
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { ...opts, method, headers, signal }, (res) => {
        resolve(fromIncomingMessage(res));
      });
      if (timeoutMs !== undefined) {
        req.setTimeout(timeoutMs, () =>
          req.destroy(new Error(`${method} ${path}: timed out after ${timeoutMs} ms`)),
        );
      }
      req.on('error', (e) => {
        // A keep-alive socket the server closed just as we reused it fails with ECONNRESET before
        // any byte of the request was processed; such a request is safe to send again (Node's
        // documented pattern for agent keep-alive races).
        if (req.reusedSocket && (e as NodeJS.ErrnoException).code === 'ECONNRESET')
          reject(new RetriableWireError(e));
        else reject(e);
      });
      req.end(body);
    });
  }

  async #raw(method: string, path: string, body?: string, contentType?: string): Promise<RawResponse> {
    // client-go retries 429 (honouring Retry-After) a bounded number of times; so do we.
    for (let attempt = 0; ; attempt++) {
      let res: WireResponse;
      try {
        res = await this.#open(method, path, body, contentType, undefined, this.#timeoutMs);
      } catch (err) {
        resendOrThrow(err, attempt);
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c);
      const text = Buffer.concat(chunks).toString('utf8');
      const status = res.status;
      if (status === 429 && attempt < 5) {
        const after = Number(res.header('retry-after') ?? '1');
        await sleep(Math.min(Math.max(after, 1), 10) * 1000);
        continue;
      }
      return { status, body: text };
    }
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await this.#raw(method, path, payload, payload === undefined ? undefined : contentType);
    if (res.status < 200 || res.status >= 300) throw errorFrom(res, method, path);
    return (res.body ? JSON.parse(res.body) : undefined) as T;
  }

  /** GET of a plain-text subresource (pods/log): the body as text, API errors as ApiError. */
  async getText(path: string): Promise<string> {
    const res = await this.#raw('GET', path);
    if (res.status < 200 || res.status >= 300) throw errorFrom(res, 'GET', path);
    return res.body;
  }

  get<T extends KubeObject>(r: GVR, namespace: string | undefined, name: string): Promise<T> {
    return this.request<T>('GET', resourcePath(r, namespace, name));
  }

  list<T extends KubeObject>(r: GVR, namespace?: string, opts: ListOptions = {}): Promise<ObjectList<T>> {
    return this.request<ObjectList<T>>('GET', resourcePath(r, namespace) + query({ ...opts }));
  }

  /** Lists every page (limit 500 per page) and returns one list with the last page's resourceVersion. */
  async listAll<T extends KubeObject>(
    r: GVR,
    namespace?: string,
    opts: ListOptions = {},
  ): Promise<ObjectList<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv: string | undefined;
    do {
      const page = await this.list<T>(r, namespace, { ...opts, limit: opts.limit ?? 500, continue: cont });
      items.push(...page.items);
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion;
    } while (cont);
    return { metadata: { resourceVersion: rv }, items };
  }

  create<T extends KubeObject>(r: GVR, obj: T, opts: WriteOptions = {}): Promise<T> {
    const q = query({ fieldManager: opts.fieldManager, dryRun: opts.dryRun ? 'All' : undefined });
    return this.request<T>('POST', resourcePath(r, obj.metadata.namespace) + q, obj);
  }

  /** PUT with optimistic concurrency: obj.metadata.resourceVersion must be current (else Conflict). */
  update<T extends KubeObject>(r: GVR, obj: T, opts: WriteOptions = {}): Promise<T> {
    const q = query({ fieldManager: opts.fieldManager, dryRun: opts.dryRun ? 'All' : undefined });
    return this.request<T>('PUT', resourcePath(r, obj.metadata.namespace, obj.metadata.name) + q, obj);
  }

  updateStatus<T extends KubeObject>(r: GVR, obj: T, opts: WriteOptions = {}): Promise<T> {
    const q = query({ fieldManager: opts.fieldManager, dryRun: opts.dryRun ? 'All' : undefined });
    return this.request<T>(
      'PUT',
      resourcePath(r, obj.metadata.namespace, obj.metadata.name, 'status') + q,
      obj,
    );
  }

  patch<T extends KubeObject>(
    r: GVR,
    namespace: string | undefined,
    name: string,
    body: unknown,
    type: PatchType,
    opts: PatchOptions = {},
  ): Promise<T> {
    if (type === 'apply' && !opts.fieldManager) throw new Error('an apply patch needs a fieldManager');
    const q = query({
      fieldManager: opts.fieldManager,
      force: type === 'apply' && opts.force ? true : undefined,
      dryRun: opts.dryRun ? 'All' : undefined,
    });
    return this.request<T>(
      'PATCH',
      resourcePath(r, namespace, name, opts.subresource) + q,
      body,
      patchContentType[type],
    );
  }

  patchStatus<T extends KubeObject>(
    r: GVR,
    namespace: string | undefined,
    name: string,
    body: unknown,
    type: PatchType,
    opts: PatchOptions = {},
  ): Promise<T> {
    return this.patch<T>(r, namespace, name, body, type, { ...opts, subresource: 'status' });
  }

  /** Server-side apply of a fully specified intent (JSON is valid YAML, so JSON is sent). */
  apply<T extends KubeObject>(
    r: GVR,
    obj: KubeObject,
    opts: { fieldManager: string; force?: boolean; subresource?: string; dryRun?: boolean },
  ): Promise<T> {
    return this.patch<T>(r, obj.metadata.namespace, obj.metadata.name ?? '', obj, 'apply', opts);
  }

  /** DELETE; returns the object (or Status) the server answers with. */
  delete(r: GVR, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<unknown> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (opts.preconditions) body.preconditions = opts.preconditions;
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.dryRun) body.dryRun = ['All'];
    return this.request('DELETE', resourcePath(r, namespace, name), body);
  }

  /**
   * Opens a watch and yields events as they arrive (line-delimited JSON). Ends when the server closes
   * the stream (its timeoutSeconds) and throws on transport errors; abort the signal to stop.
   * A non-2xx answer throws ApiError (e.g. 410 Gone when the resourceVersion is too old).
   */
  async *watch<T extends KubeObject>(
    r: GVR,
    namespace: string | undefined,
    opts: WatchOptions = {},
  ): AsyncGenerator<WatchEvent<T>> {
    const path =
      resourcePath(r, namespace) +
      query({
        watch: true,
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        resourceVersion: opts.resourceVersion,
        timeoutSeconds: opts.timeoutSeconds,
        allowWatchBookmarks: opts.allowWatchBookmarks ?? true,
      });
    let res: WireResponse;
    for (let attempt = 0; ; attempt++) {
      try {
        res = await this.#open('GET', path, undefined, undefined, opts.signal, undefined, true);
        break;
      } catch (err) {
        resendOrThrow(err, attempt);
        continue;
      }
    }
    const status = res.status;
    if (status < 200 || status >= 300) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c);
      throw errorFrom({ status, body: Buffer.concat(chunks).toString('utf8') }, 'GET', path);
    }
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) yield JSON.parse(line) as WatchEvent<T>;
        }
      }
      if (!res.complete) throw new Error(`watch ${path}: connection closed before the response completed`);
      const tail = (buf + decoder.decode()).trim();
      if (tail) yield JSON.parse(tail) as WatchEvent<T>;
    } finally {
      res.destroy();
    }
  }
}

/** A call lost before the server saw any of it is sent again, twice at most; else its error is thrown. */
function resendOrThrow(err: unknown, attempt: number): void {
  if (err instanceof RetriableWireError && attempt < 2) return;
  throw err instanceof RetriableWireError ? err.cause : err;
}

function errorFrom(res: RawResponse, method: string, path: string): ApiError {
  let body: StatusBody | undefined;
  try {
    const parsed = JSON.parse(res.body) as StatusBody;
    if (typeof parsed === 'object' && (parsed as StatusBody | null)?.kind === 'Status') body = parsed;
  } catch {
    /* not JSON: keep the raw text in the message */
  }
  return new ApiError(res.status, body, method, path, res.body);
}

/** A watch ERROR event's Status as an ApiError (code 410 → isGone). */
export function watchError(object: unknown, path: string): ApiError {
  const s = object as StatusBody;
  return new ApiError(s.code ?? 500, s, 'WATCH', path);
}
