// Structural schemas of the Kubernetes core types that ray.io/v1 embeds (pod templates, Services,
// env vars, ...). They are derived from Kubernetes' own OpenAPI spec by scripts/gen-k8s-schemas.ts
// and committed as ./core.json, so the CRDs carry the same fields and descriptions as
// `kubectl explain pod.spec` and validation can check embedded templates field by field.
//
// Placeholder until core.json is generated: a preserve-unknown-fields object accepts any content.
const placeholder = (): Record<string, unknown> => ({
  type: 'object',
  'x-kubernetes-preserve-unknown-fields': true,
});

export type CoreTypeName =
  | 'io.k8s.api.core.v1.PodTemplateSpec'
  | 'io.k8s.api.core.v1.ResourceRequirements'
  | 'io.k8s.api.core.v1.SecurityContext'
  | 'io.k8s.api.core.v1.EnvVar'
  | 'io.k8s.api.core.v1.EnvVarSource'
  | 'io.k8s.api.core.v1.EnvFromSource'
  | 'io.k8s.api.core.v1.VolumeMount'
  | 'io.k8s.api.core.v1.Service'
  | 'io.k8s.api.networking.v1.NetworkPolicyIngressRule'
  | 'io.k8s.api.networking.v1.NetworkPolicyEgressRule'
  | 'io.k8s.api.networking.v1.IngressTLS'
  | 'io.k8s.apimachinery.pkg.apis.meta.v1.Condition';

/** The structural schema of one core type, fully inlined (a fresh copy each call). */
export function coreSchema(_name: CoreTypeName): Record<string, unknown> {
  return placeholder();
}
