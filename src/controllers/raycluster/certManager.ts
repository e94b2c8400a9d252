// cert-manager, as the mTLS pieces see it: whether its API is served (discovery of cert-manager.io/v1,
// asked again after `ttlMs`, so installing cert-manager later needs no operator restart — KubeRay only
// looks at startup), its two kinds, and whether a Certificate is issued for its current spec.
import type { KubeClient } from '../../runtime/transport.ts';
import { isNotFound } from '../../runtime/errors.ts';
import { gvr } from '../../runtime/resources.ts';

export const Certificates = gvr('cert-manager.io', 'v1', 'certificates', 'Certificate');
export const Issuers = gvr('cert-manager.io', 'v1', 'issuers', 'Issuer');

export interface CertificateObject {
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    labels?: Record<string, string>;
  };
  spec?: { dnsNames?: string[]; ipAddresses?: string[]; secretName?: string };
  status?: {
    conditions?: {
      type: string;
      status: string;
      observedGeneration?: number;
      reason?: string;
      message?: string;
    }[];
    notAfter?: string;
  };
}

/**
 * Ready=True for the current generation (KubeRay isCertificateReady): right after a SAN update the old
 * Ready=True is stale until cert-manager has reissued the Secret.
 */
export function certificateReady(cert: CertificateObject): boolean {
  const c = cert.status?.conditions?.find((x) => x.type === 'Ready');
  return c?.status === 'True' && c.observedGeneration === cert.metadata.generation;
}

export class CertManagerDiscovery {
  readonly #client: Pick<KubeClient, 'request'>;
  readonly #ttlMs: number;
  #answer: { at: number; available: boolean } | undefined;
  #pending: Promise<boolean> | undefined;

  constructor(client: Pick<KubeClient, 'request'>, ttlMs = 60_000) {
    this.#client = client;
    this.#ttlMs = ttlMs;
  }

  /** How soon a cluster waiting for cert-manager should look again. */
  get recheckMs(): number {
    return this.#ttlMs;
  }

  /** Whether cert-manager.io/v1 serves certificates and issuers. Errors other than 404 propagate. */
  async available(now = Date.now()): Promise<boolean> {
    if (this.#answer && now - this.#answer.at < this.#ttlMs) return this.#answer.available;
    this.#pending ??= this.#ask().finally(() => (this.#pending = undefined));
    const available = await this.#pending;
    this.#answer = { at: now, available };
    return available;
  }

  async #ask(): Promise<boolean> {
    try {
      const list = await this.#client.request<{ resources?: { name: string }[] }>(
        'GET',
        '/apis/cert-manager.io/v1',
      );
      const names = new Set((list.resources ?? []).map((r) => r.name));
      return names.has('certificates') && names.has('issuers');
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}

export const CERT_MANAGER_MISSING =
  'tlsOptions requires cert-manager, but cert-manager is not installed (the API server serves no ' +
  'cert-manager.io/v1 Certificates and Issuers): install cert-manager (https://cert-manager.io/docs/installation/) ' +
  'and the cluster continues within a minute, or remove tlsOptions';
