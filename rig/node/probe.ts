// Probes as the kubelet runs them (pkg/kubelet/prober): exec in the container's environment, HTTP
// GET and TCP connect against the pod IP, with initialDelay/period/timeout/success/failure
// thresholds. A Prober turns the stream of results into one boolean per probe kind.
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { ContainerSpec, ProbeSpec } from './types.ts';

export interface ProbeTarget {
  podIP: string;
  env: Readonly<Record<string, string>>;
  cwd: string;
  container: ContainerSpec;
}

/** A named port (`port: dashboard`) resolves against the container's ports, as the kubelet does. */
export function probePort(port: number | string, c: ContainerSpec): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const p = c.ports?.find((x) => x.name === port);
  if (!p) throw new Error(`probe: container ${c.name} has no port named ${port}`);
  return p.containerPort;
}

function execProbe(argv: readonly string[], t: ProbeTarget, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (argv.length === 0) {
      resolve(false);
      return;
    }
    const child = spawn(argv[0]!, argv.slice(1), {
      env: t.env,
      cwd: t.cwd,
      stdio: 'ignore',
      detached: true,
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

function httpProbe(
  p: NonNullable<ProbeSpec['httpGet']>,
  t: ProbeTarget,
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const mod = (p.scheme ?? 'HTTP').toUpperCase() === 'HTTPS' ? https : http;
    const req = mod.request(
      {
        host: p.host && p.host !== 'localhost' && p.host !== '127.0.0.1' ? p.host : t.podIP,
        port: probePort(p.port, t.container),
        path: p.path ?? '/',
        method: 'GET',
        timeout: timeoutMs,
        rejectUnauthorized: false,
        headers: { 'User-Agent': 'kube-probe/1.36', Accept: '*/*' },
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      resolve(false);
    });
    req.end();
  });
}

function tcpProbe(port: number, host: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: timeoutMs });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => {
      resolve(false);
    });
  });
}

/** One probe attempt. */
export function runProbe(p: ProbeSpec, t: ProbeTarget): Promise<boolean> {
  const timeoutMs = (p.timeoutSeconds ?? 1) * 1000;
  try {
    if (p.exec) return execProbe(p.exec.command ?? [], t, timeoutMs);
    if (p.httpGet) return httpProbe(p.httpGet, t, timeoutMs);
    if (p.tcpSocket)
      return tcpProbe(probePort(p.tcpSocket.port, t.container), p.tcpSocket.host ?? t.podIP, timeoutMs);
  } catch {
    return Promise.resolve(false);
  }
  return Promise.resolve(true);
}

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

/** Threshold bookkeeping for one probe of one container run (pure; fed with attempt results). */
export class ProbeState {
  readonly kind: ProbeKind;
  readonly spec: ProbeSpec;
  #successes = 0;
  #failures = 0;
  /** Readiness starts false, liveness and startup start "not failed". */
  result: boolean;

  constructor(kind: ProbeKind, spec: ProbeSpec) {
    this.kind = kind;
    this.spec = spec;
    this.result = kind !== 'readiness' && kind !== 'startup';
  }

  /** Records one attempt; returns true when the overall result changed. */
  record(ok: boolean): boolean {
    const before = this.result;
    if (ok) {
      this.#failures = 0;
      this.#successes++;
      if (this.#successes >= (this.spec.successThreshold ?? 1)) this.result = true;
    } else {
      this.#successes = 0;
      this.#failures++;
      if (this.#failures >= (this.spec.failureThreshold ?? 3)) this.result = false;
    }
    return before !== this.result;
  }

  /** Liveness/startup: the container must be killed (failureThreshold consecutive failures). */
  get failed(): boolean {
    return this.kind !== 'readiness' && this.#failures >= (this.spec.failureThreshold ?? 3);
  }

  get periodMs(): number {
    return (this.spec.periodSeconds ?? 10) * 1000;
  }

  get initialDelayMs(): number {
    return (this.spec.initialDelaySeconds ?? 0) * 1000;
  }
}
