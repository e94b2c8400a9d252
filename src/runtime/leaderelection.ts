// Lease-based leader election with client-go semantics (tools/leaderelection):
// - a candidate acquires the Lease when it is unheld, released (holderIdentity ""), or not renewed
//   for leaseDuration as measured on OUR clock since we last saw the record change (no clock-skew
//   trust in renewTime);
// - the leader renews every retryPeriod; if it cannot renew within renewDeadline it stops leading;
// - on shutdown the leader releases the Lease so a standby takes over at once.
// The lease client should have its own rate limiter (kueue#15537: shared limits lose leases).
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import { isAborted, sleep } from './clock.ts';
import { isAlreadyExists, isConflict, isNotFound } from './errors.ts';
import { nopLogger, type Logger } from './log.ts';
import { defaultRegistry, gauge, counter } from './metrics.ts';
import { Leases, type KubeObject } from './resources.ts';
import type { KubeClient } from './transport.ts';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  /** Lease name; KubeRay uses "ray-operator-leader". */
  name: string;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Called when we become leader; the signal aborts when leadership is lost or we stop. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  onStoppedLeading?: () => void;
  onNewLeader?: (identity: string) => void;
  logger?: Logger;
  registry?: Registry;
}

/** RFC 3339 with 6 fractional digits: the API server rejects Lease times with milliseconds (client-node#828). */
export function microTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function defaultIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

export class LeaderElector {
  readonly identity: string;
  readonly #o: LeaderElectionOptions;
  readonly #leaseMs: number;
  readonly #renewMs: number;
  readonly #retryMs: number;
  readonly #log: Logger;
  #leading = false;
  #observedSpec = '';
  #observedTime = 0;
  #observed: Lease | undefined;
  #lastLeader = '';
  readonly #m;

  constructor(opts: LeaderElectionOptions) {
    this.#o = opts;
    this.identity = opts.identity ?? defaultIdentity();
    this.#leaseMs = opts.leaseDurationMs ?? 15_000;
    this.#renewMs = opts.renewDeadlineMs ?? 10_000;
    this.#retryMs = opts.retryPeriodMs ?? 2_000;
    if (!(this.#leaseMs > this.#renewMs && this.#renewMs > this.#retryMs)) {
      throw new Error('leader election needs leaseDuration > renewDeadline > retryPeriod');
    }
    this.#log = (opts.logger ?? nopLogger).child({
      lease: `${opts.namespace}/${opts.name}`,
      identity: this.identity,
    });
    const reg = opts.registry ?? defaultRegistry;
    this.#m = {
      master: gauge(
        reg,
        'leader_election_master_status',
        'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.',
        ['name'],
      ),
      slowpath: counter(
        reg,
        'leader_election_slowpath_total',
        'Total number of slow path exercised in renewing leader leases.',
        ['name'],
      ),
    };
    this.#m.master.set({ name: opts.name }, 0);
  }

  isLeader(): boolean {
    return this.#leading;
  }

  /** The holder we last observed ('' if none). */
  get leader(): string {
    return this.#lastLeader;
  }

  /**
   * Campaigns until leading, leads until the lease is lost or the signal aborts, then returns.
   * Like client-go's Run: after losing leadership it does not campaign again (the caller exits).
   */
  async run(signal: AbortSignal): Promise<void> {
    // Acquire.
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew()) break;
      await sleep(this.#retryMs * (1 + Math.random() * 1.2), signal); // client-go JitterFactor 1.2
    }
    if (isAborted(signal)) return;
    this.#setLeading(true);
    const leading = new AbortController();
    const onAbort = (): void => {
      leading.abort();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const cb = Promise.resolve()
      .then(() => this.#o.onStartedLeading(leading.signal))
      .catch((e: unknown) => {
        this.#log.error('onStartedLeading failed', { err: e });
      });
    // Renew.
    let lastRenew = Date.now();
    while (!signal.aborted) {
      await sleep(this.#retryMs, signal);
      if (isAborted(signal)) break;
      let ok: boolean;
      try {
        ok = await this.#tryAcquireOrRenew();
      } catch {
        ok = false;
      }
      if (ok) {
        lastRenew = Date.now();
      } else if (Date.now() - lastRenew >= this.#renewMs) {
        this.#log.warn('failed to renew lease within the renew deadline: leadership lost');
        break;
      }
    }
    signal.removeEventListener('abort', onAbort);
    leading.abort();
    const wasStopped = isAborted(signal);
    this.#setLeading(false);
    await cb;
    if (wasStopped) await this.#release();
    this.#o.onStoppedLeading?.();
  }

  #setLeading(v: boolean): void {
    this.#leading = v;
    this.#m.master.set({ name: this.#o.name }, v ? 1 : 0);
    this.#log.info(v ? 'became leader' : 'stopped leading');
  }

  #observe(lease: Lease): void {
    const s = JSON.stringify(lease.spec ?? {});
    if (s !== this.#observedSpec) {
      this.#observedSpec = s;
      this.#observedTime = Date.now();
    }
    this.#observed = lease;
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== this.#lastLeader) {
      this.#lastLeader = holder;
      if (holder) {
        this.#log.info('new leader observed', { leader: holder });
        this.#o.onNewLeader?.(holder);
      }
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name } = this.#o;
    const now = new Date();
    const desired: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.#leaseMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    let lease: Lease;
    try {
      lease = await client.get<Lease>(Leases, namespace, name);
    } catch (e) {
      if (!isNotFound(e)) {
        this.#log.warn('error retrieving lease', { err: e });
        return false;
      }
      try {
        const created = await client.create<Lease>(Leases, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: desired,
        });
        this.#observe(created);
        return true;
      } catch (e2) {
        if (!isAlreadyExists(e2)) this.#log.warn('error creating lease', { err: e2 });
        return false;
      }
    }
    this.#observe(lease);
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const valid = holder !== '' && this.#observedTime + (spec.leaseDurationSeconds ?? 0) * 1000 > Date.now();
    if (valid && holder !== this.identity) return false;
    if (holder === this.identity) {
      desired.acquireTime = spec.acquireTime;
      desired.leaseTransitions = spec.leaseTransitions ?? 0;
    } else {
      desired.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
    }
    try {
      const updated = await client.update<Lease>(Leases, { ...lease, spec: desired });
      this.#observe(updated);
      return true;
    } catch (e) {
      if (!isConflict(e)) this.#log.warn('error updating lease', { err: e });
      return false;
    }
  }

  /** Gives the lease up (holder "", duration 1 s) so a standby acquires it without waiting. */
  async #release(): Promise<void> {
    const lease = this.#observed;
    if (!lease || lease.spec?.holderIdentity !== this.identity) return;
    try {
      const now = microTime();
      const cur = await this.#o.client.get<Lease>(Leases, this.#o.namespace, this.#o.name);
      if (cur.spec?.holderIdentity !== this.identity) return;
      await this.#o.client.update<Lease>(Leases, {
        ...cur,
        spec: {
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: cur.spec.leaseTransitions ?? 0,
        },
      });
      this.#log.info('released lease');
    } catch (e) {
      this.#log.warn('failed to release lease', { err: e });
    }
  }
}
