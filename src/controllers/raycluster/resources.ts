// Desired CPU/memory/GPU/TPU totals for the status (and the printer columns), as KubeRay computes
// them: per pod, each container's request, or its limit when no request is set, summed over the
// head and every non-suspended worker group × its desired pods.
import type { PodTemplateSpec, RayCluster } from '../../api/v1/index.ts';
import { parseQuantity, Quantity } from '../../api/quantity.ts';

export interface ResourceTotals {
  cpu: Quantity;
  memory: Quantity;
  gpu: Quantity;
  tpu: Quantity;
}

const zero = (): ResourceTotals => ({
  cpu: Quantity.fromInt(0n),
  memory: Quantity.fromInt(0n),
  gpu: Quantity.fromInt(0n),
  tpu: Quantity.fromInt(0n),
});

function isGpu(name: string): boolean {
  return name.endsWith('gpu') || name.startsWith('nvidia.com/mig-');
}

function podTotals(template: PodTemplateSpec | undefined): ResourceTotals {
  const t = zero();
  for (const c of template?.spec?.containers ?? []) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const name of new Set([...Object.keys(req), ...Object.keys(lim)])) {
      const raw = req[name] ?? lim[name];
      if (raw === undefined) continue;
      let q: Quantity;
      try {
        q = parseQuantity(raw);
      } catch {
        continue; // validation reports unparsable quantities; status just leaves them out
      }
      if (name === 'cpu') t.cpu = t.cpu.add(q);
      else if (name === 'memory') t.memory = t.memory.add(q);
      else if (name === 'google.com/tpu') t.tpu = t.tpu.add(q);
      else if (isGpu(name)) t.gpu = t.gpu.add(q);
    }
  }
  return t;
}

function addTimes(a: ResourceTotals, b: ResourceTotals, n: number): ResourceTotals {
  const k = BigInt(n);
  return {
    cpu: a.cpu.add(b.cpu.mul(k)),
    memory: a.memory.add(b.memory.mul(k)),
    gpu: a.gpu.add(b.gpu.mul(k)),
    tpu: a.tpu.add(b.tpu.mul(k)),
  };
}

/** `desiredPods` per group comes from the compiler (replicas clamped × numOfHosts, 0 when suspended). */
export function desiredResources(
  rc: RayCluster,
  groups: readonly { name: string; desiredPods: number }[],
): ResourceTotals {
  let total = addTimes(zero(), podTotals(rc.spec.headGroupSpec.template), 1);
  for (const g of rc.spec.workerGroupSpecs ?? []) {
    const n = groups.find((x) => x.name === g.groupName)?.desiredPods ?? 0;
    if (n > 0) total = addTimes(total, podTotals(g.template), n);
  }
  return total;
}
