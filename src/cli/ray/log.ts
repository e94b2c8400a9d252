// `kubectl ray log (RAYCLUSTER | TYPE/NAME) [--out-dir DIR] [--node-type all|head|worker] [--link gke]`
// (KubeRay plugin v1.7): for every Ray pod, its first container's log as <dir>/<pod>/stdout.log and
// Ray's log directory from inside the pod (<temp dir>/session_latest/logs, tarred through kubectl
// exec) under <dir>/<pod>/. The temp dir is found as Ray finds it — the group's `temp-dir` start
// parameter, else $RAY_TMPDIR, $TMPDIR or /tmp, plus /ray — where KubeRay assumes /tmp/ray.
import { createWriteStream, existsSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Pods, type KubeObject } from '../../runtime/resources.ts';
import {
  clusterNameOf,
  getCluster,
  labels,
  parseTypeName,
  stdio,
  UsageError,
  withKube,
  type Io,
} from './common.ts';
import type { Kube } from './kube.ts';
import { runKubectl } from './kubectl.ts';
import { TarExtractor } from './tar.ts';

type NodeType = 'all' | 'head' | 'worker';

interface LogFlags {
  outDir?: string;
  nodeType: string;
  link?: string;
}

interface PodLike extends KubeObject {
  spec: { containers: { name: string }[] };
}

// The one shell line run in the pod: $1 is the temp-dir start parameter (empty when unset). Never
// interpolated: it travels as an argument.
const tarScript =
  'd="${1:-${RAY_TMPDIR:-${TMPDIR:-/tmp}}/ray}/session_latest/logs"; ' +
  'cd "$d" 2>/dev/null || { echo "no Ray logs at $d" >&2; exit 3; }; ' +
  'exec tar --warning=no-file-changed -cf - .';

function selector(cluster: string, t: NodeType): string {
  return t === 'all'
    ? `${labels.cluster}=${cluster}`
    : `${labels.nodeType}=${t},${labels.cluster}=${cluster}`;
}

/** Google Cloud Logging link for the cluster's pods (KubeRay's --link gke). */
export function gkeLink(
  namespace: string,
  cluster: string,
  t: NodeType,
  context: string,
): { url: string; warning?: string } {
  const lines = [
    'resource.type="k8s_container"',
    `resource.labels.namespace_name="${namespace}"`,
    `labels."k8s-pod/ray_io/cluster"="${cluster}"`,
    t === 'all' ? 'labels."k8s-pod/ray_io/is-ray-node"="yes"' : `labels."k8s-pod/ray_io/node-type"="${t}"`,
  ];
  const url = `https://console.cloud.google.com/logs/query;query=${encodeURIComponent(lines.join('\n'))}`;
  // GKE context names are gke_PROJECT_LOCATION_NAME.
  if (context.startsWith('gke_'))
    return { url: `${url}?project=${encodeURIComponent(context.split('_')[1] ?? '')}` };
  return {
    url,
    warning:
      'Warning: The current kubectl context does not appear to be a GKE cluster. The generated link may not work.',
  };
}

async function downloadLogs(kube: Kube, arg: string, f: LogFlags, io: Io) {
  const ref = parseTypeName(arg);
  const nodeType = f.nodeType.toLowerCase() as NodeType;
  if (!['all', 'head', 'worker'].includes(nodeType))
    throw new UsageError(`unknown node type \`${f.nodeType}\``);
  io.out.write(
    nodeType === 'all'
      ? 'Command set to retrieve both head and worker node logs.\n'
      : `Command set to retrieve only ${nodeType} node logs.\n`,
  );
  if (f.link !== undefined) {
    if (f.link !== 'gke') throw new UsageError(`unsupported link type "${f.link}", only "gke" is supported`);
    if (f.outDir) throw new UsageError('--out-dir is incompatible with --link');
    const cluster = await clusterNameOf(kube, ref);
    const { url, warning } = gkeLink(kube.namespace, cluster, nodeType, kube.kubeconfig.getCurrentContext());
    if (warning) io.err.write(warning + '\n');
    io.out.write(url + '\n');
    return;
  }
  let outDir = f.outDir;
  let created = false;
  if (!outDir) {
    io.out.write(
      'No output directory specified, creating dir under current directory using resource name.\n',
    );
    outDir = ref.name;
    created = !existsSync(outDir);
    mkdirSync(outDir, { recursive: true });
  }
  if (!existsSync(outDir)) throw new UsageError(`Directory does not exist: ${outDir}`);
  if (!statSync(outDir).isDirectory())
    throw new UsageError('Path is not a directory. Please input a directory and try again');

  const clusterName = await clusterNameOf(kube, ref);
  const cluster = await getCluster(kube, clusterName);
  const pods = (
    await kube.client.list<PodLike>(Pods, kube.namespace, { labelSelector: selector(clusterName, nodeType) })
  ).items;
  if (pods.length === 0) {
    if (created) rmdirSync(outDir);
    throw new UsageError(`No Ray nodes found for resource ${clusterName}`);
  }
  const tempDirOf = (p: PodLike): string => {
    const group = p.metadata.labels?.[labels.group];
    const params =
      p.metadata.labels?.[labels.nodeType] === 'head'
        ? cluster.spec.headGroupSpec.rayStartParams
        : cluster.spec.workerGroupSpecs?.find((g) => g.groupName === group)?.rayStartParams;
    return params?.['temp-dir'] ?? '';
  };
  for (const p of pods) {
    const name = p.metadata.name!;
    const container = p.spec.containers[0]!.name;
    const dir = join(outDir, name);
    mkdirSync(dir, { recursive: true });
    const stdoutLog = createWriteStream(join(dir, 'stdout.log'));
    const logs = await runKubectl(kube, ['logs', name, '-c', container], stdoutLog);
    await new Promise((r) => stdoutLog.end(r));
    if (logs.code !== 0)
      throw new Error(`Error retrieving log for Ray cluster node ${name}: ${logs.stderr.trim()}`);
    io.out.write(`Downloading log for Ray Node ${name}\n`);
    const tar = new TarExtractor(dir);
    const done = new Promise<void>((resolve, reject) => {
      tar.once('finish', resolve);
      tar.once('error', reject);
    });
    const r = await runKubectl(
      kube,
      ['exec', name, '-c', container, '--', 'sh', '-c', tarScript, 'sh', tempDirOf(p)],
      tar,
    );
    tar.end();
    await done;
    if (r.code !== 0)
      throw new Error(
        `failed to download Ray log files from ${name}: ${r.stderr.trim() || `kubectl exit ${r.code}`}`,
      );
    if (tar.summary.skipped.length)
      io.err.write(
        `${name}: skipped ${tar.summary.skipped.length} entries that are not plain files inside the log directory\n`,
      );
  }
}

export function registerLog(parent: Command, io: Io = stdio): void {
  parent
    .command('log')
    .alias('logs')
    .argument('<RESOURCE>', 'RAYCLUSTER or TYPE/NAME (raycluster, rayjob, rayservice)')
    .description('Get Ray cluster logs: download them into a directory')
    .option('--out-dir <dir>', 'directory to save the logs to')
    .option(
      '--node-type <type>',
      "type of Ray node from which to download logs, supports: 'worker', 'head', or 'all'",
      'all',
    )
    .option('--link <kind>', "print a link to a cloud console to view logs, supports: 'gke'")
    .action(async (arg: string, f: LogFlags, cmd: Command) => {
      await withKube(cmd, (kube) => downloadLogs(kube, arg, f, io), io);
    });
}
