// Pod volumes on the local node: what a kubelet mounts, written into the pod's directory and made
// visible at each container's mountPath by the LD_PRELOAD shim (KURAY_MOUNTS, see netshim.c), so
// KubeRay samples that ship their script in a ConfigMap (mounted at /home/ray/samples) run unchanged.
//
// Materialized: emptyDir (one directory shared by the pod's containers), configMap, secret,
// downwardAPI, projected (configMap, secret, downwardAPI and serviceAccountToken sources) and
// hostPath (the host path itself). Other sources (PVCs, CSI, …) are reported by the node and not
// mounted: the container sees the host's filesystem at that path.
//
// Like a kubelet, configMap and secret volumes follow their object while the pod runs
// (refreshVolumes, every few seconds here; a kubelet takes up to a minute): a renewed certificate or an
// edited ConfigMap reaches the files. Each changed file is replaced atomically (write, then rename).
// Projected and downwardAPI volumes are written once.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { EnvError, fieldRefValue, resourceFieldValue } from './env.ts';
import type { ContainerSpec, DownwardAPIFile, KeyToPath, Pod, Volume } from './types.ts';

/** What the node reads from the API to fill volumes. undefined = not found. */
export interface VolumeLookups {
  /** data and binaryData, both as bytes. */
  configMap(namespace: string, name: string): Promise<Record<string, Buffer> | undefined>;
  /** data, decoded from base64. */
  secret(namespace: string, name: string): Promise<Record<string, Buffer> | undefined>;
  /** A bound token for the pod's service account with this audience (TokenRequest). */
  token(pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<string>;
}

export interface VolumeFile {
  /** Relative to the volume's root. */
  path: string;
  content: Buffer;
  mode: number;
}

export type MaterializedVolume =
  | { kind: 'files'; files: VolumeFile[] }
  | { kind: 'emptyDir' }
  | { kind: 'hostPath'; path: string }
  | { kind: 'unsupported'; source: string };

export interface DownwardContext {
  pod: Pod;
  podIP: string;
  hostIP: string;
  nodeAllocatable: Readonly<Record<string, string>>;
}

const DEFAULT_MODE = 0o644;

/** A relative file path that stays inside the volume (a kubelet rejects `..` and absolute paths). */
function safeRelative(path: string, where: string): string {
  const n = normalize(path);
  if (path === '' || n.startsWith('/') || n === '..' || n.startsWith('../')) {
    throw new EnvError(`${where}: path ${JSON.stringify(path)} must be relative and stay inside the volume`);
  }
  return n;
}

function selectKeys(
  data: Record<string, Buffer>,
  items: readonly KeyToPath[] | undefined,
  mode: number,
  where: string,
): VolumeFile[] {
  if (!items?.length) {
    return Object.entries(data).map(([k, v]) => ({ path: safeRelative(k, where), content: v, mode }));
  }
  return items.map((it) => {
    const v = data[it.key];
    if (v === undefined) throw new EnvError(`${where}: key ${JSON.stringify(it.key)} not found`);
    return { path: safeRelative(it.path, where), content: v, mode: it.mode ?? mode };
  });
}

function downwardFiles(
  items: readonly DownwardAPIFile[] | undefined,
  mode: number,
  ctx: DownwardContext,
  where: string,
): VolumeFile[] {
  return (items ?? []).map((it) => {
    let value = '';
    if (it.fieldRef) {
      value = fieldRefValue(ctx.pod, it.fieldRef.fieldPath, ctx.podIP, ctx.hostIP);
    } else if (it.resourceFieldRef) {
      const c = ctx.pod.spec.containers.find((x) => x.name === it.resourceFieldRef!.containerName);
      if (!c) throw new EnvError(`${where}: resourceFieldRef needs a containerName of this pod`);
      value = resourceFieldValue(
        c,
        it.resourceFieldRef.resource,
        it.resourceFieldRef.divisor,
        ctx.nodeAllocatable,
      );
    }
    return { path: safeRelative(it.path, where), content: Buffer.from(value), mode: it.mode ?? mode };
  });
}

async function fetched(
  what: 'configMap' | 'secret',
  name: string,
  optional: boolean | undefined,
  lookups: VolumeLookups,
  ns: string,
  where: string,
): Promise<Record<string, Buffer> | undefined> {
  const data = what === 'configMap' ? await lookups.configMap(ns, name) : await lookups.secret(ns, name);
  if (data === undefined && !optional) {
    // A kubelet keeps the pod in ContainerCreating with a FailedMount event until it exists.
    throw new EnvError(`${where}: ${what} ${JSON.stringify(name)} not found`);
  }
  return data;
}

/** The contents of one volume (pure given the lookups). */
export async function materialize(
  v: Volume,
  lookups: VolumeLookups,
  ctx: DownwardContext,
): Promise<MaterializedVolume> {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  const where = `volume ${JSON.stringify(v.name)}`;
  if (v.emptyDir) return { kind: 'emptyDir' };
  if (v.hostPath) return { kind: 'hostPath', path: v.hostPath.path };
  if (v.configMap) {
    const data = await fetched('configMap', v.configMap.name, v.configMap.optional, lookups, ns, where);
    const mode = v.configMap.defaultMode ?? DEFAULT_MODE;
    return { kind: 'files', files: data ? selectKeys(data, v.configMap.items, mode, where) : [] };
  }
  if (v.secret) {
    const data = await fetched('secret', v.secret.secretName, v.secret.optional, lookups, ns, where);
    const mode = v.secret.defaultMode ?? DEFAULT_MODE;
    return { kind: 'files', files: data ? selectKeys(data, v.secret.items, mode, where) : [] };
  }
  if (v.downwardAPI) {
    return {
      kind: 'files',
      files: downwardFiles(v.downwardAPI.items, v.downwardAPI.defaultMode ?? DEFAULT_MODE, ctx, where),
    };
  }
  if (v.projected) {
    const mode = v.projected.defaultMode ?? DEFAULT_MODE;
    const files: VolumeFile[] = [];
    for (const src of v.projected.sources ?? []) {
      if (src.configMap) {
        const data = await fetched(
          'configMap',
          src.configMap.name,
          src.configMap.optional,
          lookups,
          ns,
          where,
        );
        if (data) files.push(...selectKeys(data, src.configMap.items, mode, where));
      } else if (src.secret) {
        const data = await fetched('secret', src.secret.name, src.secret.optional, lookups, ns, where);
        if (data) files.push(...selectKeys(data, src.secret.items, mode, where));
      } else if (src.downwardAPI) {
        files.push(...downwardFiles(src.downwardAPI.items, mode, ctx, where));
      } else if (src.serviceAccountToken) {
        const t = src.serviceAccountToken;
        const token = await lookups.token(ctx.pod, t.audience, t.expirationSeconds ?? 3600);
        files.push({ path: safeRelative(t.path, where), content: Buffer.from(token), mode });
      }
    }
    return { kind: 'files', files };
  }
  const source = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
  return { kind: 'unsupported', source };
}

/**
 * Writes every volume of the pod under `<podDir>/volumes/<name>`; returns volume name → host path
 * (hostPath volumes map to their own path; unsupported ones are absent and reported through `warn`).
 */
export async function prepareVolumes(
  podDir: string,
  lookups: VolumeLookups,
  ctx: DownwardContext,
  warn: (msg: string) => void,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const v of ctx.pod.spec.volumes ?? []) {
    const m = await materialize(v, lookups, ctx);
    const dir = join(podDir, 'volumes', v.name);
    switch (m.kind) {
      case 'emptyDir':
        mkdirSync(dir, { recursive: true });
        out.set(v.name, dir);
        break;
      case 'hostPath':
        out.set(v.name, m.path);
        break;
      case 'files':
        mkdirSync(dir, { recursive: true });
        for (const f of m.files) {
          const p = join(dir, f.path);
          mkdirSync(dirname(p), { recursive: true });
          writeFileSync(p, f.content, { mode: f.mode });
        }
        out.set(v.name, dir);
        break;
      case 'unsupported':
        warn(`volume ${v.name}: ${m.source} volumes are not mounted by the local node`);
        break;
    }
  }
  return out;
}

/** configMap and secret volumes are the ones that follow their object (refreshVolumes). */
export const refreshable = (v: Volume): boolean => v.secret !== undefined || v.configMap !== undefined;

/**
 * Rewrites the files of `pod`'s configMap and secret volumes whose content changed since they were
 * written (prepareVolumes made the directories); returns the paths rewritten. A missing object leaves
 * the files as they are, as a kubelet keeps the last content it saw.
 */
export async function refreshVolumes(
  podDir: string,
  lookups: VolumeLookups,
  ctx: DownwardContext,
): Promise<string[]> {
  const changed: string[] = [];
  for (const v of ctx.pod.spec.volumes ?? []) {
    if (!refreshable(v)) continue;
    let m: MaterializedVolume;
    try {
      m = await materialize(v, lookups, ctx);
    } catch {
      continue; // not found now: keep what the pod has
    }
    if (m.kind !== 'files') continue;
    const dir = join(podDir, 'volumes', v.name);
    for (const f of m.files) {
      const p = join(dir, f.path);
      let old: Buffer | undefined;
      try {
        old = readFileSync(p);
      } catch {
        old = undefined;
      }
      if (old?.equals(f.content)) continue;
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(`${p}.kuray-new`, f.content, { mode: f.mode });
      renameSync(`${p}.kuray-new`, p);
      changed.push(p);
    }
  }
  return changed;
}

const within = (path: string, dir: string): boolean =>
  path === dir || path.startsWith(dir.replace(/\/+$/, '') + '/');

/**
 * KURAY_MOUNTS for one container: "<mountPath>=<host path>" lines (subPath appended). Mounts of
 * volumes the node did not materialize are left out, as are paths with a newline or '=', and mounts
 * over a directory the node itself runs the container from (`reserved`: its state dir, the pod's temp
 * dir, the venv, …): Ray's `shared-mem` emptyDir at /dev/shm would otherwise hide the node's own
 * files under /dev/shm from the container. Such a container sees the host's directory there.
 */
export function mountTable(
  c: ContainerSpec,
  volumeDirs: ReadonlyMap<string, string>,
  reserved: readonly string[] = [],
): string {
  const lines: string[] = [];
  for (const m of c.volumeMounts ?? []) {
    const dir = volumeDirs.get(m.name);
    if (dir === undefined || !m.mountPath.startsWith('/')) continue;
    if (reserved.some((r) => within(r, m.mountPath))) continue;
    const host = m.subPath ? join(dir, safeRelative(m.subPath, `volumeMount ${m.name}`)) : dir;
    if (/[\n=]/.test(m.mountPath) || host.includes('\n')) continue;
    lines.push(`${m.mountPath}=${host}`);
  }
  return lines.join('\n');
}

/** A container path as the host sees it, through the mount table (longest mount point wins). */
export function hostPathOf(path: string, table: string): string {
  let best: { at: string; to: string } | undefined;
  for (const line of table.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const at = line.slice(0, eq).replace(/\/+$/, '') || '/';
    if ((path === at || path.startsWith(at + '/')) && (!best || at.length > best.at.length))
      best = { at, to: line.slice(eq + 1) };
  }
  return best ? best.to + path.slice(best.at.length) : path;
}
