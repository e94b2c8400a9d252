// The per-ready-pod control-plane table (pure): for each subject, what its scenario cost the API
// server and the scheduler, divided by the pods it brought up.
import { perPod, type PerPod } from './cpmetrics.ts';
import { fmt, formatTable, runName, type RunResult } from './report.ts';

/** The pods a scenario brought up: burst → pods Running, scale → workers, steady → one head per cluster. */
export function readyPods(r: RunResult): number {
  if (r.burst) return r.burst.runningPods;
  if (r.scale) return r.scale.workers;
  if (r.steady) return r.steady.clusters;
  return 0;
}

export function perPodOf(r: RunResult): PerPod | undefined {
  return r.controlPlane ? perPod(r.controlPlane, readyPods(r)) : undefined;
}

export function cpTable(results: readonly RunResult[]): string {
  const rows = results
    .filter((r) => r.controlPlane)
    .map((r) => {
      const p = perPodOf(r)!;
      const peak = r.controlPlane!.schedulerPendingPeak;
      return [
        `${r.scenario}/${runName(r, results)}`,
        fmt(p.pods, 0),
        fmt(p.requests),
        fmt(p.writes),
        fmt(p.podCreates),
        fmt(p.podStatus),
        fmt(p.clusterStatus),
        fmt(p.services),
        fmt(p.events),
        fmt(p.watchEvents),
        fmt(p.watchKiB),
        fmt(p.apiserverMs),
        fmt(p.schedAttempts),
        fmt(p.schedUnschedulable),
        `${fmt(peak.active ?? 0, 0)}/${fmt(peak.backoff ?? 0, 0)}/${fmt(peak.unschedulable ?? 0, 0)}`,
        r.proxy ? fmt(r.proxy.connections, 0) : '—',
      ];
    });
  return formatTable(
    [
      'control plane per ready pod',
      'pods',
      'API req',
      'writes',
      'POST pods',
      'pods/status',
      'RC status',
      'svc writes',
      'Event writes',
      'watch events',
      'watch KiB',
      'apiserver ms',
      'sched attempts',
      'unschedulable',
      'pending peak act/backoff/unsched',
      'proxy connections',
    ],
    rows,
  );
}
