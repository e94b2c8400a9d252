// `kuray status CLUSTER` (`kubectl ray status`): one screen with the cluster's state and conditions,
// its groups (desired, ready, resources), its pods, the autoscaler's last decision per group and why
// (Kuray's native autoscaler writes them to status.autoscaler; Ray's in-tree autoscaler logs them in
// the head pod), and the last Events of the cluster and its pods. renderStatus is pure.
import type { Command } from 'commander';
import { Events, Pods, type KubeObject } from '../../runtime/resources.ts';
import {
  getCluster,
  labels,
  relevantCondition,
  stdio,
  withKube,
  type Io,
  type RayClusterObject,
} from './common.ts';
import type { Kube } from './kube.ts';
import { age, renderTable } from './table.ts';
import { desiredPods, isPodReady } from './wait.ts';

export interface StatusPod extends KubeObject {
  spec: { containers: { name: string }[]; nodeName?: string };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { ready: boolean; restartCount: number; state?: { waiting?: { reason?: string } } }[];
  };
}

export interface StatusEvent extends KubeObject {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  involvedObject?: { kind?: string; name?: string };
}

export interface StatusInput {
  cluster: RayClusterObject;
  pods: readonly StatusPod[];
  events: readonly StatusEvent[];
  now: number;
}

const maxEvents = 10;

function when(e: StatusEvent): string {
  return e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '';
}

function podState(p: StatusPod): string {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  const waiting = p.status?.containerStatuses?.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason;
  return waiting ?? p.status?.phase ?? 'Pending';
}

function autoscalerSection(c: RayClusterObject, now: number): string[] {
  const a = c.status?.autoscaler;
  if (c.spec.enableInTreeAutoscaling && (!a || a.mode === 'in-tree'))
    return [
      "Autoscaler: Ray's own (in-tree sidecar in the head pod): its decisions are in the head pod's autoscaler log",
      `  kubectl logs ${c.metadata.name}-head-… -c autoscaler, or kubectl ray log ${c.metadata.name} --node-type head`,
    ];
  if (!a || a.mode === 'none') return ['Autoscaler: none (replicas are what the spec says)'];
  const out = [
    `Autoscaler: ${a.mode ?? 'native'}${a.rayReachable === false ? ' (Ray unreachable: deciding nothing)' : ''}`,
  ];
  if (a.message) out.push(`  ${a.message}`);
  const groups = a.groups ?? [];
  if (groups.length === 0) out.push('  no decision yet');
  for (const g of groups) {
    const inputs = Object.entries(g.inputs ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    out.push(
      `  ${g.groupName}: ${g.replicas ?? '?'} replicas by rule ${g.rule ?? '?'}${g.lastDecisionTime ? ` (${age(g.lastDecisionTime, now)} ago)` : ''}`,
    );
    if (g.message) out.push(`    why: ${g.message}`);
    if (inputs) out.push(`    inputs: ${inputs}`);
  }
  return out;
}

export function renderStatus({ cluster: c, pods, events, now }: StatusInput): string {
  const name = c.metadata.name ?? '';
  const st = c.status;
  const ready = pods.filter((p) => !p.metadata.deletionTimestamp && isPodReady(p)).length;
  const out: string[] = [];
  out.push(
    `Ray cluster ${name} in namespace ${c.metadata.namespace}: ${st?.state ?? 'not ready'}` +
      `${relevantCondition(c) ? ` (${relevantCondition(c)})` : ''}, ${ready}/${desiredPods(c)} pods ready, age ${age(c.metadata.creationTimestamp, now)}`,
  );
  if (st?.reason) out.push(`Reason: ${st.reason}`);
  if (st?.head?.serviceName)
    out.push(`Head: service ${st.head.serviceName}${st.head.podIP ? `, pod IP ${st.head.podIP}` : ''}`);
  out.push(
    `Resources: ${st?.desiredCPU ?? '0'} CPU, ${st?.desiredMemory ?? '0'} memory, ${st?.desiredGPU ?? '0'} GPU (desired)`,
  );
  out.push('');
  const readyIn = (group: string) =>
    pods.filter(
      (p) => p.metadata.labels?.[labels.group] === group && isPodReady(p) && !p.metadata.deletionTimestamp,
    ).length;
  const headPods = pods.filter((p) => p.metadata.labels?.[labels.nodeType] === 'head');
  out.push(
    renderTable({
      columns: ['Group', 'Type', 'Desired', 'Min', 'Max', 'Ready'],
      rows: [
        ['head', 'head', 1, '-', '-', `${headPods.filter(isPodReady).length}/1`],
        ...(c.spec.workerGroupSpecs ?? []).map((g) => {
          const desired = g.suspend ? 0 : (g.replicas ?? 0) * (g.numOfHosts ?? 1);
          return [
            g.groupName,
            'worker',
            desired,
            g.minReplicas,
            g.maxReplicas,
            `${readyIn(g.groupName)}/${desired}`,
          ];
        }),
      ],
    }).trimEnd(),
  );
  out.push('');
  if (pods.length) {
    out.push(
      renderTable({
        columns: ['Pod', 'Group', 'Status', 'Ready', 'Restarts', 'IP', 'Node', 'Age'],
        rows: pods.map((p) => {
          const cs = p.status?.containerStatuses ?? [];
          return [
            p.metadata.name ?? '',
            p.metadata.labels?.[labels.group] ?? '',
            podState(p),
            `${cs.filter((x) => x.ready).length}/${p.spec.containers.length}`,
            cs.reduce((n, x) => n + x.restartCount, 0),
            p.status?.podIP ?? '<none>',
            p.spec.nodeName ?? '<none>',
            age(p.metadata.creationTimestamp, now),
          ];
        }),
      }).trimEnd(),
    );
  } else out.push('No pods.');
  out.push('');
  const notTrue = (st?.conditions ?? []).filter((x) => x.status !== 'True' && x.message);
  for (const x of notTrue) out.push(`Condition ${x.type}=${x.status}: ${x.reason}: ${x.message}`);
  if (notTrue.length) out.push('');
  out.push(...autoscalerSection(c, now));
  out.push('');
  const recent = [...events].sort((a, b) => when(a).localeCompare(when(b))).slice(-maxEvents);
  if (recent.length) {
    out.push(`Last events (${recent.length} of ${events.length}):`);
    out.push(
      renderTable({
        columns: ['Last Seen', 'Type', 'Reason', 'Object', 'Message'],
        rows: recent.map((e) => [
          age(when(e), now),
          e.type ?? '',
          e.reason ?? '',
          `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`,
          `${e.message ?? ''}${e.count && e.count > 1 ? ` (x${e.count})` : ''}`,
        ]),
      }).trimEnd(),
    );
  } else out.push('No events.');
  return out.join('\n') + '\n';
}

async function status(kube: Kube, name: string, io: Io) {
  const cluster = await getCluster(kube, name);
  const pods = (
    await kube.client.list<StatusPod>(Pods, kube.namespace, { labelSelector: `${labels.cluster}=${name}` })
  ).items;
  const mine = new Set([name, ...pods.map((p) => p.metadata.name)]);
  const events = (await kube.client.list<StatusEvent>(Events, kube.namespace)).items.filter((e) =>
    mine.has(e.involvedObject?.name),
  );
  io.out.write(renderStatus({ cluster, pods, events, now: Date.now() }));
}

export function registerStatus(parent: Command, io: Io = stdio): void {
  parent
    .command('status')
    .argument('<RAYCLUSTER>')
    .description(
      "One screen: the cluster's state, groups, pods, the autoscaler's last decisions and why, last Events",
    )
    .action(async (name: string, _f: unknown, cmd: Command) => {
      await withKube(cmd, (kube) => status(kube, name, io), io);
    });
}
