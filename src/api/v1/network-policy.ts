// spec.networkPolicy: operator-managed NetworkPolicies for head and worker pods.
import { arr, obj, opt, str, stringEnum } from '../schema.ts';
import { egressRules, ingressRules } from './core.ts';
import { NETWORK_POLICY_MODES } from './enums.ts';

const networkPolicyRules = (d: string) =>
  obj(
    {
      ingressRules: opt(
        ingressRules(
          'IngressRules are custom ingress rules appended to the base policy. Only meaningful when the mode ' +
            'denies ingress (DenyAll or DenyAllIngress).',
        ),
      ),
      egressRules: opt(
        egressRules(
          'EgressRules are custom egress rules appended to the base policy. Only meaningful when the mode ' +
            'denies egress (DenyAll or DenyAllEgress). Kuray adds DNS egress (port 53) unless the operator runs ' +
            'with KURAY_NETWORK_POLICY_DNS=false; then allow it here (e.g. to kube-system pods labeled ' +
            'k8s-app=kube-dns on port 53), because Ray workers reach the head through its service FQDN.',
        ),
      ),
    },
    d,
  );

export const NetworkPolicyConfig = obj(
  {
    mode: opt(
      stringEnum(
        NETWORK_POLICY_MODES,
        'Mode controls the security level; every mode permits intra-cluster pod-to-pod traffic. DenyAll ' +
          '(default) denies all other ingress and egress, DenyAllIngress denies other ingress, DenyAllEgress ' +
          'denies other egress.',
        { default: 'DenyAll' },
      ),
    ),
    head: opt(networkPolicyRules("Head specifies custom rules appended to the head pod's NetworkPolicy.")),
    worker: opt(
      networkPolicyRules(
        "Worker specifies custom rules appended to the worker pods' NetworkPolicy; the default for every " +
          'worker group without an entry in workerGroups.',
      ),
    ),
    workerGroups: opt(
      arr(
        obj(
          {
            groupName: str('GroupName matches a workerGroupSpecs[].groupName.'),
            ingressRules: opt(ingressRules('IngressRules are custom ingress rules for this group.')),
            egressRules: opt(egressRules('EgressRules are custom egress rules for this group (add DNS).')),
          },
          'Rules bound to one worker group.',
        ),
        'WorkerGroups specifies per-worker-group rules, keyed by group name; an entry replaces (does not ' +
          'merge with) worker for that group.',
        { 'x-kubernetes-list-map-keys': ['groupName'], 'x-kubernetes-list-type': 'map' },
      ),
    ),
  },
  'NetworkPolicy specifies optional network isolation (needs the operator flag ' +
    '--feature-gates=RayClusterNetworkPolicy=true, Helm featureGates). ' +
    'Separate NetworkPolicies are created for head and worker pods; intra-cluster traffic is always allowed. ' +
    'Kuray also allows DNS egress (port 53, UDP and TCP; KubeRay does not: operator env ' +
    'KURAY_NETWORK_POLICY_DNS=false leaves it to you) and, when the operator runs in the cluster, its own ' +
    "pods' access to the head's dashboard, GCS and metrics ports and the workers' metrics port.",
);
