// Watches one namespace's Pods and RayClusters and timestamps what the benchmark measures, the way
// clusterloader2's PodStartupLatency does: a pod's "created" is when the watch first shows it, its
// "running" the first event with phase Running; a RayCluster's "ready" the first event with
// status.state == ready. Timestamps are this process's clock (ms), so they compare with the time a
// scenario issued its own requests.
import { setTimeout as sleep } from 'node:timers/promises';
import { Pods, RayClusters, type KubeObject, type WatchEvent } from '../src/runtime/resources.ts';
import type { KubeClient } from '../src/runtime/transport.ts';

export interface PodTimes {
  name: string;
  cluster?: string;
  nodeType?: string;
  seenAt: number;
  /** First event with spec.nodeName: splits a pod's start into the scheduler's part and KWOK's. */
  scheduledAt?: number;
  runningAt?: number;
  /** First event with metadata.deletionTimestamp: the DELETE reached the API server (KWOK then removes it). */
  terminatingAt?: number;
  goneAt?: number;
}

export interface ClusterTimes {
  name: string;
  seenAt: number;
  readyAt?: number;
}

interface PodLike extends KubeObject {
  spec?: { nodeName?: string };
  status?: { phase?: string };
}
interface ClusterLike extends KubeObject {
  status?: { state?: string };
}

export class Tracker {
  readonly pods = new Map<string, PodTimes>();
  readonly clusters = new Map<string, ClusterTimes>();
  readonly #abort = new AbortController();
  readonly #loops: Promise<void>[] = [];
  readonly #client: KubeClient;
  readonly #namespace: string;
  #errors = 0;

  constructor(client: KubeClient, namespace: string) {
    this.#client = client;
    this.#namespace = namespace;
  }

  /**
   * Starts both watches. A watch gives no sign that it is connected until its first event, so this
   * waits a second: the namespace is new and empty, and anything created before the stream opens
   * would still arrive (as ADDED), only with a late timestamp.
   */
  async start(): Promise<void> {
    for (const kind of ['pods', 'clusters'] as const) this.#loops.push(this.#run(kind));
    await sleep(1000);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled(this.#loops);
  }

  get watchErrors(): number {
    return this.#errors;
  }

  /** Pods that exist (seen, not deleted) and are Running; optionally only of one cluster / type. */
  count(filter: (p: PodTimes) => boolean = () => true): { existing: number; running: number } {
    let existing = 0;
    let running = 0;
    for (const p of this.pods.values()) {
      if (p.goneAt !== undefined || !filter(p)) continue;
      existing++;
      if (p.runningAt !== undefined) running++;
    }
    return { existing, running };
  }

  readyClusters(): number {
    let n = 0;
    for (const c of this.clusters.values()) if (c.readyAt !== undefined) n++;
    return n;
  }

  async #run(kind: 'pods' | 'clusters'): Promise<void> {
    let rv: string | undefined;
    const signal = this.#abort.signal;
    // Bounded: the loop ends with stop(); each watch is at most 5 min server-side.
    while (!signal.aborted) {
      try {
        const stream = this.#client.watch<KubeObject>(kind === 'pods' ? Pods : RayClusters, this.#namespace, {
          signal,
          timeoutSeconds: 300,
          ...(rv ? { resourceVersion: rv } : {}),
        });
        for await (const ev of stream) {
          if (ev.type === 'ERROR') {
            rv = undefined; // 410 Gone: start over from "now"; the namespace's objects come again as ADDED
            break;
          }
          rv = ev.object.metadata.resourceVersion ?? rv;
          if (ev.type === 'BOOKMARK') continue;
          if (kind === 'pods') this.#onPod(ev);
          else this.#onCluster(ev);
        }
      } catch {
        if (signal.aborted) return;
        this.#errors++;
        await sleep(200);
      }
    }
  }

  #onPod(ev: WatchEvent<PodLike>): void {
    const now = Date.now();
    const m = ev.object.metadata;
    const name = m.name ?? '';
    let p = this.pods.get(name);
    if (!p || (p.goneAt !== undefined && ev.type === 'ADDED')) {
      p = {
        name,
        seenAt: now,
        ...(m.labels?.['ray.io/cluster'] ? { cluster: m.labels['ray.io/cluster'] } : {}),
        ...(m.labels?.['ray.io/node-type'] ? { nodeType: m.labels['ray.io/node-type'] } : {}),
      };
      this.pods.set(name, p);
    }
    if (ev.type === 'DELETED') {
      p.terminatingAt ??= now;
      p.goneAt ??= now;
      return;
    }
    if (m.deletionTimestamp) p.terminatingAt ??= now;
    if (p.scheduledAt === undefined && ev.object.spec?.nodeName) p.scheduledAt = now;
    if (p.runningAt === undefined && ev.object.status?.phase === 'Running') p.runningAt = now;
  }

  #onCluster(ev: WatchEvent<ClusterLike>): void {
    const now = Date.now();
    const name = ev.object.metadata.name ?? '';
    let c = this.clusters.get(name);
    if (!c) {
      c = { name, seenAt: now };
      this.clusters.set(name, c);
    }
    if (ev.type !== 'DELETED' && c.readyAt === undefined && ev.object.status?.state === 'ready')
      c.readyAt = now;
  }
}

/** Polls `check` every 100 ms until it is true or `timeoutMs` passes; returns whether it became true. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(100);
  }
  return check();
}
