// The RayService reconciler (KubeRay v1.7.0 rayservice_controller.go, requeue every 2 s):
//   observe (informer caches, and the latest dashboard answers from ServeSync: no call waits here)
//   → clean up clusters that are neither active nor pending (after rayClusterDeletionDelaySeconds)
//   → finalizer, validation, suspend, initializing timeout
//   → create the pending cluster / update clusters in place → head serve labels → Serve apps
//   → point `<name>-head-svc` and the serve Service at the cluster that is ready (pending first)
//   → status (pure, status.ts), written only when it changed.
import type { RayCluster, RayService } from '../../api/v1/index.ts';
import { validate } from '../../api/validation/index.ts';
import {
  DEFAULT_DASHBOARD_PORT,
  DEFAULT_SERVE_PORT,
  LABEL_SERVE,
  PORT_SERVE,
} from '../../compiler/constants.ts';
import type { Pod, Service } from '../../compiler/k8sTypes.ts';
import { randomSuffix } from '../../compiler/names.ts';
import type { ReconcileContext, Request, Result } from '../../runtime/controller.ts';
import { isNotFound } from '../../runtime/errors.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import { controllerOf, RayServices, type KubeObject } from '../../runtime/resources.ts';
import type { KubeClient } from '../../runtime/transport.ts';
import { RayTokenSource } from '../../autoscaler/actuator/rayToken.ts';
import { conditionTrue } from '../raycluster/conditions.ts';
import { isHeadPod, isRunningAndReady, isTerminating } from '../raycluster/podState.ts';
import { MANAGED_BY_KURAY } from '../shared/managedBy.ts';
import { ownedPods } from '../shared/clusterPods.ts';
import type { Lister } from '../shared/lister.ts';
import { childClusterName } from '../shared/childCluster.ts';
import { selectedCluster } from '../shared/ownerHeadService.ts';
import * as act from './act.ts';
import { EVENT, FINALIZER, REASON, REQUEUE_MS } from './constants.ts';
import { countReadyEndpoints } from './endpoints.ts';
import { headService, serveService, serveServiceName, ServePortError, type RS } from './objects.ts';
import { serveApiFor, type RayEndpoints, type ServeApi, ServeSync } from './serve.ts';
import {
  computeStatus,
  isInitializingTimeout,
  statusChanged,
  suspendDone,
  suspendStep,
  suspendWaiting,
  validationFailed,
  type EventNote,
  type ServeView,
} from './status.ts';
import { planCleanup, shouldPrepareNewCluster, shouldUpdateCluster } from './upgrade.ts';
import type { IncrementalUpgrades } from './incremental.ts';

/** RayClusters index: "ns/<RayService name>" for clusters a RayService made (label ray.io/originated-from-*). */
export const CLUSTERS_BY_RAYSERVICE = 'byRayService';

export interface RayServiceReconcilerDeps {
  client: KubeClient;
  events: Pick<EventRecorder, 'normal' | 'warning'>;
  services: Lister; // RayServices
  clusters: Lister; // RayClusters, indexed by CLUSTERS_BY_RAYSERVICE
  pods: Lister; // Ray pods, indexed by cluster
  kubeServices: Lister; // core/v1 Services
  serve: ServeSync;
  incremental: IncrementalUpgrades;
  /** Where a cluster's dashboard and head proxy answer (default: the head pod's IP). Test seam. */
  rayEndpoints?: (rc: RayCluster, head: Pod) => RayEndpoints | undefined;
  /** How the dashboard is called (default: the Serve REST client). Test seam. */
  serveApi?: (ep: RayEndpoints, token: () => Promise<string | undefined>) => ServeApi;
  /** KubeRay's ENABLE_ZERO_DOWNTIME: the strategy when spec.upgradeStrategy is unset. */
  zeroDowntimeDefault?: boolean;
  dashboardTimeoutMs?: number;
  now?: () => Date;
  randomSuffix?: () => string;
}

/** The head pod's IP with the dashboard port (rayStartParams) and the serve port (container port "serve"). */
export function defaultRayEndpoints(rc: RayCluster, head: Pod): RayEndpoints | undefined {
  const ip = head.status?.podIP;
  if (!ip) return undefined;
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const dash = rc.spec.headGroupSpec.rayStartParams?.['dashboard-port'] ?? String(DEFAULT_DASHBOARD_PORT);
  const serve =
    head.spec?.containers[0]?.ports?.find((p) => p.name === PORT_SERVE)?.containerPort ?? DEFAULT_SERVE_PORT;
  return { dashboard: `http://${host}:${dash}`, serve: `http://${host}:${serve}` };
}

function headOf(pods: readonly Pod[]): Pod | undefined {
  return pods.find((p) => isHeadPod(p) && !isTerminating(p));
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class RayServiceReconciler {
  readonly #d: RayServiceReconcilerDeps;
  readonly #now: () => Date;
  readonly #rand: () => string;
  readonly #tokens: RayTokenSource;
  /** "ns/rs" → cluster name → when it is deleted (KubeRay keeps these in memory too). */
  readonly #deleteAt = new Map<string, Map<string, number>>();

  constructor(deps: RayServiceReconcilerDeps) {
    this.#d = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#rand = deps.randomSuffix ?? randomSuffix;
    this.#tokens = new RayTokenSource(deps.client);
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const key = `${req.namespace}/${req.name}`;
    const rs = this.#d.services.get(req.namespace, req.name) as RS | undefined;
    if (!rs) {
      this.#d.serve.forget(key);
      this.#deleteAt.delete(key);
      this.#d.incremental.forget(key);
      return {};
    }
    if (rs.spec.managedBy && rs.spec.managedBy !== MANAGED_BY_KURAY) return {};
    const now = this.#now();
    const clusters = this.#ownedClusters(rs);

    // Clusters that are neither active nor pending go after the deletion delay (all of them at once
    // when the RayService is deleted).
    const times = this.#deleteAt.get(key) ?? new Map<string, number>();
    this.#deleteAt.set(key, times);
    const cleanup = planCleanup(rs, clusters, times, now.getTime());
    for (const s of cleanup.schedule) {
      times.set(s.name, s.at);
      ctx.log.info('scheduled dangling RayCluster for deletion', {
        cluster: s.name,
        at: new Date(s.at).toISOString(),
      });
    }
    for (const name of cleanup.delete) {
      await act.deleteCluster(
        this.#d,
        rs,
        name,
        rs.metadata.deletionTimestamp ? ' (the RayService is being deleted)' : '',
      );
      times.delete(name);
      this.#d.serve.forget(key, name);
    }
    for (const n of times.keys()) if (!clusters.some((c) => c.metadata?.name === n)) times.delete(n);

    if (rs.metadata.deletionTimestamp) {
      if (cleanup.remaining) return { requeueAfter: REQUEUE_MS };
      await act.removeFinalizer(this.#d, rs);
      return {};
    }
    if (!rs.metadata.finalizers?.includes(FINALIZER)) {
      await act.addFinalizer(this.#d, rs);
      return { requeueAfter: REQUEUE_MS };
    }

    // The admission checks again (KubeRay does them at reconcile time). serveConfigV2 problems are not
    // among them: a bad config must not stop the applications that already serve (see ServeSync).
    const invalid = validate(rs as unknown as Record<string, unknown>)
      .errors.filter((e) => !e.path.startsWith('spec.serveConfigV2'))
      .map((e) => `${e.path}: ${e.message} (${e.hint})`)
      .join('; ');
    if (invalid) {
      const reason = invalid.startsWith('metadata') ? EVENT.invalidMetadata : EVENT.invalidSpec;
      this.#d.events.warning(rs, reason, `${key}: ${invalid}`, 'Validate');
      await this.#writeStatus(rs, validationFailed(rs, invalid, now), ctx);
      return {}; // the user fixes the spec; the edit triggers the next reconcile
    }

    const suspend = suspendStep(rs, now);
    if (suspend.phase === 'staged' || suspend.phase === 'suspended') {
      await this.#writeStatus(rs, suspend.status, ctx);
      return suspend.phase === 'staged' ? { requeueAfter: REQUEUE_MS } : {};
    }
    if (suspend.phase === 'deleting') {
      const gone = await this.#deleteOwned(rs, clusters);
      await this.#writeStatus(
        rs,
        gone ? suspendDone(suspend.status, now) : suspendWaiting(suspend.status, now),
        ctx,
      );
      return { requeueAfter: REQUEUE_MS };
    }
    const current: RS = suspend.phase === 'resumed' ? { ...rs, status: suspend.status } : rs;

    if (isInitializingTimeout(current.status)) return cleanup.remaining ? { requeueAfter: REQUEUE_MS } : {};

    const gate = await this.#d.incremental.check(current);
    if (gate) {
      const gated = gate(current.status, now);
      const why = gated.conditions?.find((c) => c.reason === REASON.gatewayAPIMissing);
      if (why && statusChanged(current.status, gated))
        this.#d.events.warning(rs, why.reason, why.message, 'Reconcile');
      await this.#writeStatus(current, gated, ctx);
      return { requeueAfter: REQUEUE_MS };
    }

    return this.#reconcileServing(current, key, clusters, now, ctx);
  }

  async #reconcileServing(
    rs: RS,
    key: string,
    clusters: RayCluster[],
    now: Date,
    ctx: ReconcileContext,
  ): Promise<Result> {
    const byName = (n: string | undefined) => (n ? clusters.find((c) => c.metadata?.name === n) : undefined);
    const activeName = rs.status?.activeServiceStatus?.rayClusterName;
    const pendingName = rs.status?.pendingServiceStatus?.rayClusterName;
    const active = byName(activeName);
    let pending = byName(pendingName);
    if (pendingName && !pending) {
      pending = await act.createCluster(this.#d, rs, pendingName, false);
    } else {
      if (shouldUpdateCluster(rs, active, true)) await act.updateCluster(this.#d, rs, active!, 'active');
      if (shouldUpdateCluster(rs, pending, false)) await act.updateCluster(this.#d, rs, pending!, 'pending');
    }

    const events: EventNote[] = [];
    const serveOf = async (rc: RayCluster | undefined, deploy: boolean): Promise<ServeView | undefined> => {
      if (!rc) return undefined;
      const pods = ownedPods(this.#d.pods, rc);
      const head = headOf(pods);
      const api = head ? this.#api(rc, head) : undefined;
      if (head && api) await this.#headServeLabel(rs, rc, head, api);
      const headReady =
        conditionTrue(rc.status?.conditions, 'HeadPodReady') || (head ? isRunningAndReady(head) : false);
      if (!head || !api || !headReady) return { ready: false };
      const out = this.#d.serve.observe(key, rc, api, rs.spec.serveConfigV2 ?? '', {
        deploy,
      });
      events.push(...out.events);
      return out.view;
    };
    // The config goes to the pending cluster during an upgrade, else to the active one unless a new
    // cluster is about to be named (then it waits for that one). The other cluster is only read.
    const deployActive =
      !pending && !shouldPrepareNewCluster(rs, active, undefined, false, this.#d.zeroDowntimeDefault);
    const pendingServe = await serveOf(pending, true);
    const activeServe = await serveOf(active, deployActive);

    let servingCluster: string | undefined;
    const pendingReady = pendingServe?.ready === true;
    const activeReady = !pending && activeServe?.ready === true;
    const target = pendingReady ? pending : activeReady ? active : undefined;
    if (target) servingCluster = await this.#pointServicesAt(rs, target);

    const numServeEndpoints = countReadyEndpoints(
      this.#d.pods,
      this.#d.kubeServices.get(rs.metadata.namespace ?? '', serveServiceName(rs)) as Service | undefined,
    );
    const out = computeStatus({
      rs,
      now,
      active,
      pending,
      activeServe,
      pendingServe,
      servingCluster,
      numServeEndpoints,
      newClusterName: () => childClusterName(rs.metadata.name ?? '', this.#rand),
      zeroDowntimeDefault: this.#d.zeroDowntimeDefault ?? true,
    });
    for (const e of [...events, ...out.events]) {
      if (e.type === 'Warning') this.#d.events.warning(rs, e.reason, e.message, 'Reconcile');
      else this.#d.events.normal(rs, e.reason, e.message, 'Update');
    }
    await this.#writeStatus(rs, out.status, ctx);
    return { requeueAfter: REQUEUE_MS };
  }

  #ownedClusters(rs: RS): RayCluster[] {
    const uid = rs.metadata.uid;
    return (
      this.#d.clusters.byIndex(
        CLUSTERS_BY_RAYSERVICE,
        `${rs.metadata.namespace ?? ''}/${rs.metadata.name ?? ''}`,
      ) as (RayCluster & KubeObject)[]
    ).filter((c) => {
      const owner = controllerOf(c);
      return !uid || !owner || owner.uid === uid;
    });
  }

  #api(rc: RayCluster, head: Pod): ServeApi | undefined {
    const ep = (this.#d.rayEndpoints ?? defaultRayEndpoints)(rc, head);
    if (!ep) return undefined;
    const token = () => this.#tokens.tokenFor(rc);
    return (this.#d.serveApi ?? ((e, t) => serveApiFor(e, t, this.#d.dashboardTimeoutMs ?? 5_000)))(
      ep,
      token,
    );
  }

  /** The head joins the serve Service only while its proxy is healthy (and never with excludeHeadPodFromServeSvc). */
  async #headServeLabel(rs: RS, rc: RayCluster, head: Pod, api: ServeApi): Promise<void> {
    let want: 'true' | 'false';
    if (rs.spec.excludeHeadPodFromServeSvc === true) want = 'false';
    else {
      const healthy = this.#d.serve.proxyHealthy(
        `${rs.metadata.namespace ?? ''}/${rs.metadata.name ?? ''}`,
        rc,
        api,
      );
      if (healthy === undefined) return;
      want = healthy ? 'true' : 'false';
    }
    if (head.metadata?.labels?.[LABEL_SERVE] === want) return;
    try {
      await act.setServeLabel(this.#d, rs, head, want);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Head and serve Services → `target`; returns the cluster they point at now. */
  async #pointServicesAt(rs: RS, target: RayCluster): Promise<string | undefined> {
    const ns = rs.metadata.namespace;
    const head = headService(rs, target);
    await act.ensureService(
      this.#d,
      rs,
      head,
      this.#d.kubeServices.get(ns, head.metadata!.name!) as Service | undefined,
    );
    let serve: Service;
    try {
      serve = serveService(rs, target);
    } catch (err) {
      if (!(err instanceof ServePortError)) throw err;
      this.#d.events.warning(rs, EVENT.failedCreateService, errText(err), 'Create');
      return undefined;
    }
    await act.ensureService(
      this.#d,
      rs,
      serve,
      this.#d.kubeServices.get(ns, serve.metadata!.name!) as Service | undefined,
    );
    return selectedCluster(serve);
  }

  /** Suspend: deletes every RayCluster and Service the RayService owns; true once none is left. */
  async #deleteOwned(rs: RS, clusters: RayCluster[]): Promise<boolean> {
    let gone = true;
    for (const rc of clusters) {
      gone = false;
      if (rc.metadata?.deletionTimestamp) continue;
      await act.deleteCluster(this.#d, rs, rc.metadata!.name!, ' during suspend');
    }
    const uid = rs.metadata.uid;
    for (const svc of this.#ownedServices(rs)) {
      gone = false;
      if (svc.metadata?.deletionTimestamp) continue;
      if (controllerOf(svc as KubeObject)?.uid !== uid) continue;
      await act.deleteService(this.#d, rs, svc);
    }
    return gone;
  }

  #ownedServices(rs: RS): Service[] {
    const names = [`${rs.metadata.name ?? ''}-head-svc`, serveServiceName(rs)];
    return names
      .map((n) => this.#d.kubeServices.get(rs.metadata.namespace, n) as (Service & KubeObject) | undefined)
      .filter((s): s is Service & KubeObject => s !== undefined && controllerOf(s)?.uid === rs.metadata.uid);
  }

  async #writeStatus(
    rs: RayService & KubeObject,
    status: RayService['status'],
    ctx: ReconcileContext,
  ): Promise<void> {
    if (!status || !statusChanged(rs.status, status)) return;
    const value = { ...status, lastUpdateTime: this.#now().toISOString() };
    try {
      await this.#d.client.patchStatus(
        RayServices,
        rs.metadata.namespace,
        rs.metadata.name!,
        [{ op: 'add', path: '/status', value }],
        'json',
      );
    } catch (err) {
      if (isNotFound(err)) return;
      ctx.log.warn('status update failed', { error: errText(err) });
      throw err;
    }
  }
}
