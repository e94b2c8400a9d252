// Client for the Ray dashboard head (port 8265): version, cluster status, nodes, Jobs API.
// Used by the autoscaler's signal readers, RayJob, and e2e tests. All calls go through node:http
// (see http.ts for why never global fetch), with a timeout and typed errors.
import { parseClusterStatus, type DashboardClusterStatus } from './clusterStatus.ts';
import { httpCall, httpJson, httpText, RayHttpBodyError, RayHttpStatusError, type HttpOptions } from './http.ts';
import { parseJobDetails, type JobDetails, type JobSubmitRequest } from './jobs.ts';

export interface DashboardVersion {
  version: string;
  ray_version: string;
  ray_commit: string;
  session_name: string;
}

/** One Ray node as the state API lists it (GET /api/v0/nodes?detail=1). */
export interface DashboardNode {
  node_id: string;
  node_ip: string;
  is_head_node: boolean;
  /** "ALIVE" or "DEAD". */
  state: string;
  state_message: string | null;
  node_name: string;
  resources_total: Readonly<Record<string, number>>;
  labels: Readonly<Record<string, string>>;
  start_time_ms: number;
  end_time_ms: number;
}

export interface DashboardClientOptions extends HttpOptions {
  /** e.g. "http://127.0.0.1:8265" (no trailing slash needed). */
  baseUrl: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class DashboardClient {
  readonly baseUrl: string;
  readonly #http: HttpOptions;

  constructor(opts: DashboardClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#http = { timeoutMs: opts.timeoutMs, token: opts.token, maxBodyBytes: opts.maxBodyBytes };
  }

  #url(path: string): string {
    return this.baseUrl + path;
  }

  async version(): Promise<DashboardVersion> {
    const url = this.#url('/api/version');
    const v = await httpJson('GET', url, undefined, this.#http);
    if (!isObject(v) || typeof v.ray_version !== 'string')
      throw new RayHttpBodyError(url, `${url}: no ray_version`);
    return {
      version: String(v.version),
      ray_version: v.ray_version,
      ray_commit: String(v.ray_commit),
      session_name: String(v.session_name),
    };
  }

  /** GET /api/gcs_healthz: true on 200 "success", false on 503; throws on transport errors. */
  async gcsHealthy(): Promise<boolean> {
    const res = await httpCall('GET', this.#url('/api/gcs_healthz'), undefined, this.#http);
    return res.status === 200;
  }

  /** The head monitor's view: pending demand shapes, placement-group demand, usage. */
  async clusterStatus(): Promise<DashboardClusterStatus> {
    const url = this.#url('/api/cluster_status');
    return parseClusterStatus(await httpJson('GET', url, undefined, this.#http), url);
  }

  /** All Ray nodes (alive and dead) from the state API. */
  async nodes(): Promise<DashboardNode[]> {
    const url = this.#url('/api/v0/nodes?detail=1&limit=10000');
    const v = await httpJson('GET', url, undefined, this.#http);
    // { result, msg, data: { result: { total, result: [...] } } }
    const list =
      isObject(v) && isObject(v.data) && isObject(v.data.result) && Array.isArray(v.data.result.result)
        ? (v.data.result.result as unknown[])
        : undefined;
    if (!list) throw new RayHttpBodyError(url, `${url}: no data.result.result list`);
    return list.filter(isObject).map((n) => ({
      node_id: String(n.node_id),
      node_ip: String(n.node_ip),
      is_head_node: n.is_head_node === true,
      state: String(n.state),
      state_message: typeof n.state_message === 'string' ? n.state_message : null,
      node_name: String(n.node_name),
      resources_total: isObject(n.resources_total) ? (n.resources_total as Record<string, number>) : {},
      labels: isObject(n.labels) ? (n.labels as Record<string, string>) : {},
      start_time_ms: typeof n.start_time_ms === 'number' ? n.start_time_ms : 0,
      end_time_ms: typeof n.end_time_ms === 'number' ? n.end_time_ms : 0,
    }));
  }

  // ---- Jobs API -------------------------------------------------------------------------------

  /** POST /api/jobs/. Returns the submission id. A duplicate id is a RayHttpStatusError 500 whose
   *  body contains "already exists" (see isJobAlreadyExists). */
  async submitJob(req: JobSubmitRequest): Promise<string> {
    const url = this.#url('/api/jobs/');
    const body = Object.fromEntries(Object.entries(req).filter(([, v]) => v !== undefined));
    const v = await httpJson('POST', url, body, this.#http);
    if (!isObject(v) || typeof v.submission_id !== 'string') {
      throw new RayHttpBodyError(url, `${url}: no submission_id in answer`);
    }
    return v.submission_id;
  }

  /** GET /api/jobs/{id}; undefined when Ray answers 404 (no such job). */
  async getJob(id: string): Promise<JobDetails | undefined> {
    const url = this.#url(`/api/jobs/${encodeURIComponent(id)}`);
    try {
      return parseJobDetails(await httpJson('GET', url, undefined, this.#http), url);
    } catch (err) {
      if (err instanceof RayHttpStatusError && err.status === 404) return undefined;
      throw err;
    }
  }

  async listJobs(): Promise<JobDetails[]> {
    const url = this.#url('/api/jobs/');
    const v = await httpJson('GET', url, undefined, this.#http);
    if (!Array.isArray(v)) throw new RayHttpBodyError(url, `${url}: expected a list`);
    return (v as unknown[]).map((j) => parseJobDetails(j, url));
  }

  /** The whole driver log so far. */
  async jobLogs(id: string): Promise<string> {
    const url = this.#url(`/api/jobs/${encodeURIComponent(id)}/logs`);
    const v = await httpJson('GET', url, undefined, this.#http);
    if (!isObject(v) || typeof v.logs !== 'string') throw new RayHttpBodyError(url, `${url}: no logs field`);
    return v.logs;
  }

  /**
   * PUT /api/packages/<protocol>/<name>: a runtime_env package (a zipped working_dir) into the
   * cluster's GCS, as `ray job submit --working-dir` uploads it; `uri` is e.g. gcs://_ray_pkg_<hash>.zip.
   */
  async uploadPackage(uri: string, zip: Buffer): Promise<void> {
    const m = /^(\w+):\/\/(.+)$/.exec(uri);
    if (!m) throw new Error(`${uri}: not a package URI (protocol://name)`);
    const url = this.#url(`/api/packages/${m[1]}/${encodeURIComponent(m[2]!)}`);
    await httpText('PUT', url, zip, this.#http, { 'content-type': 'application/octet-stream' });
  }

  /** POST /api/jobs/{id}/stop; false when the job had already finished. */
  async stopJob(id: string): Promise<boolean> {
    const url = this.#url(`/api/jobs/${encodeURIComponent(id)}/stop`);
    const v = await httpJson('POST', url, undefined, this.#http);
    return isObject(v) && v.stopped === true;
  }

  /** DELETE /api/jobs/{id}; Ray refuses (500) for a non-terminal job. */
  async deleteJob(id: string): Promise<boolean> {
    const url = this.#url(`/api/jobs/${encodeURIComponent(id)}`);
    const v = await httpJson('DELETE', url, undefined, this.#http);
    return isObject(v) && v.deleted === true;
  }
}

export function isJobAlreadyExists(err: unknown): boolean {
  return err instanceof RayHttpStatusError && err.status === 500 && err.body.includes('already exists');
}
