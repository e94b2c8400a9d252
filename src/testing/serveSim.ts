// A stand-in for the Ray dashboard's Serve API and the Serve proxy's health endpoint of many clusters,
// on one loopback port (cluster name as the first path segment), for integration tests whose
// RayCluster pods are KWOK pods: their 10.244.x IPs are never dialled, so the controller's
// rayEndpoints seam points each cluster here. It follows Ray 2.58's observable behaviour the
// controller depends on (serve_head.py, application_state.py): PUT replaces the whole set of
// applications and answers before they deploy; an application goes DEPLOYING → RUNNING, or
// DEPLOY_FAILED with the import error when its module does not exist; GET answers
// {"applications": {}} before the first PUT; a config without `applications` is a 400.
// The real dashboard is not exercised yet (see src/controllers/rayservice/README.md).
import { createServer, type Server } from 'node:http';
import { freePort } from '../ray/testing/localRay.ts';

interface SimApp {
  status: string;
  message: string;
  readyAt: number;
}

interface SimCluster {
  apps: Map<string, SimApp>;
  puts: number;
  /** 'up', 'hang' (no answer: timeouts), or 'refuse' (connection reset). */
  dashboard: 'up' | 'hang' | 'refuse';
  proxyHealthy: boolean;
}

export interface ServeSim {
  port: number;
  /** The base URL the controller should use for `cluster`. */
  url(cluster: string): string;
  cluster(name: string): SimCluster;
  close(): Promise<void>;
}

/** A module name that does not exist: applications importing it fail as Ray's do. */
export const MISSING_MODULE = 'no_such_module';

export async function startServeSim(opts: { deployMs?: number } = {}): Promise<ServeSim> {
  const deployMs = opts.deployMs ?? 300;
  const clusters = new Map<string, SimCluster>();
  const cluster = (name: string): SimCluster => {
    let c = clusters.get(name);
    if (!c) {
      c = { apps: new Map(), puts: 0, dashboard: 'up', proxyHealthy: true };
      clusters.set(name, c);
    }
    return c;
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://sim');
      const [, name = '', ...rest] = url.pathname.split('/');
      const path = `/${rest.join('/')}`;
      const c = cluster(name);
      if (path === '/-/healthz') {
        res.writeHead(c.proxyHealthy ? 200 : 503);
        res.end(c.proxyHealthy ? 'success' : 'unhealthy');
        return;
      }
      if (c.dashboard === 'hang') return;
      if (c.dashboard === 'refuse') {
        req.socket.destroy();
        return;
      }
      if (path !== '/api/serve/applications/') {
        res.writeHead(404);
        res.end();
        return;
      }
      if (req.method === 'PUT') {
        const cfg = JSON.parse(body) as { applications?: { name?: string; import_path?: string }[] };
        if (!Array.isArray(cfg.applications)) {
          res.writeHead(400);
          res.end('1 validation error for ServeDeploySchema\napplications\n  Field required [type=missing]');
          return;
        }
        c.puts++;
        const next = new Map<string, SimApp>();
        for (const a of cfg.applications) {
          const app = a.name ?? 'default';
          const module = (a.import_path ?? '').split(':')[0] ?? '';
          next.set(
            app,
            module === MISSING_MODULE
              ? {
                  status: 'DEPLOY_FAILED',
                  message: `Deploying app '${app}' failed with exception:\nModuleNotFoundError: No module named '${MISSING_MODULE}'`,
                  readyAt: Infinity,
                }
              : { status: 'DEPLOYING', message: '', readyAt: Date.now() + deployMs },
          );
        }
        c.apps = next;
        res.writeHead(200);
        res.end();
        return;
      }
      const applications: Record<string, unknown> = {};
      for (const [n, a] of c.apps) {
        if (a.status === 'DEPLOYING' && Date.now() >= a.readyAt) a.status = 'RUNNING';
        applications[n] = {
          status: a.status,
          message: a.message,
          deployments: {
            [`${n}-deployment`]: { status: a.status === 'RUNNING' ? 'HEALTHY' : 'UPDATING', message: '' },
          },
        };
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ applications, proxies: {} }));
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port,
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    cluster,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => {
          r();
        });
      }),
  };
}
