// Signal readers of the native autoscaler: what Ray (GCS, metrics) says about the cluster.
export {
  readClusterSignals,
  scrapeNodeMetrics,
  type ClusterSignals,
  type MetricsTarget,
  type ReadSignalsOptions,
} from './read.ts';
export {
  signalsFromGcsState,
  demandFromGcs,
  type RayNodeSignal,
  type DemandSignal,
  type GcsSignals,
} from './gcsSignals.ts';
export { nodeMetricsFromSamples, type NodeMetrics, type LogicalResource } from './nodeMetrics.ts';
export { parsePrometheusText, select, type Sample, type Exposition } from './prometheus.ts';
export { workerStatesFor, metricsTargetsFor, type PodView } from './workers.ts';
