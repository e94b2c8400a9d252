// One prom-client registry for the operator, and get-or-create helpers so several components
// (two work queues, two REST clients) share one metric family without "already registered" errors.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The process-wide registry the manager serves on /metrics unless given another. */
export const defaultRegistry = new Registry();

export function newRegistry(): Registry {
  return new Registry();
}

function existing(reg: Registry, name: string): unknown {
  return reg.getSingleMetric(name);
}

export function counter<L extends string>(
  reg: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  const m = existing(reg, name);
  if (m instanceof Counter) return m as Counter<L>;
  return new Counter<L>({ name, help, labelNames, registers: [reg] });
}

export function gauge<L extends string>(
  reg: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Gauge<L> {
  const m = existing(reg, name);
  if (m instanceof Gauge) return m as Gauge<L>;
  return new Gauge<L>({ name, help, labelNames, registers: [reg] });
}

export function histogram<L extends string>(
  reg: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[],
): Histogram<L> {
  const m = existing(reg, name);
  if (m instanceof Histogram) return m as Histogram<L>;
  return new Histogram<L>({ name, help, labelNames, buckets, registers: [reg] });
}

/** Buckets 10^-8 … 10^1 ×10, as client-go/controller-runtime use for work queue latencies. */
export const workqueueBuckets = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];
/** controller-runtime reconcile_time_seconds buckets (0.005 … 60 s). */
export const reconcileBuckets = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
/** client-go rest_client_request_duration_seconds buckets. */
export const requestBuckets = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

/**
 * Kuray's connection gauges, read at scrape time: how many connections the operator holds to the API
 * server and how many streams (open watches included) they carry. With HTTP/2 the first stays a few
 * however many namespaces are watched.
 */
export function connectionGauges(
  reg: Registry,
  read: () => { protocol: string; connections: number; streams: number },
): void {
  if (reg.getSingleMetric('kuray_rest_client_connections')) return;
  new Gauge({
    name: 'kuray_rest_client_connections',
    help: 'Open connections to the API server, by protocol (h2 or http/1.1).',
    labelNames: ['protocol'],
    registers: [reg],
    collect() {
      const c = read();
      this.reset();
      this.set({ protocol: c.protocol }, c.connections);
    },
  });
  new Gauge({
    name: 'kuray_rest_client_streams',
    help: 'Requests and watches in flight over those connections.',
    registers: [reg],
    collect() {
      this.set(read().streams);
    },
  });
}
