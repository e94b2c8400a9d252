// Pieces every `kubectl ray` command shares: running an action with a connection and kubectl-style
// errors, TYPE/NAME arguments (raycluster, rayjob, rayservice), the RayCluster behind a RayJob or
// RayService, and the labels KubeRay puts on Ray pods.
import type { Command } from 'commander';
import type { RayCluster } from '../../api/v1/index.ts';
import { ApiError, isNotFound } from '../../runtime/errors.ts';
import { RayClusters, RayJobs, RayServices, type GVR, type KubeObject } from '../../runtime/resources.ts';
import { Kube, type GlobalFlags } from './kube.ts';

export const labels = {
  cluster: 'ray.io/cluster',
  isRayNode: 'ray.io/is-ray-node',
  group: 'ray.io/group',
  nodeType: 'ray.io/node-type',
} as const;

export type RayClusterObject = RayCluster & KubeObject;

/** A failure the user can act on: printed as `error: <message>`, exit status 1. */
export class UsageError extends Error {}

export interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export const stdio: Io = { out: process.stdout, err: process.stderr };

/** An error's message as kubectl shows it: the API server's own message for API errors. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.body?.message ?? e.message;
  return e instanceof Error ? e.message : String(e);
}

/** kubectl's rendering of an API error: `Error from server (NotFound): rayclusters.ray.io "x" not found`. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    const msg = e.body?.message ?? e.message;
    return `Error from server (${e.reason}): ${msg}`;
  }
  return `error: ${e instanceof Error ? e.message : String(e)}`;
}

/** Runs `fn` with a connection from the command's global flags; errors end the process with status 1. */
export async function withKube(
  cmd: Command,
  fn: (kube: Kube) => Promise<void>,
  io: Io = stdio,
): Promise<void> {
  let kube: Kube | undefined;
  try {
    kube = new Kube(cmd.optsWithGlobals<GlobalFlags>());
    await fn(kube);
  } catch (e) {
    io.err.write(describeError(e) + '\n');
    process.exitCode = 1;
  } finally {
    kube?.close();
  }
}

export type ResourceType = 'raycluster' | 'rayjob' | 'rayservice';

export const resourceOf: Record<ResourceType, GVR> = {
  raycluster: RayClusters,
  rayjob: RayJobs,
  rayservice: RayServices,
};

/** `NAME` (a RayCluster) or `TYPE/NAME` with TYPE raycluster, rayjob or rayservice. */
export function parseTypeName(arg: string): { type: ResourceType; name: string } {
  const parts = arg.split('/');
  if (parts.length === 1 && parts[0]) return { type: 'raycluster', name: parts[0] };
  const [t, name] = parts;
  if (parts.length !== 2 || !name) throw new UsageError(`invalid resource type/name: ${arg}`);
  const type = t!.toLowerCase();
  if (type !== 'raycluster' && type !== 'rayjob' && type !== 'rayservice')
    throw new UsageError(`unsupported resource type: ${t} (use raycluster, rayjob or rayservice)`);
  return { type, name };
}

/** The RayCluster a resource runs on: itself, a RayJob's status.rayClusterName, a RayService's active cluster. */
export async function clusterNameOf(kube: Kube, ref: { type: ResourceType; name: string }): Promise<string> {
  if (ref.type === 'raycluster') return ref.name;
  const obj = await kube.client.get<KubeObject & { status?: Record<string, unknown> }>(
    resourceOf[ref.type],
    kube.namespace,
    ref.name,
  );
  const status = obj.status ?? {};
  const name =
    ref.type === 'rayjob'
      ? (status.rayClusterName as string | undefined)
      : ((status.activeServiceStatus as { rayClusterName?: string } | undefined)?.rayClusterName ??
        undefined);
  if (!name)
    throw new UsageError(
      `${ref.type} ${ref.name} in namespace ${kube.namespace} has no RayCluster yet (status is still empty): wait until it starts one`,
    );
  return name;
}

export async function getCluster(
  kube: Kube,
  name: string,
  namespace = kube.namespace,
): Promise<RayClusterObject> {
  try {
    return await kube.client.get<RayClusterObject>(RayClusters, namespace, name);
  } catch (e) {
    if (isNotFound(e)) throw new UsageError(`Ray cluster ${name} not found in namespace ${namespace}`);
    throw e;
  }
}

/**
 * The condition `get cluster` shows, KubeRay's precedence: RayClusterProvisioned > HeadPodReady >
 * RayClusterReplicaFailure > RayClusterSuspended > RayClusterSuspending (the first that is True).
 */
export function relevantCondition(c: RayClusterObject): string {
  const conds = c.status?.conditions ?? [];
  for (const t of [
    'RayClusterProvisioned',
    'HeadPodReady',
    'RayClusterReplicaFailure',
    'RayClusterSuspended',
    'RayClusterSuspending',
  ])
    if (conds.some((x) => x.type === t && x.status === 'True')) return t;
  return '';
}

/** KubeRay's "provisioned": the RayClusterProvisioned condition, or state ready. */
export function isProvisioned(c: RayClusterObject): boolean {
  return (
    (c.status?.conditions ?? []).some((x) => x.type === 'RayClusterProvisioned' && x.status === 'True') ||
    c.status?.state === 'ready'
  );
}

/** An integer flag value (commander hands strings). */
export function intFlag(name: string, v: string): number {
  if (!/^-?\d+$/.test(v))
    throw new UsageError(`invalid argument "${v}" for "--${name}" flag: not an integer`);
  return Number(v);
}
