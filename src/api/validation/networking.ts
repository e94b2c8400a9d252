// Cross checks for the plain Kubernetes objects users ship next to their Ray clusters (the guide's
// Service and NetworkPolicy): rules that select Ray pods but would cut the cluster's own traffic.
import { isObj } from './common.ts';
import { at, type Report } from './issue.ts';

type Json = Record<string, unknown>;

/** Labels Kuray puts on Ray pods: app=ray-head|ray-worker and the ray.io/* ones. */
function rayRoleOfSelector(sel: unknown): 'head' | 'worker' | 'any' | undefined {
  if (!isObj(sel)) return undefined;
  const ml = isObj(sel.matchLabels) ? sel.matchLabels : {};
  if (ml.app === 'ray-head' || ml['ray.io/node-type'] === 'head') return 'head';
  if (ml.app === 'ray-worker' || ml['ray.io/node-type'] === 'worker') return 'worker';
  const keys = [
    ...Object.keys(ml),
    ...(Array.isArray(sel.matchExpressions)
      ? sel.matchExpressions.map((e) => (isObj(e) ? String(e.key) : ''))
      : []),
  ];
  return keys.some((k) => k.startsWith('ray.io/')) ? 'any' : undefined;
}

function portsOf(rule: Json): Json[] | undefined {
  return Array.isArray(rule.ports) && rule.ports.length > 0 ? rule.ports.filter(isObj) : undefined;
}

/** A peer list lets traffic to/from other pods: absent/empty (everything), a podSelector, or an ipBlock. */
function peersReachPods(peers: unknown): boolean {
  if (!Array.isArray(peers) || peers.length === 0) return true;
  return peers.some(
    (p) =>
      isObj(p) &&
      (p.ipBlock !== undefined ||
        (p.podSelector !== undefined && p.namespaceSelector === undefined) ||
        (isObj(p.namespaceSelector) && Object.keys(p.namespaceSelector).length === 0)),
  );
}

export function checkNetworkPolicyObject(obj: Json, r: Report): void {
  const spec = isObj(obj.spec) ? obj.spec : {};
  const role = rayRoleOfSelector(spec.podSelector);
  if (!role) return;
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : undefined;
  const egressRestricted = types ? types.includes('Egress') : spec.egress !== undefined;
  const ingressRestricted = types ? types.includes('Ingress') : true;
  const pods = role === 'head' ? 'the Ray head' : role === 'worker' ? 'the Ray workers' : 'Ray pods';
  if (egressRestricted) {
    const rules = (Array.isArray(spec.egress) ? spec.egress : []).filter(isObj);
    const allowsRay = rules.some((rule) => {
      const ports = portsOf(rule);
      return (ports === undefined || ports.some((p) => p.port !== 53)) && peersReachPods(rule.to);
    });
    const onlyDns =
      rules.length > 0 && rules.every((rule) => portsOf(rule)?.every((p) => p.port === 53) === true);
    if (!allowsRay) {
      r.warn(
        'spec.egress',
        onlyDns
          ? `this policy selects ${pods} and its egress only allows DNS (port 53): the head cannot reach its workers (raylet, object manager and worker ports) nor workers the head's GCS, so tasks never run and nodes are marked dead`
          : `this policy selects ${pods} and its egress allows no traffic to other pods: Ray nodes cannot talk to each other`,
        'add an egress rule to the pods of the same cluster, e.g. `- to: [{podSelector: {matchLabels: {ray.io/cluster: <name>}}}]`, or restrict only traffic leaving the namespace',
      );
    }
    rules.forEach((rule, i) => {
      const ports = portsOf(rule);
      if (
        ports?.some((p) => p.port === 53) &&
        !ports.some((p) => p.port === 53 && (p.protocol === 'UDP' || p.protocol === undefined))
      ) {
        r.warn(
          at(at('spec.egress', i), 'ports'),
          'DNS is allowed over TCP only; resolvers use UDP port 53 first, so name lookups time out',
          'add {protocol: UDP, port: 53}',
        );
      }
      (Array.isArray(rule.to) ? rule.to : []).forEach((peer, j) => {
        const ns =
          isObj(peer) && isObj(peer.namespaceSelector) && isObj(peer.namespaceSelector.matchLabels)
            ? peer.namespaceSelector.matchLabels
            : undefined;
        if (ns && typeof ns.name === 'string' && Object.keys(ns).length === 1) {
          r.warn(
            `spec.egress[${i}].to[${j}].namespaceSelector.matchLabels.name`,
            `namespaces carry no "name" label by default, so {name: ${ns.name}} matches no namespace and this rule allows nothing`,
            `use the label Kubernetes sets on every namespace: kubernetes.io/metadata.name: ${ns.name}`,
          );
        }
      });
    });
  }
  if (ingressRestricted && role !== 'any') {
    const rules = (Array.isArray(spec.ingress) ? spec.ingress : []).filter(isObj);
    const gcs = 6379;
    const allowsRay = rules.some((rule) => {
      const ports = portsOf(rule);
      const portOk =
        ports === undefined ||
        (role === 'head' ? ports.some((p) => p.port === gcs || p.port === 'gcs-server') : false);
      return portOk && peersReachPods(rule.from);
    });
    if (!allowsRay) {
      const allowed =
        rules.flatMap((rule) => portsOf(rule)?.map((p) => String(p.port)) ?? ['all ports']).join(', ') ||
        'nothing';
      r.warn(
        'spec.ingress',
        role === 'head'
          ? `this policy selects the Ray head and its ingress only allows ${allowed}: workers cannot reach the GCS (6379) and other head ports, so they never join`
          : `this policy selects Ray workers and its ingress only allows ${allowed}: the head and other workers cannot reach them`,
        'allow ingress from the pods of the same cluster on all ports, e.g. `- from: [{podSelector: {matchLabels: {ray.io/cluster: <name>}}}]`, next to the rule for outside clients',
      );
    }
  }
}

const RAY_DEFAULT_PORTS = new Set([6379, 8265, 10001, 8080, 8000, 9000, 52365]);

/** A Service that selects Ray pods: its target ports must be ones Ray (or the user's containers) listen on. */
export function checkServiceObject(
  obj: Json,
  clusterPorts: { names: Set<string>; numbers: Set<number> },
  r: Report,
): void {
  const spec = isObj(obj.spec) ? obj.spec : {};
  if (!rayRoleOfSelector({ matchLabels: spec.selector })) return;
  (Array.isArray(spec.ports) ? spec.ports : []).forEach((port, i) => {
    if (!isObj(port)) return;
    const target = port.targetPort ?? port.port;
    if (typeof target === 'number' && !RAY_DEFAULT_PORTS.has(target) && !clusterPorts.numbers.has(target)) {
      r.warn(
        at(at('spec.ports', i), 'targetPort'),
        `nothing in a Ray pod listens on ${target} by default`,
        'target a Ray port (6379 GCS, 8265 dashboard, 10001 client, 8080 metrics, 8000 serve) or one your container declares',
      );
    }
    if (
      typeof target === 'string' &&
      clusterPorts.names.size > 0 &&
      !clusterPorts.names.has(target) &&
      target !== 'metrics'
    ) {
      r.warn(
        at(at('spec.ports', i), 'targetPort'),
        `no Ray container in this file declares a port named ${JSON.stringify(target)}, so the Service gets no endpoints for it`,
        'use a port number or a name declared in the container ports',
      );
    }
  });
}
