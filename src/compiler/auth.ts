// Ray token authentication env (KubeRay v1.7.0 SetContainerTokenAuthEnvVars / configureTokenAuth).
import type { Container, PodSpec } from './k8sTypes.ts';
import type { RayCluster } from '../api/v1/index.ts';
import { addEnvIfAbsent } from './env.ts';
import { checkName } from './names.ts';

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
