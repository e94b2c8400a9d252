// What the autoscaling e2e files share: a private `real` rig (local node running Ray 2.58), a
// namespace, an API client and the operator in-process with the native autoscaler syncing every 2 s
// (it runs in every file: in-tree clusters prove it stays out of their way), plus small readers.
import { after, before } from 'node:test';
import type { RayCluster } from '../../api/v1/index.ts';
import { newNamespace, type Rig } from '../../../rig/testing.ts';
import { realRig } from '../../../rig/node/testing.ts';
import type { Pod } from '../../../rig/node/types.ts';
import { DashboardClient } from '../../ray/dashboard.ts';
import { isTerminalJobStatus } from '../../ray/jobs.ts';
import { RayClusters, type KubeObject } from '../../runtime/resources.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { until } from '../../testing/wait.ts';

export type RC = KubeObject & RayCluster;

export interface AutoscalingE2E {
  readonly rig: Rig;
  readonly ns: string;
  readonly client: KubeClient;
  get(name: string): Promise<RC>;
  /** Jobs API of a cluster's head (with the Ray auth token when the cluster uses token auth). */
  dashboard(head: Pod, token?: string): DashboardClient;
}

/** Registers before/after hooks in the calling describe(); the fields are set once before() ran. */
export function useAutoscalingE2E(namespacePrefix: string): AutoscalingE2E {
  let rig: Rig | undefined;
  let ns = '';
  let client: KubeClient | undefined;
  let op: InProcessOperator | undefined;
  before(async () => {
    rig = await realRig();
    ns = await newNamespace(rig, namespacePrefix);
    client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 50, burst: 100 });
    op = await startOperator(rig, [ns], { autoscaler: { syncPeriodMs: 2000 } });
  });
  after(async () => {
    await op?.stop();
    client?.close();
    await rig?.stop();
  });
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('useAutoscalingE2E: before() has not run');
    return v;
  };
  return {
    get rig() {
      return ready(rig);
    },
    get ns() {
      return ns;
    },
    get client() {
      return ready(client);
    },
    get: (name) => ready(client).get<RC>(RayClusters, ns, name),
    dashboard: (head, token) =>
      new DashboardClient({ baseUrl: `http://${head.status!.podIP!}:8265`, timeoutMs: 30_000, token }),
  };
}

/** The demand scenario's job: two 1-CPU tasks; prints `NODES <distinct nodes they ran on>`. */
export const DEMAND_JOB = [
  'import ray, time',
  'ray.init()',
  '@ray.remote(num_cpus=1)',
  'def work(i):',
  '    time.sleep(5)',
  '    return ray.get_runtime_context().get_node_id()',
  'print("NODES", len(set(ray.get([work.remote(i) for i in range(2)]))), flush=True)',
].join('\n');

/** Submits `python -c <code>` through the Jobs API; returns the submission id. */
export function submitPython(dashboard: DashboardClient, code: string): Promise<string> {
  return dashboard.submitJob({ entrypoint: `python -c '${code.replaceAll("'", "'\\''")}'` });
}

/** Waits until the job ends; its final status and logs. */
export async function jobResult(
  dashboard: DashboardClient,
  id: string,
  timeoutMs = 300_000,
): Promise<{ status: string; logs: string }> {
  const done = await until(
    `job ${id} to finish`,
    async () => {
      const j = await dashboard.getJob(id);
      return j && isTerminalJobStatus(j.status) ? j : undefined;
    },
    { timeoutMs, intervalMs: 2000 },
  );
  return { status: done.status, logs: await dashboard.jobLogs(id) };
}
