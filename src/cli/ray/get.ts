// `kubectl ray get cluster|nodes|workergroups|token`: KubeRay plugin v1.7's columns, flags, filters
// and not-found messages; Kuray adds -o yaml|json (the objects behind the rows).
import type { Command } from 'commander';
import { parseQuantity, Quantity } from '../../api/quantity.ts';
import type { WorkerGroupSpec } from '../../api/v1/index.ts';
import { Pods, RayClusters, Secrets, type KubeObject } from '../../runtime/resources.ts';
import {
  getCluster,
  labels,
  relevantCondition,
  stdio,
  UsageError,
  withKube,
  type Io,
  type RayClusterObject,
} from './common.ts';
import type { Kube } from './kube.ts';
import { age, parseOutput, renderObjects, renderTable, type OutputFormat } from './table.ts';
import { isPodReady } from './wait.ts';

interface PodLike extends KubeObject {
  spec: {
    containers: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[];
  };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

export const clusterColumns = [
  'Name',
  'Namespace',
  'Desired Workers',
  'Available Workers',
  'CPUs',
  'GPUs',
  'TPUs',
  'Memory',
  'Condition',
  'Status',
  'Age',
];
export const nodeColumns = [
  'Name',
  'CPUs',
  'GPUs',
  'TPUs',
  'Memory',
  'Cluster',
  'Type',
  'Worker Group',
  'Age',
];
export const workerGroupColumns = [
  'Name',
  'Min',
  'Max',
  'Replicas',
  'CPUs',
  'GPUs',
  'TPUs',
  'Memory',
  'Cluster',
];

function write(
  io: Io,
  format: OutputFormat,
  text: string,
  objects: readonly unknown[],
  named: boolean,
  ns: string,
  all: boolean,
) {
  if (format !== 'table') {
    io.out.write(renderObjects(objects, format, named));
    return;
  }
  if (!text) io.err.write(all ? 'No resources found\n' : `No resources found in ${ns} namespace.\n`);
  io.out.write(text);
}

export function clusterRows(clusters: readonly RayClusterObject[], now = Date.now()): (string | number)[][] {
  return clusters.map((c) => [
    c.metadata.name ?? '',
    c.metadata.namespace ?? '',
    c.status?.desiredWorkerReplicas ?? 0,
    c.status?.availableWorkerReplicas ?? 0,
    c.status?.desiredCPU ?? '0',
    c.status?.desiredGPU ?? '0',
    c.status?.desiredTPU ?? '0',
    c.status?.desiredMemory ?? '0',
    relevantCondition(c),
    c.status?.state ?? '',
    age(c.metadata.creationTimestamp, now),
  ]);
}

async function getClusters(
  kube: Kube,
  name: string | undefined,
  f: { allNamespaces?: boolean; output?: string },
  io: Io,
) {
  const format = parseOutput(f.output);
  const ns = f.allNamespaces ? undefined : kube.namespace;
  const list = await kube.client.list<RayClusterObject>(
    RayClusters,
    ns,
    name ? { fieldSelector: `metadata.name=${name}` } : {},
  );
  if (name && list.items.length === 0)
    throw new UsageError(
      `Ray cluster ${name} not found ${f.allNamespaces ? 'in any namespace' : `in namespace ${kube.namespace}`}`,
    );
  const text = renderTable({ columns: clusterColumns, rows: clusterRows(list.items) });
  write(
    io,
    format,
    text,
    list.items.map(withKind('RayCluster')),
    name !== undefined,
    kube.namespace,
    f.allNamespaces === true,
  );
}

const withKind = (kind: string) => (o: KubeObject) => ({
  apiVersion: kind === 'Pod' ? 'v1' : 'ray.io/v1',
  kind,
  ...o,
});

function request(p: PodLike, name: string): string {
  const q = p.spec.containers[0]?.resources?.requests?.[name];
  return q ? parseQuantity(q).toString() : '0';
}

export function nodeRows(
  pods: readonly PodLike[],
  allNamespaces: boolean,
  now = Date.now(),
): (string | number)[][] {
  return pods.map((p) => [
    ...(allNamespaces ? [p.metadata.namespace ?? ''] : []),
    p.metadata.name ?? '',
    request(p, 'cpu'),
    request(p, 'nvidia.com/gpu'),
    request(p, 'google.com/tpu'),
    request(p, 'memory'),
    p.metadata.labels?.[labels.cluster] ?? '',
    p.metadata.labels?.[labels.nodeType] ?? '',
    p.metadata.labels?.[labels.group] ?? '',
    age(p.metadata.creationTimestamp, now),
  ]);
}

async function getNodes(
  kube: Kube,
  node: string | undefined,
  f: { rayCluster?: string; allNamespaces?: boolean; output?: string },
  io: Io,
) {
  const format = parseOutput(f.output);
  const selector = `${labels.isRayNode}=yes${f.rayCluster ? `,${labels.cluster}=${f.rayCluster}` : ''}`;
  const pods = await kube.client.list<PodLike>(Pods, f.allNamespaces ? undefined : kube.namespace, {
    labelSelector: selector,
    ...(node ? { fieldSelector: `metadata.name=${node}` } : {}),
  });
  if (node && pods.items.length === 0)
    throw new UsageError(
      `Ray node ${node} not found ${f.allNamespaces ? 'in any namespace' : `in namespace ${kube.namespace}`} ${f.rayCluster ? `in Ray cluster ${f.rayCluster}` : 'in any Ray cluster'}`,
    );
  const all = f.allNamespaces === true;
  const text = renderTable({
    columns: [...(all ? ['Namespace'] : []), ...nodeColumns],
    rows: nodeRows(pods.items, all),
  });
  write(io, format, text, pods.items.map(withKind('Pod')), node !== undefined, kube.namespace, all);
}

/** A pod's resources: the sum over its containers, requests winning over limits (KubeRay). */
function podResources(g: WorkerGroupSpec): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const c of g.template.spec?.containers ?? []) {
    const r: Record<string, string> = { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) };
    for (const [k, v] of Object.entries(r)) {
      // The first container's quantity carries the format (12Gi stays binary), as Go's Add keeps it.
      const cur = out.get(k);
      out.set(k, cur ? cur.add(parseQuantity(v)) : parseQuantity(v));
    }
  }
  return out;
}

export function workerGroupRow(
  cluster: RayClusterObject,
  g: WorkerGroupSpec,
  readyPods: number,
  allNamespaces: boolean,
): (string | number)[] {
  const replicas = g.replicas ?? 0;
  const res = g.suspend ? new Map<string, Quantity>() : podResources(g);
  const total = (k: string) => (res.get(k) ?? Quantity.fromInt(0n)).mul(BigInt(replicas)).toString();
  return [
    ...(allNamespaces ? [cluster.metadata.namespace ?? ''] : []),
    g.groupName,
    // The CRD defaults both (0 and 2147483647, as KubeRay prints for unset ones).
    String(g.minReplicas),
    String(g.maxReplicas),
    `${readyPods}/${replicas}`,
    total('cpu'),
    total('nvidia.com/gpu'),
    total('google.com/tpu'),
    total('memory'),
    cluster.metadata.name ?? '',
  ];
}

async function getWorkerGroups(
  kube: Kube,
  group: string | undefined,
  f: { rayCluster?: string; allNamespaces?: boolean; output?: string },
  io: Io,
) {
  const format = parseOutput(f.output);
  const all = f.allNamespaces === true;
  const clusters = await kube.client.list<RayClusterObject>(
    RayClusters,
    all ? undefined : kube.namespace,
    f.rayCluster ? { fieldSelector: `metadata.name=${f.rayCluster}` } : {},
  );
  const found = clusters.items.flatMap((c) =>
    (c.spec.workerGroupSpecs ?? []).filter((g) => !group || g.groupName === group).map((g) => ({ c, g })),
  );
  if (group && found.length === 0)
    throw new UsageError(
      `Ray worker group ${group} not found ${all ? 'in any namespace' : `in namespace ${kube.namespace}`} ${f.rayCluster ? `in Ray cluster ${f.rayCluster}` : 'in any Ray cluster'}`,
    );
  const rows: (string | number)[][] = [];
  for (const { c, g } of found) {
    const pods = await kube.client.list<PodLike>(Pods, c.metadata.namespace, {
      labelSelector: `${labels.nodeType}=worker,${labels.group}=${g.groupName},${labels.cluster}=${c.metadata.name}`,
    });
    rows.push(workerGroupRow(c, g, pods.items.filter(isPodReady).length, all));
  }
  const text = renderTable({ columns: [...(all ? ['Namespace'] : []), ...workerGroupColumns], rows });
  write(
    io,
    format,
    text,
    found.map(({ c, g }) => ({ cluster: c.metadata.name, namespace: c.metadata.namespace, ...g })),
    group !== undefined,
    kube.namespace,
    all,
  );
}

async function getToken(kube: Kube, name: string, io: Io) {
  const c = await getCluster(kube, name);
  if (c.spec.authOptions?.mode !== 'token')
    throw new UsageError(
      `RayCluster ${kube.namespace}/${name} was not configured to use authentication tokens`,
    );
  const s = await kube.client.get<KubeObject & { data?: Record<string, string> }>(
    Secrets,
    kube.namespace,
    name,
  );
  const token = s.data?.auth_token;
  if (!token) throw new UsageError(`secret ${kube.namespace}/${name} does not have an auth_token`);
  io.out.write(Buffer.from(token, 'base64').toString('utf8'));
}

const outputOption = ['-o, --output <format>', 'output format: yaml or json (default: a table)'] as const;
const allNsOption = [
  '-A, --all-namespaces',
  'If present, list the requested objects across all namespaces. Namespace in current context is ignored even if specified with --namespace.',
] as const;

export function registerGet(parent: Command, io: Io = stdio): Command {
  const get = parent.command('get').alias('list').description('Display one or many Ray resources.');
  get
    .command('cluster')
    .alias('clusters')
    .argument('[NAME]')
    .description('Get cluster information.')
    .option(...allNsOption)
    .option(...outputOption)
    .action(
      async (name: string | undefined, f: { allNamespaces?: boolean; output?: string }, cmd: Command) => {
        await withKube(cmd, (kube) => getClusters(kube, name, f, io), io);
      },
    );
  get
    .command('node')
    .alias('nodes')
    .argument('[NODE]')
    .description('Get Ray nodes')
    .option('-c, --ray-cluster <name>', 'Ray cluster')
    .option(...allNsOption)
    .option(...outputOption)
    .action(
      async (
        node: string | undefined,
        f: { rayCluster?: string; allNamespaces?: boolean; output?: string },
        cmd: Command,
      ) => {
        await withKube(cmd, (kube) => getNodes(kube, node, f, io), io);
      },
    );
  get
    .command('workergroup')
    .alias('workergroups')
    .argument('[GROUP]')
    .description('Get Ray worker groups')
    .option('-c, --ray-cluster <name>', 'Ray cluster')
    .option(...allNsOption)
    .option(...outputOption)
    .action(
      async (
        group: string | undefined,
        f: { rayCluster?: string; allNamespaces?: boolean; output?: string },
        cmd: Command,
      ) => {
        await withKube(cmd, (kube) => getWorkerGroups(kube, group, f, io), io);
      },
    );
  get
    .command('token')
    .argument('<CLUSTER>')
    .description('Get the auth token from the ray cluster.')
    .action(async (name: string, _f: unknown, cmd: Command) => {
      await withKube(cmd, (kube) => getToken(kube, name, io), io);
    });
  return get;
}
