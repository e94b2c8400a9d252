// The rig's own PKI: one ECDSA P-256 CA that signs the kube-apiserver serving certificate
// (127.0.0.1, localhost, kubernetes.default.svc…) and client certificates (admin in
// system:masters, one per component), plus the service-account signing key. Certificates come from
// src/util/x509.ts (node:crypto, no openssl).
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createCa, issueCert, type KeyPairPem } from '../src/util/x509.ts';

export { createCa, issueCert, type CertRequest, type KeyPairPem, type Subject } from '../src/util/x509.ts';

export interface Pki {
  ca: KeyPairPem;
  apiserver: KeyPairPem;
  admin: KeyPairPem;
  controllerManager: KeyPairPem;
  scheduler: KeyPairPem;
  kwok: KeyPairPem;
  /** The apiserver's client identity towards aggregated API servers (requestheader auth). */
  frontProxy: KeyPairPem;
  /** The apiserver's client identity towards kubelets (logs, exec, port-forward). */
  kubeletClient: KeyPairPem;
  /** PKCS#8 private key PEM signing service-account tokens; its public half verifies them. */
  serviceAccountKey: string;
  serviceAccountPub: string;
}

/** The SANs kube-apiserver is reached by: loopback only, plus the in-cluster names. */
export const apiserverSans = [
  '127.0.0.1',
  '::1',
  'localhost',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
  // First address of --service-cluster-ip-range: the `kubernetes` Service ClusterIP.
  '10.96.0.1',
] as const;

export function createPki(): Pki {
  const ca = createCa('kuray-rig-ca');
  const client = (cn: string, o?: string[]): KeyPairPem =>
    issueCert(ca, { subject: o ? { cn, o } : { cn }, usage: 'client' });
  const sa = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return {
    ca,
    apiserver: issueCert(ca, { subject: { cn: 'kube-apiserver' }, sans: apiserverSans, usage: 'server' }),
    admin: client('kuray-rig-admin', ['system:masters']),
    controllerManager: client('system:kube-controller-manager'),
    scheduler: client('system:kube-scheduler'),
    // KWOK writes node and pod status for every fake kubelet; system:masters spares it the node
    // authorizer's one-identity-per-node rule.
    kwok: issueCert(ca, {
      subject: { cn: 'kwok-controller', o: ['system:masters'] },
      sans: ['127.0.0.1', 'localhost'],
      usage: 'both',
    }),
    frontProxy: client('front-proxy-client'),
    // kubeadm's name for it; the local node authorizes by the CA alone.
    kubeletClient: client('kube-apiserver-kubelet-client'),
    serviceAccountKey: sa.export({ type: 'pkcs8', format: 'pem' }).toString(),
    serviceAccountPub: createPublicKey(sa).export({ type: 'spki', format: 'pem' }).toString(),
  };
}
