// The seed examples the e2e tier runs on the one local node, and the overlay that makes them fit.
// Pure: YAML text in, objects out.
import { parseYamlStream } from '../util/yaml.ts';

export interface ExampleCase {
  file: string;
  /** Why it runs as-is or what the overlay changed. */
  note: string;
}

/**
 * Examples that form a Ray cluster on one machine. Not here: 01 (its own test), 02/04/15 (need
 * NVIDIA GPUs), 08 and 12 (no RayCluster: a Service and a NetworkPolicy only), 10 (its probes ask
 * Ray for /healthz and /ready on :8080, which Ray does not serve, so the pod never turns Ready and
 * liveness restarts it — the user mistake its header names), 14 (plasma-directory /tmp/plasma: nothing
 * creates that directory, so Ray refuses to start — "The plasma directory file /tmp/plasma does not
 * exist" — on the local node as in a rayproject/ray container).
 */
export const runnableExamples: readonly ExampleCase[] = [
  {
    file: '03-resource-affinity.yaml',
    note: 'instance-type affinity dropped (the local node has no instance type)',
  },
  { file: '05-autoscaling-thresholds.yaml', note: 'workers capped at 1' },
  { file: '06-autoscaling-metrics-cooldown.yaml', note: 'as written' },
  { file: '07-prometheus-head.yaml', note: 'as written' },
  { file: '09-ha-zones.yaml', note: 'zone selectors dropped, workers capped at 1' },
  {
    file: '11-secure-dashboard.yaml',
    note: 'the Secret it references is created; its password is the Ray token (a job without it is refused); runAsUser is not applied by the local node',
  },
  { file: '13-performance.yaml', note: 'instance-type selectors dropped, workers capped at 1' },
  { file: '16-monitoring-integrated.yaml', note: 'as written' },
];

type Obj = Record<string, unknown>;
interface PodSpecLike {
  nodeSelector?: Obj;
  affinity?: Obj;
  tolerations?: unknown[];
}
interface Group {
  replicas?: number;
  minReplicas?: number;
  template?: { spec?: PodSpecLike };
}

function unplace(spec: PodSpecLike | undefined): void {
  if (!spec) return;
  delete spec.nodeSelector;
  delete spec.affinity;
  delete spec.tolerations;
}

/** The example's RayCluster, in `namespace`, placed on any node, with at most `maxWorkers` per group. */
export function overlayExample(
  yaml: string,
  source: string,
  namespace: string,
  maxWorkers = 1,
): { cluster: Obj; workers: number } {
  const docs = parseYamlStream(yaml, source).map((d) => d.value as Obj);
  const rc = docs.find((d) => d.kind === 'RayCluster');
  if (!rc) throw new Error(`${source}: no RayCluster`);
  (rc.metadata as Obj).namespace = namespace;
  const spec = rc.spec as { headGroupSpec: Group; workerGroupSpecs?: Group[] };
  unplace(spec.headGroupSpec.template?.spec);
  let workers = 0;
  for (const g of spec.workerGroupSpecs ?? []) {
    unplace(g.template?.spec);
    g.replicas = Math.min(g.replicas ?? 0, maxWorkers);
    g.minReplicas = Math.min(g.minReplicas ?? 0, g.replicas);
    workers += g.replicas;
  }
  return { cluster: rc, workers };
}
