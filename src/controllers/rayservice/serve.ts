// Ray Serve on one RayCluster of a RayService, without ever blocking a reconcile: the dashboard is
// read and written through BackgroundCalls (one call in flight per cluster and kind, with a timeout;
// its settling requeues the RayService). A reconcile only reads the latest answers and decides.
//
// What is decided here, per cluster (KubeRay v1.7.0 reconcileServe / checkIfNeedSubmitServeApplications):
//   - PUT serveConfigV2 when this cluster has not been given it yet (in this process), when it
//     changed, or when the cluster has no application at all (its head restarted without GCS FT);
//   - never PUT a config that is not valid YAML: the error (with its line) is reported and the
//     applications that already run keep running;
//   - a config Ray rejected is not re-sent in a loop: again after `retryRejectedMs`, or when it changes;
//   - ready = a reading taken after the last PUT shows every application RUNNING.
import type { RayCluster } from '../../api/v1/index.ts';
import { RayHttpStatusError } from '../../ray/http.ts';
import { proxyHealthy, ServeClient, type ServeDetails } from '../../ray/serve.ts';
import { BackgroundCalls, type Settled } from '../shared/backgroundCalls.ts';
import { SERVE_REASON, EVENT } from './constants.ts';
import { parseServeConfig, withTargetCapacity } from './serveConfig.ts';
import type { AppStatus, EventNote, ServeView } from './status.ts';

/** Where a cluster's Ray answers: its dashboard and its head's Serve proxy. */
export interface RayEndpoints {
  dashboard: string;
  serve: string;
  token?: string | undefined;
}

/** The two dashboard calls, as a seam (tests may point them at anything that speaks the Serve API). */
export interface ServeApi {
  applications(signal: AbortSignal): Promise<ServeDetails>;
  deploy(config: Record<string, unknown>, signal: AbortSignal): Promise<void>;
  proxyHealthy(signal: AbortSignal): Promise<boolean>;
}

/** The Serve REST client on `ep`; `token` yields the cluster's Ray auth token (token-auth clusters). */
export function serveApiFor(
  ep: RayEndpoints,
  token: () => Promise<string | undefined>,
  timeoutMs: number,
): ServeApi {
  const client = async () =>
    new ServeClient({ baseUrl: ep.dashboard, timeoutMs, token: ep.token ?? (await token()) });
  return {
    applications: async () => (await client()).applications(),
    deploy: async (config) => {
      await (await client()).deploy(config);
    },
    proxyHealthy: () => proxyHealthy(ep.serve, { timeoutMs }),
  };
}

export interface ServeSyncOptions {
  /** Called with the RayService key ("ns/name") when an answer arrives. */
  requeue: (rsKey: string) => void;
  /** Timeout of each dashboard call (KubeRay: 2 s; Serve's PUT can take longer on a busy head). */
  timeoutMs?: number;
  /** How old a reading may be before the next one starts. */
  pollMs?: number;
  /** A config Ray rejected (HTTP 4xx) is sent again after this long if unchanged. */
  retryRejectedMs?: number;
  /** Any other failed PUT (timeout, 5xx) is retried after this long. */
  retryFailedMs?: number;
  now?: () => number;
}

export interface ClusterServe {
  view: ServeView;
  events: EventNote[];
}

const FAILED = new Set(['DEPLOY_FAILED', 'UNHEALTHY']);

function appStatuses(d: ServeDetails): Record<string, AppStatus> {
  const out: Record<string, AppStatus> = {};
  for (const [name, a] of Object.entries(d.applications)) {
    const deps = Object.entries(a.deployments);
    out[name || 'default'] = {
      status: a.status,
      ...(a.message ? { message: a.message } : {}),
      ...(deps.length
        ? {
            serveDeploymentStatuses: Object.fromEntries(
              deps.map(([k, v]) => [k, { status: v.status, ...(v.message ? { message: v.message } : {}) }]),
            ),
          }
        : {}),
    };
  }
  return out;
}

function errText(e: Error): string {
  return e instanceof RayHttpStatusError ? `HTTP ${e.status}: ${e.body.trim().slice(0, 2000)}` : e.message;
}

export class ServeSync {
  readonly #o: Required<Omit<ServeSyncOptions, 'requeue'>>;
  readonly #apps: BackgroundCalls<ServeDetails>;
  readonly #put: BackgroundCalls<string>;
  readonly #proxy: BackgroundCalls<boolean>;
  /** Cluster key → the config text (with its target capacity) the cluster accepted. */
  readonly #applied = new Map<string, string>();
  /** Cluster key → the config text the PUT in flight (or last settled) carries. */
  readonly #sending = new Map<string, string>();
  /** Cluster key → since when its dashboard fails (for the status message). */
  readonly #failingSince = new Map<string, number>();
  /** Things already reported by an Event (per cluster key and config/result). */
  readonly #reported = new Set<string>();

  constructor(opts: ServeSyncOptions) {
    this.#o = {
      timeoutMs: opts.timeoutMs ?? 5_000,
      pollMs: opts.pollMs ?? 2_000,
      retryRejectedMs: opts.retryRejectedMs ?? 60_000,
      retryFailedMs: opts.retryFailedMs ?? 5_000,
      now: opts.now ?? Date.now,
    };
    const onSettled = (key: string) => {
      opts.requeue(key.slice(0, key.indexOf('|')));
    };
    const common = { timeoutMs: this.#o.timeoutMs, onSettled, now: this.#o.now };
    this.#apps = new BackgroundCalls(common);
    this.#put = new BackgroundCalls(common);
    this.#proxy = new BackgroundCalls(common);
  }

  /** Drops everything about one cluster (deleted) or, with no cluster, the whole RayService. */
  forget(rsKey: string, cluster?: string): void {
    const prefix = cluster === undefined ? `${rsKey}|` : `${rsKey}|${cluster}`;
    for (const calls of [this.#apps, this.#put, this.#proxy]) {
      if (cluster === undefined) calls.forgetPrefix(prefix);
      else calls.forget(prefix);
    }
    for (const m of [this.#applied, this.#sending, this.#failingSince])
      for (const k of [...m.keys()]) if (k === prefix || k.startsWith(prefix)) m.delete(k);
    for (const k of [...this.#reported]) if (k.startsWith(`${prefix}|`)) this.#reported.delete(k);
  }

  /** The head's Serve proxy health (undefined before the first answer). */
  proxyHealthy(rsKey: string, rc: RayCluster, api: ServeApi): boolean | undefined {
    const s = this.#proxy.poll(`${rsKey}|${rc.metadata?.name ?? ''}`, this.#o.pollMs, (sig) =>
      api.proxyHealthy(sig),
    );
    return s?.ok ? s.value : s ? false : undefined;
  }

  /**
   * Reads the cluster's applications and, when `deploy` allows it (the cluster the config is meant
   * for), sends `configText` if it is due. `targetCapacity` is Serve's target_capacity for
   * incremental upgrades (part of what is sent).
   */
  observe(
    rsKey: string,
    rc: RayCluster,
    api: ServeApi,
    configText: string,
    opts: { deploy: boolean; targetCapacity?: number | undefined },
  ): ClusterServe {
    const cluster = rc.metadata?.name ?? '';
    const key = `${rsKey}|${cluster}`;
    const events: EventNote[] = [];
    const now = this.#o.now();
    const lastPut = this.#put.peek(key);
    const lastOkPutAt = lastPut?.ok ? lastPut.at : undefined;
    const prev = this.#apps.peek(key);
    // After a PUT, a reading taken before it says nothing about the new config: read again at once.
    const stale = lastOkPutAt !== undefined && prev !== undefined && prev.startedAt <= lastOkPutAt;
    const read = this.#apps.poll(key, stale ? 0 : this.#o.pollMs, (sig) => api.applications(sig));
    const view: ServeView = { ready: false };
    if (!read) return { view, events };
    if (!read.ok) {
      const since = this.#failingSince.get(key) ?? read.startedAt;
      this.#failingSince.set(key, since);
      view.issue = {
        reason: SERVE_REASON.dashboardUnreachable,
        message:
          `The Ray dashboard of RayCluster ${cluster} does not answer since ` +
          `${new Date(since).toISOString()}: ${errText(read.error)}`,
      };
      return { view, events };
    }
    this.#failingSince.delete(key);
    const apps = appStatuses(read.value);
    view.apps = apps;

    if (!configText.trim()) return { view, events }; // nothing to deploy (status says so)
    const parsed = parseServeConfig(configText);
    if (!parsed.ok) {
      view.issue = { reason: SERVE_REASON.invalidConfig, message: parsed.error };
      this.#once(
        `${key}|invalid|${configText}`,
        events,
        EVENT.failedUpdateServeApps,
        `${cluster}: ${parsed.error}`,
      );
      return { view, events };
    }
    const desired =
      opts.targetCapacity === undefined
        ? configText
        : `${configText}\n#target_capacity=${opts.targetCapacity}`;

    const fresh = lastOkPutAt === undefined || read.startedAt > lastOkPutAt;
    if (opts.deploy) {
      this.#settlePut(key, cluster, lastPut, events);
      // No application at all on a reading taken after our last PUT: the head restarted (without
      // GCS fault tolerance, Serve's state died with it), so the config goes again.
      const due = this.#applied.get(key) !== desired || (fresh && Object.keys(apps).length === 0);
      if (due && !this.#put.inFlight(key)) {
        const failedSame = lastPut && !lastPut.ok && this.#sending.get(key) === desired;
        const wait = failedSame
          ? isRejected(lastPut.error)
            ? this.#o.retryRejectedMs
            : this.#o.retryFailedMs
          : 0;
        if (!failedSame || now - lastPut.at >= wait) {
          this.#sending.set(key, desired);
          const body = withTargetCapacity(parsed.config, opts.targetCapacity);
          this.#put.run(key, async (sig) => {
            await api.deploy(body, sig);
            return desired;
          });
        }
      }
      const failed = this.#put.peek(key);
      if (failed && !failed.ok && this.#sending.get(key) === desired) {
        view.issue = {
          reason: SERVE_REASON.rejected,
          message: `Ray did not accept serveConfigV2 on RayCluster ${cluster}: ${errText(failed.error)}`,
        };
        return { view, events };
      }
    }

    const failedApps = Object.entries(apps).filter(([, a]) => FAILED.has(a.status ?? ''));
    if (failedApps.length) {
      view.issue = {
        reason: SERVE_REASON.failed,
        message: failedApps
          .map(
            ([n, a]) => `application ${n} on RayCluster ${cluster} is ${a.status ?? ''}: ${a.message ?? ''}`,
          )
          .join('; '),
      };
    }
    view.ready =
      fresh &&
      Object.keys(apps).length > 0 &&
      Object.values(apps).every((a) => a.status === 'RUNNING') &&
      (!opts.deploy || this.#applied.get(key) === desired);
    return { view, events };
  }

  /** Records a PUT that settled since the last look: the accepted config, and one Event for it. */
  #settlePut(key: string, cluster: string, put: Settled<string> | undefined, events: EventNote[]): void {
    if (!put) return;
    if (put.ok) {
      if (this.#applied.get(key) !== put.value) {
        this.#applied.set(key, put.value);
        events.push({
          type: 'Normal',
          reason: EVENT.updatedServeApps,
          message: `Updated serve applications to the RayCluster ${cluster}`,
        });
      }
    } else {
      this.#once(
        `${key}|put|${put.at}`,
        events,
        EVENT.failedUpdateServeApps,
        `Failed to update serve applications to the RayCluster ${cluster}: ${errText(put.error)}`,
      );
    }
  }

  #once(id: string, events: EventNote[], reason: string, message: string): void {
    if (this.#reported.has(id)) return;
    this.#reported.add(id);
    events.push({ type: 'Warning', reason, message });
  }
}

/** Ray answered and refused the config (4xx): sending the same again would fail the same way. */
function isRejected(e: Error): boolean {
  return e instanceof RayHttpStatusError && e.status >= 400 && e.status < 500;
}
