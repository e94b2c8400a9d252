// Requests to a RayService's serve Service from a test or benchmark on loopback, routed the way
// kube-proxy routes them: the ready endpoints of the Service's EndpointSlices, read again at every
// request (ClusterIPs are not dialable here), Serve's HTTP port 8000 on the chosen pod.
import { setTimeout as sleep } from 'node:timers/promises';
import { EndpointSlices, type KubeObject } from '../runtime/resources.ts';
import type { KubeClient } from '../runtime/transport.ts';

/** What the demo apps of rig/ray/apps/kuray_demo.py answer. */
export interface DemoAnswer {
  app: string;
  answer: string | number;
  cluster: string;
  color: string;
}

type Slice = KubeObject & { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] };

export function serveTraffic(client: KubeClient, namespace: string, service: string) {
  const endpoints = async (): Promise<string[]> =>
    (
      await client.list<Slice>(EndpointSlices, namespace, {
        labelSelector: `kubernetes.io/service-name=${service}`,
      })
    ).items.flatMap((s) =>
      (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).flatMap((e) => e.addresses),
    );
  const ask = async (path: string): Promise<DemoAnswer> => {
    const eps = await endpoints();
    if (!eps.length) throw new Error(`service ${service} has no ready endpoint`);
    const ep = eps[Math.floor(Math.random() * eps.length)]!;
    const r = await fetch(`http://${ep}:8000${path}`, { signal: AbortSignal.timeout(5000) });
    if (!r.ok) throw new Error(`${path} on ${ep}: HTTP ${String(r.status)} ${await r.text()}`);
    return (await r.json()) as DemoAnswer;
  };
  /**
   * A bounded client loop: `rps` requests a second, one at a time, until stop() (or maxSeconds).
   * Records failures and, per answer colour, when it was first seen.
   */
  const loop = (path: string, rps = 20, maxSeconds = 900) => {
    const stats = { ok: 0, failed: [] as string[], firstSeen: new Map<string, number>() };
    const state = { stopped: false };
    const until = Date.now() + maxSeconds * 1000;
    const done = (async () => {
      while (!state.stopped && Date.now() < until) {
        const started = Date.now();
        try {
          const a = await ask(path);
          stats.ok++;
          if (!stats.firstSeen.has(a.color)) stats.firstSeen.set(a.color, Date.now());
        } catch (e) {
          stats.failed.push(e instanceof Error ? e.message : String(e));
        }
        await sleep(Math.max(0, 1000 / rps - (Date.now() - started)));
      }
    })();
    return {
      stats,
      stop: async () => {
        state.stopped = true;
        await done;
        return stats;
      },
    };
  };
  return { endpoints, ask, loop };
}
