// /healthz, /readyz and /metrics on one small HTTP server, bound to 127.0.0.1 unless told otherwise.
// /readyz is true when every named check passes (the manager adds "informers synced").
import type * as Http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { http } from '../util/nodeHttp.ts';

export type Check = () => boolean | Promise<boolean>;

export class HealthChecks {
  readonly #health = new Map<string, Check>();
  readonly #ready = new Map<string, Check>();

  addHealthCheck(name: string, c: Check): void {
    this.#health.set(name, c);
  }

  addReadyCheck(name: string, c: Check): void {
    this.#ready.set(name, c);
  }

  healthy(): Promise<{ ok: boolean; failed: string[] }> {
    return run(this.#health);
  }

  ready(): Promise<{ ok: boolean; failed: string[] }> {
    return run(this.#ready);
  }
}

async function run(checks: Map<string, Check>): Promise<{ ok: boolean; failed: string[] }> {
  const failed: string[] = [];
  for (const [name, c] of checks) {
    let ok: boolean;
    try {
      ok = await c();
    } catch {
      ok = false;
    }
    if (!ok) failed.push(name);
  }
  return { ok: failed.length === 0, failed };
}

/** "host:port", ":port" (→ 127.0.0.1) or "port"; "0" disables in the manager. */
export function parseAddress(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  const host = i <= 0 ? '127.0.0.1' : addr.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(i < 0 ? addr : addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`bad address ${JSON.stringify(addr)}`);
  return { host, port };
}

export interface ServingOptions {
  address?: string;
  health: HealthChecks;
  registry?: Registry;
  /** Called before each /metrics scrape (refresh in-flight gauges). */
  beforeScrape?: () => void;
}

export interface Serving {
  port: number;
  host: string;
  close(): Promise<void>;
}

export async function serveHealthAndMetrics(o: ServingOptions): Promise<Serving> {
  const { host, port } = parseAddress(o.address ?? '127.0.0.1:8080');
  const server = http.createServer((req, res) => {
    void handle(req, res, o);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  return {
    port: a.port,
    host: a.address,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

async function handle(req: Http.IncomingMessage, res: Http.ServerResponse, o: ServingOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  try {
    if (path === '/healthz' || path === '/readyz' || path === '/livez') {
      const r = path === '/readyz' ? await o.health.ready() : await o.health.healthy();
      res.writeHead(r.ok ? 200 : 500, { 'content-type': 'text/plain' });
      res.end(r.ok ? 'ok' : `failed: ${r.failed.join(', ')}`);
    } else if (path === '/metrics' && o.registry) {
      o.beforeScrape?.();
      const body = await o.registry.metrics();
      res.writeHead(200, { 'content-type': o.registry.contentType });
      res.end(body);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  } catch (e) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(e instanceof Error ? e.message : 'error');
  }
}
