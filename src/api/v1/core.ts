// The Kubernetes core types embedded in ray.io/v1, each typed with @kubernetes/client-node's model
// interface and carrying the full structural schema from src/api/k8s.
import type {
  V1Condition,
  V1Container,
  V1Probe,
  V1EnvFromSource,
  V1EnvVar,
  V1EnvVarSource,
  V1IngressTLS,
  V1NetworkPolicyEgressRule,
  V1NetworkPolicyIngressRule,
  V1NetworkPolicyPeer,
  V1PodTemplateSpec,
  V1ResourceRequirements,
  V1SecurityContext,
  V1Service,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { coreSchema } from '../k8s/index.ts';
import type { Plain } from '../k8s/plain.ts';
import { arr, k8s } from '../schema.ts';

// Wire shapes of the embedded core types (see Plain).
export type Condition = Plain<V1Condition>;
export type EnvFromSource = Plain<V1EnvFromSource>;
export type EnvVar = Plain<V1EnvVar>;
export type EnvVarSource = Plain<V1EnvVarSource>;
export type IngressTLS = Plain<V1IngressTLS>;
export type NetworkPolicyEgressRule = Plain<V1NetworkPolicyEgressRule>;
// client-node names the wire field `from` as `_from` (a reserved word in its generator); the YAML has `from`.
export type NetworkPolicyPeer = Plain<V1NetworkPolicyPeer>;
export type NetworkPolicyIngressRule = Omit<Plain<V1NetworkPolicyIngressRule>, '_from'> & {
  from?: NetworkPolicyPeer[];
};
export type PodTemplateSpec = Plain<V1PodTemplateSpec>;
export type ResourceRequirements = Plain<V1ResourceRequirements>;
export type SecurityContext = Plain<V1SecurityContext>;
export type Service = Plain<V1Service>;
export type VolumeMount = Plain<V1VolumeMount>;
export type Container = Plain<V1Container>;
export type Probe = Plain<V1Probe>;
export type { Plain };

export const podTemplate = (d: string) =>
  k8s<PodTemplateSpec>(coreSchema('io.k8s.api.core.v1.PodTemplateSpec'), d);
export const resourceRequirements = (d: string) =>
  k8s<ResourceRequirements>(coreSchema('io.k8s.api.core.v1.ResourceRequirements'), d);
export const securityContext = (d: string) =>
  k8s<SecurityContext>(coreSchema('io.k8s.api.core.v1.SecurityContext'), d);
export const envVarSource = (d: string) =>
  k8s<EnvVarSource>(coreSchema('io.k8s.api.core.v1.EnvVarSource'), d);
export const envVars = (d: string) => arr(k8s<EnvVar>(coreSchema('io.k8s.api.core.v1.EnvVar')), d);
export const envFromSources = (d: string) =>
  arr(k8s<EnvFromSource>(coreSchema('io.k8s.api.core.v1.EnvFromSource')), d);
export const volumeMounts = (d: string) =>
  arr(k8s<VolumeMount>(coreSchema('io.k8s.api.core.v1.VolumeMount')), d);
export const service = (d: string) => k8s<Service>(coreSchema('io.k8s.api.core.v1.Service'), d);
export const ingressRules = (d: string) =>
  arr(k8s<NetworkPolicyIngressRule>(coreSchema('io.k8s.api.networking.v1.NetworkPolicyIngressRule')), d);
export const egressRules = (d: string) =>
  arr(k8s<NetworkPolicyEgressRule>(coreSchema('io.k8s.api.networking.v1.NetworkPolicyEgressRule')), d);
export const ingressTLS = (d: string) =>
  arr(k8s<IngressTLS>(coreSchema('io.k8s.api.networking.v1.IngressTLS')), d);
export const conditions = (d: string) =>
  arr(k8s<Condition>(coreSchema('io.k8s.apimachinery.pkg.apis.meta.v1.Condition')), d, {
    'x-kubernetes-list-map-keys': ['type'],
    'x-kubernetes-list-type': 'map',
  });
