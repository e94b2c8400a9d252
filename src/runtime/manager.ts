// The manager wires one operator process: REST clients, shared informers, controllers, leader
// election, the /metrics /healthz /readyz server, and graceful shutdown. Informers and probes run on
// every replica (a standby has a warm cache); controllers run only while leading.
import { KubeConfig } from './kubeconfig.ts';
import type { Registry } from 'prom-client';
import { Controller, type ControllerOptions } from './controller.ts';
import { EventRecorder } from './events.ts';
import { HealthChecks, serveHealthAndMetrics, type Serving } from './health.ts';
import { SharedInformerFactory } from './informer.ts';
import { LeaderElector } from './leaderelection.ts';
import { createLogger, type Logger, type LogLevel } from './log.ts';
import { H2Pool } from './h2pool.ts';
import { connectionGauges, defaultRegistry } from './metrics.ts';
import { KubeClient } from './transport.ts';

export interface LeaderElectionConfig {
  enabled: boolean;
  namespace: string;
  /** Default "ray-operator-leader". */
  name?: string;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ManagerOptions {
  /** A KubeConfig, a kubeconfig path, or undefined for the default chain. */
  kubeconfig?: KubeConfig | string;
  qps?: number;
  burst?: number;
  /** "host:port" for /metrics, /healthz, /readyz; "0" disables; default "127.0.0.1:8080". */
  metricsAddress?: string;
  leaderElection?: LeaderElectionConfig;
  /** Graceful shutdown: how long in-flight reconciles may run after a stop, default 30 s. */
  shutdownTimeoutMs?: number;
  /** Install SIGTERM/SIGINT handlers that call stop(). Default true. */
  handleSignals?: boolean;
  logLevel?: LogLevel;
  logger?: Logger;
  registry?: Registry;
  /** Informer stall watchdog and resync (see Informer). */
  stallTimeoutMs?: number;
  resyncMs?: number;
  /** Event reportingController / source.component, default "kuray". */
  component?: string;
}

export class Manager {
  readonly client: KubeClient;
  readonly informers: SharedInformerFactory;
  readonly events: EventRecorder;
  readonly health = new HealthChecks();
  readonly registry: Registry;
  readonly log: Logger;
  readonly #o: ManagerOptions;
  readonly #kc: KubeConfig;
  readonly #controllers: Controller[] = [];
  #elector: LeaderElector | undefined;
  #serving: Serving | undefined;
  readonly #stop = new AbortController();
  readonly #eventsClient: KubeClient;
  readonly #pool: H2Pool | undefined;
  #done: Promise<void> | undefined;
  #controllersRunning = false;
  #signalHandler: (() => void) | undefined;
  #keepAlive: NodeJS.Timeout | undefined;

  constructor(opts: ManagerOptions = {}) {
    this.#o = opts;
    this.log = opts.logger ?? createLogger({ level: opts.logLevel ?? 'info' });
    this.registry = opts.registry ?? defaultRegistry;
    if (opts.kubeconfig instanceof KubeConfig) this.#kc = opts.kubeconfig;
    else {
      this.#kc = new KubeConfig();
      if (opts.kubeconfig) this.#kc.loadFromFile(opts.kubeconfig);
      else this.#kc.loadFromDefault();
    }
    // One set of HTTP/2 connections for the main, Events and Lease clients (client-go's clientsets
    // built from one rest.Config share a transport the same way).
    const server = this.#kc.getCurrentCluster()?.server;
    this.#pool = server?.startsWith('https:') ? new H2Pool(new URL(server)) : undefined;
    const pool = this.#pool ? { pool: this.#pool } : {};
    connectionGauges(this.registry, () => this.connections());
    // --qps/--burst per API resource, as KubeRay's controller-runtime client applies them (transport.ts).
    this.client = new KubeClient(this.#kc, {
      qps: opts.qps,
      burst: opts.burst,
      limitPerResource: true,
      registry: this.registry,
      ...pool,
    });
    this.informers = new SharedInformerFactory({
      client: this.client,
      logger: this.log,
      stallTimeoutMs: opts.stallTimeoutMs,
      resyncMs: opts.resyncMs,
    });
    // Events get their own client and QPS budget, as controller-runtime's recorder provider builds its
    // own clientset: in a burst they would otherwise take a fifth of the budget the pod creates need
    // (bench: both operators are bound by --qps there).
    this.#eventsClient = new KubeClient(this.#kc, {
      qps: opts.qps,
      burst: opts.burst,
      registry: this.registry,
      userAgent: 'kuray-events',
      ...pool,
    });
    this.events = new EventRecorder({
      client: this.#eventsClient,
      component: opts.component,
      logger: this.log,
    });
    this.health.addHealthCheck('ping', () => true);
    this.health.addReadyCheck('informers-synced', () => this.informers.hasSynced());
  }

  /** Creates a controller that this manager starts (when leading) and stops. */
  newController(opts: Omit<ControllerOptions, 'registry' | 'logger'> & { logger?: Logger }): Controller {
    const c = new Controller({ ...opts, registry: this.registry, logger: opts.logger ?? this.log });
    this.#controllers.push(c);
    return c;
  }

  get controllers(): readonly Controller[] {
    return this.#controllers;
  }

  isLeader(): boolean {
    return this.#elector ? this.#elector.isLeader() : this.#controllersRunning;
  }

  get stopSignal(): AbortSignal {
    return this.#stop.signal;
  }

  /** The probe/metrics server's port (after start), e.g. when started with port 0. */
  get port(): number | undefined {
    return this.#serving?.port;
  }

  /**
   * Starts serving, informers, and (after winning the election, if enabled) the controllers.
   * Resolves once started; `done()` resolves when the manager has fully stopped.
   */
  async start(): Promise<void> {
    if (this.#done) throw new Error('manager already started');
    // Runtime timers are unref'd (tests exit cleanly); a started manager keeps the process alive
    // on purpose until stop(), even while a standby only sleeps between lease polls.
    this.#keepAlive = setInterval(() => undefined, 1 << 30);
    if (this.#o.handleSignals ?? true) {
      this.#signalHandler = () => {
        this.log.info('signal received, shutting down');
        void this.stop();
      };
      process.once('SIGTERM', this.#signalHandler);
      process.once('SIGINT', this.#signalHandler);
    }
    const addr = this.#o.metricsAddress ?? '127.0.0.1:8080';
    if (addr !== '0') {
      this.#serving = await serveHealthAndMetrics({
        address: addr,
        health: this.health,
        registry: this.registry,
        beforeScrape: () => {
          for (const c of this.#controllers) c.queue.updateUnfinishedWork();
        },
      });
      this.log.info('serving metrics and probes', { address: `${this.#serving.host}:${this.#serving.port}` });
    }
    this.informers.start();
    const le = this.#o.leaderElection;
    if (le?.enabled) {
      // Its own client: leases must not queue behind controller traffic (kueue#15537).
      const leaseClient = new KubeClient(this.#kc, {
        qps: 5,
        burst: 10,
        registry: this.registry,
        ...(this.#pool ? { pool: this.#pool } : {}),
      });
      this.#elector = new LeaderElector({
        client: leaseClient,
        namespace: le.namespace,
        name: le.name ?? 'ray-operator-leader',
        identity: le.identity,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
        logger: this.log,
        registry: this.registry,
        onStartedLeading: (signal) => this.#runControllers(signal),
        onStoppedLeading: () => {
          // Losing the lease without being asked to stop: exit so a fresh process campaigns
          // (client-go/controller-runtime do the same; running on as a non-leader is unsafe).
          if (!this.#stop.signal.aborted) {
            this.log.error('leadership lost; stopping the manager');
            void this.stop();
          }
        },
      });
      const elector = this.#elector;
      this.#done = elector.run(this.#stop.signal).finally(() => {
        leaseClient.close();
      });
    } else {
      this.#done = this.#runControllers(this.#stop.signal);
    }
  }

  async #runControllers(signal: AbortSignal): Promise<void> {
    const synced = await this.informers.waitForSync(signal);
    if (!synced || signal.aborted) return;
    this.#controllersRunning = true;
    for (const c of this.#controllers) c.start();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else
        signal.addEventListener(
          'abort',
          () => {
            resolve();
          },
          { once: true },
        );
    });
    // Stop taking work and drain with a deadline BEFORE the elector releases the lease.
    await Promise.all(this.#controllers.map((c) => c.stop(this.#o.shutdownTimeoutMs ?? 30_000)));
    this.#controllersRunning = false;
  }

  /** Connections to the API server of all this manager's clients, and the streams (watches, calls) over them. */
  connections(): {
    protocol: 'h2' | 'http/1.1';
    connections: number;
    streams: number;
    /** What the server allows per HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS). */
    maxStreamsPerConnection?: number;
  } {
    if (this.#pool) {
      const max = this.#pool.maxStreamsPerConnection;
      return {
        protocol: 'h2',
        connections: this.#pool.connections,
        streams: this.#pool.streams,
        ...(max !== undefined ? { maxStreamsPerConnection: max } : {}),
      };
    }
    const a = this.client.connections();
    const b = this.#eventsClient.connections();
    return {
      protocol: a.protocol,
      connections: a.connections + b.connections,
      streams: a.streams + b.streams,
    };
  }

  /** Resolves when the manager has stopped (after stop() or lost leadership). */
  async done(): Promise<void> {
    await this.#done;
  }

  /** Graceful stop: controllers drain (deadline), the lease is released, informers and server stop. */
  async stop(): Promise<void> {
    if (this.#stop.signal.aborted) {
      await this.#finished;
      return;
    }
    this.#stop.abort();
    this.#finished = (async () => {
      await this.#done;
      await this.events.flush();
      this.#eventsClient.close();
      await this.informers.stop();
      await this.#serving?.close();
      this.client.close();
      this.#pool?.close();
      clearInterval(this.#keepAlive);
      if (this.#signalHandler) {
        process.off('SIGTERM', this.#signalHandler);
        process.off('SIGINT', this.#signalHandler);
      }
      this.log.info('manager stopped');
    })();
    await this.#finished;
  }

  #finished: Promise<void> = Promise.resolve();
}
