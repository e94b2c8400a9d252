// The RayService status as pure functions of what one reconcile observed (KubeRay v1.7.0
// calculateStatus, calculateConditions, handleSuspend, markFailedOnInitializingTimeout). The
// reconciler writes the result only when it differs from the stored status.
import type { Condition, RayCluster, RayService, RayServiceStatus } from '../../api/v1/index.ts';
import {
  conditionTrue,
  removeCondition,
  setCondition,
  type ConditionInput,
} from '../raycluster/conditions.ts';
import {
  ANNOTATION_INITIALIZING_TIMEOUT,
  COND_READY,
  COND_ROLLBACK_IN_PROGRESS,
  COND_SERVE_CONFIG_APPLIED,
  COND_SUSPENDED,
  COND_SUSPENDING,
  COND_UPGRADE_IN_PROGRESS,
  EVENT,
  REASON,
  SERVE_REASON,
} from './constants.ts';
import { canonicalJson } from './hash.ts';
import { isIncremental, shouldPrepareNewCluster } from './upgrade.ts';
import { parseGoDurationMs } from '../../util/goDuration.ts';

type ClusterStatus = NonNullable<RayServiceStatus['activeServiceStatus']>;
/** One application's status as the RayService stores it. */
export type AppStatus = NonNullable<ClusterStatus['applicationStatuses']>[string];

/** What the reconcile saw of Serve on one cluster (see serve.ts). */
export interface ServeView {
  /** Every application of the current config is RUNNING (and the reading is newer than the last PUT). */
  ready: boolean;
  /** The latest application statuses read from the dashboard (absent before the first answer). */
  apps?: Record<string, AppStatus>;
  /** Why the current config is not running there: the ServeConfigApplied condition's reason/message. */
  issue?: { reason: string; message: string };
}

export interface EventNote {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface StatusInput {
  rs: RayService;
  now: Date;
  active?: RayCluster | undefined;
  pending?: RayCluster | undefined;
  activeServe?: ServeView | undefined;
  pendingServe?: ServeView | undefined;
  /** The cluster the head and serve Services point at, when they were reconciled in this pass. */
  servingCluster?: string | undefined;
  numServeEndpoints: number;
  /** A fresh cluster name (`<rs>-<5 random>`), used when a new pending cluster is due. */
  newClusterName: () => string;
  zeroDowntimeDefault?: boolean;
}

export interface StatusOutput {
  status: RayServiceStatus;
  events: EventNote[];
}

function set(s: RayServiceStatus, c: ConditionInput, now: Date): void {
  s.conditions = setCondition(s.conditions ?? [], c, now.toISOString(), s.observedGeneration);
}

function find(list: readonly Condition[] | undefined, type: string): Condition | undefined {
  return list?.find((c) => c.type === type);
}

/** Go's time.ParseDuration ("1h30m", "90s", "500ms") or a whole number of seconds, in ms. */
export function parseTimeoutMs(v: string | undefined): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  return parseGoDurationMs(v);
}

/** Ready=False/InitializingTimeout: terminal; only clean-up runs until the RayService is recreated. */
export function isInitializingTimeout(status: RayServiceStatus | undefined): boolean {
  const c = find(status?.conditions, COND_READY);
  return c?.status === 'False' && c.reason === REASON.initializingTimeout;
}

function clusterStatusOf(rc: RayCluster | undefined): ClusterStatus['rayClusterStatus'] {
  return rc?.status ? structuredClone(rc.status) : {};
}

/** The whole status after one reconcile: promotion, a new pending cluster when due, endpoints, conditions. */
export function computeStatus(input: StatusInput): StatusOutput {
  const { rs, now } = input;
  const events: EventNote[] = [];
  const s: RayServiceStatus = structuredClone(rs.status ?? {});
  s.observedGeneration = rs.metadata?.generation ?? 0;
  s.activeServiceStatus = { ...s.activeServiceStatus, rayClusterStatus: clusterStatusOf(input.active) };
  s.pendingServiceStatus = { ...s.pendingServiceStatus, rayClusterStatus: clusterStatusOf(input.pending) };
  setApps(s.activeServiceStatus, input.activeServe?.apps);
  setApps(s.pendingServiceStatus, input.pendingServe?.apps);

  // Blue/green promotion: the Services switched to the pending cluster, so it is the active one now.
  let pendingServing = false;
  const serving = input.servingCluster;
  if (serving !== undefined) {
    const pendingName = s.pendingServiceStatus.rayClusterName ?? '';
    const activeName = s.activeServiceStatus.rayClusterName ?? '';
    if (serving !== activeName && serving === pendingName && pendingName !== '') {
      s.activeServiceStatus = s.pendingServiceStatus;
      s.pendingServiceStatus = {};
    }
    pendingServing = serving === pendingName && pendingName !== '';
  }

  if (shouldPrepareNewCluster(rs, input.active, input.pending, pendingServing, input.zeroDowntimeDefault)) {
    s.pendingServiceStatus = { rayClusterName: input.newClusterName() };
    if (isIncremental(rs)) {
      // The first cluster takes all of Serve's capacity; an upgrade's pending cluster starts empty.
      s.pendingServiceStatus.targetCapacity = s.activeServiceStatus.rayClusterName ? 0 : 100;
    }
  }

  s.numServeEndpoints = input.numServeEndpoints;
  calculateConditions(s, rs, now, events);
  setServeCondition(s, rs, input, now);
  s.serviceStatus = conditionTrue(s.conditions, COND_READY) ? 'Running' : '';
  events.push(...appFailureEvents(rs.status, s));
  return { status: s, events };
}

function setApps(target: ClusterStatus, apps: Record<string, AppStatus> | undefined): void {
  if (apps === undefined) return; // keep the last known statuses until the dashboard answers again
  if (Object.keys(apps).length === 0) delete target.applicationStatuses;
  else target.applicationStatuses = apps;
}

function calculateConditions(s: RayServiceStatus, rs: RayService, now: Date, events: EventNote[]): void {
  if (!s.conditions?.length) {
    const message = 'RayService is initializing';
    set(s, { type: COND_READY, status: 'False', reason: REASON.initializing, message }, now);
    set(s, { type: COND_UPGRADE_IN_PROGRESS, status: 'False', reason: REASON.initializing, message }, now);
  }
  if ((s.numServeEndpoints ?? 0) > 0) {
    set(
      s,
      {
        type: COND_READY,
        status: 'True',
        reason: REASON.nonZeroServeEndpoints,
        message: 'Number of serve endpoints is greater than 0',
      },
      now,
    );
  } else if (conditionTrue(s.conditions, COND_READY)) {
    set(
      s,
      {
        type: COND_READY,
        status: 'False',
        reason: REASON.zeroServeEndpoints,
        message: 'Number of serve endpoints dropped to 0',
      },
      now,
    );
  } else {
    markInitializingTimeout(s, rs, now, events);
  }

  const active = s.activeServiceStatus?.rayClusterName ?? '';
  const pending = s.pendingServiceStatus?.rayClusterName ?? '';
  if (active && pending) {
    set(
      s,
      {
        type: COND_UPGRADE_IN_PROGRESS,
        status: 'True',
        reason: REASON.bothClustersExist,
        message: 'Both active and pending Ray clusters exist',
      },
      now,
    );
  } else if (active) {
    set(
      s,
      {
        type: COND_UPGRADE_IN_PROGRESS,
        status: 'False',
        reason: REASON.noPendingCluster,
        message: 'Active Ray cluster exists and no pending Ray cluster',
      },
      now,
    );
  } else {
    const c = find(s.conditions, COND_UPGRADE_IN_PROGRESS);
    if (!c || (c.reason !== REASON.initializing && c.reason !== REASON.initializingTimeout)) {
      set(
        s,
        {
          type: COND_UPGRADE_IN_PROGRESS,
          status: 'Unknown',
          reason: REASON.noActiveCluster,
          message: 'No active Ray cluster exists, and the RayService is not initializing',
        },
        now,
      );
    }
  }
}

function markInitializingTimeout(s: RayServiceStatus, rs: RayService, now: Date, events: EventNote[]): void {
  const timeout = parseTimeoutMs(rs.metadata?.annotations?.[ANNOTATION_INITIALIZING_TIMEOUT]);
  if (timeout === undefined) return;
  const ready = find(s.conditions, COND_READY);
  if (ready?.status !== 'False' || ready.reason !== REASON.initializing) return;
  const spent = now.getTime() - Date.parse(ready.lastTransitionTime);
  if (spent < timeout) return;
  // Terminal: the clusters go (cleared names make them dangling) and the RayService must be recreated.
  if (s.activeServiceStatus) s.activeServiceStatus.rayClusterName = '';
  if (s.pendingServiceStatus) s.pendingServiceStatus.rayClusterName = '';
  const took = `${Math.round(spent / 1000)}s`;
  const limit = `${Math.round(timeout / 1000)}s`;
  set(
    s,
    {
      type: COND_READY,
      status: 'False',
      reason: REASON.initializingTimeout,
      message:
        `RayService failed to become ready within the configured timeout of ${limit} ` +
        `(ray.io/initializing-timeout). Time spent initializing: ${took}. Delete and recreate the RayService.`,
    },
    now,
  );
  events.push({
    type: 'Warning',
    reason: EVENT.initializingTimeout,
    message: `RayService initializing timeout exceeded after ${took} (configured timeout: ${limit})`,
  });
}

/** ServeConfigApplied, about the cluster the current config is meant for (pending during an upgrade). */
function setServeCondition(s: RayServiceStatus, rs: RayService, input: StatusInput, now: Date): void {
  const target = input.pending ? input.pendingServe : input.activeServe;
  const cluster = (input.pending ?? input.active)?.metadata?.name;
  let c: ConditionInput;
  if (!rs.spec.serveConfigV2?.trim()) {
    c = {
      type: COND_SERVE_CONFIG_APPLIED,
      status: 'False',
      reason: SERVE_REASON.noConfig,
      message: 'spec.serveConfigV2 is empty: no Serve application is deployed; set it to deploy some',
    };
  } else if (!cluster || !target) {
    c = {
      type: COND_SERVE_CONFIG_APPLIED,
      status: 'False',
      reason: SERVE_REASON.waitingForHead,
      message: 'Waiting for a RayCluster with a ready head pod',
    };
  } else if (target.issue) {
    c = { type: COND_SERVE_CONFIG_APPLIED, status: 'False', ...target.issue };
  } else if (target.ready) {
    c = {
      type: COND_SERVE_CONFIG_APPLIED,
      status: 'True',
      reason: SERVE_REASON.running,
      message: `All Serve applications run on RayCluster ${cluster}`,
    };
  } else {
    c = {
      type: COND_SERVE_CONFIG_APPLIED,
      status: 'False',
      reason: SERVE_REASON.deploying,
      message: `Serve applications are deploying on RayCluster ${cluster}`,
    };
  }
  set(s, c, now);
}

const FAILED = new Set(['DEPLOY_FAILED', 'UNHEALTHY']);

/** One Warning per application that turned DEPLOY_FAILED or UNHEALTHY since the stored status. */
export function appFailureEvents(before: RayServiceStatus | undefined, after: RayServiceStatus): EventNote[] {
  const out: EventNote[] = [];
  for (const side of ['activeServiceStatus', 'pendingServiceStatus'] as const) {
    const cluster = after[side]?.rayClusterName ?? '';
    const old = before?.[side]?.rayClusterName === cluster ? before[side].applicationStatuses : undefined;
    for (const [app, st] of Object.entries(after[side]?.applicationStatuses ?? {})) {
      if (!FAILED.has(st.status ?? '') || old?.[app]?.status === st.status) continue;
      out.push({
        type: 'Warning',
        reason: EVENT.serveAppFailed,
        message: `Serve application ${app} on RayCluster ${cluster} is ${st.status ?? ''}: ${st.message ?? ''}`,
      });
    }
  }
  return out;
}

export type SuspendPhase = 'none' | 'staged' | 'deleting' | 'suspended' | 'resumed';

/**
 * The suspend state machine (spec.suspend):
 *   (running) --suspend--> Suspending --owned objects gone--> Suspended --suspend=false--> (running)
 * Staging Suspending is one status write; the deletion starts on the next reconcile, once Suspending
 * is stored, and then always runs to completion (even if suspend is flipped back meanwhile).
 * Returns the new status and what the reconciler does next.
 */
export function suspendStep(rs: RayService, now: Date): { status: RayServiceStatus; phase: SuspendPhase } {
  const s: RayServiceStatus = structuredClone(rs.status ?? {});
  const suspending = conditionTrue(s.conditions, COND_SUSPENDING);
  const suspended = conditionTrue(s.conditions, COND_SUSPENDED);
  const want = rs.spec.suspend === true;
  const gen = rs.metadata?.generation ?? 0;
  if (suspended) {
    if (want) return { status: s, phase: 'suspended' };
    s.observedGeneration = gen;
    set(
      s,
      {
        type: COND_SUSPENDED,
        status: 'False',
        reason: REASON.resumed,
        message: 'Spec.Suspend is false; RayService has resumed.',
      },
      now,
    );
    // A fresh Initializing (new lastTransitionTime): the initializing timeout counts from the resume.
    s.conditions = removeCondition(s.conditions ?? [], COND_READY);
    s.conditions = removeCondition(s.conditions, COND_UPGRADE_IN_PROGRESS);
    const message = 'RayService is initializing after resuming from suspend.';
    set(s, { type: COND_READY, status: 'False', reason: REASON.initializing, message }, now);
    set(s, { type: COND_UPGRADE_IN_PROGRESS, status: 'False', reason: REASON.initializing, message }, now);
    return { status: s, phase: 'resumed' };
  }
  if (!suspending) {
    if (!want) return { status: s, phase: 'none' };
    s.observedGeneration = gen;
    set(
      s,
      {
        type: COND_SUSPENDING,
        status: 'True',
        reason: REASON.suspendRequested,
        message: 'Spec.Suspend is true; will delete all Kubernetes resources owned by this RayService.',
      },
      now,
    );
    set(
      s,
      {
        type: COND_READY,
        status: 'False',
        reason: REASON.suspendInProgress,
        message: 'RayService is suspending.',
      },
      now,
    );
    set(
      s,
      {
        type: COND_UPGRADE_IN_PROGRESS,
        status: 'False',
        reason: REASON.suspendInProgress,
        message: 'No upgrade in progress.',
      },
      now,
    );
    set(
      s,
      {
        type: COND_ROLLBACK_IN_PROGRESS,
        status: 'False',
        reason: REASON.suspendInProgress,
        message: 'No rollback in progress.',
      },
      now,
    );
    s.activeServiceStatus = {};
    s.pendingServiceStatus = {};
    s.numServeEndpoints = 0;
    s.serviceStatus = '';
    return { status: s, phase: 'staged' };
  }
  return { status: s, phase: 'deleting' };
}

/** Suspending with objects left to delete: say so. */
export function suspendWaiting(s: RayServiceStatus, now: Date): RayServiceStatus {
  const out = structuredClone(s);
  set(
    out,
    {
      type: COND_SUSPENDING,
      status: 'True',
      reason: REASON.suspendInProgress,
      message: 'Waiting for all Kubernetes resources owned by this RayService to be deleted.',
    },
    now,
  );
  return out;
}

/** Every owned object is gone: Suspended. */
export function suspendDone(s: RayServiceStatus, now: Date): RayServiceStatus {
  const out = structuredClone(s);
  const message = 'All owned resources have been deleted.';
  set(out, { type: COND_SUSPENDING, status: 'False', reason: REASON.suspendComplete, message }, now);
  set(out, { type: COND_SUSPENDED, status: 'True', reason: REASON.suspendComplete, message }, now);
  set(
    out,
    {
      type: COND_READY,
      status: 'False',
      reason: REASON.suspendComplete,
      message: 'RayService is suspended.',
    },
    now,
  );
  set(
    out,
    {
      type: COND_UPGRADE_IN_PROGRESS,
      status: 'False',
      reason: REASON.suspendComplete,
      message: 'No upgrade in progress.',
    },
    now,
  );
  set(
    out,
    {
      type: COND_ROLLBACK_IN_PROGRESS,
      status: 'False',
      reason: REASON.suspendComplete,
      message: 'No rollback in progress.',
    },
    now,
  );
  return out;
}

/** Ready=False/ValidationFailed with every error (field path, problem, fix). */
export function validationFailed(rs: RayService, message: string, now: Date): RayServiceStatus {
  const s: RayServiceStatus = structuredClone(rs.status ?? {});
  set(s, { type: COND_READY, status: 'False', reason: REASON.validationFailed, message }, now);
  return s;
}

/** Status equality for "write only on change": lastUpdateTime aside. */
export function statusChanged(a: RayServiceStatus | undefined, b: RayServiceStatus): boolean {
  const strip = (s: RayServiceStatus | undefined) => canonicalJson({ ...s, lastUpdateTime: undefined });
  return strip(a) !== strip(b);
}
