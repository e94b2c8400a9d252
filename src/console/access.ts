// What the viewer may do, asked of the API server itself (SelfSubjectAccessReview), so the console
// shows and offers exactly what the viewer's RBAC allows. The buttons it disables are a courtesy:
// every action is still made with the viewer's own credentials, and the API server decides.
import type { KubeClient } from '../runtime/transport.ts';
import type { GVR } from '../runtime/resources.ts';

interface AccessReview {
  status?: { allowed?: boolean };
}

/** Whether the viewer may `verb` the resource in `namespace` ('' = all namespaces). */
export async function can(client: KubeClient, verb: string, r: GVR, namespace: string): Promise<boolean> {
  const review = await client.request<AccessReview>(
    'POST',
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: {
        resourceAttributes: {
          group: r.group,
          version: r.version,
          resource: r.resource,
          verb,
          ...(namespace === '' ? {} : { namespace }),
        },
      },
    },
  );
  return review.status?.allowed === true;
}
