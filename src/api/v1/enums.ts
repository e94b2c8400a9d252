// Enumerations and shared field builders of ray.io/v1 (values as KubeRay v1.7.0 defines them).
import { str, stringEnum } from '../schema.ts';

/** KubeRay's maxInt32 default for maxReplicas. */
export const MAX_REPLICAS_DEFAULT = 2147483647;

export const UPSCALING_MODES = ['Default', 'Aggressive', 'Conservative'] as const;
export const AUTOSCALER_VERSIONS = ['v1', 'v2'] as const;
// RollingUpdate is Kuray-only (KubeRay 1.7 has Recreate and None): see RayClusterSpec.upgradeStrategy.
export const RAY_CLUSTER_UPGRADE_TYPES = ['Recreate', 'None', 'RollingUpdate'] as const;
export const AUTH_MODES = ['disabled', 'token'] as const;
export const GCS_FT_BACKENDS = ['redis', 'rocksdb'] as const;
export const GCS_STORAGE_DELETION_POLICIES = ['DeleteWithCluster', 'Retain'] as const;
export const NETWORK_POLICY_MODES = ['DenyAll', 'DenyAllIngress', 'DenyAllEgress'] as const;
export const INGRESS_PATH_TYPES = ['Exact', 'Prefix', 'ImplementationSpecific'] as const;
export const PULL_POLICIES = ['Always', 'Never', 'IfNotPresent'] as const;
export const MANAGED_BY_VALUES = ['ray.io/kuberay-operator', 'kueue.x-k8s.io/multikueue'] as const;
export const CLUSTER_STATES = ['ready', 'suspended', 'failed'] as const;

/** The CEL rules KubeRay puts on every `managedBy` field. */
export const managedByField = (kind: string) =>
  str(
    `ManagedBy is an optional configuration for the controller or entity that manages a ${kind}. ` +
      `The value must be either 'ray.io/kuberay-operator' or 'kueue.x-k8s.io/multikueue'. The operator ` +
      `reconciles a ${kind} which doesn't have this field at all or whose value is 'ray.io/kuberay-operator', ` +
      `but leaves a ${kind} with 'kueue.x-k8s.io/multikueue' to Kueue (MultiKueue). The field is immutable.`,
    {
      'x-kubernetes-validations': [
        { message: 'the managedBy field is immutable', rule: 'self == oldSelf' },
        {
          message:
            "the managedBy field value must be either 'ray.io/kuberay-operator' or 'kueue.x-k8s.io/multikueue'",
          rule: "self in ['ray.io/kuberay-operator', 'kueue.x-k8s.io/multikueue']",
        },
      ],
    },
  );

export const pullPolicy = (d: string) => stringEnum(PULL_POLICIES, d);
