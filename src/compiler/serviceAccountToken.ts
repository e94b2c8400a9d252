// Least privilege for the Kubernetes API token: a Ray worker pod does not mount its ServiceAccount's
// token unless its template asks for one. Ray's workers never call the Kubernetes API (the autoscaler
// that does runs on the head, or in the operator); a mounted token only hands whatever the namespace's
// `default` ServiceAccount may do to every task that runs on a worker. It also costs the control plane:
// the kubelet requests a token (TokenRequest) for every such pod it starts and refreshes it hourly,
// and the API server's ServiceAccount admission adds a projected volume and a mount per container to
// every pod it stores and sends to each watcher.
//
// The template's own choice always wins: `automountServiceAccountToken` set either way is kept, and a
// template that names a ServiceAccount (an identity the user picked for the workers, e.g. for Vault's
// Kubernetes auth) keeps the Kubernetes default (mounted). Tokens projected on purpose (Ray's
// Kubernetes token auth, ./auth.ts; cloud workload identity webhooks) are volumes of their own and are
// not affected. The head keeps its token: the Ray autoscaler sidecar needs it. Part of the
// restricted defaults: --restricted-pod-security=false turns it off with the rest (KubeRay's pods).
import type { PodSpec } from './k8sTypes.ts';

/** Sets automountServiceAccountToken: false on a worker pod spec (mutated) the user left it unset on. */
export function withholdWorkerApiToken(spec: PodSpec): void {
  if (spec.automountServiceAccountToken !== undefined) return;
  if (spec.serviceAccountName || spec.serviceAccount) return;
  spec.automountServiceAccountToken = false;
}
