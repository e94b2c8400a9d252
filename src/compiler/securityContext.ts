// Restricted by default: every container of a pod the operator creates (the Ray container, the
// wait-gcs-ready init container, the autoscaler sidecar, a RayJob submitter, the Redis cleanup Job)
// meets the Pod Security Standards `restricted` profile wherever the user left the field unset:
//
//   runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities.drop [ALL] (per container),
//   seccompProfile RuntimeDefault (pod level).
//
// A value the user wrote always wins (runAsUser: 0, privileged: true, a capability added, …): the
// pod is then what they asked for, and a `restricted` namespace refuses it with the apiserver's own
// message. Ray's images run as the numeric uid 1000 (`USER $RAY_UID` in Ray's base-deps Dockerfile),
// so runAsNonRoot needs no runAsUser. The operator flag --restricted-pod-security=false turns all
// of this off (KubeRay's behaviour: nothing added).
import type { Container, PodSpec } from './k8sTypes.ts';

type SecurityContext = NonNullable<Container['securityContext']>;

/** A capability name as the apiserver compares it (CAP_SYS_ADMIN and SYS_ADMIN are the same). */
const capName = (c: string): string => c.toUpperCase().replace(/^CAP_/, '');

function restrictContainer(c: Container, pod: NonNullable<PodSpec['securityContext']>): void {
  const sc: SecurityContext = { ...c.securityContext };
  const privileged = sc.privileged === true;
  const added = (sc.capabilities?.add ?? []).map(capName);
  // The apiserver refuses allowPrivilegeEscalation: false next to privileged or CAP_SYS_ADMIN.
  if (sc.allowPrivilegeEscalation === undefined && !privileged && !added.includes('SYS_ADMIN'))
    sc.allowPrivilegeEscalation = false;
  if (sc.capabilities?.drop === undefined) sc.capabilities = { ...sc.capabilities, drop: ['ALL'] };
  // runAsNonRoot next to an explicit uid 0 would stop the container from starting at all.
  const uid = sc.runAsUser ?? pod.runAsUser;
  if (sc.runAsNonRoot === undefined && pod.runAsNonRoot === undefined && uid !== 0 && !privileged)
    sc.runAsNonRoot = true;
  c.securityContext = sc;
}

/**
 * Fills in the `restricted` fields the user left unset, on every container and init container of
 * `spec` (mutated). Windows pods are left alone: seccomp and Linux capabilities do not apply there.
 */
export function applyRestrictedSecurityContext(spec: PodSpec): void {
  if (spec.os?.name === 'windows') return;
  const pod = { ...spec.securityContext };
  if (pod.seccompProfile === undefined) pod.seccompProfile = { type: 'RuntimeDefault' };
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) restrictContainer(c, pod);
  spec.securityContext = pod;
}
