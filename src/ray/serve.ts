// Client for Ray Serve's REST API on the dashboard head (ray/dashboard/modules/serve/serve_head.py in
// Ray 2.58) and for the Serve proxy's health endpoint. The RayService controller uses three calls,
// the same KubeRay does: PUT the whole multi-application config, GET the applications' statuses
// (declarative API), and GET `/-/healthz` on a pod's proxy. All go through node:http (see http.ts).
import { httpCall, httpJson, httpText, RayHttpBodyError, type HttpOptions } from './http.ts';

/** ApplicationStatus in ray/serve/_private/common.py; other strings are passed through as they come. */
export type ServeAppStatus =
  'NOT_STARTED' | 'DEPLOYING' | 'DEPLOY_FAILED' | 'RUNNING' | 'UNHEALTHY' | 'DELETING' | (string & {});

export interface ServeDeploymentInfo {
  /** UPDATING, HEALTHY, UNHEALTHY, DEPLOY_FAILED, UPSCALING, DOWNSCALING. */
  status: string;
  message: string;
}

export interface ServeApplicationInfo {
  status: ServeAppStatus;
  /** Ray's explanation (for DEPLOY_FAILED: the traceback of the failed import or constructor). */
  message: string;
  deployments: Record<string, ServeDeploymentInfo>;
}

/** The parts of ServeInstanceDetails the operator reads. */
export interface ServeDetails {
  /** Application name → its state; empty when Serve is not running on the cluster. */
  applications: Record<string, ServeApplicationInfo>;
  /** The instance's target_capacity (0–100), when one was set. */
  targetCapacity?: number;
}

export interface ServeClientOptions extends HttpOptions {
  /** The dashboard head, e.g. "http://127.0.0.1:8265". */
  baseUrl: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Checks GET /api/serve/applications/ JSON; unknown fields are ignored, a wrong shape throws. */
export function parseServeDetails(v: unknown, url: string): ServeDetails {
  if (!isObject(v)) throw new RayHttpBodyError(url, `${url}: Serve details is not an object`);
  const apps = v.applications ?? {};
  if (!isObject(apps)) throw new RayHttpBodyError(url, `${url}: applications is not an object`);
  const applications: Record<string, ServeApplicationInfo> = {};
  for (const [name, a] of Object.entries(apps)) {
    if (!isObject(a)) throw new RayHttpBodyError(url, `${url}: application ${name} is not an object`);
    const deployments: Record<string, ServeDeploymentInfo> = {};
    if (isObject(a.deployments)) {
      for (const [d, dep] of Object.entries(a.deployments)) {
        if (isObject(dep)) deployments[d] = { status: text(dep.status), message: text(dep.message) };
      }
    }
    applications[name] = { status: text(a.status), message: text(a.message), deployments };
  }
  return {
    applications,
    ...(typeof v.target_capacity === 'number' ? { targetCapacity: v.target_capacity } : {}),
  };
}

export class ServeClient {
  readonly baseUrl: string;
  readonly #http: HttpOptions;

  constructor(opts: ServeClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#http = { timeoutMs: opts.timeoutMs, token: opts.token, maxBodyBytes: opts.maxBodyBytes };
  }

  /**
   * GET /api/serve/applications/?api_type=declarative (as KubeRay): the applications deployed through
   * this API. Serve not started yet answers an empty list, not an error.
   */
  async applications(): Promise<ServeDetails> {
    const url = `${this.baseUrl}/api/serve/applications/?api_type=declarative`;
    return parseServeDetails(await httpJson('GET', url, undefined, this.#http), url);
  }

  /**
   * PUT /api/serve/applications/ with the whole config (declarative: applications missing from it are
   * deleted). Ray answers 400 with its validation error or the deploy task's failure; a failing
   * import is not an error here, it shows up later as DEPLOY_FAILED in applications().
   */
  async deploy(config: Record<string, unknown>): Promise<void> {
    const url = `${this.baseUrl}/api/serve/applications/`;
    await httpText('PUT', url, JSON.stringify(config), this.#http);
  }
}

/**
 * GET http://<pod>:<serve port>/-/healthz: whether the pod's Serve proxy takes traffic (200). A proxy
 * that is starting, draining or absent answers 503 or refuses the connection: both are "no".
 */
export async function proxyHealthy(baseUrl: string, opts: HttpOptions = {}): Promise<boolean> {
  try {
    const res = await httpCall('GET', `${baseUrl.replace(/\/+$/, '')}/-/healthz`, undefined, opts);
    return res.status === 200;
  } catch {
    return false;
  }
}
