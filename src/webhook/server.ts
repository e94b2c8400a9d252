// The admission webhook's HTTPS server: AdmissionReview v1 in, out, at KubeRay's paths
// (/validate-ray-io-v1-raycluster, /mutate-ray-io-v1-raycluster, … for the four kinds). Its serving
// certificate can be swapped while it runs (setCertificate), which is how rotation reaches clients.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../runtime/log.ts';
import {
  mutateAdmission,
  validateAdmission,
  type AdmissionOptions,
  type AdmissionRequest,
  type AdmissionResponse,
} from './admission.ts';

/** The API server sends at most ~3 MiB objects; a review wraps the new and the old one. */
const MAX_BODY = 8 * 1024 * 1024;

export const WEBHOOK_KINDS = ['raycluster', 'rayjob', 'rayservice', 'raycronjob'] as const;
const ROUTE = /^\/(validate|mutate)-ray-io-v1-(raycluster|rayjob|rayservice|raycronjob)$/;

export interface WebhookServerOptions {
  /** host:port; port 0 picks a free one. */
  address: string;
  cert: string;
  key: string;
  admission: AdmissionOptions;
  log: Logger;
}

export interface WebhookServer {
  readonly port: number;
  setCertificate(cert: string, key: string): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`request body over ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startWebhookServer(o: WebhookServerOptions): Promise<WebhookServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const route = ROUTE.exec((req.url ?? '').split('?')[0] ?? '');
    if (req.method === 'GET' && req.url === '/healthz') {
      send(res, 200, { ok: true });
      return;
    }
    if (!route || req.method !== 'POST') {
      send(res, 404, { error: 'not found' });
      return;
    }
    let review: { apiVersion?: string; request?: AdmissionRequest };
    try {
      review = JSON.parse(await readBody(req)) as typeof review;
    } catch (err) {
      send(res, 400, { error: `not an AdmissionReview: ${(err as Error).message}` });
      return;
    }
    const request = review.request;
    if (!request || typeof request.uid !== 'string') {
      send(res, 400, { error: 'AdmissionReview without request.uid' });
      return;
    }
    let response: AdmissionResponse;
    try {
      response =
        route[1] === 'validate'
          ? validateAdmission(request, o.admission)
          : mutateAdmission(request, o.admission);
    } catch (err) {
      // validate() answers everything; should a rule still throw, say so instead of a 500 the API
      // server would turn into its failurePolicy.
      o.log.error('admission failed', { error: (err as Error).message, path: req.url });
      response = {
        uid: request.uid,
        allowed: false,
        status: { code: 500, reason: 'InternalError', message: `kuray webhook: ${(err as Error).message}` },
      };
    }
    if (!response.allowed)
      o.log.info('admission denied', {
        kind: request.kind?.kind,
        namespace: request.namespace,
        name: request.name,
        operation: request.operation,
      });
    send(res, 200, {
      apiVersion: review.apiVersion ?? 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response,
    });
  };
  const server: Server = createServer({ cert: o.cert, key: o.key, minVersion: 'TLSv1.2' }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      o.log.error('webhook request failed', { error: (err as Error).message });
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
    });
  });
  // Slow or stuck clients must not pin sockets: the API server itself waits at most timeoutSeconds.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const sep = o.address.lastIndexOf(':');
  const host = o.address.slice(0, sep) || '0.0.0.0';
  const port = Number(o.address.slice(sep + 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    setCertificate(cert, key) {
      server.setSecureContext({ cert, key, minVersion: 'TLSv1.2' });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
