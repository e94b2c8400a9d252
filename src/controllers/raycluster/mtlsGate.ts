// What the RayCluster controller asks before it creates a pod of a cluster with mTLS (KubeRay
// checkMTLSSecretsReady): both leaf Certificates issued for their current SANs and both Secrets
// holding tls.crt, tls.key and ca.crt. A pod created earlier would mount an old or missing Secret.
// Four GETs, only when there are pods to create.
import type { RayCluster } from '../../api/v1/index.ts';
import { TLS_SECRET_KEYS, tlsCertificateName, tlsSecretName } from '../../compiler/tls.ts';
import { isNotFound } from '../../runtime/errors.ts';
import { Secrets, type KubeObject } from '../../runtime/resources.ts';
import { Certificates, certificateReady, type CertificateObject } from './certManager.ts';
import type { RayClusterClient } from './client.ts';

/** Why pods must wait for the PKI, or undefined when they may be created. */
export async function mtlsNotReady(
  client: Pick<RayClusterClient, 'get'>,
  rc: RayCluster,
): Promise<string | undefined> {
  const ns = rc.metadata!.namespace!;
  const name = rc.metadata!.name!;
  for (const node of ['head', 'worker'] as const) {
    const certName = tlsCertificateName(name, node);
    let cert: KubeObject & CertificateObject;
    try {
      cert = await client.get<KubeObject & CertificateObject>(Certificates, ns, certName);
    } catch (err) {
      if (isNotFound(err)) return `certificate ${certName} does not exist yet`;
      throw err;
    }
    if (!certificateReady(cert))
      return `certificate ${certName} is not issued for its current spec (generation ${cert.metadata.generation ?? 0}) yet`;
    const secretName = tlsSecretName(name, node);
    let secret: KubeObject & { data?: Record<string, string> };
    try {
      secret = await client.get<KubeObject & { data?: Record<string, string> }>(Secrets, ns, secretName);
    } catch (err) {
      if (isNotFound(err)) return `secret ${secretName} does not exist yet`;
      throw err;
    }
    const missing = TLS_SECRET_KEYS.filter((k) => !secret.data?.[k]);
    if (missing.length) return `secret ${secretName} has no ${missing.join(', ')} yet`;
  }
  return undefined;
}
