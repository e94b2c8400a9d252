// `kubectl ray job submit [flags] (-f RAYJOB.yaml | --name NAME) --working-dir DIR -- ENTRYPOINT`
// (KubeRay plugin v1.7's flags and steps): a RayJob in InteractiveMode (generated, or from the file)
// with spec.jobId = the submission id; once its RayCluster is ready, the dashboard is port-forwarded
// (unless --address), the working directory is uploaded as a runtime_env package and the job
// submitted with that id; its logs follow until the RayJob ends. Where KubeRay shells out to a
// local `ray job submit`, Kuray speaks the Jobs API itself: no Ray installation on the laptop.
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { isTerminalJobStatus, type JobStatus } from '../../ray/jobs.ts';
import { DashboardClient } from '../../ray/dashboard.ts';
import { RayJobs, type KubeObject } from '../../runtime/resources.ts';
import { parseYamlStream, toYaml } from '../../util/yaml.ts';
import { getCluster, intFlag, isProvisioned, stdio, UsageError, withKube, type Io } from './common.ts';
import {
  checkQuantity,
  clusterFromConfig,
  ConfigError,
  defaultImage,
  defaultRayVersion,
  fieldManager,
  parseStringMap,
} from './generate.ts';
import type { Kube } from './kube.ts';
import { startKubectl } from './kubectl.ts';
import { parseDuration } from './wait.ts';
import { collectFiles, packageUri, zip } from './zip.ts';

interface SubmitFlags {
  filename?: string;
  address?: string;
  submissionId?: string;
  runtimeEnv?: string;
  workingDir?: string;
  headers?: string;
  runtimeEnvJson?: string;
  verify?: string;
  entrypointResources?: string;
  metadataJson?: string;
  logStyle?: string;
  logColor?: string;
  entrypointNumCpus?: string;
  entrypointNumGpus?: string;
  entrypointMemory?: string;
  noWait?: boolean;
  name?: string;
  rayVersion: string;
  image: string;
  headCpu: string;
  headMemory: string;
  headGpu: string;
  workerReplicas: string;
  workerCpu: string;
  workerMemory: string;
  workerGpu: string;
  dryRun?: boolean;
  verbose?: boolean;
  headNodeSelectors: Record<string, string>;
  workerNodeSelectors: Record<string, string>;
  ttlSecondsAfterFinished?: string;
  timeout: string;
}

type RayJobObject = KubeObject & {
  spec: Record<string, unknown> & {
    submissionMode?: string;
    backoffLimit?: number;
    runtimeEnvYAML?: string;
    shutdownAfterJobFinishes?: boolean;
    ttlSecondsAfterFinished?: number;
  };
  status?: {
    rayClusterName?: string;
    jobStatus?: string;
    jobId?: string;
    message?: string;
    jobDeploymentStatus?: string;
  };
};

/** Ray's submission id form: raysubmit_ and 16 characters without the look-alikes I, l, O, 0, o. */
export function submissionId(): string {
  const chars = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ123456789';
  return `raysubmit_${Array.from({ length: 16 }, () => chars[randomInt(chars.length)]).join('')}`;
}

/** The words after `--` as one shell command line, each quoted where the shell would split it. */
export function shellJoin(words: readonly string[]): string {
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`)).join(' ');
}

function json(flag: string, v: string | undefined): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  try {
    const o = JSON.parse(v) as unknown;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not an object');
    return o as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`--${flag}: not a JSON object: ${(e as Error).message}`);
  }
}

/** The RayJob this submission creates (validated as KubeRay does). */
export function rayJobFor(
  f: SubmitFlags,
  ns: string,
  entrypoint: string,
  id: string,
  ttlGiven: boolean,
): RayJobObject {
  const ttl =
    f.ttlSecondsAfterFinished !== undefined
      ? intFlag('ttl-seconds-after-finished', f.ttlSecondsAfterFinished)
      : 0;
  if (ttl < 0) throw new UsageError('--ttl-seconds-after-finished must be greater than or equal to 0');
  if (f.filename) {
    if (!existsSync(f.filename) || !statSync(f.filename).isFile())
      throw new UsageError(`Ray Job file does not exist or is not a regular file: ${f.filename}`);
    const job = parseYamlStream(readFileSync(f.filename, 'utf8'), f.filename)[0]?.value as
      RayJobObject | undefined;
    if (!job || (job as { kind?: unknown }).kind !== 'RayJob')
      throw new UsageError(`${f.filename}: not a RayJob`);
    if (job.spec.submissionMode !== 'InteractiveMode')
      throw new UsageError("Submission mode of the Ray Job must be set to 'InteractiveMode'");
    if ((job.spec.backoffLimit ?? 0) > 0)
      throw new UsageError('BackoffLimit is incompatible with InteractiveMode');
    const spec = { ...job.spec, jobId: id };
    if (ttlGiven) Object.assign(spec, { ttlSecondsAfterFinished: ttl, shutdownAfterJobFinishes: true });
    if (!spec.shutdownAfterJobFinishes && (spec.ttlSecondsAfterFinished ?? 0) > 0)
      throw new UsageError(
        'ttlSecondsAfterFinished is only supported when shutdownAfterJobFinishes is set to true',
      );
    return { ...job, metadata: { ...job.metadata, namespace: ns }, spec };
  }
  if (!f.name?.trim())
    throw new UsageError('Must set either yaml file (--filename) or set Ray job name (--name)');
  const quantities = {
    'head-cpu': f.headCpu,
    'head-gpu': f.headGpu,
    'head-memory': f.headMemory,
    'worker-cpu': f.workerCpu,
    'worker-gpu': f.workerGpu,
    'worker-memory': f.workerMemory,
  };
  try {
    for (const [flag, v] of Object.entries(quantities)) if (v !== '') checkQuantity(v, flag);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  const image =
    f.image === defaultImage && f.rayVersion !== defaultRayVersion
      ? `rayproject/ray:${f.rayVersion}`
      : f.image;
  const cluster = clusterFromConfig({
    name: f.name,
    namespace: ns,
    'ray-version': f.rayVersion,
    image,
    head: { cpu: f.headCpu, memory: f.headMemory, gpu: f.headGpu, 'node-selectors': f.headNodeSelectors },
    'worker-groups': [
      {
        replicas: intFlag('worker-replicas', f.workerReplicas),
        cpu: f.workerCpu,
        memory: f.workerMemory,
        gpu: f.workerGpu,
        'node-selectors': f.workerNodeSelectors,
      },
    ],
  }) as { spec: unknown };
  return {
    apiVersion: 'ray.io/v1',
    kind: 'RayJob',
    metadata: { name: f.name, namespace: ns },
    spec: {
      submissionMode: 'InteractiveMode',
      // Ignored in InteractiveMode; KubeRay sends it for operators before 1.2.2.
      entrypoint,
      jobId: id,
      ttlSecondsAfterFinished: ttl,
      shutdownAfterJobFinishes: ttlGiven,
      rayClusterSpec: cluster.spec,
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => {
        resolve(typeof a === 'object' && a ? a.port : 0);
      });
    });
  });
}

async function submit(kube: Kube, entrypoint: string, f: SubmitFlags, cmd: Command, io: Io) {
  let workingDir = f.workingDir;
  let runtimeEnv: Record<string, unknown> = {};
  if (f.runtimeEnv) {
    if (!existsSync(f.runtimeEnv) || !statSync(f.runtimeEnv).isFile())
      throw new UsageError(`Runtime Env file does not exist or is not a regular file: ${f.runtimeEnv}`);
    runtimeEnv = (parseYamlStream(readFileSync(f.runtimeEnv, 'utf8'), f.runtimeEnv)[0]?.value ??
      {}) as Record<string, unknown>;
    if (!workingDir && typeof runtimeEnv.working_dir === 'string') workingDir = runtimeEnv.working_dir;
  }
  const ttlGiven = cmd.getOptionValueSource('ttlSecondsAfterFinished') === 'cli';
  const id = f.submissionId ?? submissionId();
  const job = rayJobFor(f, kube.namespace, entrypoint, id, ttlGiven);
  if (f.filename && !f.runtimeEnv && !f.runtimeEnvJson && job.spec.runtimeEnvYAML) {
    const v = parseYamlStream(job.spec.runtimeEnvYAML, 'spec.runtimeEnvYAML')[0]?.value;
    if (v && typeof v === 'object') runtimeEnv = v as Record<string, unknown>;
  }
  Object.assign(runtimeEnv, json('runtime-env-json', f.runtimeEnvJson));
  if (!workingDir)
    throw new UsageError('working directory is required, use --working-dir or set with runtime env');
  if (!existsSync(workingDir) || !statSync(workingDir).isDirectory())
    throw new UsageError(`--working-dir ${workingDir}: not a directory`);
  if (f.address !== undefined && !f.address.trim())
    throw new UsageError('--address was provided but is empty');
  if (f.dryRun) {
    if (f.filename) throw new UsageError('--dry-run only works when --filename is not provided');
    io.out.write(toYaml(job) + '\n');
    return;
  }
  if (!f.submissionId) io.out.write(`Generated submission ID for Ray job: ${id}\n`);
  const created = f.filename
    ? await kube.client.create<RayJobObject>(RayJobs, job, { fieldManager })
    : await kube.client.apply<RayJobObject>(RayJobs, job, { fieldManager, force: true });
  const jobName = created.metadata.name!;
  io.out.write(`Submitted RayJob ${jobName}.\n`);

  const deadline = Date.now() + parseDuration(f.timeout);
  let clusterName: string | undefined;
  while (
    !(clusterName = (await kube.client.get<RayJobObject>(RayJobs, kube.namespace, jobName)).status
      ?.rayClusterName)
  ) {
    if (Date.now() > deadline)
      throw new Error(
        `RayJob ${jobName} has no RayCluster after ${f.timeout}: is the RayJob controller running?`,
      );
    await sleep(1000);
  }
  io.out.write(`Waiting for RayCluster\nChecking Cluster Status for cluster ${clusterName}...\n`);
  let cluster = await getCluster(kube, clusterName);
  while (!isProvisioned(cluster)) {
    if (Date.now() > deadline) {
      io.out.write('Deleting RayJob...\n');
      await kube.client.delete(RayJobs, kube.namespace, jobName);
      io.out.write(`Cleaned Up RayJob: ${jobName}\n`);
      throw new Error('Timed out waiting for cluster');
    }
    await sleep(2000);
    cluster = await getCluster(kube, clusterName);
  }

  let address = f.address;
  let forward: ReturnType<typeof startKubectl> | undefined;
  try {
    if (!address) {
      const svc = cluster.status?.head?.serviceName;
      if (!svc) throw new Error(`RayCluster ${clusterName} has no head Service in its status`);
      const port = await freePort();
      io.out.write(`Port forwarding service ${svc}\n`);
      forward = startKubectl(kube, ['port-forward', `service/${svc}`, `${port}:8265`]);
      forward.stdout!.resume();
      forward.stderr!.resume();
      address = `http://127.0.0.1:${port}`;
      const probe = new DashboardClient({ baseUrl: address, timeoutMs: 5000 });
      const until = Date.now() + 60_000;
      for (;;) {
        if (
          await probe.version().then(
            () => true,
            () => false,
          )
        )
          break;
        if (Date.now() > until) throw new Error('Timed out waiting for port forwarding');
        await sleep(1000);
      }
      io.out.write(`Port forwarding started on ${address}\n`);
    } else io.out.write(`Using address ${address} (no port-forwarding)\n`);

    const dash = new DashboardClient({ baseUrl: address, timeoutMs: 120_000 });
    const files = collectFiles(workingDir);
    const uri = packageUri(files);
    if (f.verbose) io.out.write(`Uploading ${files.length} files of ${workingDir} as ${uri}\n`);
    await dash.uploadPackage(uri, zip(files));
    const entryResources = json('entrypoint-resources', f.entrypointResources) as
      Record<string, number> | undefined;
    const metadata = json('metadata-json', f.metadataJson) as Record<string, string> | undefined;
    await dash.submitJob({
      entrypoint,
      submission_id: id,
      runtime_env: { ...runtimeEnv, working_dir: uri },
      ...(metadata ? { metadata } : {}),
      ...(f.entrypointNumCpus ? { entrypoint_num_cpus: Number(f.entrypointNumCpus) } : {}),
      ...(f.entrypointNumGpus ? { entrypoint_num_gpus: Number(f.entrypointNumGpus) } : {}),
      ...(f.entrypointMemory ? { entrypoint_memory: intFlag('entrypoint-memory', f.entrypointMemory) } : {}),
      ...(entryResources ? { entrypoint_resources: entryResources } : {}),
    });
    io.out.write(`Job '${id}' submitted successfully\n`);
    if (f.noWait) {
      io.out.write(`Ray job submitted with ID ${id}\n`);
      return;
    }
    // Follow the driver's log until the job ends.
    let printed = 0;
    for (;;) {
      const logs = await dash.jobLogs(id).catch(() => '');
      if (logs.length > printed) {
        io.out.write(logs.slice(printed));
        printed = logs.length;
      }
      let j: Awaited<ReturnType<DashboardClient['getJob']>>;
      try {
        j = await dash.getJob(id);
      } catch (err) {
        // The operator may delete the cluster (and the head this forwards to) the moment it sees the
        // job end — at once with --ttl-seconds-after-finished 0 — before this loop asks again. The
        // RayJob is the record then: an ended RayJob goes on to the wait below (the driver's last
        // lines went with the cluster); anything else is an error the user must see.
        if (await rayJobEnded(kube, jobName)) break;
        throw err;
      }
      if (j && isTerminalJobStatus(j.status)) {
        const rest = await dash.jobLogs(id).catch(() => '');
        if (rest.length > printed) io.out.write(rest.slice(printed));
        io.out.write(`Job '${id}' ${j.status.toLowerCase()}\n`);
        break;
      }
      await sleep(1000);
    }
  } finally {
    forward?.kill('SIGTERM');
  }
  // The RayJob is the record: wait until the operator has seen the end.
  io.out.write('Waiting for job to finish...\n');
  let lastLine = '';
  for (;;) {
    const rj = await kube.client.get<RayJobObject>(RayJobs, kube.namespace, jobName);
    const status = rj.status?.jobStatus ?? '';
    const line = `Current status: ${status} (RayJob: ${jobName}, JobID: ${rj.status?.jobId || 'unknown'})\n`;
    if (line !== lastLine) io.out.write((lastLine = line));
    if (['SUCCEEDED', 'STOPPED'].includes(status)) {
      io.out.write(`Job ${id} finished with status ${status}.\n`);
      return;
    }
    if (status === 'FAILED')
      throw new Error(`job ${id} failed${rj.status?.message ? `: ${rj.status.message}` : ''}`);
    if (Date.now() > deadline + 600_000) throw new Error(`RayJob ${jobName} did not reach a terminal status`);
    await sleep(1000);
  }
}

const map = (v: string, prev: Record<string, string>) => parseStringMap(v, prev);

export function registerJob(parent: Command, io: Io = stdio): void {
  parent
    .command('job')
    .description('Manage Ray jobs')
    .command('submit')
    .argument('[ENTRYPOINT...]', 'the command after --, e.g. -- python my_script.py')
    .description('Submit Ray job to Ray cluster')
    .option('-f, --filename <file>', 'Path and name of the Ray Job YAML file')
    .option(
      '--address <url>',
      'Ray Dashboard base URL (e.g., https://ray.example.com). If set, skips port-forwarding.',
    )
    .option('--submission-id <id>', 'ID to specify for the Ray job. If not provided, one will be generated')
    .option('--runtime-env <file>', 'Path and name to the runtime env YAML file.')
    .option('--working-dir <dir>', 'Directory containing files that your job will run in')
    .option(
      '--headers <json>',
      'accepted for compatibility (the dashboard is reached through port-forward or --address)',
    )
    .option(
      '--runtime-env-json <json>',
      'JSON-serialized runtime_env dictionary. Precedence over Ray job CR.',
    )
    .option('--verify <value>', 'accepted for compatibility')
    .option(
      '--entrypoint-resources <json>',
      'JSON-serialized dictionary mapping resource name to resource quantity',
    )
    .option('--metadata-json <json>', 'JSON-serialized dictionary of metadata to attach to the job.')
    .option('--log-style <style>', 'accepted for compatibility (auto | record | pretty)')
    .option('--log-color <color>', 'accepted for compatibility (auto | false | true)')
    .option('--entrypoint-num-cpus <n>', 'Number of CPUs reserved for the entrypoint command')
    .option('--entrypoint-num-gpus <n>', 'Number of GPUs reserved for the entrypoint command')
    .option('--entrypoint-memory <bytes>', 'Amount of memory reserved for the entrypoint command')
    .option('--no-wait', 'If present, will not stream logs and wait for job to finish')
    .option('--name <name>', 'Ray job name')
    .option('--ray-version <version>', 'Ray version to use', defaultRayVersion)
    .option('--image <image>', 'container image to use', defaultImage)
    .option('--head-cpu <quantity>', 'number of CPUs in the Ray head', '2')
    .option('--head-memory <quantity>', 'amount of memory in the Ray head', '4Gi')
    .option('--head-gpu <quantity>', 'number of GPUs in the Ray head', '0')
    .option('--worker-replicas <n>', 'desired worker group replicas', '1')
    .option('--worker-cpu <quantity>', 'number of CPUs in each worker group replica', '2')
    .option('--worker-memory <quantity>', 'amount of memory in each worker group replica', '4Gi')
    .option('--worker-gpu <quantity>', 'number of GPUs in each worker group replica', '0')
    .option('--dry-run', 'print the generated YAML instead of creating the RayJob (only without --filename)')
    .option('-v, --verbose', 'verbose output')
    .option('--head-node-selectors <k=v,...>', 'node selectors of the head pod', map, {})
    .option('--worker-node-selectors <k=v,...>', 'node selectors of the worker pods', map, {})
    .option(
      '--ttl-seconds-after-finished <n>',
      'TTL seconds after finished (also shuts the cluster down after the job)',
    )
    .option('--timeout <duration>', 'how long to wait for the RayCluster (Kuray; KubeRay waits 120s)', '10m')
    .action(async (words: string[], f: SubmitFlags, cmd: Command) => {
      // `--no-wait` is commander's negation of `wait`.
      const flags = { ...f, noWait: (f as { wait?: boolean }).wait === false };
      await withKube(
        cmd,
        (kube) => {
          if (words.length === 0)
            throw new UsageError(
              'submit [OPTIONS] -f/--filename RAYJOB_YAML -- ENTRYPOINT: the entrypoint goes after --',
            );
          return submit(kube, shellJoin(words), flags, cmd, io);
        },
        io,
      );
    });
}

async function rayJobEnded(kube: Kube, jobName: string): Promise<boolean> {
  const rj = await kube.client.get<RayJobObject>(RayJobs, kube.namespace, jobName).catch(() => undefined);
  const status = rj?.status?.jobStatus;
  // isTerminalJobStatus is a set lookup: any other string (or none) is not an end.
  return isTerminalJobStatus((status ?? '') as JobStatus);
}
