// ServiceAccount, Role and RoleBinding for the autoscaler sidecar (KubeRay v1.7.0 rbac.go): it may
// read and patch pods and patch its own RayCluster (replicas, workersToDelete).
import type { Role, RoleBinding, ServiceAccount } from './k8sTypes.ts';
import type { ClusterContext } from './context.ts';
import { rbacLabels } from './labels.ts';
import { autoscalerServiceAccountName, checkName } from './names.ts';

/** Only when the head template names no ServiceAccount: a user-named one is the user's to create. */
export function buildAutoscalerServiceAccount(ctx: ClusterContext): ServiceAccount | undefined {
  if (!ctx.autoscaling || ctx.rc.spec.headGroupSpec.template.spec?.serviceAccountName) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: checkName(autoscalerServiceAccountName(ctx.rc)),
      namespace: ctx.namespace,
      labels: rbacLabels(ctx.name),
      ownerReferences: [ctx.ownerReference],
    },
  };
}

export function buildAutoscalerRole(ctx: ClusterContext): Role | undefined {
  if (!ctx.autoscaling) return undefined;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: {
      name: checkName(ctx.name),
      namespace: ctx.namespace,
      labels: rbacLabels(ctx.name),
      ownerReferences: [ctx.ownerReference],
    },
    rules: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: [''], resources: ['pods/resize'], verbs: ['patch'] },
      { apiGroups: ['ray.io'], resources: ['rayclusters'], verbs: ['get', 'patch'] },
    ],
  };
}

export function buildAutoscalerRoleBinding(ctx: ClusterContext): RoleBinding | undefined {
  if (!ctx.autoscaling) return undefined;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: {
      name: checkName(ctx.name),
      namespace: ctx.namespace,
      labels: rbacLabels(ctx.name),
      ownerReferences: [ctx.ownerReference],
    },
    subjects: [
      {
        kind: 'ServiceAccount',
        name: checkName(autoscalerServiceAccountName(ctx.rc)),
        namespace: ctx.namespace,
      },
    ],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: checkName(ctx.name) },
  };
}
