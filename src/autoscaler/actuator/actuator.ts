// The native autoscaler's actuator: one sync of one RayCluster in native mode. It reads Ray (GCS +
// metrics), asks the pure policy, and carries a decision out the way Ray's autoscaler v2 does:
// drain the Ray nodes that go (a node that turned busy rejects the drain and stays), then one
// guarded JSON patch of `replicas` + `scaleStrategy.workersToDelete`; the RayCluster controller
// deletes exactly the listed pods. Every decision is explained by an Event and status.autoscaler.
//
// Safety rules, in order of importance:
//   - Ray unreachable → no decision at all (never a blind scale-down), a Warning and the status say why;
//   - the patch `test`s every value the decision read, so it never races the user or the controller;
//   - after a patch, no new decision until the informer cache has seen it (generation), so a sync
//     triggered by our own write cannot decide twice from stale data.
import type { Pod } from '../../compiler/k8sTypes.ts';
import type { AutoscalerStatus, RayCluster } from '../../api/v1/index.ts';
import { gcsClient, type GcsClient, type GcsClientOptions } from '../../ray/gcs/client.ts';
import { isApiError, isNotFound } from '../../runtime/errors.ts';
import type { Logger } from '../../runtime/log.ts';
import { RayClusters, type KubeObject } from '../../runtime/resources.ts';
import type { KubeClient } from '../../runtime/transport.ts';
import { decideCluster, type ClusterInput } from '../policy/decideCluster.ts';
import { autoscalingMode } from '../policy/mode.ts';
import type { Decision } from '../policy/types.ts';
import type { DemandPollIntervals } from '../signals/demandChange.ts';
import { DemandWatch } from '../signals/demandWatch.ts';
import { readClusterSignals, type ClusterSignals, type MetricsScraper } from '../signals/read.ts';
import type { PodView } from '../signals/workers.ts';
import { afterDrains, strandedChanges, type DrainOutcome, type PlannedChange } from './carryOut.ts';
import {
  changesSomething,
  decidedStatus,
  eventMessage,
  eventReason,
  infeasibleMessage,
  statusPatch,
  waitingStatus,
} from './explain.ts';
import { clusterInputFor, headEndpoint, metricsTargets, podViewsOf, strandedDrainingPods } from './inputs.ts';
import { parseLastScale, scalePatch, type GroupChange } from './patch.ts';
import { RayTokenSource } from './rayToken.ts';
import type { AutoscalerMetrics } from './metrics.ts';

/** The field manager the autoscaler's writes are recorded under (managedFields). */
export const AUTOSCALER_FIELD_MANAGER = 'kuray-autoscaler';

/** The part of the EventRecorder the actuator uses. */
export interface EventSink {
  normal(obj: KubeObject, reason: string, message: string, action?: string): void;
  warning(obj: KubeObject, reason: string, message: string, action?: string): void;
}

/** What the actuator asks of the API: its spec and status patches, the token Secret. */
export type ActuatorClient = Pick<KubeClient, 'get' | 'patch' | 'patchStatus'>;

export interface ActuatorDeps {
  client: ActuatorClient;
  events: EventSink;
  log: Logger;
  /** Connects to a cluster's GCS; default gcsClient (one kept HTTP/2 connection per cluster). */
  dialGcs?: (opts: GcsClientOptions) => GcsClient;
  /** Reads one node's metrics port; default scrapeNodeMetrics. */
  scrapeMetrics?: MetricsScraper;
  now?: () => number;
  /** Timeout of each call to Ray. */
  rayTimeoutMs?: number;
  /** The Ray auth token of a token-auth cluster; defaults to reading its token Secret. */
  rayToken?: (rc: RayCluster) => Promise<string | undefined>;
  /**
   * Called when a poll of a native cluster's GCS between syncs finds new demand or a changed node
   * set: the controller syncs that cluster now. Without it nothing is polled between syncs.
   */
  onRayChange?: (namespace: string, name: string) => void;
  /** How often the GCS of a native cluster is polled between syncs. */
  demandPoll?: DemandPollIntervals;
  /** Decisions by rule, desired replicas and their inputs as Prometheus series. */
  metrics?: AutoscalerMetrics;
}

/** One cluster's GCS connection, kept while the cluster is in native mode. */
interface GcsLink {
  address: string;
  token: string | undefined;
  gcs: GcsClient;
}

/** Why a sync could not decide: the informer cache lags our patch, no head, no token, Ray unreachable. */
export type WaitCause = 'cache' | 'head' | 'token' | 'ray';

export type SyncOutcome =
  | { kind: 'skipped'; why: string }
  | { kind: 'waiting'; cause: WaitCause; why: string }
  | { kind: 'decided'; decisions: readonly Decision[]; applied: readonly GroupChange[]; why?: string };

/** Ray reached: the cluster's GCS connection and what it said. */
interface Reached {
  kind: 'reached';
  gcs: GcsClient;
  signals: ClusterSignals;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function keyOf(rc: RayCluster): string {
  return `${rc.metadata?.namespace ?? ''}/${rc.metadata?.name ?? ''}`;
}

/** Why the actuator leaves a cluster alone, or undefined when it is the actuator's to scale. */
function skipReason(rc: RayCluster): string | undefined {
  const mode = autoscalingMode(rc.spec).mode;
  if (mode !== 'native') return `autoscaling mode is ${mode}`;
  if (rc.metadata?.deletionTimestamp) return 'the cluster is being deleted';
  if (rc.spec.suspend === true) return 'the cluster is suspended';
  return undefined;
}

export class NativeAutoscaler {
  readonly #d: ActuatorDeps;
  readonly #now: () => number;
  readonly #dial: (opts: GcsClientOptions) => GcsClient;
  readonly #token: (rc: RayCluster) => Promise<string | undefined>;
  readonly #tokens: RayTokenSource;
  /** Polls native clusters' GCS between syncs (when the controller can be told). */
  readonly #watch: DemandWatch | undefined;
  /** Cluster key → its GCS connection. */
  readonly #links = new Map<string, GcsLink>();
  #closed = false;
  /** Cluster key → the generation our last patch produced (wait for the cache to reach it). */
  readonly #awaitGeneration = new Map<string, number>();
  /** Cluster key → group → last scale time we wrote (in case the cache lags the annotation). */
  readonly #lastScale = new Map<string, Record<string, number>>();

  constructor(deps: ActuatorDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#dial = deps.dialGcs ?? gcsClient;
    const onRayChange = deps.onRayChange;
    this.#watch = onRayChange
      ? new DemandWatch({
          onChange: (key) => {
            const [namespace = '', name = ''] = key.split('/');
            onRayChange(namespace, name);
          },
          ...(deps.demandPoll ? { intervals: deps.demandPoll } : {}),
        })
      : undefined;
    this.#tokens = new RayTokenSource(deps.client, { now: this.#now });
    this.#token = deps.rayToken ?? ((rc) => this.#tokens.tokenFor(rc));
  }

  /** Drop what is remembered about a deleted cluster. */
  forget(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    this.#awaitGeneration.delete(key);
    this.#lastScale.delete(key);
    this.#tokens.forget(namespace, name);
    this.#d.metrics?.forget(namespace, name);
    this.#release(key);
  }

  /** Stops polling and closes every GCS connection (the operator is stopping). */
  close(): void {
    this.#closed = true;
    this.#watch?.close();
    for (const key of [...this.#links.keys()]) this.#release(key);
  }

  /** The cluster's GCS connection; a new one when the head moved or the token changed. */
  #gcsFor(key: string, address: string, token: string | undefined): GcsClient {
    const link = this.#links.get(key);
    if (link && link.address === address && link.token === token) return link.gcs;
    link?.gcs.close();
    const gcs = this.#dial({ address, token, timeoutMs: this.#d.rayTimeoutMs ?? 5_000 });
    this.#links.set(key, { address, token, gcs });
    return gcs;
  }

  /** The cluster is no longer ours to scale: stop polling it and close its connection. */
  #release(key: string): void {
    this.#watch?.unwatch(key);
    this.#links.get(key)?.gcs.close();
    this.#links.delete(key);
  }

  /**
   * One sync of `rc` (from the cache) with its pods (from the cache). The pods are asked for only
   * once the cluster turns out to be in native mode: most are not, and walking a 1,000-worker
   * cluster's pods on each of its pod events showed up as 18 % of the operator's CPU.
   *
   * Steps: is it ours → has the cache caught up with our last patch → reach Ray → decide → drain
   * what goes → patch → explain (Events, status).
   */
  async sync(rc: RayCluster, podsOf: () => readonly Pod[]): Promise<SyncOutcome> {
    const key = keyOf(rc);
    const skip = this.#closed ? 'the autoscaler is stopping' : skipReason(rc);
    if (skip) {
      this.#release(key);
      return { kind: 'skipped', why: skip };
    }
    const behind = this.#cacheBehind(key, rc);
    if (behind) return behind;
    const pods = podsOf();
    const views = podViewsOf(pods);
    const ray = await this.#reachRay(key, rc, pods, views);
    if (ray.kind !== 'reached') {
      // No head, no token or no answer: stop polling a GCS that is not there; the next sync that
      // reaches Ray connects afresh and watches again.
      this.#release(key);
      return ray;
    }

    const lastScale = this.#lastScaleOf(key, rc);
    const input = clusterInputFor(rc, views, ray.signals, lastScale);
    const { decisions, infeasible } = decideCluster(input);
    const nowMs = this.#now();
    if (this.#d.log.enabled('debug')) {
      this.#d.log.debug('autoscaler decided', {
        cluster: key,
        decisions: decisions.map(
          (d) => `${d.group}: ${d.kind} ${d.replicas} (${d.reason.rule}: ${d.reason.message})`,
        ),
      });
    }
    const { carried, changes } = await this.#drainAndPlan(key, ray, input, decisions, nowMs);
    changes.push(
      ...strandedChanges(
        strandedDrainingPods(rc, views, ray.signals),
        input.groups,
        new Set(changes.map((c) => c.group)),
        nowMs,
      ),
    );
    if (changes.length) {
      if (!(await this.#patch(rc, changes))) {
        return {
          kind: 'decided',
          decisions: carried,
          applied: [],
          why: 'the patch lost a race; next sync decides again',
        };
      }
      this.#recordScale(key, changes, lastScale);
      this.#explain(rc, key, changes);
    }
    this.#d.metrics?.record(rc.metadata?.namespace ?? '', rc.metadata?.name ?? '', carried);
    const next = decidedStatus(rc.status?.autoscaler, carried, lastScale, nowMs);
    const unplaceable = infeasibleMessage(infeasible);
    if (unplaceable) next.message = unplaceable;
    await this.#writeStatus(rc, next);
    return { kind: 'decided', decisions: carried, applied: changes };
  }

  /** After our patch, no decision until the informer cache shows it: a sync on stale data would decide twice. */
  #cacheBehind(key: string, rc: RayCluster): SyncOutcome | undefined {
    const awaited = this.#awaitGeneration.get(key);
    if (awaited !== undefined && (rc.metadata?.generation ?? 0) < awaited) {
      return {
        kind: 'waiting',
        cause: 'cache',
        why: `the cache has not seen generation ${awaited} (our last patch) yet`,
      };
    }
    this.#awaitGeneration.delete(key);
    return undefined;
  }

  /**
   * Head pod → GCS address, the Ray token, the cluster's GCS connection, then GCS + metrics. Any
   * step that fails means no decision at all (never a blind scale-down): the status says why, and
   * a Ready head whose GCS does not answer gets a Warning.
   */
  async #reachRay(
    key: string,
    rc: RayCluster,
    pods: readonly Pod[],
    views: readonly PodView[],
  ): Promise<Reached | Extract<SyncOutcome, { kind: 'waiting' | 'skipped' }>> {
    const head = headEndpoint(rc, pods);
    if (!head.ok) return this.#wait(rc, 'head', head.why, `waiting: ${head.why}`);
    let token: string | undefined;
    try {
      token = await this.#token(rc);
    } catch (err) {
      return this.#wait(
        rc,
        'token',
        `no Ray auth token: ${errText(err)}; no scaling decision until there is one`,
      );
    }
    const gcs = this.#gcsFor(key, head.gcsAddress, token);
    try {
      const signals = await readClusterSignals({
        gcs,
        token,
        metricsTargets: metricsTargets(rc, views),
        ...(this.#d.scrapeMetrics ? { scrape: this.#d.scrapeMetrics } : {}),
        timeoutMs: this.#d.rayTimeoutMs ?? 5_000,
        now: this.#now,
      });
      this.#watch?.observe(key, gcs, signals);
      return { kind: 'reached', gcs, signals };
    } catch (err) {
      // close() cut the connection under this read: Ray is fine, the operator is stopping.
      if (this.#closed) return { kind: 'skipped', why: 'the autoscaler is stopping' };
      const why = `Ray GCS at ${head.gcsAddress} is unreachable (${errText(err)}); no scaling decision until it answers`;
      // A head that is not Ready yet is still starting Ray: say so in the status, warn only after.
      if (head.ready) this.#d.events.warning(rc as KubeObject, 'AutoscalerRayUnreachable', why, 'Autoscale');
      return this.#wait(rc, 'ray', why);
    }
  }

  /** A sync that cannot decide: status.autoscaler says why (groups kept), Ray counts as unreachable. */
  async #wait(
    rc: RayCluster,
    cause: WaitCause,
    why: string,
    statusMessage = why,
  ): Promise<Extract<SyncOutcome, { kind: 'waiting' }>> {
    await this.#writeStatus(rc, waitingStatus(rc.status?.autoscaler, false, statusMessage));
    return { kind: 'waiting', cause, why };
  }

  /** Group → last scale time: the annotation, or what we wrote if the cache has not shown it yet. */
  #lastScaleOf(key: string, rc: RayCluster): Record<string, number> {
    const lastScale = { ...parseLastScale(rc) };
    for (const [g, ms] of Object.entries(this.#lastScale.get(key) ?? {}))
      lastScale[g] = Math.max(lastScale[g] ?? 0, ms);
    return lastScale;
  }

  /** Drains the Ray nodes each changing decision removes; the decisions as they can be carried out. */
  async #drainAndPlan(
    key: string,
    ray: Reached,
    input: ClusterInput,
    decisions: readonly Decision[],
    nowMs: number,
  ): Promise<{ carried: Decision[]; changes: PlannedChange[] }> {
    const carried: Decision[] = [];
    const changes: PlannedChange[] = [];
    for (const d of decisions) {
      const current = input.groups.find((g) => g.name === d.group)!.replicas;
      if (!changesSomething(d, current)) {
        carried.push(d);
        continue;
      }
      const r = afterDrains(d, current, await this.#drainAll(ray, d), nowMs);
      carried.push(r.decision);
      if (r.change) changes.push(r.change);
      else
        this.#d.log.info('autoscaler: every drain was rejected, nothing to do', {
          cluster: key,
          group: d.group,
        });
    }
    return { carried, changes };
  }

  /**
   * Drains the Ray node of every pod the decision deletes, one by one. A pod with no Ray node yet
   * (launching) or whose node already drains needs none; a node that refuses (it just got work) or
   * does not answer keeps its pod.
   */
  async #drainAll(ray: Reached, d: Extract<Decision, { kind: 'scale' }>): Promise<DrainOutcome> {
    const accepted: string[] = [];
    const rejected: string[] = [];
    for (const pod of d.workersToDelete) {
      const node = ray.signals.nodes.find((n) => n.podName === pod && n.alive && !n.isHead);
      if (!node || node.status === 'DRAINING') {
        accepted.push(pod);
        continue;
      }
      try {
        const r = await ray.gcs.drainNode({
          nodeId: node.nodeId,
          reason: 'IDLE_TERMINATION',
          message: `Kuray native autoscaler: ${d.reason.rule}`,
        });
        (r.accepted ? accepted : rejected).push(pod);
        if (!r.accepted)
          this.#d.log.info('drain rejected: the node is busy, it stays', { pod, reason: r.rejectionReason });
      } catch (err) {
        // Unknown outcome: keep the pod (never delete a node we could not drain).
        rejected.push(pod);
        this.#d.log.warn('drain failed: the pod stays', { pod, error: errText(err) });
      }
    }
    return { accepted, rejected };
  }

  /** Remembers the scale times just written (the cache may lag the annotation). */
  #recordScale(key: string, changes: readonly PlannedChange[], lastScale: Record<string, number>): void {
    const mem = { ...(this.#lastScale.get(key) ?? {}) };
    for (const c of changes) {
      mem[c.group] = c.atMs;
      lastScale[c.group] = c.atMs;
    }
    this.#lastScale.set(key, mem);
  }

  /** One Event per change, and a log line. */
  #explain(rc: RayCluster, key: string, changes: readonly PlannedChange[]): void {
    for (const c of changes) {
      this.#d.events.normal(
        rc as KubeObject,
        eventReason(c.from, c.replicas),
        eventMessage(c.group, c.from, c.replicas, c.addWorkersToDelete, c.reason),
        'Autoscale',
      );
    }
    this.#d.log.info('autoscaler scaled', {
      cluster: key,
      changes: changes.map((c) => ({
        group: c.group,
        replicas: c.replicas,
        workersToDelete: c.addWorkersToDelete,
      })),
    });
  }

  async #patch(rc: RayCluster, changes: readonly GroupChange[]): Promise<boolean> {
    const ops = scalePatch(rc, changes);
    try {
      const updated = await this.#d.client.patch<KubeObject & RayCluster>(
        RayClusters,
        rc.metadata!.namespace,
        rc.metadata!.name!,
        ops,
        'json',
      );
      const gen = updated.metadata.generation;
      if (gen !== undefined) this.#awaitGeneration.set(keyOf(rc), gen);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (isApiError(err) && err.status === 422) {
        this.#d.log.info('autoscaler patch rejected: the spec changed since the decision', {
          cluster: keyOf(rc),
          error: errText(err),
        });
        return false;
      }
      throw err;
    }
  }

  /** Writes status.autoscaler and nothing else (statusPatch), under its own field manager. */
  async #writeStatus(rc: RayCluster, next: AutoscalerStatus): Promise<void> {
    const p = statusPatch(rc.status, next);
    if (!p) return;
    try {
      await this.#d.client.patchStatus(
        RayClusters,
        rc.metadata!.namespace,
        rc.metadata!.name!,
        p.body,
        p.type,
        {
          fieldManager: AUTOSCALER_FIELD_MANAGER,
        },
      );
    } catch (err) {
      if (isNotFound(err)) return;
      this.#d.log.warn('autoscaler status write failed', { cluster: keyOf(rc), error: errText(err) });
    }
  }
}
