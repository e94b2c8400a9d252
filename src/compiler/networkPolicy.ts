// The NetworkPolicies of `spec.networkPolicy` (gate RayClusterNetworkPolicy), as KubeRay v1.7's
// NetworkPolicy controller builds them: `<cluster>-head` for the head pod and `<cluster>-workers-<group>`
// per worker group, labelled with the cluster and group, owned by the cluster.
//
// Each policy restricts only the directions its mode denies (DenyAll: both, DenyAllIngress, DenyAllEgress)
// and starts from the base rules: every pod of the same RayCluster in and out, all ports; on the head,
// the submitter pod of a K8sJobMode RayJob that owns the cluster to the dashboard port. The user's rules
// are appended (head; worker, replaced per group by a workerGroups entry).
//
// Kuray adds two rules KubeRay leaves to the user, because without them a DenyAll cluster does not work:
// - DNS egress (port 53 UDP and TCP, any destination: kube-dns, NodeLocal DNSCache or a node resolver
//   alike). Workers reach the head by its Service name; KubeRay's sample has to add this by hand.
//   KURAY_NETWORK_POLICY_DNS=false leaves it out (then add your own, as with KubeRay).
// - The operator's own access (its pods, by the chart's `app.kubernetes.io/part-of: kuray` label, in the
//   operator's namespace): the head's dashboard (RayJob/RayService APIs), GCS (native autoscaling) and
//   metrics ports, and every worker's metrics port. Added when the operator knows its namespace
//   (POD_NAMESPACE, set by the chart); KubeRay's operator cannot reach a DenyAll RayService's dashboard.
import type { NetworkPolicy, NetworkPolicyPeer } from './k8sTypes.ts';
import type { ClusterContext } from './context.ts';
import {
  DEFAULT_DASHBOARD_PORT,
  DEFAULT_METRICS_PORT,
  HEAD_GROUP,
  LABEL_CLUSTER,
  LABEL_GROUP,
  LABEL_NODE_TYPE,
  LABEL_ORIGINATED_FROM_CR_NAME,
  LABEL_ORIGINATED_FROM_CRD,
} from './constants.ts';
import { rbacLabels } from './labels.ts';

type Spec = NonNullable<NetworkPolicy['spec']>;
type IngressRule = NonNullable<Spec['ingress']>[number];
type EgressRule = NonNullable<Spec['egress']>[number];
interface Rules {
  readonly ingressRules?: readonly IngressRule[];
  readonly egressRules?: readonly EgressRule[];
}

/** The label the chart puts on the operator's pods (charts/kuray-operator/templates/_helpers.tpl). */
export const OPERATOR_POD_LABEL = { 'app.kubernetes.io/part-of': 'kuray' } as const;
const SUBMISSION_MODE_LABEL = 'ray.io/job-submission-mode';

export const headNetworkPolicyName = (cluster: string): string => `${cluster}-head`;
export const workerNetworkPolicyName = (cluster: string, group: string): string =>
  `${cluster}-workers-${group}`;

export function buildNetworkPolicies(ctx: ClusterContext): NetworkPolicy[] {
  const np = ctx.rc.spec.networkPolicy;
  if (!np) return [];
  const mode = np.mode ?? 'DenyAll';
  const ingress = mode === 'DenyAll' || mode === 'DenyAllIngress';
  const egress = mode === 'DenyAll' || mode === 'DenyAllEgress';
  const params = ctx.rc.spec.headGroupSpec.rayStartParams ?? {};
  const sameCluster: NetworkPolicyPeer = { podSelector: { matchLabels: { [LABEL_CLUSTER]: ctx.name } } };
  const tcp = (port: number) => ({ protocol: 'TCP', port });
  const operator = operatorPeer(ctx);

  const policy = (
    name: string,
    group: string,
    selector: Record<string, string>,
    base: IngressRule[],
    operatorPorts: number[],
    custom: Rules | undefined,
  ): NetworkPolicy => {
    const policyTypes: string[] = [];
    const spec: Spec = { podSelector: { matchLabels: selector } };
    if (ingress) {
      policyTypes.push('Ingress');
      spec.ingress = [
        { from: [sameCluster] },
        ...base,
        ...(operator ? [{ from: [operator], ports: operatorPorts.map(tcp) }] : []),
        ...(custom?.ingressRules ?? []),
      ];
    }
    if (egress) {
      policyTypes.push('Egress');
      spec.egress = [
        { to: [sameCluster] },
        ...(ctx.options.networkPolicyDNS ? [{ ports: [{ protocol: 'UDP', port: 53 }, tcp(53)] }] : []),
        ...(custom?.egressRules ?? []),
      ];
    }
    spec.policyTypes = policyTypes;
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name,
        namespace: ctx.namespace,
        labels: { ...rbacLabels(ctx.name), [LABEL_GROUP]: group },
        ownerReferences: [ctx.ownerReference],
      },
      spec: normalizePorts(spec),
    };
  };

  const dashboard = intParam(params['dashboard-port'], DEFAULT_DASHBOARD_PORT);
  const submitter = submitterPeer(ctx);
  const head = policy(
    headNetworkPolicyName(ctx.name),
    HEAD_GROUP,
    { [LABEL_CLUSTER]: ctx.name, [LABEL_NODE_TYPE]: 'head' },
    submitter ? [{ from: [submitter], ports: [tcp(dashboard)] }] : [],
    [dashboard, intParam(ctx.headPort, 6379), intParam(params['metrics-export-port'], DEFAULT_METRICS_PORT)],
    np.head,
  );
  const workers = (ctx.rc.spec.workerGroupSpecs ?? []).map((g) =>
    policy(
      workerNetworkPolicyName(ctx.name, g.groupName),
      g.groupName,
      { [LABEL_CLUSTER]: ctx.name, [LABEL_NODE_TYPE]: 'worker', [LABEL_GROUP]: g.groupName },
      [],
      [intParam(g.rayStartParams?.['metrics-export-port'], DEFAULT_METRICS_PORT)],
      np.workerGroups?.find((w) => w.groupName === g.groupName) ?? np.worker,
    ),
  );
  return [head, ...workers];
}

/** KubeRay: only a K8sJobMode RayJob that controls the cluster has a submitter pod outside it. */
function submitterPeer(ctx: ClusterContext): NetworkPolicyPeer | undefined {
  if (ctx.rc.metadata?.labels?.[SUBMISSION_MODE_LABEL] !== 'K8sJobMode') return undefined;
  const owner = (ctx.rc.metadata.ownerReferences ?? []).find(
    (o) => o.kind === 'RayJob' && o.controller === true && o.apiVersion.startsWith('ray.io/'),
  );
  if (!owner) return undefined;
  return {
    podSelector: {
      matchLabels: { [LABEL_ORIGINATED_FROM_CR_NAME]: owner.name, [LABEL_ORIGINATED_FROM_CRD]: 'RayJob' },
    },
  };
}

function operatorPeer(ctx: ClusterContext): NetworkPolicyPeer | undefined {
  const ns = ctx.options.operatorNamespace;
  if (!ns) return undefined;
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
    podSelector: { matchLabels: { ...OPERATOR_POD_LABEL } },
  };
}

function intParam(v: unknown, fallback: number): number {
  const n = Number(v);
  return typeof v === 'string' && /^\d+$/.test(v) && n > 0 && n < 65536 ? n : fallback;
}

/**
 * The API server defaults a port's protocol to TCP; writing it ourselves keeps the stored object equal
 * to the desired one, so a converged policy is never rewritten (KubeRay normalizes the same way).
 */
function normalizePorts(spec: Spec): Spec {
  const fix = <R extends { ports?: { protocol?: string }[] }>(rules: R[] | undefined): R[] | undefined =>
    rules?.map((r) =>
      r.ports ? { ...r, ports: r.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })) } : r,
    );
  return {
    ...spec,
    ...(spec.ingress ? { ingress: fix(spec.ingress) } : {}),
    ...(spec.egress ? { egress: fix(spec.egress) } : {}),
  };
}
