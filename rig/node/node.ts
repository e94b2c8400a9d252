// The local node: a kubelet for development and tests that runs pods as process groups on this
// machine (see pod.ts), each pod on its own 127.x.y.z address. It registers a Node, renews its
// Lease, serves container logs, and keeps the Service hosts file (hosts.ts) current.
//
//   const node = await startLocalNode({ kubeconfig, name: 'local-0', capacity: { cpu: '16', memory: '48Gi' } });
//   …
//   await node.stop();
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '../../src/runtime/kubeconfig.ts';
import { ensureRayVenv } from '../ray/venv.ts';
import { isAlreadyExists, isNotFound } from '../../src/runtime/errors.ts';
import { Informer } from '../../src/runtime/informer.ts';
import {
  ConfigMaps,
  Leases,
  Nodes,
  Pods,
  Secrets,
  Services,
  type GVR,
  type KubeObject,
} from '../../src/runtime/resources.ts';
import { KubeClient } from '../../src/runtime/transport.ts';
import { hostsFile, type PodAddress, type ServiceLike } from './hosts.ts';
import { startKubeletServer } from './kubelet.ts';
import { ensureNetShim } from './netshim.ts';
import { PodWorker, type NodeContext } from './pod.ts';
import { requestPodToken } from './serviceAccount.ts';
import { StartGate } from './gate.ts';
import { signalGroup } from './procs.ts';
import type { Pod } from './types.ts';

export interface LocalNodeOptions {
  kubeconfig: string;
  name: string;
  /** cpu, memory, pods (default 110), nvidia.com/gpu … as quantities. */
  capacity: Readonly<Record<string, string>>;
  labels?: Readonly<Record<string, string>>;
  /** Default: <dir of kubeconfig>/node-<name> (the rig's state dir). */
  stateDir?: string;
  /** Ray venv; default ensureRayVenv(). */
  venv?: string;
  /** Second octet of the pod addresses 127.<n>.x.y; default random in 64…250 (two nodes rarely collide). */
  podNet?: number;
  /** Ray containers starting at once (gate.ts); default $KURAY_NODE_RAY_STARTS or 1. */
  rayStartParallelism?: number;
  /** Grace for pods when the node itself stops (ms), default 3000. */
  stopGraceMs?: number;
  log?: (msg: string) => void;
}

export interface LocalPodInfo {
  namespace: string;
  name: string;
  uid: string;
  ip: string;
  dir: string;
  groups: { container: string; pgid: number; startedAt: string; execGroups: number[] }[];
}

export interface LocalNode {
  readonly name: string;
  readonly stateDir: string;
  readonly hostsFile: string;
  readonly kubeletPort: number;
  pods(): LocalPodInfo[];
  stop(): Promise<void>;
}

const microTime = (): string => new Date().toISOString().replace('Z', '000Z');

/** The machine's own non-loopback IPv4 addresses: Ray dials these when it means "this host". */
function hostIPv4s(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

async function getOrUndefined<T extends KubeObject>(
  client: KubeClient,
  r: GVR,
  ns: string,
  name: string,
): Promise<T | undefined> {
  try {
    return await client.get<T>(r, ns, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

function decodeSecret(data: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

/** The CA that signed the API server's certificate (what pods get as ca.crt). */
function clusterCaPem(kc: KubeConfig): string {
  const c = kc.getCurrentCluster();
  if (c?.caData) return Buffer.from(c.caData, 'base64').toString('utf8');
  if (c?.caFile) return readFileSync(c.caFile, 'utf8');
  return '';
}

/** The `ray` on PATH of Ray containers: `ray start` gets the pod's address as its node IP. */
function writeRayShim(bin: string): void {
  mkdirSync(bin, { recursive: true });
  const script = `#!/bin/sh
# kuray local node: Ray picks the machine's routable address as node IP, and a worker node takes
# the head's temp dir (from GCS) by default; each pod has its own address and its own temp dir, or
# pods on one machine would share socket paths.
if [ "$1" = start ] && [ -n "$KURAY_POD_IP" ]; then
  shift
  exec "$KURAY_RAY_VENV/bin/ray" start "$@" --node-ip-address="$KURAY_POD_IP" --temp-dir="$RAY_TMPDIR/ray"
fi
exec "$KURAY_RAY_VENV/bin/ray" "$@"
`;
  writeFileSync(join(bin, 'ray'), script);
  chmodSync(join(bin, 'ray'), 0o755);
}

export async function startLocalNode(opts: LocalNodeOptions): Promise<LocalNode> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`local-node: ${m}\n`));
  const stateDir = opts.stateDir ?? join(dirname(opts.kubeconfig), `node-${opts.name}`);
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(join(stateDir, 'pods'), { recursive: true });
  const venv = opts.venv ?? (await ensureRayVenv());
  const netshim = await ensureNetShim();
  const shimBin = join(stateDir, 'bin');
  writeRayShim(shimBin);
  const pyDir = join(stateDir, 'py');
  mkdirSync(pyDir, { recursive: true });
  copyFileSync(join(import.meta.dirname, 'py', 'sitecustomize.py'), join(pyDir, 'sitecustomize.py'));
  const podNet = opts.podNet ?? 64 + Math.floor(Math.random() * 187);
  const tmpRoot = `/tmp/kn${podNet}-${process.pid}`;
  mkdirSync(tmpRoot, { recursive: true });
  const hostsPath = join(stateDir, 'hosts');
  writeFileSync(hostsPath, '');
  const kc = new KubeConfig();
  kc.loadFromFile(opts.kubeconfig);
  const client = new KubeClient(kc, { qps: 100, burst: 200, userAgent: `kuray-local-node/${opts.name}` });
  const apiPort = Number(client.server.port || 443);
  const capacity = { pods: '110', ...opts.capacity };

  // Reaper: container groups are detached from the node; if the node is SIGKILLed they must not stay.
  // Outside the rig directory: the rig removes that directory while the reaper may still need it.
  const pgidFile = join(tmpRoot, 'pgids');
  const groups = new Set<number>();
  const trackGroup = (pgid: number, alive: boolean) => {
    if (alive) groups.add(pgid);
    else groups.delete(pgid);
    writeFileSync(pgidFile, [...groups].join('\n') + '\n');
  };
  writeFileSync(pgidFile, '');
  const reaper = spawn(
    'sh',
    [
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ` +
        `for p in $(cat "${pgidFile}" 2>/dev/null); do kill -KILL -- -$p 2>/dev/null; done; rm -rf "${tmpRoot}"`,
    ],
    { detached: true, stdio: 'ignore' },
  );
  reaper.unref();

  const workers = new Map<string, PodWorker>(); // by uid
  const byName = new Map<string, PodWorker>(); // ns/name → worker
  let nextIp = 2;
  const allocIp = (): string => {
    for (;;) {
      const i = nextIp++;
      if ((i & 255) === 0 || (i & 255) === 255) continue;
      return `127.${podNet}.${(i >> 8) & 255}.${i & 255}`;
    }
  };

  const caPem = clusterCaPem(kc);
  const kubelet = await startKubeletServer(
    {
      logPath: (ns, pod, container, previous) => byName.get(`${ns}/${pod}`)?.logPath(container, previous),
      pod: (ns, name) => {
        const w = byName.get(`${ns}/${name}`);
        return w && { podIP: w.ip, uid: w.pod.metadata.uid ?? '', container: (c) => w.running(c) };
      },
      containers: () =>
        [...workers.values()].flatMap((w) =>
          w.groups().map((g) => ({
            namespace: w.pod.metadata.namespace ?? '',
            pod: w.pod.metadata.name ?? '',
            ...g,
          })),
        ),
      python: join(venv, 'bin', 'python'),
      trackGroup,
    },
    // Only the cluster's own identities (the API server, metrics-server) may call the node.
    { clientCa: caPem || undefined },
  );

  const ctx: NodeContext = {
    nodeName: opts.name,
    hostIP: '127.0.0.1',
    stateDir,
    venv,
    shimBin,
    pyDir,
    netshim,
    hostsFile: hostsPath,
    hostIPs: hostIPv4s(),
    hostPorts: [apiPort],
    allocatable: capacity,
    client,
    caPem,
    apiServer: { host: client.server.hostname, port: apiPort },
    lookups: {
      secret: async (ns, name) => {
        const s = await getOrUndefined<KubeObject & { data?: Record<string, string> }>(
          client,
          Secrets,
          ns,
          name,
        );
        return s && decodeSecret(s.data);
      },
      configMap: async (ns, name) => {
        const c = await getOrUndefined<KubeObject & { data?: Record<string, string> }>(
          client,
          ConfigMaps,
          ns,
          name,
        );
        return c && (c.data ?? {});
      },
    },
    volumeLookups: {
      configMap: async (ns, name) => {
        const c = await getOrUndefined<
          KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string> }
        >(client, ConfigMaps, ns, name);
        if (!c) return undefined;
        return Object.fromEntries([
          ...Object.entries(c.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8')] as const),
          ...Object.entries(c.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')] as const),
        ]);
      },
      secret: async (ns, name) => {
        const s = await getOrUndefined<KubeObject & { data?: Record<string, string> }>(
          client,
          Secrets,
          ns,
          name,
        );
        if (!s) return undefined;
        return Object.fromEntries(
          Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
        );
      },
      token: async (pod, audience, seconds) =>
        (await requestPodToken(client, pod, audience, seconds)).status.token,
    },
    log,
    trackGroup,
    rayStarts: new StartGate(opts.rayStartParallelism ?? Number(process.env.KURAY_NODE_RAY_STARTS ?? '1')),
    rayStartHoldMs: 60_000,
  };

  // --- Node object and lease -------------------------------------------------------------------
  const nodeStatus = () => {
    const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const cond = (type: string, status: string, reason: string, message: string) => ({
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: t,
      lastTransitionTime: startedAt,
    });
    return {
      capacity,
      allocatable: capacity,
      conditions: [
        cond(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kuray local node is posting ready status'),
      ],
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } },
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: '',
        osImage: 'kuray local node (processes on this machine)',
        containerRuntimeVersion: 'kuray-process://1',
        kubeletVersion: 'v1.36.3-kuray-local',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    };
  };
  const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const labels = {
    'kubernetes.io/hostname': opts.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    type: 'real',
    ...opts.labels,
  };
  try {
    await client.create(Nodes, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: opts.name, labels },
      spec: {},
    });
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    await client.patch(Nodes, undefined, opts.name, { metadata: { labels } }, 'merge');
  }
  const postStatus = async () => {
    await client.patchStatus(Nodes, undefined, opts.name, { status: nodeStatus() }, 'merge');
  };
  // The NodeTaint admission plugin puts node.kubernetes.io/not-ready:NoSchedule on every new Node
  // and relies on the node lifecycle controller to lift it once Ready. The kubelet's Ready is ours
  // to report, so lift it here too (the rig's controller-manager identity may not patch Nodes).
  const liftNotReadyTaints = async () => {
    const n = await client.get<KubeObject & { spec?: { taints?: { key: string }[] } }>(
      Nodes,
      undefined,
      opts.name,
    );
    const taints = n.spec?.taints ?? [];
    const keep = taints.filter((t) => !/^node\.kubernetes\.io\/(not-ready|unreachable)$/.test(t.key));
    // A merge patch replaces the list without a resourceVersion: the node lifecycle controller
    // writes this Node too, and an update would race it.
    if (keep.length !== taints.length)
      await client.patch(Nodes, undefined, opts.name, { spec: { taints: keep } }, 'merge');
  };
  await postStatus();
  await liftNotReadyTaints().catch((e: unknown) => {
    log(`taints: ${(e as Error).message}`);
  });
  const renewLease = async () => {
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: opts.name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: opts.name, leaseDurationSeconds: 40, renewTime: microTime() },
    };
    try {
      const cur = await client.get<KubeObject & { spec: Record<string, unknown> }>(
        Leases,
        'kube-node-lease',
        opts.name,
      );
      await client.update(Leases, { ...cur, spec: { ...cur.spec, ...lease.spec } });
    } catch (e) {
      if (isNotFound(e)) await client.create(Leases, lease);
      else throw e;
    }
  };
  await renewLease().catch((e: unknown) => {
    log(`lease: ${(e as Error).message}`);
  });
  let beats = 0;
  const heartbeat = setInterval(() => {
    void renewLease().catch((e: unknown) => {
      log(`lease: ${(e as Error).message}`);
    });
    if (++beats % 6 === 0) {
      void postStatus()
        .then(liftNotReadyTaints)
        .catch((e: unknown) => {
          log(`node status: ${(e as Error).message}`);
        });
    }
  }, 10_000);

  // --- Services → hosts file --------------------------------------------------------------------
  const services = new Informer<ServiceLike>({ client, resource: Services });
  const pods = new Informer<Pod>({ client, resource: Pods, fieldSelector: `spec.nodeName=${opts.name}` });
  let hostsTimer: NodeJS.Timeout | undefined;
  const writeHosts = () => {
    hostsTimer ??= setTimeout(() => {
      hostsTimer = undefined;
      const addrs: PodAddress[] = [];
      for (const w of workers.values()) {
        const p = pods.get(w.pod.metadata.namespace, w.pod.metadata.name!) ?? w.pod;
        if (p.metadata.uid !== w.pod.metadata.uid || p.metadata.deletionTimestamp) continue;
        addrs.push({
          namespace: p.metadata.namespace ?? 'default',
          labels: p.metadata.labels ?? {},
          ip: w.ip,
          ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
          created: p.metadata.creationTimestamp ?? '',
        });
      }
      const tmp = `${hostsPath}.tmp`;
      writeFileSync(tmp, hostsFile(services.list(), addrs));
      renameSync(tmp, hostsPath);
    }, 20);
  };
  services.addEventHandler({ onAdd: writeHosts, onUpdate: writeHosts, onDelete: writeHosts });

  // --- Pods -----------------------------------------------------------------------------------
  const forget = (w: PodWorker) => {
    workers.delete(w.pod.metadata.uid!);
    const key = `${w.pod.metadata.namespace}/${w.pod.metadata.name}`;
    if (byName.get(key) === w) byName.delete(key);
    writeHosts();
  };
  const onPod = (pod: Pod) => {
    const uid = pod.metadata.uid!;
    let w = workers.get(uid);
    if (!w) {
      const done = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
      if (pod.metadata.deletionTimestamp) {
        // Never ran here (or the node restarted): nothing to stop, just finish the deletion.
        void client
          .delete(Pods, pod.metadata.namespace, pod.metadata.name!, {
            gracePeriodSeconds: 0,
            preconditions: { uid },
          })
          .catch(() => undefined);
        return;
      }
      if (done) return;
      const ip = allocIp();
      w = new PodWorker(pod, ip, join(tmpRoot, ip.split('.').slice(2).join('.')), ctx);
      workers.set(uid, w);
      byName.set(`${pod.metadata.namespace}/${pod.metadata.name}`, w);
      log(`pod ${pod.metadata.namespace}/${pod.metadata.name} → ${ip}`);
      w.start();
    }
    w.update(pod);
    if (pod.metadata.deletionTimestamp) {
      const worker = w;
      void worker.terminate(true).then(() => {
        forget(worker);
      });
    }
    writeHosts();
  };
  pods.addEventHandler({
    onAdd: (p) => {
      onPod(p);
    },
    onUpdate: (_o, p) => {
      onPod(p);
    },
    onDelete: (p) => {
      const w = workers.get(p.metadata.uid!);
      if (w)
        void w.terminate(false, 2000).then(() => {
          forget(w);
        });
    },
  });
  services.start();
  pods.start();
  await Promise.all([services.waitForSync(), pods.waitForSync()]);
  log(
    `node ${opts.name} ready (pods on 127.${podNet}.0.0/16, kubelet https://127.0.0.1:${kubelet.port}, state ${stateDir})`,
  );

  let stopping: Promise<void> | undefined;
  return {
    name: opts.name,
    stateDir,
    hostsFile: hostsPath,
    kubeletPort: kubelet.port,
    pods: () =>
      [...workers.values()].map((w) => ({
        namespace: w.pod.metadata.namespace ?? '',
        name: w.pod.metadata.name ?? '',
        uid: w.pod.metadata.uid ?? '',
        ip: w.ip,
        dir: w.dir,
        groups: w.groups(),
      })),
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(heartbeat);
        clearTimeout(hostsTimer);
        // Pods first and in parallel: the rig gives this process 10 s before it SIGKILLs it.
        await Promise.all([
          ...[...workers.values()].map((w) => w.terminate(false, opts.stopGraceMs ?? 3000)),
          Promise.race([Promise.all([pods.stop(), services.stop()]), sleep(2000)]),
        ]);
        await kubelet.close();
        // Whatever a pod left behind (a start racing the shutdown) goes before the reaper does.
        for (const g of groups) signalGroup(g, 'SIGKILL');
        try {
          process.kill(-reaper.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
        rmSync(tmpRoot, { recursive: true, force: true });
        client.close();
      })()),
  };
}
