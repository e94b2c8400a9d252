// Prometheus' Kubernetes pod discovery (`kubernetes_sd_configs`, role: pod), served over Prometheus'
// HTTP service discovery. Debian's prometheus package is built without the Kubernetes SD plugin
// (Debian does not package client-go: "field kubernetes_sd_configs not found"), so the e2e puts
// this adapter in its place: it lists the pods from the rig's API server and gives each the same
// targets and `__meta_kubernetes_pod_*` labels Prometheus' own pod role gives, so the shipped
// relabel_configs run unchanged. Only the pod role, as Kuray's scrape configs use.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pods, type KubeObject } from '../runtime/resources.ts';
import type { KubeClient } from '../runtime/transport.ts';

interface Port {
  name?: string;
  containerPort: number;
  protocol?: string;
}
interface PodLike extends KubeObject {
  spec?: { nodeName?: string; containers?: { name: string; ports?: Port[] }[] };
  status?: {
    phase?: string;
    podIP?: string;
    hostIP?: string;
    conditions?: { type: string; status: string }[];
  };
}

export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

const sanitize = (s: string) => s.replace(/[^a-zA-Z0-9_]/g, '_');

/** Prometheus' pod role: one target per container port, one port-free target per container without. */
export function podTargetGroups(pods: readonly PodLike[]): TargetGroup[] {
  const out: TargetGroup[] = [];
  for (const p of pods) {
    const ip = p.status?.podIP;
    if (!ip) continue; // Prometheus skips pods without an IP
    const podLabels: Record<string, string> = {
      __meta_kubernetes_namespace: p.metadata.namespace ?? '',
      __meta_kubernetes_pod_name: p.metadata.name ?? '',
      __meta_kubernetes_pod_ip: ip,
      __meta_kubernetes_pod_uid: p.metadata.uid ?? '',
      __meta_kubernetes_pod_node_name: p.spec?.nodeName ?? '',
      __meta_kubernetes_pod_host_ip: p.status?.hostIP ?? '',
      __meta_kubernetes_pod_phase: p.status?.phase ?? '',
      __meta_kubernetes_pod_ready: String(
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      ),
    };
    for (const [k, v] of Object.entries(p.metadata.labels ?? {})) {
      podLabels[`__meta_kubernetes_pod_label_${sanitize(k)}`] = v;
      podLabels[`__meta_kubernetes_pod_labelpresent_${sanitize(k)}`] = 'true';
    }
    for (const c of p.spec?.containers ?? []) {
      const base = {
        ...podLabels,
        __meta_kubernetes_pod_container_name: c.name,
        __meta_kubernetes_pod_container_init: 'false',
      };
      if (!c.ports?.length) {
        out.push({ targets: [ip], labels: base });
        continue;
      }
      for (const port of c.ports) {
        out.push({
          targets: [`${ip}:${port.containerPort}`],
          labels: {
            ...base,
            __meta_kubernetes_pod_container_port_name: port.name ?? '',
            __meta_kubernetes_pod_container_port_number: String(port.containerPort),
            __meta_kubernetes_pod_container_port_protocol: port.protocol ?? 'TCP',
          },
        });
      }
    }
  }
  return out;
}

/**
 * `GET /?namespace=a&namespace=b&labelSelector=x` → the pod role's target groups (all namespaces
 * when none is given), as `http_sd_configs` reads them.
 */
export async function startPodSd(client: KubeClient): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const namespaces = u.searchParams.getAll('namespace');
    const labelSelector = u.searchParams.get('labelSelector') ?? undefined;
    const lists = (namespaces.length ? namespaces : [undefined]).map((ns) =>
      client.list<PodLike>(Pods, ns, labelSelector ? { labelSelector } : {}),
    );
    Promise.all(lists).then(
      (ls) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(podTargetGroups(ls.flatMap((l) => l.items))));
      },
      (err: unknown) => {
        res.writeHead(500);
        res.end((err as Error).message);
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}

/** A scrape config's kubernetes_sd_configs (role pod) as the equivalent http_sd_configs on `sdUrl`. */
export function viaHttpSd(
  job: Record<string, unknown>,
  sdUrl: string,
  refresh = '2s',
): Record<string, unknown> {
  const { kubernetes_sd_configs: k8s, ...rest } = job as {
    kubernetes_sd_configs?: Record<string, unknown>[];
  };
  return {
    ...rest,
    http_sd_configs: (k8s ?? []).map((sd) => {
      if (sd.role !== 'pod') throw new Error(`only role: pod is emulated, not ${String(sd.role)}`);
      const q = new URLSearchParams();
      for (const n of (sd.namespaces as { names?: string[] } | undefined)?.names ?? [])
        q.append('namespace', n);
      const sel = (sd.selectors as { role: string; label?: string }[] | undefined)?.find(
        (s) => s.role === 'pod',
      )?.label;
      if (sel) q.set('labelSelector', sel);
      return { url: `${sdUrl}?${q.toString()}`, refresh_interval: refresh };
    }),
  };
}
