// The webhook inside the operator: every replica serves it (admission must not wait for a leader
// election), keeps its certificate current (./certs.ts) and swaps it into the running server. With
// a certificate directory (cert-manager's Secret mounted there) it only reloads what it finds.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../runtime/log.ts';
import type { KubeClient } from '../runtime/transport.ts';
import type { AdmissionOptions } from './admission.ts';
import { DEFAULT_CERT_POLICY, syncCertificate, type CertPolicy, type CertTarget } from './certs.ts';
import { startWebhookServer } from './server.ts';

export interface WebhookOptions extends CertTarget {
  /** host:port to serve on. */
  address: string;
  /** Serve tls.crt/tls.key from here (cert-manager) instead of managing a certificate. */
  certDir?: string;
  admission: AdmissionOptions;
  /** How often the certificate is checked (default 10 min; renewal starts at 2/3 of its life). */
  resyncMs?: number;
  policy?: CertPolicy;
  now?: () => Date;
}

export interface RunningWebhook {
  readonly port: number;
  /** The certificate being served (PEM; tests watch rotations with it). */
  readonly servingCert: string;
  /** One certificate check now (what the timer does). */
  resync(): Promise<void>;
  stop(): Promise<void>;
}

function readDir(dir: string): { cert: string; key: string; mtime: number } {
  const cert = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  return {
    cert: readFileSync(cert, 'utf8'),
    key: readFileSync(key, 'utf8'),
    mtime: Math.max(statSync(cert).mtimeMs, statSync(key).mtimeMs),
  };
}

export async function runWebhook(
  client: KubeClient,
  o: WebhookOptions,
  log: Logger,
): Promise<RunningWebhook> {
  const policy = o.policy ?? DEFAULT_CERT_POLICY;
  let current: { cert: string; key: string; mtime?: number };
  if (o.certDir) current = readDir(o.certDir);
  else current = (await syncCertificate(client, o, o.now, policy)).material.serving;
  const server = await startWebhookServer({
    address: o.address,
    cert: current.cert,
    key: current.key,
    admission: o.admission,
    log,
  });
  log.info('serving the admission webhook', {
    port: server.port,
    certificate: o.certDir ? `from ${o.certDir}` : `Secret ${o.namespace}/${o.secret}`,
  });

  const resync = async (): Promise<void> => {
    const next = o.certDir
      ? readDir(o.certDir)
      : (await syncCertificate(client, o, o.now, policy)).material.serving;
    if (next.cert === current.cert && next.key === current.key) return;
    server.setCertificate(next.cert, next.key);
    current = next;
    log.info('webhook serving certificate reloaded');
  };
  const timer = setInterval(() => {
    resync().catch((err: unknown) => {
      log.warn('webhook certificate check failed; retrying', { error: (err as Error).message });
    });
  }, o.resyncMs ?? 600_000);
  timer.unref();
  return {
    port: server.port,
    get servingCert() {
      return current.cert;
    },
    resync,
    async stop() {
      clearInterval(timer);
      await server.close();
    },
  };
}
