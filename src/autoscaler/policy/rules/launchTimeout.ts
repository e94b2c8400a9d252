// Rule 3b: workers that never became Ray nodes. A pod that is still not a Ray node
// launchTimeoutSeconds after it was created (unschedulable, its image cannot be pulled, Ray
// crashes at start, a Kueue gate that never opens) would otherwise count as launching capacity
// for good: the demand it was made for would wait on it, and it would hold one of the group's
// concurrent launches. Ray v2 gives up on such an instance the same way (ALLOCATED → TERMINATING
// after allocate_status_timeout_s) and decides afresh; so does this rule: the pods are deleted and
// the group shrinks by them (not below minReplicas, where the operator replaces them); the demand
// rule adds workers again on the next sync if the work still needs them.
import { scale, type GroupRule } from './context.ts';

export const launchTimeout: GroupRule = (c) => {
  if (c.stuck.length === 0) return undefined;
  const names = [...c.stuck].sort((a, b) => a.podName.localeCompare(b.podName)).map((w) => w.podName);
  const replicas = Math.max(c.min, c.current - names.length);
  const timeout = c.g.options.launchTimeoutSeconds;
  return scale(
    c,
    replicas,
    names,
    'launch-timeout',
    `${names.join(', ')} did not become Ray nodes within ${timeout}s of creation: deleting them` +
      (replicas === c.current
        ? ` (replaced: minReplicas ${c.min})`
        : `, replicas ${c.current} → ${replicas}`),
    { ...c.base, stuck: names.length, launchTimeoutSeconds: timeout },
  );
};
