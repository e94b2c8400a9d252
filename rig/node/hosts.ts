// Service DNS for pods on the local node. There is no cluster DNS and no kube-proxy on loopback, so
// the node writes a hosts(5)-style file mapping every Service's names to the loopback IPs of the
// pods it selects (ready ones first; a headless Service with publishNotReadyAddresses lists them
// all). The LD_PRELOAD shim (netshim.c) answers getaddrinfo from it. Pure.
import type { KubeObject } from '../../src/runtime/resources.ts';

export interface ServiceLike extends KubeObject {
  spec?: { selector?: Record<string, string>; clusterIP?: string; publishNotReadyAddresses?: boolean };
}

export interface PodAddress {
  namespace: string;
  labels: Readonly<Record<string, string>>;
  ip: string;
  ready: boolean;
  /** Oldest first among equals, so a name keeps pointing at the same pod while it lives. */
  created: string;
}

/** The names a pod resolves a Service by: FQDN, <svc>.<ns>.svc, <svc>.<ns>, and <svc> in its namespace. */
export function serviceNames(svc: string, ns: string, domain = 'cluster.local'): string[] {
  return [`${svc}.${ns}.svc.${domain}`, `${svc}.${ns}.svc`, `${svc}.${ns}`];
}

function selects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

/** The hosts file: one line per (Service, address), best address first. */
export function hostsFile(services: readonly ServiceLike[], pods: readonly PodAddress[]): string {
  const lines: string[] = ['# written by the kuray local node: Service names -> pod loopback IPs'];
  const sorted = [...services].sort((a, b) =>
    `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
  );
  for (const s of sorted) {
    const ns = s.metadata.namespace ?? 'default';
    const sel = s.spec?.selector;
    if (!sel) continue;
    const publishNotReady = s.spec?.publishNotReadyAddresses === true;
    const backends = pods
      .filter((p) => p.namespace === ns && selects(sel, p.labels) && (p.ready || publishNotReady))
      .sort(
        (a, b) =>
          Number(b.ready) - Number(a.ready) || a.created.localeCompare(b.created) || a.ip.localeCompare(b.ip),
      );
    for (const b of backends) lines.push(`${b.ip} ${serviceNames(s.metadata.name ?? '', ns).join(' ')}`);
  }
  return lines.join('\n') + '\n';
}
