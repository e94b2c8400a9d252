// Ray token authentication env (KubeRay v1.7.0 SetContainerTokenAuthEnvVars / configureTokenAuth).
import type { Container, OwnerReference, PodSpec } from './k8sTypes.ts';
import type { RayCluster } from '../api/v1/index.ts';
import { addEnvIfAbsent } from './env.ts';
import { checkName, namespaceOf } from './names.ts';
import { CREATED_BY, LABEL_APP_CREATED_BY, LABEL_CLUSTER } from './constants.ts';
import { ownerReferenceFor } from './context.ts';

export interface AuthSecret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    ownerReferences: OwnerReference[];
  };
  type: 'Opaque';
  data: { auth_token: string };
}

const TOKEN_VOLUME = 'ray-token';
const TOKEN_MOUNT = '/var/run/secrets/ray.io/serviceaccount';

export function isAuthEnabled(rc: RayCluster): boolean {
  const a = rc.spec.authOptions;
  return a != null && (a.mode ?? 'token') === 'token';
}

function isK8sAuth(rc: RayCluster): boolean {
  return rc.spec.authOptions?.enableK8sTokenAuth === true;
}

/** The Secret holding the token: `authOptions.secretName`, else the (clipped) cluster name. */
export function authSecretName(rc: RayCluster): string {
  return rc.spec.authOptions?.secretName || checkName(rc.metadata?.name ?? '');
}

export function setTokenAuthEnv(c: Container, rc: RayCluster): void {
  addEnvIfAbsent(c, { name: 'RAY_AUTH_MODE', value: 'token' });
  if (isK8sAuth(rc)) {
    addEnvIfAbsent(c, { name: 'RAY_ENABLE_K8S_TOKEN_AUTH', value: 'true' });
    if (!(c.volumeMounts ?? []).some((m) => m.name === TOKEN_VOLUME)) {
      c.volumeMounts = [
        ...(c.volumeMounts ?? []),
        { name: TOKEN_VOLUME, mountPath: TOKEN_MOUNT, readOnly: true },
      ];
    }
  } else {
    addEnvIfAbsent(c, {
      name: 'RAY_AUTH_TOKEN',
      valueFrom: { secretKeyRef: { name: authSecretName(rc), key: 'auth_token' } },
    });
  }
}

/** Ray container, its wait-gcs-ready init container, and the projected token volume in k8s-token mode. */
export function configureTokenAuth(spec: PodSpec, rc: RayCluster): void {
  setTokenAuthEnv(spec.containers[0]!, rc);
  if (isK8sAuth(rc) && !(spec.volumes ?? []).some((v) => v.name === TOKEN_VOLUME)) {
    spec.volumes = [
      ...(spec.volumes ?? []),
      { name: TOKEN_VOLUME, projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
    ];
  }
  for (const ic of spec.initContainers ?? []) {
    if (ic.name === 'wait-gcs-ready') setTokenAuthEnv(ic, rc);
  }
}

/**
 * Whether the operator owns the token Secret: token mode with a shared token and no user-named
 * Secret. KubeRay creates it in that case; with `secretName` the user provides it, and in
 * Kubernetes-token mode Ray checks service-account tokens instead.
 */
export function operatorCreatesAuthSecret(rc: RayCluster): boolean {
  return isAuthEnabled(rc) && !isK8sAuth(rc) && !rc.spec.authOptions?.secretName;
}

/** The token Secret KubeRay creates (key `auth_token`); pure: the caller supplies the random token. */
export function authSecret(rc: RayCluster, token: string): AuthSecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: authSecretName(rc),
      namespace: namespaceOf(rc),
      labels: { [LABEL_CLUSTER]: rc.metadata?.name ?? '', [LABEL_APP_CREATED_BY]: CREATED_BY },
      ownerReferences: [ownerReferenceFor(rc)],
    },
    type: 'Opaque',
    data: { auth_token: Buffer.from(token, 'utf8').toString('base64') },
  };
}
