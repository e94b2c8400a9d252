// --default-token-auth without the webhook (or while it was down): a new RayCluster — never
// reconciled, so no status yet, and created by a user rather than a RayJob/RayService — that asks
// for no auth gets `authOptions: {mode: token}` written into its spec before any pod exists, the
// same change the mutating webhook makes at admission (src/api/auth.ts tokenAuthDefault).
import { tokenAuthDefault } from '../../api/auth.ts';
import type { RayCluster } from '../../api/v1/index.ts';
import { LABEL_ORIGINATED_FROM_CRD } from '../../compiler/constants.ts';
import { RayClusters } from '../../runtime/resources.ts';
import type { RayClusterClient } from './client.ts';

/** Patches the spec and returns true when the cluster got token auth (its update event follows). */
export async function applyTokenAuthDefault(client: RayClusterClient, rc: RayCluster): Promise<boolean> {
  if (rc.status != null || rc.metadata?.labels?.[LABEL_ORIGINATED_FROM_CRD] !== undefined) return false;
  const auth = tokenAuthDefault(rc.spec);
  if (!auth) return false;
  // resourceVersion makes it a precondition: a concurrent user edit wins and is looked at again.
  await client.patch(
    RayClusters,
    rc.metadata!.namespace,
    rc.metadata!.name!,
    { metadata: { resourceVersion: rc.metadata!.resourceVersion }, spec: auth },
    'merge',
  );
  return true;
}
