// The node's kubelet endpoint: what the API server proxies to (node.status.daemonEndpoints
// .kubeletEndpoint) and metrics-server scrapes. HTTPS on 127.0.0.1 only:
//   GET /containerLogs/<ns>/<pod>/<container>?follow&previous&tailLines   kubectl logs
//   /exec/…, /attach/…, /portForward/… (SPDY upgrades, streaming.ts)      kubectl exec/attach/port-forward
//   GET /metrics/resource (metrics.ts)                                    metrics-server → kubectl top
//   GET /healthz
// Like a kubelet it wants a client certificate from the cluster CA (the API server's
// --kubelet-client-certificate, metrics-server's identity): exec is code execution in every pod.
// The serving certificate is the node's own (the API server does not verify it unless
// --kubelet-certificate-authority is set; metrics-server runs with --kubelet-insecure-tls).
import { createReadStream, readFileSync, statSync, watch } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { createCa, issueCert } from '../pki.ts';
import { readNodeSample, renderResourceMetrics, ResourceMeter, type MeteredContainer } from './metrics.ts';
import {
  serveAttach,
  serveExec,
  servePortForward,
  type StreamingContext,
  type StreamTarget,
} from './streaming.ts';

export interface KubeletBackend extends StreamingContext {
  /** The log file of a container, or undefined when the pod/container is unknown. */
  logPath(namespace: string, pod: string, container: string, previous: boolean): string | undefined;
  /** A pod running on this node, or undefined. */
  pod(namespace: string, name: string): StreamTarget | undefined;
  /** Every running container, for /metrics/resource. */
  containers(): MeteredContainer[];
}

export interface KubeletServerOptions {
  port?: number;
  /** PEM of the CA whose client certificates may call the node; undefined: no client auth (tests). */
  clientCa?: string;
}

function tail(text: string, n: number): string {
  const lines = text.split('\n');
  const trailing = lines.at(-1) === '' ? lines.pop() : undefined;
  return lines.slice(-n).join('\n') + (trailing === '' ? '\n' : '');
}

/** Calls onData with what is appended to `path` after `offset`, until the returned stop() is called. */
export function followFile(path: string, offset: number, onData: (b: Buffer) => void): () => void {
  let pos = offset;
  let reading = false;
  const push = () => {
    if (reading) return;
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return;
    }
    if (size <= pos) return;
    reading = true;
    const s = createReadStream(path, { start: pos, end: size - 1 });
    pos = size;
    s.on('data', (b) => {
      onData(b as Buffer);
    });
    s.on('close', () => {
      reading = false;
    });
  };
  const w = watch(path, push);
  const timer = setInterval(push, 1000);
  return () => {
    w.close();
    clearInterval(timer);
  };
}

function serveLogs(
  backend: KubeletBackend,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  m: string[],
): void {
  const [ns, pod, container] = m as [string, string, string];
  const previous = url.searchParams.get('previous') === 'true';
  const path = backend.logPath(ns, pod, container, previous);
  if (!path) {
    res
      .writeHead(404)
      .end(`container "${container}" in pod "${pod}" has no ${previous ? 'previous ' : ''}log\n`);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  const tailLines = url.searchParams.get('tailLines');
  const text = readFileSync(path);
  res.write(tailLines !== null ? tail(text.toString('utf8'), Number(tailLines)) : text);
  if (url.searchParams.get('follow') !== 'true') {
    res.end();
    return;
  }
  const stop = followFile(path, text.length, (b) => res.write(b));
  req.on('close', stop);
}

/** /<verb>/<ns>/<pod>[/<uid>]/<container> (exec, attach) or /portForward/<ns>/<pod>[/<uid>]. */
function streamingPath(
  pathname: string,
): { verb: string; ns: string; pod: string; container?: string } | undefined {
  const parts = pathname.split('/').slice(1).map(decodeURIComponent);
  const [verb, ns, pod] = parts;
  if (!verb || !ns || !pod) return undefined;
  if (verb === 'portForward' && (parts.length === 3 || parts.length === 4)) return { verb, ns, pod };
  if ((verb === 'exec' || verb === 'attach') && (parts.length === 4 || parts.length === 5))
    return { verb, ns, pod, container: parts.at(-1)! };
  return undefined;
}

function rawError(socket: Duplex, code: number, reason: string, body: string): void {
  const b = Buffer.from(body + '\n');
  socket.end(
    `HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${b.length}\r\nConnection: close\r\n\r\n${b.toString()}`,
  );
}

export async function startKubeletServer(
  backend: KubeletBackend,
  opts: KubeletServerOptions = {},
): Promise<{ port: number; close(): Promise<void> }> {
  const ca = createCa('kuray-local-node-ca');
  const cert = issueCert(ca, {
    subject: { cn: 'kuray-local-node' },
    sans: ['127.0.0.1', 'localhost'],
    usage: 'server',
  });
  const meter = new ResourceMeter();
  // Upgraded connections are the server's no longer: closed with it by hand.
  const upgraded = new Set<Duplex>();
  const authorized = (req: IncomingMessage) =>
    opts.clientCa === undefined || (req.socket instanceof TLSSocket && req.socket.authorized);
  const server = https.createServer(
    {
      key: cert.key,
      cert: cert.cert,
      ...(opts.clientCa !== undefined
        ? { requestCert: true, rejectUnauthorized: false, ca: opts.clientCa }
        : {}),
    },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      if (!authorized(req)) {
        res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Unauthorized\n');
        return;
      }
      const logs = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && logs) {
        serveLogs(backend, req, res, url, logs.slice(1).map(decodeURIComponent));
      } else if (req.method === 'GET' && url.pathname === '/metrics/resource') {
        const body = renderResourceMetrics(readNodeSample(), meter.sample(backend.containers()), Date.now());
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(body);
      } else if (req.method === 'GET' && url.pathname === '/healthz') {
        res.writeHead(200).end('ok');
      } else if (streamingPath(url.pathname)) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Upgrade request required\n');
      } else {
        res.writeHead(404).end('not found\n');
      }
    },
  );
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    if (!authorized(req)) {
      rawError(socket, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const p = streamingPath(url.pathname);
    if (!p) {
      rawError(socket, 404, 'Not Found', 'not found');
      return;
    }
    const target = backend.pod(p.ns, p.pod);
    if (!target) {
      rawError(socket, 404, 'Not Found', `pod does not exist ("${p.ns}/${p.pod}")`);
      return;
    }
    if (p.verb === 'portForward') {
      servePortForward(req, socket, head, { namespace: p.ns, name: p.pod, target });
      return;
    }
    const running = target.container(p.container!);
    if (!running) {
      // The kubelet's words when the runtime has no running container of that name.
      rawError(socket, 404, 'Not Found', `container not found ("${p.container}")`);
      return;
    }
    const done =
      p.verb === 'exec'
        ? serveExec(backend, req, socket, head, url, running)
        : serveAttach(req, socket, head, url, running, (path, onData) =>
            followFile(path, statSync(path).size, onData),
          );
    void done.catch(() => {
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        for (const s of upgraded) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
