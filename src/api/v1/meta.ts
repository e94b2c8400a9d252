// TypeMeta and ObjectMeta of the ray.io/v1 kinds. The apiserver owns metadata's schema, so the CRD
// carries only `type: object` there (as every controller-gen CRD does); the TypeScript type is the
// client library's V1ObjectMeta.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { k8s, opt, str } from '../schema.ts';
import type { Plain } from '../k8s/plain.ts';

export type ObjectMeta = Plain<V1ObjectMeta>;

export const typeMetaFields = () => ({
  apiVersion: opt(
    str(
      'APIVersion defines the versioned schema of this representation of an object: ray.io/v1. More info: ' +
        'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
    ),
  ),
  kind: opt(
    str(
      'Kind is a string value representing the REST resource this object represents. More info: ' +
        'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
    ),
  ),
});

export const objectMeta = () =>
  k8s<ObjectMeta>(
    { type: 'object' },
    'Standard object metadata: name, namespace, labels, annotations. The name is used in the names of the ' +
      'pods and services derived from this object, so it is limited in length.',
  );
