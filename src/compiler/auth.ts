// Ray token authentication env (KubeRay v1.7.0 SetContainerTokenAuthEnvVars / configureTokenAuth),
// plus the production guide's way to ask for it: a RAY_DASHBOARD_PASSWORD env var on the head (from a
// Secret). Ray has no dashboard password; Kuray makes that value the cluster's Ray token, so the
// dashboard, the Jobs API and GCS all require it (clients send `Authorization: Bearer <password>`).
import { dashboardPasswordEnv } from '../api/auth.ts';
import { clone } from './clone.ts';
import type { Container, EnvVar, OwnerReference, PodSpec } from './k8sTypes.ts';
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

/** Where every Ray container of the cluster gets its token from. */
export type TokenSource =
  | { readonly mode: 'kubernetes' }
  | {
      readonly mode: 'shared';
      /** The RAY_AUTH_TOKEN env var minus its name: a secretKeyRef, or (from the guide's env) a value. */
      readonly env: Omit<EnvVar, 'name'>;
      /** The Secret holding it, when there is one (the operator's own clients read it there). */
      readonly secret?: { readonly name: string; readonly key: string };
    };

/** The token of every Ray container; undefined without auth (see authRequested in src/api/auth.ts). */
export function tokenSource(rc: RayCluster): TokenSource | undefined {
  const a = rc.spec.authOptions;
  if (a != null) {
    if ((a.mode ?? 'token') !== 'token') return undefined;
    if (a.enableK8sTokenAuth === true) return { mode: 'kubernetes' };
    const secret = { name: authSecretName(rc), key: 'auth_token' };
    return { mode: 'shared', env: { valueFrom: { secretKeyRef: { ...secret } } }, secret };
  }
  const pw = dashboardPasswordEnv(rc.spec);
  if (!pw) return undefined;
  const ref = pw.valueFrom?.secretKeyRef;
  return {
    mode: 'shared',
    env: pw.valueFrom != null ? { valueFrom: clone(pw.valueFrom) } : { value: pw.value ?? '' },
    ...(ref?.name ? { secret: { name: ref.name, key: ref.key } } : {}),
  };
}

export function isAuthEnabled(rc: RayCluster): boolean {
  return tokenSource(rc) !== undefined;
}

/** The Secret holding the token: `authOptions.secretName`, else the (clipped) cluster name. */
export function authSecretName(rc: RayCluster): string {
  return rc.spec.authOptions?.secretName || checkName(rc.metadata?.name ?? '');
}

export function setTokenAuthEnv(c: Container, rc: RayCluster): void {
  const source = tokenSource(rc);
  if (!source) return;
  addEnvIfAbsent(c, { name: 'RAY_AUTH_MODE', value: 'token' });
  if (source.mode === 'kubernetes') {
    addEnvIfAbsent(c, { name: 'RAY_ENABLE_K8S_TOKEN_AUTH', value: 'true' });
    if (!(c.volumeMounts ?? []).some((m) => m.name === TOKEN_VOLUME)) {
      c.volumeMounts = [
        ...(c.volumeMounts ?? []),
        { name: TOKEN_VOLUME, mountPath: TOKEN_MOUNT, readOnly: true },
      ];
    }
  } else {
    addEnvIfAbsent(c, { name: 'RAY_AUTH_TOKEN', ...clone(source.env) });
  }
}

/** Ray container, its wait-gcs-ready init container, and the projected token volume in k8s-token mode. */
export function configureTokenAuth(spec: PodSpec, rc: RayCluster): void {
  setTokenAuthEnv(spec.containers[0]!, rc);
  if (tokenSource(rc)?.mode === 'kubernetes' && !(spec.volumes ?? []).some((v) => v.name === TOKEN_VOLUME)) {
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
  const a = rc.spec.authOptions;
  return a != null && tokenSource(rc)?.mode === 'shared' && !a.secretName;
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
