// One operator watching 100 namespaces (--watch-namespace a,b,…) on the real control plane reconciles
// a RayCluster in each to ready, over a bounded number of connections. Over HTTP/1.1 every watch held
// a socket (~10 kinds × 100 namespaces); the operator hung once a capped pool filled with watches.
// HTTP/2 carries each watch as a stream, so the connection count stays at a few however many
// namespaces are watched. The counts are reported from the transport and from the kernel's socket
// table (this process's ESTABLISHED TCP connections to the API server's port).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { RayCluster } from '../../api/v1/index.ts';
import { useRig, type Rig } from '../../../rig/testing.ts';
import { inNamespace, rayCluster } from '../../testing/builders.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { until } from '../../testing/wait.ts';
import { Namespaces, RayClusters, ServiceAccounts, type KubeObject } from '../../runtime/resources.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { inBatches } from '../../util/inBatches.ts';

const N = 100;

/** ESTABLISHED TCP connections of this process to `port` (from /proc/self/net/tcp{,6} and its fds). */
function establishedTo(port: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  let n = 0;
  for (const file of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const remotePort = parseInt(f[2]!.split(':')[1]!, 16);
      if (remotePort === port && f[3] === '01' && inodes.has(f[9]!)) n++;
    }
  }
  return n;
}

describe(`one operator, ${N} watched namespaces`, { timeout: 600_000 }, () => {
  let rig: Rig;
  let client: KubeClient;
  let op: InProcessOperator | undefined;
  const namespaces: string[] = [];
  const suffix = Math.random().toString(36).slice(2, 7);

  before(async () => {
    rig = await useRig();
    client = KubeClient.fromFile(rig.kubeconfigPath, { qps: 500, burst: 1000 });
    for (let i = 0; i < N; i++) namespaces.push(`many-${suffix}-${i}`);
    await inBatches(namespaces, 20, async (name) => {
      await client.create(Namespaces, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'kuray.io/test': 'true' } },
      });
    });
    // Pods are refused until the namespace's default ServiceAccount exists.
    await until(
      'every default ServiceAccount',
      async () => {
        const missing = await Promise.all(
          namespaces.map((ns) =>
            client.get(ServiceAccounts, ns, 'default').then(
              () => false,
              () => true,
            ),
          ),
        );
        return missing.some(Boolean) ? undefined : true;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
  });
  after(async () => {
    await op?.stop();
    await inBatches(namespaces, 20, async (ns) => {
      await client.delete(Namespaces, undefined, ns).catch(() => undefined);
    });
    client.close();
  });

  test(`a RayCluster in each of ${N} namespaces reaches ready over a bounded number of connections`, async (t) => {
    const started = Date.now();
    op = await startOperator(rig, namespaces);
    const watching = op.mgr.connections();
    await inBatches(namespaces, 20, async (ns) => {
      await client.create(RayClusters, rayCluster('c', inNamespace(ns)) as RayCluster & KubeObject);
    });
    let peak = watching;
    await until(
      `${N} clusters ready`,
      async () => {
        const c = op!.mgr.connections();
        if (c.connections > peak.connections) peak = c;
        const states = await Promise.all(
          namespaces.map((ns) =>
            client.get<RayCluster & KubeObject>(RayClusters, ns, 'c').then((rc) => rc.status?.state),
          ),
        );
        const ready = states.filter((s) => s === 'ready').length;
        return ready === N ? ready : undefined;
      },
      { timeoutMs: 420_000, intervalMs: 2000 },
    );
    const end = op.mgr.connections();
    const apiPort = Number(new URL(client.server).port);
    const tcp = establishedTo(apiPort);
    const perConnection = end.maxStreamsPerConnection ?? 100;
    const report =
      `operator: ${end.connections} ${end.protocol} connection(s) carrying ${end.streams} streams ` +
      `(${watching.streams} once its caches synced; peak ${peak.connections} connection(s); the API server ` +
      `allows ${perConnection} streams per connection); this process (operator + the test's client): ` +
      `${tcp} ESTABLISHED TCP connection(s) to the API server; ${N} clusters ready ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s after the operator started`;
    t.diagnostic(report);
    console.log(report);
    assert.equal(end.protocol, 'h2');
    // Every watch of every namespace is a stream, not a connection (HTTP/1.1 held a socket per watch).
    assert.ok(watching.streams >= N * 3, `streams once synced: ${watching.streams}`);
    // Bounded by what the server allows per connection: as many connections as the streams need, plus
    // one being opened and one draining.
    const bound = Math.ceil(Math.max(end.streams, peak.streams) / perConnection) + 2;
    assert.ok(peak.connections <= bound, `peak ${peak.connections} connections > ${bound}`);
    assert.ok(tcp <= bound + 2, `${tcp} TCP connections to the API server`);
  });
});
