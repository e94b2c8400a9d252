// `--wait`: until the RayCluster is provisioned (KubeRay: RayClusterProvisioned or state ready), with
// a live progress line on stderr — pods ready / desired — rewritten in place on a terminal, one line
// per change otherwise (logs, CI).
import { setTimeout as sleep } from 'node:timers/promises';
import { Pods, type KubeObject } from '../../runtime/resources.ts';
import { getCluster, isProvisioned, labels, type Io, type RayClusterObject } from './common.ts';
import type { Kube } from './kube.ts';
import { parseGoDurationMs } from '../../util/goDuration.ts';

interface PodLike extends KubeObject {
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

export function isPodReady(p: PodLike): boolean {
  return (
    p.status?.phase === 'Running' &&
    (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

/** Pods the cluster wants: one head plus each group's replicas × numOfHosts (none when suspended). */
export function desiredPods(c: RayClusterObject): number {
  if (c.spec.suspend) return 0;
  return (
    1 +
    (c.spec.workerGroupSpecs ?? []).reduce(
      (n, g) => n + (g.suspend ? 0 : (g.replicas ?? 0) * (g.numOfHosts ?? 1)),
      0,
    )
  );
}

export function progressLine(name: string, c: RayClusterObject, pods: readonly PodLike[]): string {
  const live = pods.filter((p) => !p.metadata.deletionTimestamp);
  const ready = live.filter(isPodReady).length;
  const state = c.status?.state ?? 'pending';
  return `Waiting for Ray cluster ${name}: ${ready}/${desiredPods(c)} pods ready (state: ${state})`;
}

export async function waitProvisioned(
  kube: Kube,
  namespace: string,
  name: string,
  timeoutMs: number,
  io: Io,
  intervalMs = 1000,
): Promise<RayClusterObject> {
  const tty = Boolean((io.err as { isTTY?: boolean }).isTTY);
  let last = '';
  const show = (line: string) => {
    if (line === last) return;
    io.err.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    last = line;
  };
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const c = await getCluster(kube, name, namespace);
      const pods = await kube.client.list<PodLike>(Pods, namespace, {
        labelSelector: `${labels.cluster}=${name}`,
      });
      show(progressLine(name, c, pods.items));
      if (isProvisioned(c)) return c;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for Ray cluster ${name} in namespace ${namespace} to be provisioned`,
        );
      await sleep(intervalMs);
    }
  } finally {
    if (tty && last) io.err.write('\n');
  }
}

/** Go-style durations as KubeRay's --timeout takes them: 300ms, 90s, 5m, 1h30m. */
export function parseDuration(v: string): number {
  const ms = parseGoDurationMs(v);
  if (ms === undefined) throw new Error(`invalid duration ${JSON.stringify(v)} (use e.g. 90s, 5m, 1h30m)`);
  return ms;
}
