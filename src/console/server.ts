// `kuray console`'s HTTP server: the built frontend plus a small JSON API and one server-sent-event
// stream, bound to loopback and acting only as the viewer's own kubeconfig identity.
//
// A loopback server is still reachable by every web page the viewer opens (a form POST to
// 127.0.0.1, a DNS name rebound to 127.0.0.1), and it holds the viewer's cluster credentials, so:
//   - the Host header must name this server (defeats DNS rebinding);
//   - every /api request needs the session cookie, set only by opening the URL with the random token
//     printed at start (HttpOnly, SameSite=Strict: other sites' requests do not carry it);
//   - writes need the header X-Kuray-Console (a cross-site page cannot send it without a CORS
//     preflight, which this server never answers) and, when the browser sends Origin, our own.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../cli/ray/common.ts';
import { ApiError } from '../runtime/errors.ts';
import { RayClusters } from '../runtime/resources.ts';
import type { KubeClient } from '../runtime/transport.ts';
import { submitterLogs } from './logs.ts';
import { can } from './access.ts';
import { createFromText, deleteObject, scaleGroup, setSuspend, validateText } from './actions.ts';
import { WatchHub } from './hub.ts';
import type { ErrorBody, ScaleRequestBody, SessionInfo, SuspendRequestBody } from './protocol.ts';

export interface ConsoleOptions {
  client: KubeClient;
  /** Who the client is (shown in the header). */
  identity: { context: string; user: string; server: string; defaultNamespace: string };
  /** Namespaces to show; undefined = all when the viewer may list cluster-wide, else the default one. */
  namespaces?: string[];
  /** The built frontend (dist/console). */
  staticDir: string;
  host?: string;
  port?: number;
  /** The session token; random when absent (tests pass none and read `url`). */
  token?: string;
}

export interface RunningConsole {
  /** The URL to open: carries the token once, then the cookie does. */
  url: string;
  origin: string;
  server: Server;
  hub: WatchHub;
  session: SessionInfo;
  close(): Promise<void>;
}

const maxBody = 1 << 20;
const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Every file of the built frontend, read once: requests can name nothing else (no path traversal). */
function loadStatic(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set('/' + relative(dir, p).split(sep).join('/'), readFileSync(p));
    }
  };
  try {
    walk(dir);
  } catch {
    throw new Error(`the console's frontend is not built at ${dir}: run npm run build:console`);
  }
  if (!files.has('/index.html')) throw new Error(`${dir}/index.html missing: run npm run build:console`);
  return files;
}

/** Which namespaces to watch: all when the viewer may list RayClusters everywhere, else theirs. */
async function scopeOf(o: ConsoleOptions): Promise<Pick<SessionInfo, 'namespaces' | 'scopeNote'>> {
  if (o.namespaces && o.namespaces.length > 0) return { namespaces: o.namespaces };
  if (await can(o.client, 'list', RayClusters, '')) return { namespaces: [] };
  return {
    namespaces: [o.identity.defaultNamespace],
    scopeNote: `you may not list RayClusters in all namespaces; showing namespace ${o.identity.defaultNamespace} (pass --namespace to choose others)`,
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

async function readJson<T>(req: IncomingMessage): Promise<T> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > maxBody) throw new HttpError(413, 'request body over 1 MiB');
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
  } catch {
    throw new HttpError(400, 'request body is not JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...securityHeaders,
  });
  res.end(JSON.stringify(body));
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') throw new HttpError(400, `${field}: expected a non-empty string`);
  return v;
}

export async function startConsole(o: ConsoleOptions): Promise<RunningConsole> {
  const files = loadStatic(o.staticDir);
  const token = o.token ?? randomBytes(24).toString('base64url');
  const scope = await scopeOf(o);
  const session: SessionInfo = {
    context: o.identity.context,
    user: o.identity.user,
    server: o.identity.server,
    ...scope,
  };
  const hub = new WatchHub(o.client, scope.namespaces);
  await hub.start();
  const host = o.host ?? '127.0.0.1';
  // Cookies are per host, not per port: a name per port keeps two consoles (two identities) apart.
  let cookieName = 'kuray_console';
  let allowedHosts = new Set<string>();
  let origin = '';

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const c = o.client;
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    if (req.method !== 'GET') {
      if (req.headers['x-kuray-console'] !== '1') throw new HttpError(403, 'missing X-Kuray-Console header');
      if (req.headers.origin !== undefined && req.headers.origin !== origin)
        throw new HttpError(403, `cross-origin request from ${req.headers.origin} refused`);
    }
    switch (route) {
      case 'GET /api/session': {
        send(res, 200, session);
        return;
      }
      case 'GET /api/can': {
        const ns = url.searchParams.get('namespace') ?? '';
        const [patch, create, del] = await Promise.all(
          ['patch', 'create', 'delete'].map((v) => can(c, v, RayClusters, ns)),
        );
        send(res, 200, { patch, create, delete: del });
        return;
      }
      case 'GET /api/watch': {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          ...securityHeaders,
        });
        const stop = hub.subscribe((m) => res.write(`data: ${JSON.stringify(m)}\n\n`));
        // A comment every 25 s keeps proxies and the browser from closing an idle stream.
        const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
        req.on('close', () => {
          clearInterval(ping);
          stop();
        });
        return;
      }
      case 'GET /api/rayjob-logs': {
        const ns = str(url.searchParams.get('namespace') ?? '', 'namespace');
        send(res, 200, await submitterLogs(c, ns, str(url.searchParams.get('name') ?? '', 'name')));
        return;
      }
      case 'POST /api/validate': {
        const { yaml } = await readJson<{ yaml?: unknown }>(req);
        const { values: _v, ...report } = validateText(typeof yaml === 'string' ? yaml : '');
        send(res, 200, report);
        return;
      }
      case 'POST /api/create': {
        const b = await readJson<{ yaml?: unknown; namespace?: unknown; dryRun?: unknown }>(req);
        const ns =
          typeof b.namespace === 'string' && b.namespace !== '' ? b.namespace : o.identity.defaultNamespace;
        const r = await createFromText(c, typeof b.yaml === 'string' ? b.yaml : '', ns, {
          dryRun: b.dryRun === true,
        });
        send(res, r.error === undefined && r.parseError === undefined ? 200 : 422, r);
        return;
      }
      case 'POST /api/scale': {
        const b = await readJson<Partial<ScaleRequestBody>>(req);
        if (typeof b.replicas !== 'number' || !Number.isInteger(b.replicas))
          throw new HttpError(400, 'replicas: expected an integer');
        const body = {
          namespace: str(b.namespace, 'namespace'),
          name: str(b.name, 'name'),
          group: str(b.group, 'group'),
          replicas: b.replicas,
        };
        send(res, 200, await scaleGroup(c, body));
        return;
      }
      case 'POST /api/suspend': {
        const b = await readJson<Partial<SuspendRequestBody> & { kind?: unknown }>(req);
        const kind = b.kind === 'RayJob' ? 'RayJob' : 'RayCluster';
        const body = {
          namespace: str(b.namespace, 'namespace'),
          name: str(b.name, 'name'),
          suspend: b.suspend === true,
        };
        send(res, 200, await setSuspend(c, kind, body));
        return;
      }
      case 'POST /api/delete': {
        const b = await readJson<{ kind?: unknown; namespace?: unknown; name?: unknown }>(req);
        await deleteObject(c, str(b.kind, 'kind'), str(b.namespace, 'namespace'), str(b.name, 'name'));
        send(res, 200, {});
        return;
      }
      default:
        throw new HttpError(404, `no route ${route}`);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!allowedHosts.has(req.headers.host ?? '')) {
      send(res, 421, { error: `unexpected Host header ${req.headers.host ?? ''}`, status: 421 });
      return;
    }
    const url = new URL(req.url ?? '/', origin);
    const given = url.searchParams.get('token');
    if (given !== null) {
      if (!safeEqual(given, token)) {
        send(res, 401, { error: 'wrong console token', status: 401 });
        return;
      }
      url.searchParams.delete('token');
      res.writeHead(302, {
        location: url.pathname + url.search + url.hash,
        'set-cookie': `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        ...securityHeaders,
      });
      return void res.end();
    }
    const cookieOk = safeEqual(cookie(req, cookieName) ?? '', token);
    if (url.pathname.startsWith('/api/')) {
      if (!cookieOk) {
        send(res, 401, {
          error: 'open the URL kuray console printed (it carries the session token)',
          status: 401,
        });
        return;
      }
      try {
        await api(req, res, url);
      } catch (e) {
        // The API server's own refusal (403 Forbidden, 409 Conflict, 422 Invalid) passes through.
        const status =
          e instanceof HttpError || e instanceof ApiError ? e.status : e instanceof UsageError ? 400 : 500;
        const body: ErrorBody = { error: (e as Error).message, status };
        if (!res.headersSent) send(res, status, body);
        else res.end();
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { error: 'method not allowed', status: 405 });
      return;
    }
    if (!cookieOk) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', ...securityHeaders });
      return void res.end('Open the URL that `kuray console` printed: it carries the session token.\n');
    }
    const file = files.get(url.pathname) ?? files.get('/index.html')!;
    const path = files.has(url.pathname) ? url.pathname : '/index.html';
    res.writeHead(200, {
      'content-type': types[extname(path)] ?? 'application/octet-stream',
      // Vite names assets by content hash: cache them; never the page that names them.
      'cache-control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
      ...securityHeaders,
    });
    res.end(req.method === 'HEAD' ? undefined : file);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { error: (e as Error).message, status: 500 });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  origin = `http://${hostPart}:${port}`;
  cookieName = `kuray_console_${port}`;
  allowedHosts = new Set([`${hostPart}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);
  return {
    url: `${origin}/?token=${token}`,
    origin,
    server,
    hub,
    session,
    close: async () => {
      hub.stop();
      server.closeAllConnections();
      await new Promise<void>((r) =>
        server.close(() => {
          r();
        }),
      );
    },
  };
}
