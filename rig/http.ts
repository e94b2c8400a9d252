// Tiny HTTPS/HTTP GET for readiness probes (loopback only). node:https rather than fetch: the
// probes need client certificates and a private CA.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';

export interface Tls {
  ca?: string;
  cert?: string;
  key?: string;
  /** For components that serve a self-signed certificate from their --cert-dir. */
  insecure?: boolean;
}

export function get(url: string, tls: Tls = {}, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const opts: RequestOptions = { method: 'GET', timeout: timeoutMs, agent: false };
    if (u.protocol === 'https:') {
      Object.assign(opts, { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: !tls.insecure });
    }
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end();
  });
}
