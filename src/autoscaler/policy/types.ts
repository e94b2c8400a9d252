// Inputs and outputs of the native autoscaler's pure policy. The actuator builds these from the
// RayCluster, its pods and the signal readers each sync, calls decide…(), and carries out the
// result by patching `replicas` and `scaleStrategy.workersToDelete` — the same contract Ray's own
// autoscaler uses — and records `reason` in an Event and the status.

export type Resources = Readonly<Record<string, number>>;

export type UpscalingMode = 'Conservative' | 'Default' | 'Aggressive';

export interface PolicyOptions {
  /** Scale up when the group's mean CPU utilization (0..1) exceeds this; undefined = rule off. */
  cpuUtilizationThreshold?: number;
  /** Scale up when the group's mean memory utilization (0..1) exceeds this; undefined = rule off. */
  memoryUtilizationThreshold?: number;
  /** Utilization the group is sized back to when a threshold fires (0..1]. */
  targetUtilizationFraction: number;
  /** No scale-down, and no utilization-driven scale-up, within this many seconds after any scale event. */
  cooldownPeriodSeconds: number;
  /** A worker must have been idle (per Ray) this long before it may be removed. */
  idleTimeoutSeconds: number;
  /** Step size of scale-up, as Ray's upscaling_speed (Conservative = 1, Default = Aggressive = 1000). */
  upscalingMode: UpscalingMode;
  /** Most workers of one group launching (created, not yet a Ray node) at once; Ray's AUTOSCALER_MAX_CONCURRENT_LAUNCHES. */
  maxConcurrentLaunches: number;
  /**
   * A worker pod that has not become a Ray node this long after it was created is given up on:
   * deleted, and no longer counted as capacity (Ray v2's RAY_AUTOSCALER_RECONCILE_ALLOCATE_STATUS_TIMEOUT_S).
   */
  launchTimeoutSeconds: number;
}

/** pending = the pod exists but its Ray node has not registered yet; terminating = being deleted. */
export type WorkerPhase = 'pending' | 'running' | 'terminating';

export interface WorkerState {
  podName: string;
  phase: WorkerPhase;
  /** Pending workers: when the pod was created (ms since epoch), if known. */
  pendingSinceMs?: number;
  /** Ray's logical resources of the node (running workers). */
  total?: Resources;
  available?: Resources;
  /** Hardware utilization 0..1 from the node's metrics; undefined when not measured. */
  cpuUtilization?: number;
  memoryUtilization?: number;
  /** Set only when Ray reports the node idle: when it became idle (ms since epoch). */
  idleSinceMs?: number;
}

export type PlacementStrategy = 'PACK' | 'SPREAD' | 'STRICT_PACK' | 'STRICT_SPREAD';

export interface BundleDemand {
  resources: Resources;
  count: number;
}

export interface GangDemand {
  id: string;
  strategy: PlacementStrategy;
  bundles: readonly Resources[];
}

export interface Demand {
  bundles: readonly BundleDemand[];
  gangs: readonly GangDemand[];
}

export const NO_DEMAND: Demand = { bundles: [], gangs: [] };

export interface GroupInput {
  name: string;
  minReplicas: number;
  maxReplicas: number;
  /** spec.workerGroupSpecs[i].replicas as it is now. */
  replicas: number;
  /** Logical resources one worker of this group offers (what Ray will register). */
  nodeShape: Resources;
  /** The group's pods. */
  workers: readonly WorkerState[];
  /** Pending Ray demand this group should absorb (see decideCluster for how it is assigned). */
  demand: Demand;
  options: PolicyOptions;
  /**
   * Feasible pending demand exists somewhere in the cluster that Ray is about to place on existing
   * free capacity (set by decideCluster). Idle workers are then kept, as Ray keeps nodes that
   * pending demand needs: the free capacity may be exactly theirs.
   */
  clusterHasPendingDemand?: boolean;
  /** Workers a request_resources() floor needs (set by decideCluster): never removed as idle. */
  claimedByRequest?: ReadonlySet<string>;
  /** The last time this group was scaled (either way), ms since epoch. */
  lastScaleTimeMs?: number;
  nowMs: number;
}

export type Rule =
  | 'min-replicas'
  | 'max-replicas'
  | 'surplus-workers'
  | 'launch-timeout'
  | 'pending-demand'
  | 'cpu-utilization'
  | 'memory-utilization'
  | 'idle-timeout'
  | 'resource-request'
  | 'cooldown'
  | 'steady';

export type ReasonInputs = Readonly<Record<string, number | string | boolean | null>>;

export interface Reason {
  rule: Rule;
  message: string;
  inputs: ReasonInputs;
}

export type Decision =
  | { kind: 'none'; group: string; replicas: number; reason: Reason }
  | {
      kind: 'scale';
      group: string;
      /** The new spec replicas, always within [minReplicas, maxReplicas]. */
      replicas: number;
      direction: 'up' | 'down' | 'same';
      /** Pods to delete (idle or not yet running, never busy); goes to scaleStrategy.workersToDelete. */
      workersToDelete: readonly string[];
      reason: Reason;
    };
