// A bounded client loop against a RayService's serve Service, routed as kube-proxy routes: at each
// request the Service's selector is read, the pods it selects that are ready (Ready condition, a pod IP,
// not being deleted: what the EndpointSlice controller makes endpoints of) are listed, one is picked
// (round robin) and its podIP:targetPort is asked on a new connection (kube-proxy balances connections,
// so a kept-alive socket would pin the client to one pod and hide the switch). The rig's local node
// gives pods loopback addresses, which the API server refuses in EndpointSlices, so the selector is the
// only route; nothing leaves 127.0.0.0/8.
//
// A request fails when the Service selects no ready pod (kube-proxy rejects the connection), when
// the connection fails or times out, or when the answer is not 2xx JSON. Used by the RayService e2e
// test (0 failed requests across a blue/green upgrade) and by `npm run bench:serve`.
import type { Pod, Service } from '../compiler/k8sTypes.ts';
import { httpCall } from '../ray/http.ts';
import { Pods, Services, type KubeObject } from '../runtime/resources.ts';
import type { KubeClient } from '../runtime/transport.ts';

export interface ServeAnswer {
  /** ms since the loop started. */
  at: number;
  /** The pod address that answered. */
  endpoint: string;
  /** The parsed JSON body (the demo apps say which cluster and color served). */
  body: Record<string, unknown>;
}

export interface ServeFailure {
  at: number;
  error: string;
}

export interface ServeLoadReport {
  sent: number;
  answers: ServeAnswer[];
  failures: ServeFailure[];
  /** When the loop started (epoch ms): `at` values are relative to it. */
  startedAt: number;
}

export interface ServeLoadOptions {
  client: KubeClient;
  namespace: string;
  /** The Service whose selector is followed (the RayService's serve Service). */
  service: string;
  /** Path and query asked, e.g. "/greet?name=kuray". */
  path: string;
  /** Requests started per second (each on its own schedule; a slow answer does not delay the next). */
  ratePerSec?: number;
  /** Bounds: the loop stops by itself after this many requests or this long, whichever comes first. */
  maxRequests?: number;
  maxMs?: number;
  /** Per request (endpoint lookup + HTTP). */
  timeoutMs?: number;
}

/** The "podIP:port" a Service sends to: its ready selected pods, the port named serve (else the first). Pure. */
export function serviceEndpoints(svc: Service, pods: readonly Pod[]): string[] {
  const sel = svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return [];
  const port = svc.spec?.ports?.find((p) => p.name === 'serve') ?? svc.spec?.ports?.[0];
  if (!port) return [];
  const out: string[] = [];
  for (const p of pods) {
    if (p.metadata?.namespace !== svc.metadata?.namespace) continue;
    if (!Object.entries(sel).every(([k, v]) => p.metadata?.labels?.[k] === v)) continue;
    const ip = p.status?.podIP;
    const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (!ip || !ready || p.metadata?.deletionTimestamp || p.status?.phase !== 'Running') continue;
    const t = port.targetPort ?? port.port;
    const n =
      typeof t === 'number'
        ? t
        : /^\d+$/.test(t)
          ? Number(t)
          : p.spec?.containers.flatMap((c) => c.ports ?? []).find((cp) => cp.name === t)?.containerPort;
    if (n) out.push(ip.includes(':') ? `[${ip}]:${n}` : `${ip}:${n}`);
  }
  return out;
}

/**
 * One request as a client behind kube-proxy makes it: the Service's ready endpoints now, the
 * `pick`-th of them (round robin), a new connection. Throws when there is no ready endpoint, on a
 * connection error or timeout, and on an answer that is not 2xx JSON.
 */
export async function askService(
  client: KubeClient,
  namespace: string,
  service: string,
  path: string,
  opts: { pick?: number; timeoutMs?: number } = {},
): Promise<Omit<ServeAnswer, 'at'>> {
  const svc = await client.get<Service & KubeObject>(Services, namespace, service);
  const sel = Object.entries(svc.spec?.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = sel
    ? (await client.list<Pod & KubeObject>(Pods, namespace, { labelSelector: sel })).items
    : [];
  const eps = serviceEndpoints(svc, pods);
  const endpoint = eps[(opts.pick ?? 0) % Math.max(1, eps.length)];
  if (!endpoint) throw new Error(`service ${namespace}/${service} has no ready endpoint`);
  try {
    const res = await httpCall(
      'GET',
      `http://${endpoint}${path}`,
      undefined,
      { timeoutMs: opts.timeoutMs ?? 5_000 },
      { connection: 'close' },
    );
    if (res.status < 200 || res.status >= 300)
      throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    return { endpoint, body: JSON.parse(res.body) as Record<string, unknown> };
  } catch (err) {
    throw new Error(`${endpoint}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

export interface ServeLoad {
  /** What has happened so far (live arrays: do not mutate). */
  readonly report: ServeLoadReport;
  /** Stops starting requests and waits for those in flight. */
  stop(): Promise<ServeLoadReport>;
}

export function startServeLoad(o: ServeLoadOptions): ServeLoad {
  const rate = o.ratePerSec ?? 20;
  const maxRequests = o.maxRequests ?? 12_000;
  const maxMs = o.maxMs ?? 600_000;
  const timeoutMs = o.timeoutMs ?? 5_000;
  const report: ServeLoadReport = { sent: 0, answers: [], failures: [], startedAt: Date.now() };
  const inFlight = new Set<Promise<void>>();
  let next = 0;
  let stopped = false;

  const once = async (): Promise<void> => {
    const at = Date.now() - report.startedAt;
    try {
      const a = await askService(o.client, o.namespace, o.service, o.path, { pick: next++, timeoutMs });
      report.answers.push({ at, ...a });
    } catch (err) {
      report.failures.push({ at, error: err instanceof Error ? err.message : String(err) });
    }
  };

  const timer = setInterval(() => {
    if (stopped || report.sent >= maxRequests || Date.now() - report.startedAt >= maxMs) {
      clearInterval(timer);
      return;
    }
    report.sent++;
    const p = once().finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, 1000 / rate);

  return {
    report,
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (inFlight.size) await Promise.all([...inFlight]);
      return report;
    },
  };
}

/** The value of `key` in the answers' bodies (strings as they are, else JSON), by request time, with consecutive repeats folded. */
export function answerSequence(answers: readonly ServeAnswer[], key: string): string[] {
  const out: string[] = [];
  for (const a of [...answers].sort((x, y) => x.at - y.at)) {
    const raw = a.body[key];
    const v = typeof raw === 'string' ? raw : JSON.stringify(raw ?? null);
    if (out[out.length - 1] !== v) out.push(v);
  }
  return out;
}
