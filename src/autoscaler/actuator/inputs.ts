// Pure glue between a RayCluster, its pods (from the informer cache) and what Ray says: where to
// read Ray (GCS address, metrics targets) and the policy's ClusterInput. No I/O, so every case the
// actuator meets is a unit test.
import type { Pod } from '../../compiler/k8sTypes.ts';
import type { RayCluster } from '../../api/v1/index.ts';
import {
  DEFAULT_GCS_PORT,
  DEFAULT_METRICS_PORT,
  LABEL_GROUP,
  LABEL_NODE_TYPE,
} from '../../compiler/constants.ts';
import type { ClusterInput } from '../policy/decideCluster.ts';
import { nodeShapeOf } from '../policy/nodeShape.ts';
import { policyOptionsFrom } from '../policy/options.ts';
import type { Demand } from '../policy/types.ts';
import type { ClusterSignals, MetricsTarget } from '../signals/read.ts';
import { metricsTargetsFor, workerStatesFor, type PodView } from '../signals/workers.ts';

/** Worker pods as the signal join sees them. */
export function podViewsOf(pods: readonly Pod[]): PodView[] {
  return pods
    .filter((p) => p.metadata?.labels?.[LABEL_NODE_TYPE] === 'worker')
    .map((p) => ({
      name: p.metadata!.name!,
      group: p.metadata!.labels?.[LABEL_GROUP] ?? '',
      deleting: Boolean(p.metadata!.deletionTimestamp),
      ...(p.status?.podIP ? { podIP: p.status.podIP } : {}),
      ...createdAt(p),
    }));
}

function createdAt(p: Pod): { createdAtMs?: number } {
  const t = Date.parse(p.metadata?.creationTimestamp ?? '');
  return Number.isFinite(t) ? { createdAtMs: t } : {};
}

export type HeadEndpoint =
  { ok: true; gcsAddress: string; podName: string; ready: boolean } | { ok: false; why: string };

/**
 * GCS = the running head pod's IP and the GCS port (rayStartParams.port, default 6379). The pod
 * IP, not the head Service: the Service may be headless or not yet have endpoints, and the pod IP
 * is what the Service would route to anyway.
 */
export function headEndpoint(rc: RayCluster, pods: readonly Pod[]): HeadEndpoint {
  const heads = pods.filter(
    (p) => p.metadata?.labels?.[LABEL_NODE_TYPE] === 'head' && !p.metadata.deletionTimestamp,
  );
  const head = heads.find((p) => p.status?.phase === 'Running' && p.status.podIP);
  if (!head) {
    return {
      ok: false,
      why: heads.length ? 'the head pod is not running yet' : 'there is no head pod yet',
    };
  }
  const port = rc.spec.headGroupSpec.rayStartParams?.port ?? String(DEFAULT_GCS_PORT);
  const ip = head.status!.podIP!;
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const ready = head.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  return { ok: true, gcsAddress: `${host}:${port}`, podName: head.metadata!.name!, ready };
}

/** Utilization matters only when a threshold is set and metrics are not switched off. */
export function wantsMetrics(rc: RayCluster): boolean {
  const o = rc.spec.autoscalerOptions;
  if (o?.enableMetrics === false) return false;
  return o?.cpuUtilizationThreshold !== undefined || o?.memoryUtilizationThreshold !== undefined;
}

export function metricsTargets(rc: RayCluster, views: readonly PodView[]): MetricsTarget[] {
  if (!wantsMetrics(rc)) return [];
  return metricsTargetsFor(views, rc.spec.autoscalerOptions?.metricsPort ?? DEFAULT_METRICS_PORT);
}

/**
 * The policy's input for the whole cluster. `lastScaleMs` is per group (from the cluster's
 * annotation). Demand and request_resources() constraints come from GCS.
 */
export function clusterInputFor(
  rc: RayCluster,
  views: readonly PodView[],
  signals: Pick<ClusterSignals, 'nodes' | 'metrics' | 'demand' | 'readAtMs'>,
  lastScaleMs: Readonly<Record<string, number>>,
): ClusterInput {
  const demand: Demand = { bundles: signals.demand.bundles, gangs: signals.demand.gangs };
  const head = signals.nodes.find((n) => n.isHead && n.alive);
  return {
    ...(head ? { headAvailable: head.available, headTotal: head.total } : {}),
    demand,
    ...(signals.demand.constraints.length ? { constraints: signals.demand.constraints } : {}),
    groups: (rc.spec.workerGroupSpecs ?? [])
      // Multi-host replicas (numOfHosts > 1, e.g. TPU slices) are whole units of several pods the
      // policy does not model: those groups keep the replicas the user sets (validation warns).
      .filter((g) => g.suspend !== true && (g.numOfHosts ?? 1) <= 1)
      .map((g) => {
        const min = g.minReplicas;
        const max = g.maxReplicas;
        const last = lastScaleMs[g.groupName];
        return {
          name: g.groupName,
          minReplicas: min,
          maxReplicas: Math.max(min, max),
          replicas: g.replicas ?? min,
          nodeShape: nodeShapeOf(g),
          workers: workerStatesFor(
            g.groupName,
            views,
            signals,
            new Set(g.scaleStrategy?.workersToDelete ?? []),
          ),
          options: policyOptionsFrom(rc.spec.autoscalerOptions, g.idleTimeoutSeconds),
          ...(last !== undefined ? { lastScaleTimeMs: last } : {}),
          nowMs: signals.readAtMs,
        };
      }),
  };
}

/**
 * Pods whose Ray node is DRAINING but that nobody is deleting: a drain we made was accepted and the
 * patch that should have removed the pod then lost a race. Ray will not schedule on such a node
 * again, so it is dead weight: the actuator lists it for deletion.
 */
export function strandedDrainingPods(
  rc: RayCluster,
  views: readonly PodView[],
  signals: Pick<ClusterSignals, 'nodes'>,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const g of rc.spec.workerGroupSpecs ?? []) {
    const listed = new Set(g.scaleStrategy?.workersToDelete ?? []);
    const names = views
      .filter((v) => v.group === g.groupName && !v.deleting && !listed.has(v.name))
      .filter((v) => signals.nodes.some((n) => n.podName === v.name && n.status === 'DRAINING'))
      .map((v) => v.name);
    if (names.length) out.set(g.groupName, names);
  }
  return out;
}
