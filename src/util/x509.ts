// X.509 certificates made with node:crypto (which signs and parses certificates but cannot issue
// them): ECDSA P-256 CAs and leaf certificates, encoded by ./der.ts. Used by the operator for its
// admission webhook's serving certificate and by the rig for its control plane. EC keys because RSA
// generation costs ~100 ms each.
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { isIP } from 'node:net';
import { bitString, bool, ctx, octets, oid, seq, set, time, uint, utf8 } from './der.ts';

export interface KeyPairPem {
  key: string;
  cert: string;
}

export interface Subject {
  cn: string;
  o?: readonly string[];
}

export interface CertRequest {
  subject: Subject;
  /** DNS names and IP addresses (one list; IPs are recognised). */
  sans?: readonly string[];
  usage: 'server' | 'client' | 'both';
  days?: number;
}

const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  cn: '2.5.4.3',
  o: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

function name(s: Subject): Buffer {
  const rdns = (s.o ?? []).map((o) => set(seq(oid(OID.o), utf8(o))));
  rdns.push(set(seq(oid(OID.cn), utf8(s.cn))));
  return seq(...rdns);
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  // IPv6: expand "::" then pack 8 groups.
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.concat(groups.map((g) => Buffer.from(g.padStart(4, '0'), 'hex')));
}

function ext(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

function spki(pub: KeyObject): Buffer {
  return pub.export({ type: 'spki', format: 'der' });
}

/** The key identifier RFC 5280 suggests: SHA-1 of the public key bits (here the SPKI digest). */
function keyId(pub: KeyObject): Buffer {
  return createHash('sha1').update(spki(pub)).digest();
}

function newKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

function pem(label: string, der: Buffer): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function keyPem(k: KeyObject): string {
  return k.export({ type: 'pkcs8', format: 'pem' }).toString();
}

interface Issuer {
  subject: Subject;
  key: KeyObject;
}

function issue(req: CertRequest & { isCA?: boolean }, key: KeyObject, issuer: Issuer | undefined): string {
  const pub = createPublicKey(key);
  const now = Date.now();
  // Backdated an hour: clocks of the components and the test process are the same machine, but
  // "not yet valid" is the worst possible failure to debug.
  const notBefore = new Date(now - 3600_000);
  const notAfter = new Date(now + (req.days ?? 365) * 86400_000);
  const extensions: Buffer[] = [];
  if (req.isCA) {
    extensions.push(ext(OID.basicConstraints, true, seq(bool(true))));
    // keyCertSign | cRLSign | digitalSignature
    extensions.push(ext(OID.keyUsage, true, bitString(Buffer.from([0x86]), 1)));
  } else {
    extensions.push(ext(OID.basicConstraints, true, seq()));
    // digitalSignature (ECDSA keys never encipher)
    extensions.push(ext(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)));
    const ekus =
      req.usage === 'server'
        ? [OID.serverAuth]
        : req.usage === 'client'
          ? [OID.clientAuth]
          : [OID.serverAuth, OID.clientAuth];
    extensions.push(ext(OID.extKeyUsage, false, seq(...ekus.map(oid))));
  }
  if (req.sans && req.sans.length > 0) {
    const names = req.sans.map((s) => (isIP(s) ? ctx(7, ipBytes(s), false) : ctx(2, Buffer.from(s), false)));
    extensions.push(ext(OID.subjectAltName, false, seq(...names)));
  }
  extensions.push(ext(OID.subjectKeyId, false, octets(keyId(pub))));
  const signer = issuer ?? { subject: req.subject, key };
  extensions.push(ext(OID.authorityKeyId, false, seq(ctx(0, keyId(createPublicKey(signer.key)), false))));
  const algo = seq(oid(OID.ecdsaSha256));
  const tbs = seq(
    ctx(0, uint(Buffer.from([2]))), // v3
    uint(randomBytes(16)),
    algo,
    name(signer.subject),
    seq(time(notBefore), time(notAfter)),
    name(req.subject),
    spki(pub),
    ctx(3, seq(...extensions)),
  );
  const sig = sign('sha256', tbs, signer.key);
  return pem('CERTIFICATE', seq(tbs, algo, bitString(sig)));
}

/** A self-signed CA. */
export function createCa(cn: string, days = 3650): KeyPairPem {
  const key = newKey();
  return {
    key: keyPem(key),
    cert: issue({ subject: { cn }, usage: 'both', days, isCA: true }, key, undefined),
  };
}

/** A leaf certificate signed by `ca`. */
export function issueCert(ca: KeyPairPem, req: CertRequest): KeyPairPem {
  const key = newKey();
  const caKey = createPrivateKey(ca.key);
  const caSubject = { cn: subjectCn(ca.cert) };
  return { key: keyPem(key), cert: issue(req, key, { subject: caSubject, key: caKey }) };
}

function subjectCn(certPem: string): string {
  const m = /CN=([^\n,]+)/.exec(new X509Certificate(certPem).subject);
  return m?.[1] ?? 'ca';
}
