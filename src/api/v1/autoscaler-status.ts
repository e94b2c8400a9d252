// status.autoscaler: what Kuray's native autoscaler last decided for a RayCluster and why. Written
// by the operator's autoscaler (src/autoscaler/actuator), only when a decision's rule or target
// changes, so it explains the current size without a write every sync.
import type { Static } from 'typebox';
import { arr, bool, int32, obj, opt, str, stringMap, time } from '../schema.ts';

export const AutoscalerGroupStatus = obj(
  {
    groupName: str('GroupName is the worker group this decision is about.'),
    replicas: opt(int32('Replicas is the group size the autoscaler decided on.')),
    rule: opt(
      str(
        'Rule is the policy rule that decided: min-replicas, max-replicas, surplus-workers, ' +
          'launch-timeout (pods that did not become Ray nodes in time), pending-demand, ' +
          'cpu-utilization, memory-utilization, idle-timeout, resource-request (idle workers kept for a ' +
          'request_resources() floor), cooldown or steady.',
      ),
    ),
    message: opt(str('Message explains the decision in words.')),
    inputs: opt(stringMap('Inputs are the figures the rule read (demand, utilization, idle workers, ...).')),
    lastDecisionTime: opt(time('LastDecisionTime is when this rule and target were first decided.')),
    lastScaleTime: opt(
      time('LastScaleTime is when the autoscaler last changed this group (cooldown start).'),
    ),
  },
  "AutoscalerGroupStatus is the native autoscaler's latest decision for one worker group.",
);

export const AutoscalerStatus = obj(
  {
    mode: opt(str('Mode is the autoscaler that runs for this cluster: in-tree, native or none.')),
    rayReachable: opt(
      bool(
        'RayReachable is false when the last sync could not read Ray (GCS); the autoscaler then decides ' +
          'nothing, and never scales down blindly.',
      ),
    ),
    message: opt(str('Message says why the autoscaler is waiting, when it is.')),
    groups: opt(arr(AutoscalerGroupStatus, 'Groups holds the latest decision per worker group.')),
  },
  "Autoscaler is Kuray's native autoscaler's view of the cluster: the latest decision per worker group " +
    'with the rule and inputs that made it. Kuray extension; absent for in-tree (Ray) autoscaling.',
);
export type AutoscalerStatus = Static<typeof AutoscalerStatus>;
export type AutoscalerGroupStatus = Static<typeof AutoscalerGroupStatus>;
