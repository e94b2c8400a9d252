// `kubectl ray scale cluster NAME -w GROUP [-r N] [--min-replicas N] [--max-replicas N]` (KubeRay
// plugin v1.7: the same checks and messages; an update with the cluster's resourceVersion, so a
// concurrent change is a conflict, not a lost write).
import type { Command } from 'commander';
import { RayClusters } from '../../runtime/resources.ts';
import {
  errorMessage,
  getCluster,
  intFlag,
  stdio,
  UsageError,
  withKube,
  type Io,
  type RayClusterObject,
} from './common.ts';
import { fieldManager } from './generate.ts';
import type { Kube } from './kube.ts';

export interface ScaleRequest {
  replicas?: number;
  minReplicas?: number;
  maxReplicas?: number;
}

/** KubeRay's checks before anything is read. */
export function checkScaleRequest(group: string | undefined, r: ScaleRequest): void {
  if (!group) throw new UsageError('must specify -w/--worker-group');
  const { replicas, minReplicas: min, maxReplicas: max } = r;
  if (replicas === undefined && min === undefined && max === undefined)
    throw new UsageError(
      'must specify at least one of --replicas, --min-replicas, or --max-replicas (non-negative integers)',
    );
  if (min !== undefined && min < 0) throw new UsageError('--min-replicas must be a non-negative integer');
  if (max !== undefined && max < 0) throw new UsageError('--max-replicas must be a non-negative integer');
  if (replicas !== undefined && replicas < 0)
    throw new UsageError('--replicas must be a non-negative integer');
  if (min !== undefined && max !== undefined && min > max)
    throw new UsageError(`--min-replicas (${min}) cannot be greater than --max-replicas (${max})`);
  if (replicas !== undefined && min !== undefined && replicas < min)
    throw new UsageError(`--replicas (${replicas}) cannot be less than --min-replicas (${min})`);
  if (replicas !== undefined && max !== undefined && replicas > max)
    throw new UsageError(`--replicas (${replicas}) cannot be greater than --max-replicas (${max})`);
}

/** The scaled cluster and the change lines, or undefined when nothing changes. Pure. */
export function scaled(
  cluster: RayClusterObject,
  group: string,
  r: ScaleRequest,
): { cluster: RayClusterObject; changes: string[] } | undefined {
  const groups = cluster.spec.workerGroupSpecs ?? [];
  const i = groups.findIndex((g) => g.groupName === group);
  if (i < 0)
    throw new UsageError(
      `worker group ${group} not found in Ray cluster ${cluster.metadata.name} in namespace ${cluster.metadata.namespace}. Available worker groups: ${groups.map((g) => g.groupName).join(', ')}`,
    );
  const g = groups[i]!;
  const cur = { replicas: g.replicas ?? 0, minReplicas: g.minReplicas, maxReplicas: g.maxReplicas };
  const next = { ...cur };
  const changes: string[] = [];
  if (r.minReplicas !== undefined && r.minReplicas !== cur.minReplicas) {
    next.minReplicas = r.minReplicas;
    changes.push(`Scaled minReplicas: ${cur.minReplicas} to ${r.minReplicas}`);
  }
  if (r.maxReplicas !== undefined && r.maxReplicas !== cur.maxReplicas) {
    next.maxReplicas = r.maxReplicas;
    changes.push(`Scaled maxReplicas: ${cur.maxReplicas} to ${r.maxReplicas}`);
  }
  if (r.replicas !== undefined && r.replicas !== cur.replicas) {
    next.replicas = r.replicas;
    changes.push(`Scaled Replicas: ${cur.replicas} to ${r.replicas}`);
  }
  if (next.minReplicas > next.maxReplicas)
    throw new UsageError(
      `cannot set --min-replicas (${next.minReplicas}) greater than --max-replicas (${next.maxReplicas})`,
    );
  if (next.replicas < next.minReplicas)
    throw new UsageError(
      `cannot set --replicas (${next.replicas}) less than --min-replicas (${next.minReplicas})`,
    );
  if (next.replicas > next.maxReplicas)
    throw new UsageError(
      `cannot set --replicas (${next.replicas}) greater than --max-replicas (${next.maxReplicas})`,
    );
  if (changes.length === 0) return undefined;
  const workerGroupSpecs = groups.map((x, j) => (j === i ? { ...x, ...next } : x));
  return { cluster: { ...cluster, spec: { ...cluster.spec, workerGroupSpecs } }, changes };
}

async function scaleCluster(kube: Kube, name: string, group: string, r: ScaleRequest, io: Io) {
  const where = `worker group ${group} in Ray cluster ${name} in namespace ${kube.namespace}`;
  const cluster = await getCluster(kube, name);
  const s = scaled(cluster, group, r);
  if (!s) {
    io.out.write(
      `Worker group ${group} in Ray cluster ${name} in namespace ${kube.namespace} already matches the requested configuration. Skipping.\n`,
    );
    return;
  }
  try {
    await kube.client.update(RayClusters, s.cluster, { fieldManager });
  } catch (e) {
    throw new UsageError(`failed to update ${where}: ${errorMessage(e)}`, { cause: e });
  }
  io.out.write(`Updated ${where} (${s.changes.join(', ')})\n`);
}

export function registerScale(parent: Command, io: Io = stdio): void {
  parent
    .command('scale')
    .description('Scale a Ray resource')
    .command('cluster')
    .argument('<RAYCLUSTER>')
    .description('Scale a Ray cluster by worker group')
    .option('-w, --worker-group <group>', 'worker group')
    .option('-r, --replicas <n>', 'Desired number of replicas in worker group')
    .option('--min-replicas <n>', 'Minimum desired number of replicas for worker group')
    .option('--max-replicas <n>', 'Maximum desired number of replicas for worker group')
    .action(
      async (
        name: string,
        f: { workerGroup?: string; replicas?: string; minReplicas?: string; maxReplicas?: string },
        cmd: Command,
      ) => {
        await withKube(
          cmd,
          async (kube) => {
            const r: ScaleRequest = {
              ...(f.replicas !== undefined ? { replicas: intFlag('replicas', f.replicas) } : {}),
              ...(f.minReplicas !== undefined ? { minReplicas: intFlag('min-replicas', f.minReplicas) } : {}),
              ...(f.maxReplicas !== undefined ? { maxReplicas: intFlag('max-replicas', f.maxReplicas) } : {}),
            };
            checkScaleRequest(f.workerGroup, r);
            await scaleCluster(kube, name, f.workerGroup!, r, io);
          },
          io,
        );
      },
    );
}
