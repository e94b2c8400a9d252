// The Ray auth token the native autoscaler needs on token-auth clusters: GCS answers
// UNAUTHENTICATED without `authorization: Bearer <token>`. It is what the cluster's pods read as
// RAY_AUTH_TOKEN: the auth_token of its token Secret, or the guide's RAY_DASHBOARD_PASSWORD Secret key. Cached per cluster for a minute so a sync every few seconds
// does not turn into a Secret GET every few seconds; a rotated token is picked up within that time.
import type { RayCluster } from '../../api/v1/index.ts';
import { tokenSource } from '../../compiler/auth.ts';
import { isNotFound } from '../../runtime/errors.ts';
import { Secrets, type KubeObject } from '../../runtime/resources.ts';
import type { KubeClient } from '../../runtime/transport.ts';

export class RayTokenUnavailable extends Error {}

export class RayTokenSource {
  readonly #client: KubeClient;
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** Cluster key → its token, the Secret it came from and until when it is trusted. */
  readonly #cache = new Map<string, { secret: string; token: string; until: number }>();

  constructor(client: KubeClient, opts: { ttlMs?: number; now?: () => number } = {}) {
    this.#client = client;
    this.#ttlMs = opts.ttlMs ?? 60_000;
    this.#now = opts.now ?? Date.now;
  }

  /** undefined when the cluster has no token auth; throws RayTokenUnavailable with the reason. */
  async tokenFor(rc: RayCluster): Promise<string | undefined> {
    const source = tokenSource(rc);
    if (!source) return undefined;
    if (source.mode === 'kubernetes') {
      throw new RayTokenUnavailable(
        'authOptions.enableK8sTokenAuth: Ray accepts Kubernetes service-account tokens there, which the native ' +
          'autoscaler does not send; use enableInTreeAutoscaling (Ray’s autoscaler) or shared-token auth',
      );
    }
    if (source.env.value !== undefined) return source.env.value;
    if (!source.secret)
      throw new RayTokenUnavailable(
        'the token comes from an env var source other than a Secret key; the operator reads tokens from Secrets only',
      );
    const ns = rc.metadata?.namespace ?? '';
    const { name, key: dataKey } = source.secret;
    const key = `${ns}/${name}`;
    const cluster = `${ns}/${rc.metadata?.name ?? ''}`;
    const hit = this.#cache.get(cluster);
    if (hit && hit.secret === name && hit.until > this.#now()) return hit.token;
    let secret: KubeObject & { data?: Record<string, string> };
    try {
      secret = await this.#client.get(Secrets, ns, name);
    } catch (err) {
      if (isNotFound(err)) throw new RayTokenUnavailable(`the auth token Secret ${key} does not exist yet`);
      throw err;
    }
    const b64 = secret.data?.[dataKey];
    if (!b64) throw new RayTokenUnavailable(`the Secret ${key} has no ${dataKey} key`);
    const token = Buffer.from(b64, 'base64').toString('utf8');
    this.#cache.set(cluster, { secret: name, token, until: this.#now() + this.#ttlMs });
    return token;
  }

  /** Drops a deleted cluster's token. */
  forget(namespace: string, name: string): void {
    this.#cache.delete(`${namespace}/${name}`);
  }
}
