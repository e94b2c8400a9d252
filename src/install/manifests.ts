// Reading install manifests (config/rbac, config/manager, `helm template` output) as objects, and
// the kubeconfig a ServiceAccount token gives, so tests and tools can run the operator with exactly
// the permissions an install grants.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlStream, toYaml } from '../util/yaml.ts';
import type { PolicyRule } from './permissions.ts';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const chartDir = join(repoRoot, 'charts', 'kuray-operator');

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
}

function isManifest(v: unknown): v is Manifest {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.kind === 'string' && typeof o.apiVersion === 'string' && typeof o.metadata === 'object';
}

/** Every object of a YAML stream (Lists flattened); a document that is not an object throws. */
export function parseManifests(text: string, source = '<input>'): Manifest[] {
  return parseYamlStream(text, source).flatMap((d) => {
    const v = d.value as { kind?: unknown; items?: unknown };
    const items: unknown[] = v.kind === 'List' && Array.isArray(v.items) ? v.items : [v];
    return items.map((item) => {
      if (!isManifest(item))
        throw new Error(
          `${source}: document ${d.index + 1} is not a Kubernetes object (kind, apiVersion, metadata)`,
        );
      return item;
    });
  });
}

/** The objects of every .yaml file in a directory (not recursive), in file-name order. */
export function readManifestDir(dir: string): Manifest[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
    .sort()
    .flatMap((f) => parseManifests(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
}

export function findManifests(
  objs: readonly Manifest[],
  kind: string,
  where: { name?: string; namespace?: string } = {},
): Manifest[] {
  return objs.filter(
    (o) =>
      o.kind === kind &&
      (where.name === undefined || o.metadata.name === where.name) &&
      (where.namespace === undefined || o.metadata.namespace === where.namespace),
  );
}

/** Exactly one match, else an error naming what was looked for and what exists. */
export function findManifest(
  objs: readonly Manifest[],
  kind: string,
  where: { name?: string; namespace?: string } = {},
): Manifest {
  const found = findManifests(objs, kind, where);
  if (found.length !== 1) {
    const have = objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);
    throw new Error(
      `expected one ${kind} ${JSON.stringify(where)}, found ${found.length}; objects: ${have.join(', ')}`,
    );
  }
  return found[0]!;
}

export function rulesOf(role: Manifest): PolicyRule[] {
  if (role.kind !== 'Role' && role.kind !== 'ClusterRole') throw new Error(`${role.kind} has no rules`);
  return (role.rules as PolicyRule[] | undefined) ?? [];
}

export interface TokenKubeconfigInput {
  server: string;
  caCert: string;
  token: string;
  /** User and context name, e.g. "system:serviceaccount:ray-system:kuberay-operator". */
  user: string;
  namespace?: string;
}

/** A self-contained kubeconfig that authenticates with a bearer token (e.g. `kubectl create token`). */
export function tokenKubeconfig(k: TokenKubeconfigInput): string {
  const cluster = 'cluster';
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster,
        cluster: { server: k.server, 'certificate-authority-data': Buffer.from(k.caCert).toString('base64') },
      },
    ],
    users: [{ name: k.user, user: { token: k.token.trim() } }],
    contexts: [
      {
        name: k.user,
        context: { cluster, user: k.user, ...(k.namespace ? { namespace: k.namespace } : {}) },
      },
    ],
    'current-context': k.user,
  });
}

/** The username Kubernetes gives a ServiceAccount's tokens. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}
