// What the operator is allowed to do, as data: every API call `kuray operator` makes today, with
// the reason. config/rbac/*.yaml and the Helm chart's Roles are checked against this list (unit test
// for the files, integration test for the chart) and the integration test runs the operator with
// exactly the chart's permissions, so a new API call without a rule fails a test, not a cluster.
//
// The matcher follows kube-apiserver's RBAC rule evaluation (pkg/apis/rbac/v1/evaluation_helpers.go):
// "*" matches any group/resource/verb, "*/sub" any resource's subresource, and a rule with
// resourceNames only covers requests that name one of them.

export interface PolicyRule {
  apiGroups?: readonly string[];
  resources?: readonly string[];
  verbs: readonly string[];
  resourceNames?: readonly string[];
  nonResourceURLs?: readonly string[];
}

/**
 * Where a permission is needed: every watched namespace (or cluster-wide), only the lease's, or for
 * the admission webhook (its certificate Secret in the operator's namespace and its own
 * webhook configurations, by name: charts/kuray-operator/templates/webhook_rbac.yaml).
 */
export type PermissionScope = 'watched' | 'leader-election' | 'webhook';

export interface Permission {
  group: string;
  /** Plural resource, with "/subresource" when there is one. */
  resource: string;
  verbs: readonly string[];
  scope: PermissionScope;
  why: string;
}

/** What the controllers call: RayCluster, RayJob, RayCronJob and RayService. */
export const OPERATOR_PERMISSIONS: readonly Permission[] = [
  {
    group: 'ray.io',
    resource: 'rayclusters',
    verbs: ['get', 'list', 'watch', 'create', 'delete', 'patch', 'update'],
    scope: 'watched',
    why: "informer; JSON patch clearing scaleStrategy.workersToDelete; the autoscaler Role grants get/patch; a RayJob's cluster is created, deleted (shutdown, retry, suspend) and its workers suspended (DeleteWorkers)",
  },
  {
    group: 'ray.io',
    resource: 'rayjobs',
    verbs: ['get', 'list', 'watch', 'create', 'delete', 'patch', 'update'],
    scope: 'watched',
    why: 'informer; the ray.io/rayjob-finalizer patch; DeleteSelf and DELETE_RAYJOB_CR_AFTER_JOB_FINISHES; a RayCronJob creates RayJobs',
  },
  {
    group: 'ray.io',
    resource: 'rayjobs/status',
    verbs: ['get', 'patch', 'update'],
    scope: 'watched',
    why: 'RayJob status through the /status subresource',
  },
  {
    group: 'ray.io',
    resource: 'rayjobs/finalizers',
    verbs: ['update'],
    scope: 'watched',
    why: 'its cluster, submitter Job and head Service carry blockOwnerDeletion owner references',
  },
  {
    group: 'ray.io',
    resource: 'rayservices',
    verbs: ['get', 'list', 'watch', 'patch', 'update'],
    scope: 'watched',
    why: 'informer; the ray.io/rayservice-finalizer patch',
  },
  {
    group: 'ray.io',
    resource: 'rayservices/status',
    verbs: ['get', 'patch', 'update'],
    scope: 'watched',
    why: 'RayService status through the /status subresource',
  },
  {
    group: 'ray.io',
    resource: 'rayservices/finalizers',
    verbs: ['update'],
    scope: 'watched',
    why: 'its clusters and Services carry blockOwnerDeletion owner references',
  },
  {
    group: 'ray.io',
    resource: 'raycronjobs',
    verbs: ['get', 'list', 'watch'],
    scope: 'watched',
    why: 'RayCronJob informer (only with the RayCronJob feature gate)',
  },
  {
    group: 'ray.io',
    resource: 'raycronjobs/status',
    verbs: ['get', 'patch', 'update'],
    scope: 'watched',
    why: 'lastScheduleTime and the active list',
  },
  {
    group: 'ray.io',
    resource: 'raycronjobs/finalizers',
    verbs: ['update'],
    scope: 'watched',
    why: 'the RayJobs it creates carry blockOwnerDeletion owner references',
  },
  {
    group: 'batch',
    resource: 'jobs',
    verbs: ['get', 'list', 'watch', 'create', 'delete'],
    scope: 'watched',
    why: "a K8sJobMode RayJob's submitter Job (deleted on suspend and retry); the Redis cleanup Job of a deleted GCS fault-tolerant RayCluster (ray.io/gcs-ft-redis-cleanup-finalizer)",
  },
  {
    group: 'ray.io',
    resource: 'rayclusters/status',
    verbs: ['get', 'patch', 'update'],
    scope: 'watched',
    why: 'status is written through the /status subresource',
  },
  {
    group: 'ray.io',
    resource: 'rayclusters/finalizers',
    verbs: ['update'],
    scope: 'watched',
    why: 'children carry blockOwnerDeletion owner references (OwnerReferencesPermissionEnforcement); GCS FT finalizer',
  },
  {
    group: '',
    resource: 'pods',
    verbs: ['get', 'list', 'watch', 'create', 'delete', 'patch'],
    scope: 'watched',
    why: 'Ray pods: informer, create, delete; the autoscaler Role grants get/list/watch/patch',
  },
  {
    group: '',
    resource: 'pods/resize',
    verbs: ['patch'],
    scope: 'watched',
    why: 'granted to the autoscaler Role (RBAC forbids granting what the granter lacks)',
  },
  {
    group: '',
    resource: 'services',
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    scope: 'watched',
    why: "head and headless worker Services (deleted by garbage collection); a RayJob's <job>-head-svc follows its current cluster; a RayService's head and serve Services follow the serving cluster (patched; deleted on suspend)",
  },
  {
    group: '',
    resource: 'serviceaccounts',
    verbs: ['get', 'list', 'watch', 'create'],
    scope: 'watched',
    why: 'the autoscaler ServiceAccount',
  },
  {
    group: '',
    resource: 'secrets',
    verbs: ['get', 'create', 'patch'],
    scope: 'watched',
    why: "token auth: the cluster's auth_token Secret (created before its pods; read by the native autoscaler); mTLS: the certificates' Secrets are read before pods are created and given an owner reference to their Certificate",
  },
  {
    group: 'cert-manager.io',
    resource: 'issuers',
    verbs: ['get', 'create'],
    scope: 'watched',
    why: "tlsOptions (gate RayClusterMTLS): the cluster's self-signed and CA Issuers (created once, read with GETs, not watched)",
  },
  {
    group: 'cert-manager.io',
    resource: 'certificates',
    verbs: ['get', 'create', 'patch'],
    scope: 'watched',
    why: "tlsOptions (gate RayClusterMTLS): the cluster's CA, head and worker Certificates; the leaves' IP SANs follow the pods",
  },
  {
    group: 'networking.k8s.io',
    resource: 'ingresses',
    verbs: ['create'],
    scope: 'watched',
    why: 'the dashboard Ingress of a cluster with headGroupSpec.enableIngress (created once, not watched)',
  },
  {
    group: 'networking.k8s.io',
    resource: 'networkpolicies',
    verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'],
    scope: 'watched',
    why: "spec.networkPolicy (gate RayClusterNetworkPolicy): the head's and each group's NetworkPolicy, kept equal to the spec (watched only with the gate on)",
  },
  {
    group: '',
    resource: 'persistentvolumeclaims',
    verbs: ['create'],
    scope: 'watched',
    why: "the RocksDB GCS store's claim <cluster>-gcs-pvc (gcsFaultToleranceOptions.backend rocksdb; created once, not watched)",
  },
  {
    group: 'policy',
    resource: 'poddisruptionbudgets',
    verbs: ['create'],
    scope: 'watched',
    why: 'PodDisruptionBudgets of clusters annotated kuray.io/pod-disruption-budget (created once, not watched)',
  },
  {
    group: 'rbac.authorization.k8s.io',
    resource: 'roles',
    verbs: ['get', 'list', 'watch', 'create'],
    scope: 'watched',
    why: 'the autoscaler Role',
  },
  {
    group: 'rbac.authorization.k8s.io',
    resource: 'rolebindings',
    verbs: ['get', 'list', 'watch', 'create'],
    scope: 'watched',
    why: 'the autoscaler RoleBinding',
  },
  {
    group: '',
    resource: 'events',
    verbs: ['create', 'patch'],
    scope: 'watched',
    why: 'core/v1 Events on RayClusters, RayJobs and RayCronJobs; a repeat patches count/lastTimestamp',
  },
  {
    group: 'coordination.k8s.io',
    resource: 'leases',
    verbs: ['get', 'create', 'update'],
    scope: 'leader-election',
    why: 'leader election Lease (acquire, renew, release)',
  },
  {
    group: '',
    resource: 'secrets',
    verbs: ['get', 'create', 'update'],
    scope: 'webhook',
    why: "the webhook's CA and serving certificate (one Secret in the operator namespace)",
  },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'validatingwebhookconfigurations',
    verbs: ['get', 'patch'],
    scope: 'webhook',
    why: "caBundle of the operator's own ValidatingWebhookConfiguration",
  },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'mutatingwebhookconfigurations',
    verbs: ['get', 'patch'],
    scope: 'webhook',
    why: "caBundle of the operator's own MutatingWebhookConfiguration",
  },
];

function has(list: readonly string[] | undefined, value: string): boolean {
  return (list ?? []).some((x) => x === '*' || x === value);
}

function resourceMatches(rules: readonly string[] | undefined, resource: string): boolean {
  const slash = resource.indexOf('/');
  const sub = slash < 0 ? undefined : resource.slice(slash + 1);
  return (rules ?? []).some((r) => r === '*' || r === resource || (sub !== undefined && r === `*/${sub}`));
}

/** Whether one rule allows `verb` on group/resource (optionally a named object). */
export function ruleAllows(
  rule: PolicyRule,
  group: string,
  resource: string,
  verb: string,
  name?: string,
): boolean {
  if (!has(rule.verbs, verb) || !has(rule.apiGroups, group) || !resourceMatches(rule.resources, resource))
    return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (name !== undefined && names.includes(name));
}

export function rulesAllow(
  rules: readonly PolicyRule[],
  group: string,
  resource: string,
  verb: string,
  name?: string,
): boolean {
  return rules.some((r) => ruleAllows(r, group, resource, verb, name));
}

/** Every (group, resource, verb) of `needs` that `rules` do not allow, as "verb group/resource". */
export function missingPermissions(
  rules: readonly PolicyRule[],
  needs: readonly Permission[] = OPERATOR_PERMISSIONS,
): string[] {
  const out: string[] = [];
  for (const n of needs)
    for (const v of n.verbs)
      if (!rulesAllow(rules, n.group, n.resource, v)) out.push(`${v} ${n.group || 'core'}/${n.resource}`);
  return out;
}

export function permissionsIn(scope: PermissionScope): Permission[] {
  return OPERATOR_PERMISSIONS.filter((p) => p.scope === scope);
}
