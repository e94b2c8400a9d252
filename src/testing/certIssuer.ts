// cert-manager's issuing, for tests on the rig, for the two issuer kinds Kuray's mTLS uses: a
// selfSigned Issuer signs a Certificate with its own key; a ca Issuer signs with the key pair in its
// Secret. Certificates are real X.509 (openssl): the Secret gets tls.crt, tls.key and ca.crt as
// cert-manager writes them, and the Certificate's status Ready=True for the generation it issued
// (observedGeneration), with notAfter. A Certificate whose spec changes (new IP SANs) is reissued.
// What cert-manager also does and this does not: renewal, key rotation policy, CSR objects, the
// exact key algorithm and size (RSA 2048 here, for speed).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

const run = promisify(execFile);

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
    const dir = await mkdtemp(join(tmpdir(), 'kuray-certs-'));
    try {
      while (!state.stopped) {
        const certs = (await client.list<Cert>(Certificates, namespace)).items;
        for (const c of certs) {
          if (certificateReady(c)) continue;
          if (await issue(client, dir, c)) count++;
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
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

async function issue(client: KubeClient, dir: string, cert: Cert): Promise<boolean> {
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
  const key = join(dir, 'tls.key');
  const crt = join(dir, 'tls.crt');
  const ext = join(dir, 'ext.cnf');
  const sans = [
    ...(spec.dnsNames ?? []).map((d) => `DNS:${d}`),
    ...(spec.ipAddresses ?? []).map((i) => `IP:${i}`),
  ];
  const lines = spec.isCA
    ? ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']
    : [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth,clientAuth',
      ];
  if (sans.length) lines.push(`subjectAltName=${sans.join(',')}`);
  await writeFile(ext, `${lines.join('\n')}\n`);
  let caPem: string;
  if (issuer.spec?.selfSigned) {
    await run('openssl', [
      ...newKeyRequest(key, crt, cn),
      '-x509',
      '-days',
      '3650',
      '-extensions',
      'v3',
      '-config',
      await v3Config(dir, lines),
    ]);
    caPem = await readFile(crt, 'utf8');
  } else if (issuer.spec?.ca) {
    let ca: Secret;
    try {
      ca = await client.get<Secret>(Secrets, ns, issuer.spec.ca.secretName);
    } catch (err) {
      if (isNotFound(err)) return false; // the CA is not issued yet
      throw err;
    }
    caPem = unb64(ca.data?.['tls.crt']);
    await writeFile(join(dir, 'ca.crt'), caPem);
    await writeFile(join(dir, 'ca.key'), unb64(ca.data?.['tls.key']));
    const csr = join(dir, 'tls.csr');
    await run('openssl', [...newKeyRequest(key, csr, cn), '-new']);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      join(dir, 'ca.crt'),
      '-CAkey',
      join(dir, 'ca.key'),
      '-set_serial',
      String(Date.now()),
      '-out',
      crt,
      '-days',
      '90',
      '-extfile',
      ext,
    ]);
  } else {
    return false;
  }
  const pem = await readFile(crt, 'utf8');
  const data = { 'tls.crt': b64(pem), 'tls.key': b64(await readFile(key, 'utf8')), 'ca.crt': b64(caPem) };
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

/** `openssl req` with a new RSA key (unencrypted) written to `key`, subject CN=`cn`, output to `out`. */
function newKeyRequest(key: string, out: string, cn: string): string[] {
  return ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', out, '-subj', `/CN=${cn}`];
}

/** A config whose [v3] section carries the extensions, for `openssl req -x509`. */
async function v3Config(dir: string, lines: string[]): Promise<string> {
  const file = join(dir, 'req.cnf');
  await writeFile(file, `[req]\ndistinguished_name=dn\n[dn]\n[v3]\n${lines.join('\n')}\n`);
  return file;
}
