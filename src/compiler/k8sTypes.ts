// Wire shapes (Plain<T>: timestamps as strings, plain objects) of the core types the compiler reads
// and writes, the same convention as src/api: manifests are JSON, not client-node class instances.
import type {
  V1Container,
  V1Job,
  V1PodDisruptionBudget,
  V1Ingress,
  V1NetworkPolicy,
  V1NetworkPolicyPeer,
  V1PersistentVolumeClaim,
  V1EnvVar,
  V1OwnerReference,
  V1Pod,
  V1PodSpec,
  V1PodTemplateSpec,
  V1Probe,
  V1ResourceRequirements,
  V1Role,
  V1RoleBinding,
  V1Service,
  V1ServiceAccount,
  V1ServicePort,
  V1Volume,
} from '@kubernetes/client-node';
import type { Plain } from '../api/k8s/plain.ts';
import type { NetworkPolicyIngressRule } from '../api/v1/core.ts';

export type Container = Plain<V1Container>;
export type Job = Plain<V1Job>;
export type PodDisruptionBudget = Plain<V1PodDisruptionBudget>;
export type Ingress = Plain<V1Ingress>;
export type NetworkPolicyPeer = Plain<V1NetworkPolicyPeer>;
/** With the ingress rules' wire field `from` (client-node calls it `_from`). */
export type NetworkPolicy = Omit<Plain<V1NetworkPolicy>, 'spec'> & {
  spec?: Omit<NonNullable<Plain<V1NetworkPolicy>['spec']>, 'ingress'> & {
    ingress?: NetworkPolicyIngressRule[];
  };
};
export type EnvVar = Plain<V1EnvVar>;
export type OwnerReference = Plain<V1OwnerReference>;
export type PersistentVolumeClaim = Plain<V1PersistentVolumeClaim>;
export type Pod = Plain<V1Pod>;
export type PodSpec = Plain<V1PodSpec>;
export type PodTemplateSpec = Plain<V1PodTemplateSpec>;
export type Probe = Plain<V1Probe>;
export type ResourceRequirements = Plain<V1ResourceRequirements>;
export type Role = Plain<V1Role>;
export type RoleBinding = Plain<V1RoleBinding>;
export type Service = Plain<V1Service>;
export type ServiceAccount = Plain<V1ServiceAccount>;
export type ServicePort = Plain<V1ServicePort>;
export type Volume = Plain<V1Volume>;
