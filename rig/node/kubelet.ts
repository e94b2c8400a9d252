// The node's kubelet endpoint, just enough for `kubectl logs`: the API server proxies
// GET /containerLogs/<ns>/<pod>/<container>?follow&previous&tailLines to the address in
// node.status.daemonEndpoints.kubeletEndpoint over HTTPS (it does not verify the serving cert
// unless --kubelet-certificate-authority is set, which the rig does not set). 127.0.0.1 only.
import { createReadStream, readFileSync, statSync, watch } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCa, issueCert } from '../pki.ts';

export interface LogSource {
  /** The log file of a container, or undefined when the pod/container is unknown. */
  logPath(namespace: string, pod: string, container: string, previous: boolean): string | undefined;
}

function tail(text: string, n: number): string {
  const lines = text.split('\n');
  const trailing = lines.at(-1) === '' ? lines.pop() : undefined;
  return lines.slice(-n).join('\n') + (trailing === '' ? '\n' : '');
}

export async function startKubeletServer(
  src: LogSource,
  port = 0,
): Promise<{ port: number; close(): Promise<void> }> {
  const ca = createCa('kuray-local-node-ca');
  const cert = issueCert(ca, {
    subject: { cn: 'kuray-local-node' },
    sans: ['127.0.0.1', 'localhost'],
    usage: 'server',
  });
  const server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) {
      res.writeHead(404).end('not found\n');
      return;
    }
    const [ns, pod, container] = m.slice(1).map(decodeURIComponent) as [string, string, string];
    const previous = url.searchParams.get('previous') === 'true';
    const path = src.logPath(ns, pod, container, previous);
    if (!path) {
      res
        .writeHead(404)
        .end(`container "${container}" in pod "${pod}" has no ${previous ? 'previous ' : ''}log\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    const tailLines = url.searchParams.get('tailLines');
    const follow = url.searchParams.get('follow') === 'true';
    let offset: number;
    if (tailLines !== null) {
      const text = readFileSync(path, 'utf8');
      const out = tail(text, Number(tailLines));
      res.write(out);
      offset = Buffer.byteLength(text);
    } else {
      const text = readFileSync(path);
      res.write(text);
      offset = text.length;
    }
    if (!follow) {
      res.end();
      return;
    }
    // follow: stream what is appended until the client goes away.
    const push = () => {
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        return;
      }
      if (size <= offset) return;
      createReadStream(path, { start: offset, end: size - 1 }).pipe(res, { end: false });
      offset = size;
    };
    const w = watch(path, push);
    const timer = setInterval(push, 1000);
    req.on('close', () => {
      w.close();
      clearInterval(timer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
