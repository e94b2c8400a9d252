// Which pod event must not wait for the coalescing window: the one that may have completed the
// cluster — its pod is Running and Ready and so is every other live pod of the cluster in the
// cache. Pod events are otherwise coalesced for 1 s per cluster (setup.ts), and the pods of a
// cluster that start together fall in one window, so `ready` would wait for its end. (In the full
// burst benchmark this did not show: there the ready-status writes queue in the client's rate
// limiter behind the pod creates — bench/README.md.) A false positive costs one reconcile that
// writes nothing. Cost: one walk over the cluster's cached pods per event of a Ready pod.
import type { Pod } from '../../compiler/k8sTypes.ts';
import type { KubeObject } from '../../runtime/resources.ts';
import { INDEX_BY_CLUSTER, podClusterIndex } from '../shared/clusterPods.ts';
import type { Lister } from '../shared/lister.ts';
import { isRunningAndReady, isTerminating } from './podState.ts';

export function completesCluster(pods: Pick<Lister, 'byIndex'>, pod: Pod): boolean {
  if (!isRunningAndReady(pod) || isTerminating(pod)) return false;
  const [key] = podClusterIndex(pod as KubeObject);
  if (key === undefined) return false;
  return (pods.byIndex(INDEX_BY_CLUSTER, key) as Pod[]).every(
    (p) => isTerminating(p) || isRunningAndReady(p),
  );
}
