// What a finished RayJob (Complete or Failed) deletes, and when (KubeRay's handleDeletionRules,
// handleLegacyDeletionPolicy, handleShutdownAfterJobFinishes). Times count from status.endTime. At
// most one deletion per reconcile: the most destructive overdue rule first, then a requeue for the
// next rule that comes due (plus 2 s, as KubeRay does, so the clock has surely passed it).
import type { RayJob, RayJobStatus } from '../../api/v1/index.ts';
import type { Action, MachineOptions, Observed, Step } from './types.ts';

type Policy = 'DeleteCluster' | 'DeleteWorkers' | 'DeleteSelf' | 'DeleteNone';

const IMPACT: Record<Policy, number> = { DeleteSelf: 4, DeleteCluster: 3, DeleteWorkers: 2, DeleteNone: 1 };
const AFTER_DUE_MS = 2_000;

/** Whether the state a policy asks for has already been reached (idempotency, from the cache). */
export function policyDone(policy: Policy, o: Observed): boolean {
  const c = o.cluster;
  switch (policy) {
    case 'DeleteNone':
      return true;
    case 'DeleteSelf':
      return false;
    case 'DeleteCluster':
      return !c || !!c.metadata?.deletionTimestamp;
    case 'DeleteWorkers':
      return (
        !c ||
        !!c.metadata?.deletionTimestamp ||
        (c.spec.workerGroupSpecs ?? []).every((g) => g.suspend === true)
      );
  }
}

function actionFor(policy: Policy, job: RayJob): Action[] {
  switch (policy) {
    case 'DeleteCluster':
      return [
        { type: 'deleteCluster', why: `deletion policy DeleteCluster of RayJob ${job.metadata?.name ?? ''}` },
      ];
    case 'DeleteWorkers':
      return [{ type: 'suspendWorkers' }];
    case 'DeleteSelf':
      return [{ type: 'deleteSelf' }];
    case 'DeleteNone':
      return [];
  }
}

function ttlStep(job: RayJob, s: RayJobStatus, o: Observed, ttlSeconds: number, policy: Policy): Step {
  const end = Date.parse(s.endTime ?? '') || o.now.getTime();
  const due = end + ttlSeconds * 1000;
  if (due > o.now.getTime())
    return { status: s, actions: [], requeueAfterMs: due - o.now.getTime() + AFTER_DUE_MS };
  return { status: s, actions: policyDone(policy, o) ? [] : actionFor(policy, job) };
}

function rulesStep(job: RayJob, s: RayJobStatus, o: Observed): Step {
  const rules = job.spec.deletionStrategy?.deletionRules ?? [];
  const end = Date.parse(s.endTime ?? '') || o.now.getTime();
  const overdue: Policy[] = [];
  let next: number | undefined;
  for (const r of rules) {
    const cond = r.condition;
    const matched =
      cond.jobStatus !== undefined
        ? cond.jobStatus === s.jobStatus
        : cond.jobDeploymentStatus === s.jobDeploymentStatus;
    if (!matched) continue;
    const due = end + (cond.ttlSeconds ?? 0) * 1000;
    if (o.now.getTime() < due) {
      next = next === undefined ? due : Math.min(next, due);
      continue;
    }
    const policy = r.policy;
    if (!policyDone(policy, o)) overdue.push(policy);
  }
  const actions =
    overdue.length > 0
      ? actionFor(
          overdue.reduce((a, b) => (IMPACT[b] > IMPACT[a] ? b : a)),
          job,
        )
      : [];
  return {
    status: s,
    actions,
    ...(next !== undefined ? { requeueAfterMs: next - o.now.getTime() + AFTER_DUE_MS } : {}),
  };
}

/** The terminal phase: nothing for a job on someone else's cluster; else the configured clean-up. */
export function terminalStep(job: RayJob, s: RayJobStatus, o: Observed, opts: MachineOptions): Step {
  if (Object.keys(job.spec.clusterSelector ?? {}).length > 0) return { status: s, actions: [] };
  const ds = job.spec.deletionStrategy;
  if (opts.deletionPolicyGate && ds) {
    if (ds.deletionRules) return rulesStep(job, s, o);
    const legacy =
      s.jobStatus === 'SUCCEEDED'
        ? ds.onSuccess?.policy
        : s.jobStatus === 'FAILED'
          ? ds.onFailure?.policy
          : undefined;
    if (!legacy || legacy === 'DeleteNone') return { status: s, actions: [] };
    return ttlStep(job, s, o, job.spec.ttlSecondsAfterFinished ?? 0, legacy);
  }
  if (job.spec.shutdownAfterJobFinishes) {
    // The submitter Job is kept: its logs are the driver's output, and it holds no compute.
    return ttlStep(
      job,
      s,
      o,
      job.spec.ttlSecondsAfterFinished ?? 0,
      opts.deleteRayJobAfterFinish ? 'DeleteSelf' : 'DeleteCluster',
    );
  }
  return { status: s, actions: [] };
}
