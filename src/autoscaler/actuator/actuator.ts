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
import type { DrainResult } from '../../ray/gcs/drainNode.ts';
import { isApiError, isNotFound } from '../../runtime/errors.ts';
import type { Logger } from '../../runtime/log.ts';
import { RayClusters, type KubeObject } from '../../runtime/resources.ts';
import type { KubeClient } from '../../runtime/transport.ts';
import { decideCluster } from '../policy/decideCluster.ts';
import { autoscalingMode } from '../policy/mode.ts';
import type { Decision } from '../policy/types.ts';
import type { DemandPollIntervals } from '../signals/demandChange.ts';
import { DemandWatch } from '../signals/demandWatch.ts';
import { readClusterSignals, type ClusterSignals, type MetricsScraper } from '../signals/read.ts';
import {
  autoscalerStatusChanged,
  changesSomething,
  decidedStatus,
  eventMessage,
  eventReason,
  waitingStatus,
} from './explain.ts';
import { clusterInputFor, headEndpoint, metricsTargets, podViewsOf, strandedDrainingPods } from './inputs.ts';
import { parseLastScale, scalePatch, type GroupChange } from './patch.ts';
import { RayTokenSource } from './rayToken.ts';

/** The part of the EventRecorder the actuator uses. */
export interface EventSink {
  normal(obj: KubeObject, reason: string, message: string, action?: string): void;
  warning(obj: KubeObject, reason: string, message: string, action?: string): void;
}

export interface ActuatorDeps {
  client: KubeClient;
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
}

/** One cluster's GCS connection, kept while the cluster is in native mode. */
interface GcsLink {
  address: string;
  token: string | undefined;
  gcs: GcsClient;
}

export type SyncOutcome =
  | { kind: 'skipped'; why: string }
  | { kind: 'waiting'; why: string }
  | { kind: 'decided'; decisions: readonly Decision[]; applied: readonly GroupChange[]; why?: string };

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
    this.#release(key);
  }

  /** GCS polls made between syncs so far (all clusters). */
  get demandPolls(): number {
    return this.#watch?.polls ?? 0;
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
   */
  async sync(rc: RayCluster, podsOf: () => readonly Pod[]): Promise<SyncOutcome> {
    const key = keyOf(rc);
    const skip = this.#closed ? 'the autoscaler is stopping' : skipReason(rc);
    if (skip) {
      this.#release(key);
      return { kind: 'skipped', why: skip };
    }
    const awaited = this.#awaitGeneration.get(key);
    if (awaited !== undefined && (rc.metadata?.generation ?? 0) < awaited) {
      return { kind: 'waiting', why: `the cache has not seen generation ${awaited} (our last patch) yet` };
    }
    this.#awaitGeneration.delete(key);

    const pods = podsOf();
    const head = headEndpoint(rc, pods);
    if (!head.ok) {
      await this.#writeStatus(rc, waitingStatus(rc.status?.autoscaler, false, `waiting: ${head.why}`));
      return { kind: 'waiting', why: head.why };
    }
    const views = podViewsOf(pods);
    const timeoutMs = this.#d.rayTimeoutMs ?? 5_000;
    let token: string | undefined;
    try {
      token = await this.#token(rc);
    } catch (err) {
      const why = `no Ray auth token: ${errText(err)}; no scaling decision until there is one`;
      await this.#writeStatus(rc, waitingStatus(rc.status?.autoscaler, false, why));
      return { kind: 'waiting', why };
    }
    const gcs = this.#gcsFor(key, head.gcsAddress, token);
    let signals: ClusterSignals;
    try {
      signals = await readClusterSignals({
        gcs,
        token,
        metricsTargets: metricsTargets(rc, views),
        ...(this.#d.scrapeMetrics ? { scrape: this.#d.scrapeMetrics } : {}),
        timeoutMs,
        now: this.#now,
      });
    } catch (err) {
      // close() cut the connection under this read: Ray is fine, the operator is stopping.
      if (this.#closed) return { kind: 'skipped', why: 'the autoscaler is stopping' };
      const why = `Ray GCS at ${head.gcsAddress} is unreachable (${errText(err)}); no scaling decision until it answers`;
      // A head that is not Ready yet is still starting Ray: say so in the status, warn only after.
      if (head.ready) this.#d.events.warning(rc as KubeObject, 'AutoscalerRayUnreachable', why, 'Autoscale');
      await this.#writeStatus(rc, waitingStatus(rc.status?.autoscaler, false, why));
      return { kind: 'waiting', why };
    }
    this.#watch?.observe(key, gcs, signals);

    const lastScale = { ...parseLastScale(rc) };
    for (const [g, ms] of Object.entries(this.#lastScale.get(key) ?? {}))
      lastScale[g] = Math.max(lastScale[g] ?? 0, ms);
    const input = clusterInputFor(rc, views, signals, lastScale);
    const { decisions, infeasible } = decideCluster(input);
    const nowMs = this.#now();
    this.#d.log.debug('autoscaler decided', {
      cluster: key,
      decisions: decisions.map(
        (d) => `${d.group}: ${d.kind} ${d.replicas} (${d.reason.rule}: ${d.reason.message})`,
      ),
    });

    const changes: GroupChange[] = [];
    const explained: { d: Decision; from: number; to: number; wtd: readonly string[] }[] = [];
    const finalDecisions: Decision[] = [];
    for (const d of decisions) {
      const current = input.groups.find((g) => g.name === d.group)!.replicas;
      if (!changesSomething(d, current)) {
        finalDecisions.push(d);
        continue;
      }
      const { accepted, rejected } = await this.#drainAll(gcs, d, signals);
      // A rejected drain means the node just got work: it stays, and so does its replica.
      const replicas = d.direction === 'down' ? Math.min(current, d.replicas + rejected.length) : d.replicas;
      if (replicas === current && accepted.length === 0) {
        finalDecisions.push({ kind: 'none', group: d.group, replicas: current, reason: d.reason });
        this.#d.log.info('autoscaler: every drain was rejected, nothing to do', {
          cluster: key,
          group: d.group,
        });
        continue;
      }
      changes.push({ group: d.group, replicas, addWorkersToDelete: accepted, atMs: nowMs });
      explained.push({ d, from: current, to: replicas, wtd: accepted });
      finalDecisions.push({ ...d, replicas, workersToDelete: accepted });
    }
    // Nodes we drained whose pods a lost patch race left behind: they will never take work again.
    for (const [group, names] of strandedDrainingPods(rc, views, signals)) {
      if (changes.some((c) => c.group === group)) continue; // next sync
      const g = input.groups.find((x) => x.name === group);
      if (!g) continue;
      const replicas = Math.max(g.minReplicas, g.replicas - names.length);
      changes.push({ group, replicas, addWorkersToDelete: names, atMs: nowMs });
      explained.push({
        d: {
          kind: 'scale',
          group,
          replicas,
          direction: replicas < g.replicas ? 'down' : 'same',
          workersToDelete: names,
          reason: {
            rule: 'surplus-workers',
            message: `Ray nodes of ${names.join(', ')} are draining (an earlier drain) and will take no work`,
            inputs: { draining: names.length },
          },
        },
        from: g.replicas,
        to: replicas,
        wtd: names,
      });
    }

    if (changes.length) {
      const ok = await this.#patch(rc, changes);
      if (!ok) {
        return {
          kind: 'decided',
          decisions: finalDecisions,
          applied: [],
          why: 'the patch lost a race; next sync decides again',
        };
      }
      const mem = { ...(this.#lastScale.get(key) ?? {}) };
      for (const c of changes) {
        mem[c.group] = c.atMs;
        lastScale[c.group] = c.atMs;
      }
      this.#lastScale.set(key, mem);
      for (const e of explained) {
        this.#d.events.normal(
          rc as KubeObject,
          eventReason(e.from, e.to),
          eventMessage(e.d.group, e.from, e.to, e.wtd, e.d.reason),
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

    const next = decidedStatus(rc.status?.autoscaler, finalDecisions, lastScale, nowMs);
    const nInfeasible = infeasible.bundles.reduce((n, b) => n + b.count, 0) + infeasible.gangs.length;
    if (nInfeasible > 0) {
      const shapes = [
        ...infeasible.bundles.map((b) => b.resources),
        ...infeasible.gangs.flatMap((g) => g.bundles),
      ];
      next.message =
        `${nInfeasible} pending demand item(s) fit no worker group's node shape and stay pending: ` +
        JSON.stringify(shapes.slice(0, 5));
    }
    await this.#writeStatus(rc, next);
    return { kind: 'decided', decisions: finalDecisions, applied: changes };
  }

  async #drainAll(
    gcs: GcsClient,
    d: Extract<Decision, { kind: 'scale' }>,
    signals: ClusterSignals,
  ): Promise<{ accepted: string[]; rejected: string[] }> {
    const accepted: string[] = [];
    const rejected: string[] = [];
    for (const pod of d.workersToDelete) {
      const node = signals.nodes.find((n) => n.podName === pod && n.alive && !n.isHead);
      if (!node) {
        accepted.push(pod); // no Ray node yet (launching): nothing to drain
        continue;
      }
      if (node.status === 'DRAINING') {
        accepted.push(pod);
        continue;
      }
      try {
        const r: DrainResult = await gcs.drainNode({
          nodeId: node.nodeId,
          reason: 'IDLE_TERMINATION',
          message: `Kuray native autoscaler: ${d.reason.rule}`,
        });
        if (r.accepted) accepted.push(pod);
        else {
          rejected.push(pod);
          this.#d.log.info('drain rejected: the node is busy, it stays', { pod, reason: r.rejectionReason });
        }
      } catch (err) {
        // Unknown outcome: keep the pod (never delete a node we could not drain).
        rejected.push(pod);
        this.#d.log.warn('drain failed: the pod stays', { pod, error: errText(err) });
      }
    }
    return { accepted, rejected };
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

  async #writeStatus(rc: RayCluster, next: AutoscalerStatus): Promise<void> {
    // The RayCluster controller writes the status first; until it has, there is nothing to add to.
    if (!rc.status) return;
    if (!autoscalerStatusChanged(rc.status.autoscaler, next)) return;
    try {
      await this.#d.client.patchStatus(
        RayClusters,
        rc.metadata!.namespace,
        rc.metadata!.name!,
        [{ op: 'add', path: '/status/autoscaler', value: next }],
        'json',
      );
    } catch (err) {
      if (isNotFound(err)) return;
      this.#d.log.warn('autoscaler status write failed', { cluster: keyOf(rc), error: errText(err) });
    }
  }
}
