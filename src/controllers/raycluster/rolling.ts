// upgradeStrategy.type: RollingUpdate (Kuray-only), the controller's side. Decisions:
// - Worker groups only; the head is never restarted: without GCS fault tolerance a head restart
//   loses the whole Ray cluster (every actor, job and object), which is what a rolling update exists
//   to avoid. A head-template change waits for the user (delete the head pod, or use Recreate).
// - Delete-then-create, no surge: an outdated pod is deleted and its replacement created in the same
//   reconcile, so a group never has more than `replicas` pods (quotas, the autoscaler's maxReplicas,
//   GPU nodes all stay within bounds). Ray workers are interchangeable, so nothing is lost but work
//   in flight, which Ray retries.
// - One batch at a time: at most maxUnavailable of the group's `replicas` may be not-Ready (for any
//   reason, not only ours); the next batch waits until the replacements are Ready.
// - The autoscaler is never fought: replicas and workersToDelete are planned first (./plan.ts); the
//   roll only replaces pods the plan keeps, one for one, so the group's size is unchanged.
// - Pods carrying no hash (made before RollingUpdate was set) count as updated: switching the
//   strategy on restarts nothing by itself.
// - A pod made by another compiler (an operator upgrade, a changed operator flag:
//   compiler/compilerFingerprint.ts) is adopted, not replaced: its annotations are rewritten to the
//   current hash. What changed is the operator, not the user's spec. The price, as with KubeRay's
//   Recreate across its versions: a spec change made while the old operator had not yet acted on it
//   is adopted with the rest.
import type { Pod } from '../../compiler/k8sTypes.ts';
import { podCompiler, podTemplateHash } from '../../compiler/rollingHash.ts';
import type { GroupPlan, PodPlan } from './plan.ts';
import { isReady, isTerminating, isWorkerPod, podGroup, podName } from './podState.ts';

export interface RollingGroupInput {
  name: string;
  /** The group's replicas (desired worker pods). */
  desiredPods: number;
  /** The hash new pods of the group carry. */
  hash: string;
  /** The fingerprint of the compiler that makes them (compiler/compilerFingerprint.ts). */
  compiler: string;
  /** upgradeStrategy.rollingUpdate.maxUnavailable (absolute or "N%"); default 1. */
  maxUnavailable?: number | string;
}

export interface GroupProgress {
  group: string;
  updated: number;
  total: number;
}

/** maxUnavailable as a pod count: a percentage of replicas rounded down, at least 1. */
export function resolveMaxUnavailable(v: number | string | undefined, replicas: number): number {
  if (v === undefined) return 1;
  if (typeof v === 'number') return Math.max(1, Math.floor(v));
  const pct = /^(\d+)%$/.exec(v.trim());
  const n = pct ? Math.floor((replicas * Number(pct[1])) / 100) : Number.parseInt(v, 10);
  return Number.isFinite(n) ? Math.max(1, n) : 1;
}

/** The pod's template changed under the same compiler: the user's spec did. */
export function isOutdated(pod: Pod, hash: string, compiler: string): boolean {
  const h = podTemplateHash(pod);
  return h !== undefined && h !== hash && podCompiler(pod) === compiler;
}

/** The pod's hash differs because another compiler made it: adopt it (see above), do not replace it. */
export function needsAdoption(pod: Pod, compiler: string): boolean {
  // Also when the hash still matches: the pod must record this compiler, or a later change of the
  // user's spec would not count as one for it (isOutdated compares within one compiler).
  return podTemplateHash(pod) !== undefined && !isTerminating(pod) && podCompiler(pod) !== compiler;
}

/** The group's live pods the plan keeps (not deleted, not terminating). */
function keptPods(g: GroupPlan, pods: readonly Pod[]): Pod[] {
  const leaving = new Set(g.delete.map((d) => d.name));
  return pods.filter(
    (p) => isWorkerPod(p) && podGroup(p) === g.group && !isTerminating(p) && !leaving.has(podName(p)),
  );
}

/** How many more pods may go down now: maxUnavailable − (replicas − Ready pods the plan keeps). */
export function rollBudget(desiredPods: number, maxUnavailable: number, readyKept: number): number {
  return Math.max(0, maxUnavailable - Math.max(0, desiredPods - readyKept));
}

/** Outdated pods to replace now: not-Ready ones first (free: they are unavailable already). */
export function rollVictims(kept: readonly Pod[], hash: string, compiler: string, budget: number): Pod[] {
  const outdated = kept.filter((p) => isOutdated(p, hash, compiler));
  const notReady = outdated.filter((p) => !isReady(p));
  const ready = outdated.filter(isReady).sort((a, b) => podName(a).localeCompare(podName(b)));
  return [...notReady, ...ready.slice(0, budget)];
}

/** The plan with this reconcile's batch of outdated pods replaced, one create per delete. */
export function rollingPlan(
  plan: PodPlan,
  groups: readonly RollingGroupInput[],
  pods: readonly Pod[],
): PodPlan {
  return {
    ...plan,
    groups: plan.groups.map((g) => {
      const input = groups.find((x) => x.name === g.group);
      // A group that is still growing or shrinking finishes that first: the roll counts on a stable size.
      if (!input || g.create > 0 || g.surplusKept > 0) return g;
      const kept = keptPods(g, pods);
      if (kept.length !== input.desiredPods) return g;
      const max = resolveMaxUnavailable(input.maxUnavailable, input.desiredPods);
      const budget = rollBudget(input.desiredPods, max, kept.filter(isReady).length);
      const victims = rollVictims(kept, input.hash, input.compiler, budget);
      if (!victims.length) return g;
      const progress = groupProgress(g.group, input.hash, input.compiler, pods);
      const reason = `rolling update of ${g.group}: the worker template changed (${progress.updated}/${progress.total} pods updated, maxUnavailable ${max})`;
      return {
        ...g,
        create: g.create + victims.length,
        delete: [...g.delete, ...victims.map((p) => ({ name: podName(p), reason }))],
      };
    }),
  };
}

/** Updated (current hash, no hash, or to be adopted) versus all live worker pods of a group. */
export function groupProgress(
  group: string,
  hash: string,
  compiler: string,
  pods: readonly Pod[],
): GroupProgress {
  const live = pods.filter((p) => isWorkerPod(p) && podGroup(p) === group && !isTerminating(p));
  return { group, updated: live.filter((p) => !isOutdated(p, hash, compiler)).length, total: live.length };
}

/** The live worker pods of the rolled groups that another compiler made (see needsAdoption). */
export function adoptions(groups: readonly RollingGroupInput[], pods: readonly Pod[]): Pod[] {
  return groups.flatMap((g) =>
    pods.filter((p) => isWorkerPod(p) && podGroup(p) === g.name && needsAdoption(p, g.compiler)),
  );
}
