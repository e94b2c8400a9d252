// mTLS between Ray processes (`tlsOptions.enabled`, gate RayClusterMTLS), as KubeRay v1.7 does it with
// cert-manager. Two halves, both pure:
// - the pods (configureTLS): the Secret of the node type's certificate mounted at /etc/ray/tls, Ray's
//   RAY_USE_TLS/RAY_TLS_* env on the Ray container, the wait-gcs-ready init container and the
//   autoscaler sidecar, and a first init container that waits until the certificate lists the pod's
//   own IP (GCS dials raylets by IP; a handshake against a certificate without it fails);
// - the PKI (buildTLSObjects): a self-signed Issuer, a CA Certificate (10 years, RSA 4096), a CA Issuer,
//   and the head and worker Certificates (90 days, renewed 15 days before), whose IP SANs are the pods'
//   IPs, so they are rebuilt as pods come and go (the controller passes the IPs it sees).
// Names, labels and specs are KubeRay's, so a cluster moved between the two operators keeps its PKI.
import type { Container, PodSpec } from './k8sTypes.ts';
import type { ClusterContext } from './context.ts';
import type { RayCluster } from '../api/v1/index.ts';
import {
  AUTOSCALER_CONTAINER,
  LABEL_APP_CREATED_BY,
  LABEL_APP_NAME,
  LABEL_CLUSTER,
  APP_NAME,
  CREATED_BY,
  WAIT_GCS_READY_CONTAINER,
  type NodeType,
} from './constants.ts';
import { addEnvIfAbsent } from './env.ts';

export const TLS_VOLUME = 'ray-tls';
export const TLS_MOUNT_PATH = '/etc/ray/tls';
export const WAIT_FOR_TLS_IP_SAN_CONTAINER = 'wait-for-tls-ip-san';

export const isTLSEnabled = (rc: RayCluster): boolean => rc.spec.tlsOptions?.enabled === true;

export const selfSignedIssuerName = (cluster: string): string => `ray-selfsigned-issuer-${cluster}`;
export const caCertificateName = (cluster: string): string => `ray-ca-certificate-${cluster}`;
export const caIssuerName = (cluster: string): string => `ray-ca-issuer-${cluster}`;
export const tlsCertificateName = (cluster: string, node: NodeType): string =>
  node === 'head' ? `ray-head-cert-${cluster}` : `ray-worker-cert-${cluster}`;
export const tlsSecretName = (cluster: string, node: NodeType): string =>
  node === 'head' ? `ray-head-secret-${cluster}` : `ray-worker-secret-${cluster}`;
/** The CA's Secret carries the cluster's uid: a cluster re-created under the same name gets a new CA. */
export const caSecretName = (cluster: string, uid: string): string =>
  `${cluster}-ca-secret-${uid.slice(0, 8)}`;

/** The keys a certificate Secret must hold before a pod mounting it is created. */
export const TLS_SECRET_KEYS = ['tls.crt', 'tls.key', 'ca.crt'] as const;

const TLS_ENV = [
  { name: 'RAY_USE_TLS', value: '1' },
  { name: 'RAY_TLS_SERVER_CERT', value: `${TLS_MOUNT_PATH}/tls.crt` },
  { name: 'RAY_TLS_SERVER_KEY', value: `${TLS_MOUNT_PATH}/tls.key` },
  { name: 'RAY_TLS_CA_CERT', value: `${TLS_MOUNT_PATH}/ca.crt` },
];

/** The TLS env and the mount, on one container; what the user set (validation forbids it) is kept. */
function setContainerTLS(c: Container): void {
  for (const e of TLS_ENV) addEnvIfAbsent(c, { ...e });
  const mounted = (c.volumeMounts ?? []).some((m) => m.name === TLS_VOLUME || m.mountPath === TLS_MOUNT_PATH);
  if (!mounted)
    c.volumeMounts = [
      ...(c.volumeMounts ?? []),
      { name: TLS_VOLUME, mountPath: TLS_MOUNT_PATH, readOnly: true },
    ];
}

// A fixed script (no field of the spec reaches it): the pod's IP comes from the downward API.
const WAIT_SCRIPT = `CERT="${TLS_MOUNT_PATH}/tls.crt"
if [ -z "\${POD_IP}" ]; then
  POD_IP=$(hostname -i 2>/dev/null | awk '{print $1}')
fi
if ! command -v openssl >/dev/null 2>&1; then
  echo "openssl not found; cannot verify IP SAN" >&2
  exit 1
fi
echo "Waiting for TLS cert to include IP SAN for \${POD_IP}..."
while true; do
  if openssl x509 -in "\${CERT}" -noout -text 2>/dev/null | grep -qE "IP Address:\${POD_IP}([^0-9.]|$)"; then
    echo "TLS cert now includes IP SAN for \${POD_IP}"
    exit 0
  fi
  echo "IP SAN for \${POD_IP} not yet in cert, retrying in 5s..."
  sleep 5
done`;

/** Mounts the node type's certificate and wires Ray's TLS settings into `spec` (KubeRay configureTLS). */
export function configureTLS(spec: PodSpec, nodeType: NodeType, ctx: ClusterContext): void {
  if (!isTLSEnabled(ctx.rc)) return;
  if (!(spec.volumes ?? []).some((v) => v.name === TLS_VOLUME)) {
    spec.volumes = [
      ...(spec.volumes ?? []),
      { name: TLS_VOLUME, secret: { secretName: tlsSecretName(ctx.name, nodeType) } },
    ];
  }
  const ray = spec.containers[0]!;
  setContainerTLS(ray);
  for (const c of spec.containers) if (c.name === AUTOSCALER_CONTAINER) setContainerTLS(c);
  for (const c of spec.initContainers ?? []) if (c.name === WAIT_GCS_READY_CONTAINER) setContainerTLS(c);
  if ((spec.initContainers ?? []).some((c) => c.name === WAIT_FOR_TLS_IP_SAN_CONTAINER)) return;
  const wait: Container = {
    name: WAIT_FOR_TLS_IP_SAN_CONTAINER,
    image: ray.image,
    ...(ray.imagePullPolicy ? { imagePullPolicy: ray.imagePullPolicy } : {}),
    command: ['sh', '-c'],
    args: [WAIT_SCRIPT],
    ...(ray.securityContext ? { securityContext: structuredClone(ray.securityContext) } : {}),
    env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
    volumeMounts: [{ name: TLS_VOLUME, mountPath: TLS_MOUNT_PATH, readOnly: true }],
    resources: { limits: { cpu: '50m', memory: '64Mi' }, requests: { cpu: '50m', memory: '64Mi' } },
  };
  spec.initContainers = [wait, ...(spec.initContainers ?? [])];
}

// ---- the PKI (cert-manager objects) --------------------------------------------------------------

/** A cert-manager object as JSON (cert-manager.io/v1 Issuer or Certificate). */
export interface CertManagerObject {
  apiVersion: 'cert-manager.io/v1';
  kind: 'Issuer' | 'Certificate';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    ownerReferences: ClusterContext['ownerReference'][];
  };
  spec: Record<string, unknown>;
}

const LEAF_USAGES = ['digital signature', 'key encipherment', 'server auth', 'client auth'];

function meta(ctx: ClusterContext, name: string, component: string): CertManagerObject['metadata'] {
  return {
    name,
    namespace: ctx.namespace,
    labels: {
      [LABEL_APP_NAME]: APP_NAME,
      [LABEL_APP_CREATED_BY]: CREATED_BY,
      'app.kubernetes.io/component': component,
      [LABEL_CLUSTER]: ctx.name,
    },
    ownerReferences: [ctx.ownerReference],
  };
}

/** Sorted, unique, with 127.0.0.1 (KubeRay normalizeIPs): the comparison key for a SAN update. */
export function normalizeIPs(ips: readonly string[]): string[] {
  return [...new Set([...ips.filter((ip) => ip !== ''), '127.0.0.1'])].sort();
}

/**
 * The five cert-manager objects, in creation order. `ips` are the live pods' IPs per node type (head
 * IPs only on the head certificate, so a worker scaling event never reissues it).
 */
export function buildTLSObjects(
  ctx: ClusterContext,
  ips: { head: readonly string[]; worker: readonly string[] },
): CertManagerObject[] {
  if (!isTLSEnabled(ctx.rc)) return [];
  const uid = ctx.rc.metadata?.uid ?? '';
  const issuerRef = { name: caIssuerName(ctx.name), kind: 'Issuer', group: 'cert-manager.io' };
  const leaf = (node: NodeType, dnsNames: string[]): CertManagerObject => ({
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: meta(ctx, tlsCertificateName(ctx.name, node), `${node}-certificate`),
    spec: {
      secretName: tlsSecretName(ctx.name, node),
      duration: '2160h0m0s',
      renewBefore: '360h0m0s',
      dnsNames: [...new Set(dnsNames)].sort(),
      ipAddresses: normalizeIPs(node === 'head' ? ips.head : ips.worker),
      usages: LEAF_USAGES,
      issuerRef,
    },
  });
  return [
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: meta(ctx, selfSignedIssuerName(ctx.name), 'selfsigned-issuer'),
      spec: { selfSigned: {} },
    },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta(ctx, caCertificateName(ctx.name), 'ca-certificate'),
      spec: {
        secretName: caSecretName(ctx.name, uid),
        isCA: true,
        commonName: `ray-ca-${ctx.name}`,
        privateKey: { algorithm: 'RSA', size: 4096 },
        duration: '87600h0m0s',
        renewBefore: '720h0m0s',
        usages: ['cert sign', 'crl sign'],
        issuerRef: { name: selfSignedIssuerName(ctx.name), kind: 'Issuer', group: 'cert-manager.io' },
      },
    },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: meta(ctx, caIssuerName(ctx.name), 'ca-issuer'),
      spec: { ca: { secretName: caSecretName(ctx.name, uid) } },
    },
    leaf('head', ['localhost', ctx.fqdn]),
    leaf('worker', ['localhost']),
  ];
}
