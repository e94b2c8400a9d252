// Token auth (authOptions.mode: token, KubeRay's behaviour): every Ray container reads RAY_AUTH_TOKEN
// from a Secret named after the cluster, which the operator creates with a random token unless the
// user names their own. The Secret must exist before the first pod, so it is ensured right before
// pods are created. Secrets are not watched — an informer would cache every Secret in the watched
// namespaces — so a converged cluster makes no call here at all; a pod creation costs one GET.
import { randomBytes } from 'node:crypto';
import type { RayCluster } from '../../api/v1/index.ts';
import { authSecret, authSecretName, operatorCreatesAuthSecret } from '../../compiler/auth.ts';
import { isAlreadyExists, isNotFound } from '../../runtime/errors.ts';
import { Secrets } from '../../runtime/resources.ts';
import type { RayClusterClient } from './client.ts';

/** 32 random bytes, base64 — the length KubeRay generates. */
export const newAuthToken = (): string => randomBytes(32).toString('base64');

/** Creates the token Secret if the operator owns it and it is missing; returns whether it created one. */
export async function ensureAuthSecret(
  client: RayClusterClient,
  rc: RayCluster,
  token: () => string = newAuthToken,
): Promise<boolean> {
  if (!operatorCreatesAuthSecret(rc)) return false;
  const ns = rc.metadata!.namespace!;
  try {
    await client.get(Secrets, ns, authSecretName(rc));
    return false; // exists (ours from an earlier reconcile, or the user's): never overwritten
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await client.create(Secrets, { ...authSecret(rc, token()) });
    return true;
  } catch (err) {
    if (isAlreadyExists(err)) return false;
    throw err;
  }
}
