// Names of everything derived from a RayCluster, exactly as KubeRay v1.7.0 forms them
// (utils.PodName, CheckName, CheckLabel, GenerateHeadServiceName, GenerateFQDNServiceName).
import type { RayCluster } from '../api/v1/index.ts';
import type { NodeType } from './constants.ts';

// 63 (DNS label) − "-worker-" (8) − 5 random characters: the longest prefix KubeRay keeps.
const MAX_POD_PREFIX = 50;

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
// Go's unicode.IsPunct for the ASCII range (what can reach these functions from a valid spec).
const isPunct = (c: string | undefined) =>
  c !== undefined && /^[!-/:-@[-`{-~]$/.test(c) && !/[$+<=>^`|~]/.test(c);

/** KubeRay's CheckName: keep the LAST 50 characters, and never start with a digit or punctuation. */
export function checkName(s: string): string {
  let out = s.length > MAX_POD_PREFIX ? s.slice(s.length - MAX_POD_PREFIX) : s;
  if (isDigit(out[0])) out = 'r' + out.slice(1);
  if (isPunct(out[0])) out = 'r' + out.slice(1);
  return out;
}

/** KubeRay's CheckLabel: keep the last 63 characters, never start with punctuation. */
export function checkLabel(s: string): string {
  let out = s.length > 63 ? s.slice(s.length - 63) : s;
  if (isPunct(out[0])) out = 'r' + out.slice(1);
  return out;
}

/** KubeRay's PodName(prefix, type, generateName=true): `<prefix≤50>-<type>-`, lower-cased. */
export function podNamePrefix(prefix: string, nodeType: NodeType): string {
  return `${prefix.slice(0, MAX_POD_PREFIX)}-${nodeType}-`.toLowerCase();
}

/** `<cluster≤50>-head-<rand>`: what KubeRay's generateName gives the API server to complete. */
export function newHeadPodName(cluster: string, rand: () => string): string {
  return podNamePrefix(cluster, 'head') + rand();
}

/** `<(cluster-group)≤50>-worker-<rand>`, lower-cased. */
export function newWorkerPodName(cluster: string, group: string, rand: () => string): string {
  return podNamePrefix(`${cluster}-${group}`, 'worker') + rand();
}

// The API server's generateName alphabet (no vowels, no confusable digits).
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** 5 random characters from the API server's generateName alphabet. */
export function randomSuffix(random: () => number = Math.random): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHABET[Math.floor(random() * ALPHABET.length)]!;
  return s;
}

/** A stable 5-character suffix for a seed (FNV-1a): `kuray render` prints the same names every time. */
export function deterministicSuffix(seed: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let s = '';
  for (let i = 0; i < 5; i++) {
    s += ALPHABET[h % ALPHABET.length]!;
    h = Math.floor(h / ALPHABET.length);
  }
  return s;
}

export function namespaceOf(rc: RayCluster): string {
  return rc.metadata?.namespace || 'default';
}

/** `headGroupSpec.headService.metadata.name`, else `<cluster>-head-svc`. */
export function headServiceName(rc: RayCluster): string {
  const custom = rc.spec.headGroupSpec.headService?.metadata?.name;
  return custom || `${rc.metadata?.name ?? ''}-head-svc`;
}

/** `<head svc>.<ns>.svc.<domain>`: how workers and drivers reach the GCS. */
export function headServiceFQDN(rc: RayCluster, clusterDomain: string): string {
  return `${headServiceName(rc)}.${namespaceOf(rc)}.svc.${clusterDomain}`;
}

export function serveServiceName(rc: RayCluster): string {
  return `${rc.metadata?.name ?? ''}-serve-svc`;
}

export function headlessServiceName(rc: RayCluster): string {
  return `${rc.metadata?.name ?? ''}-headless`;
}

/** The head pod's service account: the template's, else the cluster name (KubeRay's rule). */
export function autoscalerServiceAccountName(rc: RayCluster): string {
  return rc.spec.headGroupSpec.template.spec?.serviceAccountName || (rc.metadata?.name ?? '');
}
