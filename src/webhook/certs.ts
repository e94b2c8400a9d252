// The webhook's serving certificate, generated and rotated by the operator itself (cert-manager is
// optional: with --webhook-cert-dir the operator serves what is mounted there and manages nothing).
//
// One Secret in the operator's namespace holds a private CA and the serving certificate it signed
// (tls.crt, tls.key, ca.crt, ca.key, and the previous CA while a CA rotation settles). Every replica
// runs the same loop: read the Secret, renew what expires within a third of its lifetime (or whose
// names no longer match the Service), write it back with resourceVersion (a racing replica gets a
// Conflict and re-reads), serve the Secret's certificate, and keep the webhook configurations'
// caBundle equal to the CA(s). Pure pieces (decide) are separate from the API calls (sync).
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { isAlreadyExists, isConflict, isNotFound } from '../runtime/errors.ts';
import { gvr, Secrets, type KubeObject } from '../runtime/resources.ts';
import type { KubeClient } from '../runtime/transport.ts';
import { createCa, issueCert, type KeyPairPem } from '../util/x509.ts';

export const ValidatingWebhookConfigurations = gvr(
  'admissionregistration.k8s.io',
  'v1',
  'validatingwebhookconfigurations',
  'ValidatingWebhookConfiguration',
  false,
);
export const MutatingWebhookConfigurations = gvr(
  'admissionregistration.k8s.io',
  'v1',
  'mutatingwebhookconfigurations',
  'MutatingWebhookConfiguration',
  false,
);

export interface CertPolicy {
  /** Lifetime of a new serving certificate (default 365 days). */
  servingDays: number;
  /** Lifetime of a new CA (default 10 years). */
  caDays: number;
}

export const DEFAULT_CERT_POLICY: CertPolicy = { servingDays: 365, caDays: 3650 };

export interface CertMaterial {
  ca: KeyPairPem;
  serving: KeyPairPem;
  /** The CA before the last CA rotation, still trusted until it expires. */
  previousCa?: string;
}

/** The names the API server dials the webhook Service by. */
export function serviceNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

/** Renew once two thirds of the lifetime have passed (cert-manager's default renewBefore). */
function dueForRenewal(certPem: string, now: Date): boolean {
  const c = new X509Certificate(certPem);
  const from = Date.parse(c.validFrom);
  const to = Date.parse(c.validTo);
  return now.getTime() >= to - (to - from) / 3;
}

function coversNames(certPem: string, names: readonly string[]): boolean {
  const c = new X509Certificate(certPem);
  return names.every((n) => (isIP(n) ? c.checkIP(n) : c.checkHost(n)) !== undefined);
}

/**
 * What the Secret should hold: `current` if it is still good, else a renewed copy (a new CA only
 * when the CA itself is due). Returns undefined when nothing changes.
 */
export function decide(
  current: CertMaterial | undefined,
  names: readonly string[],
  now: Date,
  policy: CertPolicy = DEFAULT_CERT_POLICY,
): CertMaterial | undefined {
  let ca = current?.ca;
  let previousCa = current?.previousCa;
  let caRotated = false;
  if (!ca || dueForRenewal(ca.cert, now)) {
    if (ca) previousCa = ca.cert;
    ca = createCa('kuray-webhook-ca', policy.caDays);
    caRotated = true;
  }
  if (previousCa && Date.parse(new X509Certificate(previousCa).validTo) <= now.getTime())
    previousCa = undefined;
  const serving = current?.serving;
  if (!caRotated && serving && !dueForRenewal(serving.cert, now) && coversNames(serving.cert, names)) {
    return previousCa === current.previousCa
      ? undefined
      : { ca, serving, ...(previousCa ? { previousCa } : {}) };
  }
  return {
    ca,
    serving: issueCert(ca, {
      subject: { cn: names[0] ?? 'kuray-webhook' },
      sans: names,
      usage: 'server',
      days: policy.servingDays,
    }),
    ...(previousCa ? { previousCa } : {}),
  };
}

/** The PEM bundle clients must trust: the CA, and the previous one while it may still sign. */
export function caBundle(m: CertMaterial): string {
  return m.ca.cert + (m.previousCa ?? '');
}

interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined): string | undefined =>
  s ? Buffer.from(s, 'base64').toString('utf8') : undefined;

function fromSecret(s: SecretObject | undefined): CertMaterial | undefined {
  const d = s?.data ?? {};
  const ca = { cert: unb64(d['ca.crt']), key: unb64(d['ca.key']) };
  const serving = { cert: unb64(d['tls.crt']), key: unb64(d['tls.key']) };
  if (!ca.cert || !ca.key || !serving.cert || !serving.key) return undefined;
  const previousCa = unb64(d['ca-previous.crt']);
  try {
    new X509Certificate(ca.cert);
    new X509Certificate(serving.cert);
  } catch {
    return undefined; // unreadable: start over
  }
  return {
    ca: { cert: ca.cert, key: ca.key },
    serving: { cert: serving.cert, key: serving.key },
    ...(previousCa ? { previousCa } : {}),
  };
}

function secretData(m: CertMaterial): Record<string, string> {
  return {
    'tls.crt': b64(m.serving.cert),
    'tls.key': b64(m.serving.key),
    'ca.crt': b64(caBundle(m)),
    'ca.key': b64(m.ca.key),
    ...(m.previousCa ? { 'ca-previous.crt': b64(m.previousCa) } : {}),
  };
}

export interface CertTarget {
  namespace: string;
  secret: string;
  service: string;
  /** Validating and mutating configurations (same name) whose caBundle follows the CA. */
  configuration: string;
  /** More names or IPs for the certificate (a webhook registered by URL, e.g. 127.0.0.1 in tests). */
  hosts?: readonly string[];
}

/**
 * One pass: the Secret exists and is current, and the webhook configurations trust its CA.
 * Returns what to serve. Retries a Conflict (another replica wrote first) by re-reading.
 */
export async function syncCertificate(
  client: KubeClient,
  t: CertTarget,
  now: () => Date = () => new Date(),
  policy: CertPolicy = DEFAULT_CERT_POLICY,
): Promise<{ material: CertMaterial; changed: boolean }> {
  const names = [...serviceNames(t.service, t.namespace), ...(t.hosts ?? [])];
  for (let attempt = 0; ; attempt++) {
    let secret: SecretObject | undefined;
    try {
      secret = await client.get<SecretObject>(Secrets, t.namespace, t.secret);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const current = fromSecret(secret);
    const next = decide(current, names, now(), policy);
    if (!next) {
      await patchCaBundles(client, t.configuration, caBundle(current!));
      return { material: current!, changed: false };
    }
    try {
      if (secret) await client.update(Secrets, { ...secret, type: secret.type, data: secretData(next) });
      else
        await client.create(Secrets, {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: t.secret,
            namespace: t.namespace,
            labels: { 'app.kubernetes.io/component': 'webhook', 'app.kubernetes.io/managed-by': 'kuray' },
          },
          type: 'Opaque',
          data: secretData(next),
        });
    } catch (err) {
      const raced = isConflict(err) || isAlreadyExists(err);
      if (raced && attempt < 5) continue;
      throw err;
    }
    await patchCaBundles(client, t.configuration, caBundle(next));
    return { material: next, changed: true };
  }
}

interface WebhookConfiguration extends KubeObject {
  webhooks?: { name: string; clientConfig?: { caBundle?: string } }[];
}

/** Sets every webhook's clientConfig.caBundle in the named configurations (absent ones are skipped). */
export async function patchCaBundles(client: KubeClient, name: string, bundle: string): Promise<void> {
  const want = b64(bundle);
  for (const r of [ValidatingWebhookConfigurations, MutatingWebhookConfigurations]) {
    let cfg: WebhookConfiguration;
    try {
      cfg = await client.get<WebhookConfiguration>(r, undefined, name);
    } catch (err) {
      if (isNotFound(err)) continue; // not registered (yet): nothing to trust
      throw err;
    }
    const ops = (cfg.webhooks ?? []).flatMap((w, i) =>
      w.clientConfig?.caBundle === want
        ? []
        : [{ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: want }],
    );
    if (ops.length > 0) await client.patch(r, undefined, name, ops, 'json');
  }
}
