// The service-account volume a kubelet projects into every pod at
// /var/run/secrets/kubernetes.io/serviceaccount: a bound token from the TokenRequest API (audience
// = the API server, bound to the pod so it dies with it), the cluster CA, and the namespace. The
// local node writes the same three files into a per-pod directory and the LD_PRELOAD shim
// (netshim.c) makes the well-known path open that directory, so in-cluster clients — Ray's
// `ray kuberay-autoscaler`, kubectl, client-go, the Python kubernetes client — run unmodified.
// Like the kubelet, the token is re-requested at 80 % of its lifetime.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeClient } from '../../src/runtime/transport.ts';
import { EnvError } from './env.ts';
import type { Pod } from './types.ts';

/** The kubelet's default projected-token lifetime (3600 s + 7 s of jitter allowance). */
export const TOKEN_SECONDS = 3607;

/** Where kubelets mount the volume; the shim maps this prefix to KURAY_SA_DIR. */
export const SA_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface TokenRequestStatus {
  status: { token: string; expirationTimestamp: string };
}

/** Whether the kubelet would mount a token: pod.spec.automountServiceAccountToken, default true. */
export function wantsToken(pod: Pod): boolean {
  return pod.spec.automountServiceAccountToken !== false;
}

/**
 * A TokenRequest for the pod's service account, bound to the pod (it dies with it); `audience`
 * undefined = the API server. Throws EnvError while the account is missing, as a kubelet reports it.
 */
export async function requestPodToken(
  client: KubeClient,
  pod: Pod,
  audience: string | undefined,
  expirationSeconds: number,
): Promise<TokenRequestStatus> {
  const ns = pod.metadata.namespace ?? 'default';
  const sa = pod.spec.serviceAccountName ?? 'default';
  try {
    return await client.request<TokenRequestStatus>(
      'POST',
      `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          expirationSeconds,
          ...(audience ? { audiences: [audience] } : {}),
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
        },
      },
    );
  } catch (err) {
    throw new EnvError(
      `cannot get a token for serviceaccount ${ns}/${sa}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export class ServiceAccountVolume {
  readonly dir: string;
  readonly #client: KubeClient;
  readonly #caPem: string;
  #refreshAt = 0;

  constructor(podDir: string, client: KubeClient, caPem: string) {
    this.dir = join(podDir, 'serviceaccount');
    this.#client = client;
    this.#caPem = caPem;
  }

  /** Writes (or refreshes) the three files; throws EnvError while the ServiceAccount is missing. */
  async ensure(pod: Pod): Promise<void> {
    if (Date.now() < this.#refreshAt) return;
    const ns = pod.metadata.namespace ?? 'default';
    const res = await requestPodToken(this.#client, pod, undefined, TOKEN_SECONDS);
    mkdirSync(this.dir, { recursive: true });
    const put = (name: string, text: string) => {
      const tmp = join(this.dir, `.${name}.tmp`);
      writeFileSync(tmp, text, { mode: 0o644 });
      renameSync(tmp, join(this.dir, name)); // readers never see a half-written token
    };
    put('token', res.status.token);
    put('ca.crt', this.#caPem);
    put('namespace', ns);
    const expires = Date.parse(res.status.expirationTimestamp);
    const ttl = Number.isFinite(expires) ? expires - Date.now() : TOKEN_SECONDS * 1000;
    this.#refreshAt = Date.now() + ttl * 0.8;
  }
}
