// emptyDir volumes KubeRay adds: /dev/shm for the object store (memory-backed, sized by the
// container's memory limit, else request) and /tmp/ray shared by the head and its autoscaler.
import type { Container, PodSpec, Volume } from './k8sTypes.ts';

export function addEmptyDir(
  spec: PodSpec,
  container: Container,
  name: string,
  mountPath: string,
  medium: 'Memory' | '',
): void {
  // A user mount at the same path wins (e.g. their own /dev/shm).
  if ((container.volumeMounts ?? []).some((m) => m.mountPath === mountPath)) return;
  if (!(spec.volumes ?? []).some((v) => v.name === name)) {
    const emptyDir: NonNullable<Volume['emptyDir']> = {};
    if (medium === 'Memory') {
      emptyDir.medium = 'Memory';
      const mem = container.resources?.limits?.memory ?? container.resources?.requests?.memory;
      if (mem !== undefined) emptyDir.sizeLimit = mem;
    }
    spec.volumes = [...(spec.volumes ?? []), { name, emptyDir }];
  }
  container.volumeMounts = [...(container.volumeMounts ?? []), { mountPath, name }];
}
