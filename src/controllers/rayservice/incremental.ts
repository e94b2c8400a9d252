// NewClusterWithIncrementalUpgrade needs the Gateway API (gateway.networking.k8s.io/v1 Gateway and
// HTTPRoute) to split traffic between the two clusters. Where its CRDs are not installed, KubeRay
// fails every reconcile with "no matches for kind" in its log and serves nothing; here the RayService
// says so in its status (reason GatewayAPIMissing) and creates nothing it could not route to.
import type { RayService, RayServiceStatus } from '../../api/v1/index.ts';
import { isNotFound } from '../../runtime/errors.ts';
import type { KubeClient } from '../../runtime/transport.ts';
import { conditionTrue, setCondition } from '../raycluster/conditions.ts';
import { COND_READY, COND_UPGRADE_IN_PROGRESS, REASON } from './constants.ts';
import { isIncremental } from './upgrade.ts';

export const GATEWAY_GROUP_VERSION = 'gateway.networking.k8s.io/v1';

export type StatusGate = (status: RayServiceStatus | undefined, now: Date) => RayServiceStatus;

export interface IncrementalOptions {
  client: Pick<KubeClient, 'request'>;
  /** How long a discovery answer is trusted (CRDs installed later are noticed after this). */
  recheckMs?: number;
  now?: () => number;
}

export class IncrementalUpgrades {
  readonly #o: IncrementalOptions;
  #known: { at: number; present: boolean; missing: string[] } | undefined;

  constructor(o: IncrementalOptions) {
    this.#o = o;
  }

  forget(_key: string): void {
    // Nothing per RayService is kept yet.
  }

  /** Which of Gateway and HTTPRoute the API server serves (discovery, cached for recheckMs). */
  async gatewayApi(): Promise<{ present: boolean; missing: string[] }> {
    const now = (this.#o.now ?? Date.now)();
    if (this.#known && now - this.#known.at < (this.#o.recheckMs ?? 30_000)) return this.#known;
    let resources: string[] = [];
    try {
      const list = await this.#o.client.request<{ resources?: { name: string }[] }>(
        'GET',
        `/apis/${GATEWAY_GROUP_VERSION}`,
      );
      resources = (list.resources ?? []).map((r) => r.name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const missing = ['gateways', 'httproutes'].filter((r) => !resources.includes(r));
    this.#known = { at: now, present: missing.length === 0, missing };
    return this.#known;
  }

  /** undefined to go on; else how the status must say why the RayService waits. */
  async check(rs: RayService): Promise<StatusGate | undefined> {
    if (!isIncremental(rs)) return undefined;
    const api = await this.gatewayApi();
    if (api.present) return undefined;
    const cls = rs.spec.upgradeStrategy?.clusterUpgradeOptions?.gatewayClassName ?? '';
    const message =
      `upgradeStrategy NewClusterWithIncrementalUpgrade needs the Gateway API, but the API server does not ` +
      `serve ${api.missing.map((r) => `${GATEWAY_GROUP_VERSION} ${r}`).join(' and ')}: install the Gateway API ` +
      `CRDs and a Gateway controller for gatewayClassName ${JSON.stringify(cls)}, or use upgradeStrategy ` +
      `type NewCluster`;
    return (status, now) => {
      const s: RayServiceStatus = structuredClone(status ?? {});
      const at = now.toISOString();
      // A RayService that already serves keeps serving; only its upgrades wait for the Gateway API.
      const type = conditionTrue(s.conditions, COND_READY) ? COND_UPGRADE_IN_PROGRESS : COND_READY;
      s.conditions = setCondition(
        s.conditions ?? [],
        { type, status: 'False', reason: REASON.gatewayAPIMissing, message },
        at,
        s.observedGeneration,
      );
      return s;
    };
  }
}
