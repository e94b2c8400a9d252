// cert-manager's issuing, for tests on the rig, for the two issuer kinds Kuray's mTLS uses: a
// selfSigned Issuer signs a Certificate with its own key; a ca Issuer signs with the key pair in its
// Secret. Certificates are real X.509 (src/util/x509.ts): the Secret gets tls.crt, tls.key and ca.crt as
// cert-manager writes them, and the Certificate's status Ready=True for the generation it issued
// (observedGeneration), with notAfter. A Certificate whose spec changes (new IP SANs) is reissued.
// What cert-manager also does and this does not: renewal, key rotation policy, CSR objects, the
// exact key algorithm (ECDSA P-256 here, cert-manager's default is RSA 2048).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAlreadyExists, isNotFound } from '../runtime/errors.ts';
import { CustomResourceDefinitions, Secrets, type KubeObject } from '../runtime/resources.ts';
import type { KubeClient } from '../runtime/transport.ts';
import {
  Certificates,
  Issuers,
  certificateReady,
  type CertificateObject,
} from '../controllers/raycluster/certManager.ts';
import { parseYamlStream } from '../util/yaml.ts';
import { createCa, issueCert, type KeyPairPem } from '../util/x509.ts';

type Cert = KubeObject &
  CertificateObject & {
    spec?: CertificateObject['spec'] & {
      commonName?: string;
      isCA?: boolean;
      issuerRef?: { name: string };
    };
  };
type Issuer = KubeObject & { spec?: { selfSigned?: object; ca?: { secretName: string } } };
type Secret = KubeObject & { data?: Record<string, string> };

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString();

/** cert-manager's CRDs for Issuer and Certificate (./testdata/cert-manager-crds.yaml). */
export function certManagerCRDs(): KubeObject[] {
  const file = new URL('./testdata/cert-manager-crds.yaml', import.meta.url);
  return parseYamlStream(readFileSync(file, 'utf8'), 'cert-manager-crds.yaml').map(
    (d) => d.value as KubeObject,
  );
}

export async function installCertManagerCRDs(client: KubeClient): Promise<void> {
  for (const crd of certManagerCRDs()) {
    try {
      await client.create(CustomResourceDefinitions, crd);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  // Served once discovery lists both kinds.
  for (let i = 0; i < 200; i++) {
    const ok = await client
      .request<{ resources?: { name: string }[] }>('GET', '/apis/cert-manager.io/v1')
      .then((r) => (r.resources ?? []).length >= 2)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('cert-manager CRDs not served after 20 s');
}

export async function removeCertManagerCRDs(client: KubeClient): Promise<void> {
  for (const crd of certManagerCRDs())
    await client.delete(CustomResourceDefinitions, undefined, crd.metadata.name!).catch(() => undefined);
  for (let i = 0; i < 300; i++) {
    const gone = await client
      .request('GET', '/apis/cert-manager.io/v1')
      .then(() => false)
      .catch((err: unknown) => isNotFound(err));
    if (gone) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('cert-manager CRDs still served after 30 s');
}

export interface CertIssuer {
  /** Certificates issued so far (reissues included). */
  issued(): number;
  stop(): Promise<void>;
}

/** Issues the Certificates of `namespace` until stopped (polls every `intervalMs`). */
export function startCertIssuer(client: KubeClient, namespace: string, intervalMs = 250): CertIssuer {
  const state = { stopped: false };
  let count = 0;
  const loop = (async () => {
    while (!state.stopped) {
      const certs = (await client.list<Cert>(Certificates, namespace)).items;
      for (const c of certs) {
        if (certificateReady(c)) continue;
        if (await issue(client, c)) count++;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    issued: () => count,
    stop: async () => {
      state.stopped = true;
      await loop;
    },
  };
}

async function issue(client: KubeClient, cert: Cert): Promise<boolean> {
  const ns = cert.metadata.namespace!;
  const spec = cert.spec ?? {};
  if (!spec.secretName || !spec.issuerRef?.name) return false;
  let issuer: Issuer;
  try {
    issuer = await client.get<Issuer>(Issuers, ns, spec.issuerRef.name);
  } catch (err) {
    if (isNotFound(err)) return false; // the issuer comes later
    throw err;
  }
  const cn = spec.commonName ?? spec.dnsNames?.[0] ?? cert.metadata.name!;
  let pair: KeyPairPem;
  let caPem: string;
  if (issuer.spec?.selfSigned) {
    pair = createCa(cn); // Kuray's PKI self-signs only its CA
    caPem = pair.cert;
  } else if (issuer.spec?.ca) {
    let ca: Secret;
    try {
      ca = await client.get<Secret>(Secrets, ns, issuer.spec.ca.secretName);
    } catch (err) {
      if (isNotFound(err)) return false; // the CA is not issued yet
      throw err;
    }
    caPem = unb64(ca.data?.['tls.crt']);
    pair = issueCert(
      { key: unb64(ca.data?.['tls.key']), cert: caPem },
      {
        subject: { cn },
        sans: [...(spec.dnsNames ?? []), ...(spec.ipAddresses ?? [])],
        usage: 'both',
        days: 90,
      },
    );
  } else {
    return false;
  }
  const pem = pair.cert;
  const data = { 'tls.crt': b64(pem), 'tls.key': b64(pair.key), 'ca.crt': b64(caPem) };
  try {
    await client.create(Secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: spec.secretName,
        namespace: ns,
        annotations: { 'cert-manager.io/certificate-name': cert.metadata.name! },
      },
      type: 'kubernetes.io/tls',
      data,
    });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    await client.patch(Secrets, ns, spec.secretName, { data }, 'merge');
  }
  const notAfter = new Date(new X509Certificate(pem).validTo).toISOString();
  await client.patchStatus(
    Certificates,
    ns,
    cert.metadata.name!,
    {
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Ready',
            message: 'Certificate is up to date and has not expired',
            observedGeneration: cert.metadata.generation,
          },
        ],
        notAfter,
      },
    },
    'merge',
  );
  return true;
}
