// Reads everything the native autoscaler decides from, once per sync:
//   - GCS GetClusterResourceState: Ray nodes (pod name, group, idle since) and pending demand;
//   - each node's metrics export port: hardware CPU/memory utilization.
// A failing metrics scrape does not fail the read (the node simply has no utilization, and the
// utilization rule ignores it); a failing GCS read does, because without it nothing is known.
import type { GcsClient } from '../../ray/gcs/client.ts';
import { httpText, type HttpOptions } from '../../ray/http.ts';
import { signalsFromGcsState, type GcsSignals } from './gcsSignals.ts';
import { nodeMetricsFromSamples, type NodeMetrics } from './nodeMetrics.ts';
import { parsePrometheusText } from './prometheus.ts';

export interface MetricsTarget {
  podName: string;
  /** e.g. "http://10.1.2.3:8080/metrics" (pod IP : metricsPort). */
  url: string;
  /** The node's IP, to pick the right node if an exposition ever carries several. */
  ip?: string;
}

/** Scrapes one node's metrics port and returns that node's utilization (undefined if absent). */
export async function scrapeNodeMetrics(
  target: MetricsTarget,
  opts: HttpOptions = {},
): Promise<NodeMetrics | undefined> {
  const text = await httpText('GET', target.url, undefined, opts, { accept: 'text/plain' });
  const nodes = nodeMetricsFromSamples(parsePrometheusText(text).samples);
  return (target.ip !== undefined ? nodes.find((n) => n.ip === target.ip) : undefined) ?? nodes[0];
}

export type MetricsScraper = (target: MetricsTarget, opts: HttpOptions) => Promise<NodeMetrics | undefined>;

export interface ClusterSignals extends GcsSignals {
  /** Utilization by pod name. */
  metrics: ReadonlyMap<string, NodeMetrics>;
  metricErrors: readonly { podName: string; error: string }[];
}

export interface ReadSignalsOptions {
  gcs: Pick<GcsClient, 'clusterResourceState'>;
  /** Ray auth token, sent to the metrics ports too. */
  token?: string;
  timeoutMs?: number;
  metricsTargets?: readonly MetricsTarget[];
  /** How one node's metrics are read; default scrapeNodeMetrics. */
  scrape?: MetricsScraper;
  now?: () => number;
}

export async function readClusterSignals(opts: ReadSignalsOptions): Promise<ClusterSignals> {
  const now = opts.now ?? Date.now;
  const scrape = opts.scrape ?? scrapeNodeMetrics;
  const http: HttpOptions = { timeoutMs: opts.timeoutMs ?? 5_000, token: opts.token };
  const scrapes = (opts.metricsTargets ?? []).map(async (t) => {
    try {
      return { podName: t.podName, metrics: await scrape(t, http) };
    } catch (err) {
      return { podName: t.podName, error: err instanceof Error ? err.message : String(err) };
    }
  });
  const readAtMs = now();
  const state = await opts.gcs.clusterResourceState();
  const metrics = new Map<string, NodeMetrics>();
  const metricErrors: { podName: string; error: string }[] = [];
  for (const r of await Promise.all(scrapes)) {
    if ('error' in r && r.error !== undefined) metricErrors.push({ podName: r.podName, error: r.error });
    else if ('metrics' in r && r.metrics) metrics.set(r.podName, r.metrics);
    else metricErrors.push({ podName: r.podName, error: 'no ray_node_* metrics in the scrape' });
  }
  return { ...signalsFromGcsState(state, readAtMs), metrics, metricErrors };
}
