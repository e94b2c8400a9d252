// Test helpers shared by runtime tests (not part of the public API).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from './kubeconfig.ts';

/** Polls until fn() is truthy; rejects after timeoutMs (a guard against hangs, not a timing check). */
export async function until(fn: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A KubeConfig pointing at a plain-HTTP loopback server (for the narrow fault-injection tests). */
export function loopbackKubeConfig(port: number): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}

export type FakeHandler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

/**
 * A scripted loopback server: each request is answered by the next handler in order; when the
 * script runs out, requests hang open (like a quiet watch) until the server closes.
 */
export async function scriptedServer(script: FakeHandler[]): Promise<{
  port: number;
  urls: URL[];
  close(): Promise<void>;
}> {
  const urls: URL[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    urls.push(url);
    const h = script.shift();
    if (h) h(req, res, url);
    else res.writeHead(200, { 'content-type': 'application/json' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    urls,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => {
          r();
        });
      }),
  };
}

export function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts a chunked watch response and returns a writer of events. */
export function watchStream(res: http.ServerResponse): (type: string, object: unknown) => void {
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  return (type, object) => res.write(JSON.stringify({ type, object }) + '\n');
}
