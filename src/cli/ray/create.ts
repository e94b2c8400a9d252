// `kubectl ray create cluster NAME [flags | --file F]` and `kubectl ray create workergroup GROUP -c CLUSTER`,
// KubeRay plugin v1.7's flags and messages. Kuray adds: --file also takes a RayCluster manifest, and
// what is created is checked by Kuray's validation first (errors with field path and fix; warnings
// printed as kubectl prints server warnings).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { validate } from '../../api/validation/index.ts';
import { isNotFound } from '../../runtime/errors.ts';
import { RayClusters, type KubeObject } from '../../runtime/resources.ts';
import { parseYamlStream, toYaml } from '../../util/yaml.ts';
import {
  clusterFromConfig,
  ConfigError,
  defaultImage,
  defaultRayVersion,
  defaults,
  fieldManager,
  parseClusterConfig,
  parseStringMap,
  validateClusterConfig,
  validateTpu,
  checkQuantity,
  type ClusterConfig,
} from './generate.ts';
import {
  getCluster,
  intFlag,
  stdio,
  UsageError,
  withKube,
  type Io,
  type RayClusterObject,
} from './common.ts';
import type { Kube } from './kube.ts';
import { parseDuration, waitProvisioned } from './wait.ts';

const mapFlag = (v: string, prev: Record<string, string>) => parseStringMap(v, prev);

/** Flags that only describe the cluster, so they make no sense with --file (KubeRay's list, inverted). */
const allowedWithFile = new Set(['file', 'dryRun', 'wait', 'timeout']);

interface CreateClusterFlags {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  rayVersion: string;
  image: string;
  headCpu: string;
  headMemory: string;
  headGpu: string;
  headEphemeralStorage: string;
  headRayStartParams: Record<string, string>;
  headNodeSelectors: Record<string, string>;
  workerReplicas: string;
  workerCpu: string;
  workerMemory: string;
  workerGpu: string;
  workerTpu: string;
  workerEphemeralStorage: string;
  workerRayStartParams: Record<string, string>;
  workerNodeSelectors: Record<string, string>;
  numOfHosts: string;
  autoscaler?: string;
  file?: string;
  dryRun?: boolean;
  wait?: boolean;
  timeout: string;
}

/** Errors abort; warnings go to stderr as `Warning: path: message (fix)`. */
function checkCluster(obj: unknown, io: Io): void {
  const r = validate(obj);
  if (r.errors.length)
    throw new UsageError(
      'the RayCluster is invalid:\n' +
        r.errors.map((e) => `  ${e.path}: ${e.message} (${e.hint})`).join('\n'),
    );
  for (const w of r.warnings) io.err.write(`Warning: ${w.path}: ${w.message} (${w.hint})\n`);
}

interface Manifest {
  kind: unknown;
  apiVersion: unknown;
  metadata?: { name?: string; namespace?: string };
}

function isManifest(v: unknown): v is Manifest {
  return typeof v === 'object' && v !== null && 'kind' in v && 'apiVersion' in v;
}

/** The cluster to create from --file: KubeRay's config format, or (Kuray) a RayCluster manifest. */
function fromFile(kube: Kube, path: string, argName: string | undefined): RayClusterObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`config file ${path} does not exist`);
  }
  const first = parseYamlStream(text, path)[0]?.value;
  let name: string | undefined;
  let fileNs: string | undefined;
  let build: (name: string, ns: string) => RayClusterObject;
  if (isManifest(first)) {
    if (first.kind !== 'RayCluster')
      throw new UsageError(
        `${path}: kind ${String(first.kind)}: --file takes a RayCluster or the plugin's cluster config`,
      );
    name = first.metadata?.name;
    fileNs = first.metadata?.namespace;
    build = (n, ns) =>
      ({ ...first, metadata: { ...first.metadata, name: n, namespace: ns } }) as RayClusterObject;
  } else {
    let cfg: ClusterConfig;
    try {
      cfg = parseClusterConfig(text, path);
      validateClusterConfig(cfg);
    } catch (e) {
      if (e instanceof ConfigError) throw new UsageError(`failed to parse config file: ${e.message}`);
      throw e;
    }
    name = cfg.name;
    fileNs = cfg.namespace;
    build = (n, ns) => clusterFromConfig({ ...cfg, name: n, namespace: ns });
  }
  if (name && argName && name !== argName)
    throw new UsageError(
      `the cluster name in the config file "${name}" does not match the cluster name "${argName}". You must use the same name to perform this operation`,
    );
  const finalName = argName ?? name;
  if (!finalName) throw new UsageError('the cluster name is required');
  if (kube.namespaceFromFlag && fileNs && fileNs !== kube.namespace)
    throw new UsageError(
      `the namespace in the config file "${fileNs}" does not match the namespace "${kube.namespace}". You must pass --namespace=${fileNs} to perform this operation`,
    );
  return build(finalName, fileNs || kube.namespace);
}

function fromFlags(kube: Kube, name: string, f: CreateClusterFlags, image: string): RayClusterObject {
  const quantities = {
    'head-cpu': f.headCpu,
    'head-gpu': f.headGpu,
    'head-memory': f.headMemory,
    'head-ephemeral-storage': f.headEphemeralStorage,
    'worker-cpu': f.workerCpu,
    'worker-gpu': f.workerGpu,
    'worker-tpu': f.workerTpu,
    'worker-memory': f.workerMemory,
    'worker-ephemeral-storage': f.workerEphemeralStorage,
  };
  const cfg: ClusterConfig = {
    'ray-version': f.rayVersion,
    image,
    labels: f.labels,
    annotations: f.annotations,
    head: {
      cpu: f.headCpu,
      memory: f.headMemory,
      gpu: f.headGpu,
      'ephemeral-storage': f.headEphemeralStorage,
      'ray-start-params': f.headRayStartParams,
      'node-selectors': f.headNodeSelectors,
    },
    'worker-groups': [
      {
        name: 'default-group',
        replicas: intFlag('worker-replicas', f.workerReplicas),
        'num-of-hosts': intFlag('num-of-hosts', f.numOfHosts),
        cpu: f.workerCpu,
        memory: f.workerMemory,
        gpu: f.workerGpu,
        tpu: f.workerTpu,
        'ephemeral-storage': f.workerEphemeralStorage,
        'ray-start-params': f.workerRayStartParams,
        'node-selectors': f.workerNodeSelectors,
      },
    ],
    ...(f.autoscaler ? { autoscaler: { version: f.autoscaler as 'v1' | 'v2' } } : {}),
  };
  try {
    // An empty quantity is "not set" (KubeRay checks a flag only when it has a value).
    for (const [flag, v] of Object.entries(quantities)) if (v !== '') checkQuantity(v, flag);
    validateTpu(f.workerTpu, intFlag('num-of-hosts', f.numOfHosts), f.workerNodeSelectors);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  return clusterFromConfig({ ...cfg, name, namespace: kube.namespace });
}

async function createCluster(
  kube: Kube,
  name: string | undefined,
  f: CreateClusterFlags,
  cmd: Command,
  io: Io,
) {
  if (f.file) {
    const extra = cmd.options
      .map((o) => o.attributeName())
      .filter((k) => cmd.getOptionValueSource(k) === 'cli' && !allowedWithFile.has(k));
    if (extra.length)
      throw new UsageError(
        `the following flags are incompatible with --file: [${extra.map((k) => k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())).join(' ')}]`,
      );
  } else if (!name) throw new UsageError('accepts 1 arg: cluster [CLUSTERNAME]');
  let image = f.image;
  // A non-default --ray-version with the default image picks that version's image (KubeRay).
  if (image === defaultImage && f.rayVersion !== defaultRayVersion) image = `rayproject/ray:${f.rayVersion}`;
  if (!image) image = `rayproject/ray:${f.rayVersion}`;
  const cluster = f.file ? fromFile(kube, f.file, name) : fromFlags(kube, name!, f, image);
  checkCluster(cluster, io);
  if (f.dryRun) {
    io.out.write(toYaml(cluster) + '\n');
    return;
  }
  const ns = cluster.metadata.namespace!;
  const exists = await kube.client.get(RayClusters, ns, cluster.metadata.name!).then(
    () => true,
    (e: unknown) => {
      if (isNotFound(e)) return false;
      throw e;
    },
  );
  if (exists)
    throw new UsageError(`the Ray cluster ${cluster.metadata.name} in namespace ${ns} already exists`);
  const created = await kube.client.apply<KubeObject>(RayClusters, cluster, { fieldManager, force: true });
  io.out.write(`Created Ray cluster: ${created.metadata.name}\n`);
  if (f.wait) {
    await waitProvisioned(kube, ns, created.metadata.name!, parseDuration(f.timeout), io);
    io.out.write(`Ray cluster ${created.metadata.name} is provisioned\n`);
  }
}

interface CreateWorkerGroupFlags {
  rayCluster?: string;
  rayVersion: string;
  image: string;
  workerReplicas: string;
  numOfHosts: string;
  workerMinReplicas: string;
  workerMaxReplicas: string;
  workerCpu: string;
  workerGpu: string;
  workerTpu: string;
  workerMemory: string;
  workerRayStartParams: Record<string, string>;
  workerNodeSelectors: Record<string, string>;
}

async function createWorkerGroup(kube: Kube, group: string, f: CreateWorkerGroupFlags, io: Io) {
  if (!f.rayCluster) throw new UsageError('required flag "ray-cluster" not set (-c RAYCLUSTER)');
  try {
    validateTpu(f.workerTpu, intFlag('num-of-hosts', f.numOfHosts), f.workerNodeSelectors);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const cluster = await getCluster(kube, f.rayCluster);
  const spec = cluster.spec;
  if ((spec.workerGroupSpecs ?? []).some((g) => g.groupName === group))
    throw new UsageError(
      `worker group ${group} already exists in Ray cluster ${kube.namespace}/${f.rayCluster}`,
    );
  const image =
    f.image === defaultImage && f.rayVersion !== defaultRayVersion
      ? `rayproject/ray:${f.rayVersion}`
      : f.image;
  const res: Record<string, string> = { cpu: f.workerCpu, memory: f.workerMemory };
  for (const [k, v] of [
    ['nvidia.com/gpu', f.workerGpu],
    ['google.com/tpu', f.workerTpu],
  ] as const)
    if (v && v !== '0') res[k] = v;
  const updated: RayClusterObject = {
    ...cluster,
    spec: {
      ...spec,
      workerGroupSpecs: [
        ...(spec.workerGroupSpecs ?? []),
        {
          groupName: group,
          replicas: intFlag('worker-replicas', f.workerReplicas),
          numOfHosts: intFlag('num-of-hosts', f.numOfHosts),
          minReplicas: intFlag('worker-min-replicas', f.workerMinReplicas),
          maxReplicas: intFlag('worker-max-replicas', f.workerMaxReplicas),
          rayStartParams: f.workerRayStartParams,
          template: {
            spec: {
              ...(Object.keys(f.workerNodeSelectors).length ? { nodeSelector: f.workerNodeSelectors } : {}),
              containers: [{ name: 'ray-worker', image, resources: { requests: res, limits: res } }],
            },
          },
        },
      ],
    },
  };
  checkCluster(updated, io);
  const r = await kube.client.update<RayClusterObject>(RayClusters, updated, { fieldManager });
  io.out.write(`Updated Ray cluster ${r.metadata.namespace}/${r.metadata.name} with new worker group\n`);
}

export function registerCreate(parent: Command, io: Io = stdio): void {
  const create = parent.command('create').description('Create Ray resources');
  create
    .command('cluster')
    .argument('[CLUSTERNAME]')
    .description('Create Ray cluster')
    .option('--labels <k=v,...>', 'K8s labels (e.g. --labels app=ray,env=dev)', mapFlag, {})
    .option(
      '--annotations <k=v,...>',
      'K8s annotations (e.g. --annotations ttl-hours=24,owner=chthulu)',
      mapFlag,
      {},
    )
    .option('--ray-version <version>', 'Ray version to use', defaultRayVersion)
    .option('--image <image>', 'container image to use', defaultImage)
    .option('--head-cpu <quantity>', 'number of CPUs in the Ray head', defaults.headCPU)
    .option('--head-memory <quantity>', 'amount of memory in the Ray head', defaults.headMemory)
    .option('--head-gpu <quantity>', 'number of GPUs in the Ray head', defaults.headGPU)
    .option(
      '--head-ephemeral-storage <quantity>',
      'amount of ephemeral storage in the Ray head',
      defaults.headEphemeralStorage,
    )
    .option(
      '--head-ray-start-params <k=v,...>',
      "a map of arguments to the Ray head's 'ray start' entrypoint",
      mapFlag,
      {},
    )
    .option('--head-node-selectors <k=v,...>', 'node selectors of the head pod', mapFlag, {})
    .option('--worker-replicas <n>', 'desired worker group replicas', String(defaults.workerReplicas))
    .option('--worker-cpu <quantity>', 'number of CPUs in each worker group replica', defaults.workerCPU)
    .option(
      '--worker-memory <quantity>',
      'amount of memory in each worker group replica',
      defaults.workerMemory,
    )
    .option('--worker-gpu <quantity>', 'number of GPUs in each worker group replica', defaults.workerGPU)
    .option(
      '--worker-tpu <quantity>',
      'number of TPUs in each worker group replica (needs the GKE TPU node selectors)',
      defaults.workerTPU,
    )
    .option(
      '--worker-ephemeral-storage <quantity>',
      'amount of ephemeral storage in each worker group replica',
      defaults.workerEphemeralStorage,
    )
    .option(
      '--worker-ray-start-params <k=v,...>',
      "a map of arguments to the Ray workers' 'ray start' entrypoint",
      mapFlag,
      {},
    )
    .option('--worker-node-selectors <k=v,...>', 'node selectors of the worker pods', mapFlag, {})
    .option(
      '--num-of-hosts <n>',
      'number of hosts in default worker group per replica',
      String(defaults.numOfHosts),
    )
    .option('--autoscaler <v1|v2>', 'autoscaler to use, supports: "v1", "v2"', (v: string) => {
      const x = v.toLowerCase();
      if (x !== 'v1' && x !== 'v2') throw new UsageError('--autoscaler must be one of "v1" or "v2"');
      return x;
    })
    .option(
      '--file <path>',
      "path to a YAML file: the plugin's cluster config (KubeRay's format) or a RayCluster",
    )
    .option('--dry-run', 'print the generated YAML instead of creating the cluster')
    .option('--wait', 'wait for the cluster to be provisioned before returning, showing pods ready / desired')
    .option('--timeout <duration>', 'the timeout for --wait', '5m0s')
    .action(async (name: string | undefined, f: CreateClusterFlags, cmd: Command) => {
      await withKube(cmd, (kube) => createCluster(kube, name, f, cmd, io), io);
    });
  create
    .command('workergroup')
    .argument('<WORKERGROUP>')
    .description('Create worker group in an existing Ray cluster')
    .option('-c, --ray-cluster <name>', 'Ray cluster to add a worker group to')
    .option('--ray-version <version>', 'Ray version to use', defaultRayVersion)
    .option('--image <image>', 'container image to use', defaultImage)
    .option('--worker-replicas <n>', 'desired replicas', '1')
    .option('--num-of-hosts <n>', 'number of hosts in the worker group per replica', '1')
    .option('--worker-min-replicas <n>', 'minimum number of replicas', '1')
    .option('--worker-max-replicas <n>', 'maximum number of replicas', '10')
    .option('--worker-cpu <quantity>', 'number of CPUs in each replica', '2')
    .option('--worker-gpu <quantity>', 'number of GPUs in each replica', '0')
    .option('--worker-tpu <quantity>', 'number of TPUs in each replica', '0')
    .option('--worker-memory <quantity>', 'amount of memory in each replica', '4Gi')
    .option(
      '--worker-ray-start-params <k=v,...>',
      "a map of arguments to the Ray workers' 'ray start' entrypoint",
      mapFlag,
      {},
    )
    .option('--worker-node-selectors <k=v,...>', 'node selectors of the worker pods', mapFlag, {})
    .action(async (group: string, f: CreateWorkerGroupFlags, cmd: Command) => {
      await withKube(cmd, (kube) => createWorkerGroup(kube, group, f, io), io);
    });
}
