// The logical resources one worker of a group offers Ray — the shape the bin packing adds — read
// from the group spec exactly as Ray 2.58's KubeRay config reader does
// (autoscaling_config.py _get_ray_resources_from_group_spec):
//   CPU    ← resources.CPU | rayStartParams.num-cpus | limits.cpu | requests.cpu   (rounded up)
//   GPU    ← resources.GPU | rayStartParams.num-gpus | first limit/request key ending in "gpu"
//   memory ← resources.memory | rayStartParams.memory | limits.memory | requests.memory
//   custom ← the top-level `resources` map (non-standard keys), else rayStartParams.resources
// One difference, on purpose: rayStartParams values are read as Kubernetes quantities, so the
// guide's `memory: "4Gi"` gives 4 GiB here instead of crashing (validation warns that `ray start`
// itself rejects it).
import { parseQuantity } from '../../api/quantity.ts';
import type { Resources } from './types.ts';

/** The parts of a WorkerGroupSpec (src/api/v1) the shape depends on. */
export interface GroupSpecLike {
  resources?: Readonly<Record<string, string>>;
  rayStartParams?: Readonly<Record<string, string>>;
  template?: {
    spec?: {
      containers?: readonly {
        resources?: {
          limits?: Readonly<Record<string, unknown>>;
          requests?: Readonly<Record<string, unknown>>;
        };
      }[];
    };
  };
}

function roundUp(q: unknown): number | undefined {
  if (typeof q !== 'string' && typeof q !== 'number') return undefined;
  try {
    return Number(parseQuantity(q).value());
  } catch {
    return undefined;
  }
}

/** rayStartParams.resources as KubeRay stores it: '"{\"Custom\": 1}"' or plain JSON. */
function customFromStartParams(raw: string | undefined): Record<string, number> {
  if (!raw) return {};
  let s = raw.trim();
  if ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'"))) s = s.slice(1, -1);
  try {
    const v = JSON.parse(s.replace(/\\/g, '')) as unknown;
    if (typeof v !== 'object' || v === null) return {};
    return Object.fromEntries(
      Object.entries(v).filter((e): e is [string, number] => typeof e[1] === 'number'),
    );
  } catch {
    return {};
  }
}

const STANDARD = new Set(['CPU', 'GPU', 'TPU', 'memory']);

export function nodeShapeOf(g: GroupSpecLike): Resources {
  const top = g.resources ?? {};
  const params = g.rayStartParams ?? {};
  const k8s = g.template?.spec?.containers?.[0]?.resources ?? {};
  const limits = k8s.limits ?? {};
  const requests = k8s.requests ?? {};
  const shape: Record<string, number> = {};
  const cpu = roundUp(top.CPU) ?? roundUp(params['num-cpus']) ?? roundUp(limits.cpu) ?? roundUp(requests.cpu);
  if (cpu !== undefined) shape.CPU = cpu;
  let gpu = roundUp(top.GPU) ?? roundUp(params['num-gpus']);
  if (gpu === undefined) {
    for (const [k, v] of [...Object.entries(limits), ...Object.entries(requests)]) {
      const n = k.endsWith('gpu') ? roundUp(v) : undefined;
      if (n !== undefined && n > 0) {
        gpu = n;
        break;
      }
    }
  }
  if (gpu !== undefined) shape.GPU = gpu;
  const memory =
    roundUp(top.memory) ?? roundUp(params.memory) ?? roundUp(limits.memory) ?? roundUp(requests.memory);
  if (memory !== undefined) shape.memory = memory;
  const custom =
    Object.keys(top).length > 0
      ? Object.fromEntries(
          Object.entries(top)
            .filter(([k]) => !STANDARD.has(k))
            .map(([k, v]) => [k, roundUp(v) ?? 0]),
        )
      : customFromStartParams(params.resources);
  for (const [k, v] of Object.entries(custom)) shape[k] = v;
  const tpu =
    roundUp(top.TPU) ??
    custom.TPU ??
    roundUp(limits['google.com/tpu']) ??
    roundUp(requests['google.com/tpu']);
  if (tpu !== undefined) shape.TPU = tpu;
  return shape;
}
