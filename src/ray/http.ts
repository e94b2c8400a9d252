// HTTP for Ray's dashboard, agents and metrics ports, on node:http.
//
// Why not global fetch: Node's fetch always sends `sec-fetch-mode: cors`; Ray's dashboard treats
// any Sec-Fetch-*/Origin/Referer header (or a Mozilla user agent) as a browser and answers 405 to
// POST/PUT/DELETE, and the agent answers 403 to everything. node:http sends only what we set.
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { http } from '../util/nodeHttp.ts';

/** Base class of every error a Ray HTTP call throws. */
export class RayHttpError extends Error {
  override name = 'RayHttpError';
  readonly url: string;
  constructor(url: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.url = url;
  }
}

/** The server answered with a non-2xx status. `body` is the raw response text (Ray puts the reason there). */
export class RayHttpStatusError extends RayHttpError {
  override name = 'RayHttpStatusError';
  readonly status: number;
  readonly body: string;
  constructor(url: string, method: string, status: number, body: string) {
    super(url, `${method} ${url}: HTTP ${status}: ${body.slice(0, 500)}`);
    this.status = status;
    this.body = body;
  }
}

/** No answer within the timeout. */
export class RayHttpTimeoutError extends RayHttpError {
  override name = 'RayHttpTimeoutError';
}

/** Could not connect, or the connection broke (ECONNREFUSED, ECONNRESET, …). */
export class RayHttpConnectionError extends RayHttpError {
  override name = 'RayHttpConnectionError';
  readonly code: string | undefined;
  constructor(url: string, message: string, code: string | undefined, options?: ErrorOptions) {
    super(url, message, options);
    this.code = code;
  }
}

/** The body was not the JSON (or shape) we expected. */
export class RayHttpBodyError extends RayHttpError {
  override name = 'RayHttpBodyError';
}

export interface HttpOptions {
  timeoutMs?: number;
  /** Ray token auth; sent as `X-Ray-Authorization: Bearer …` as KubeRay does, so it never clashes with proxy auth. */
  token?: string;
  /** Largest body accepted (bytes); protects the operator from a runaway response. */
  maxBodyBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BODY = 32 << 20;

/** One request; resolves for any status (callers decide), rejects on transport errors and timeouts. */
export function httpCall(
  method: string,
  url: string,
  body: string | Buffer | undefined,
  opts: HttpOptions = {},
  extraHeaders: Record<string, string> = {},
): Promise<HttpResponse> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const u = new URL(url);
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': 'kuray',
    ...extraHeaders,
  };
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  if (opts.token) headers['x-ray-authorization'] = `Bearer ${opts.token}`;
  const doRequest = u.protocol === 'https:' ? httpsRequest : http.request;
  return new Promise((resolve, reject) => {
    let done = false;
    const fail = (err: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const req = doRequest(u, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBody)
          fail(new RayHttpBodyError(url, `${method} ${url}: body larger than ${maxBody} bytes`));
        else chunks.push(c);
      });
      res.on('error', (err) => {
        fail(new RayHttpConnectionError(url, `${method} ${url}: ${err.message}`, undefined, { cause: err }));
      });
      res.on('end', () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    const timer = setTimeout(() => {
      fail(new RayHttpTimeoutError(url, `${method} ${url}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      fail(new RayHttpConnectionError(url, `${method} ${url}: ${err.message}`, err.code, { cause: err }));
    });
    req.end(body);
  });
}

/** A request that must answer 2xx; returns the body text. */
export async function httpText(
  method: string,
  url: string,
  body?: string | Buffer,
  opts?: HttpOptions,
  extraHeaders?: Record<string, string>,
): Promise<string> {
  const res = await httpCall(method, url, body, opts, extraHeaders);
  if (res.status < 200 || res.status >= 300) throw new RayHttpStatusError(url, method, res.status, res.body);
  return res.body;
}

/** A request that must answer 2xx with JSON; returns the parsed value (unchecked: callers validate shape). */
export async function httpJson(
  method: string,
  url: string,
  body?: unknown,
  opts?: HttpOptions,
): Promise<unknown> {
  const text = await httpText(method, url, body === undefined ? undefined : JSON.stringify(body), opts);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new RayHttpBodyError(url, `${method} ${url}: response is not JSON: ${text.slice(0, 200)}`, {
      cause: err,
    });
  }
}
