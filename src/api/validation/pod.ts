// Pod template checks the apiserver would only make when the operator creates the pods, i.e. too late
// for the user to see them: no containers, invalid container and port names, ports out of range,
// negative or absurd resource quantities, requests above limits.
import { parseQuantity, type Quantity } from '../quantity.ts';
import type { PodTemplateSpec } from '../v1/index.ts';
import { isObj } from './common.ts';
import { at, type Report } from './issue.ts';
import { dns1123Label, portName } from './names.ts';

function q(v: unknown): Quantity | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  try {
    return parseQuantity(v);
  } catch {
    return undefined; // reported by the schema check (quantity pattern)
  }
}

// A quantity beyond int64 cannot be stored by the apiserver's Quantity (it saturates) and no node has it.
const MAX_QUANTITY = q('8Ei')!;

/** One resource quantity: parsable, not negative, not beyond what Kubernetes can represent. */
export function checkResourceQuantity(path: string, v: unknown, r: Report): void {
  const qv = q(v);
  if (!qv) return; // the schema check reports the format
  if (qv.sign() < 0) {
    r.error(
      path,
      `${String(v)} is negative`,
      'resource quantities must be 0 or more, e.g. "500m", "2", "4Gi"',
    );
  } else if (qv.cmp(MAX_QUANTITY) > 0) {
    r.error(
      path,
      `${String(v)} is larger than any quantity Kubernetes can represent`,
      'use a realistic amount, e.g. "64" CPUs or "256Gi"',
    );
  }
}

/** requests and limits of one container (or of autoscalerOptions.resources). */
export function checkResources(path: string, res: unknown, r: Report): void {
  if (!isObj(res)) return;
  for (const part of ['requests', 'limits'] as const) {
    const m = res[part];
    if (!isObj(m)) continue;
    for (const [name, v] of Object.entries(m))
      checkResourceQuantity(at(at(at(path, 'resources'), part), name), v, r);
  }
  const limits = res.limits;
  const requests = res.requests;
  if (!isObj(limits) || !isObj(requests)) return;
  for (const [name, req] of Object.entries(requests)) {
    const rq = q(req);
    const lq = q(limits[name]);
    if (rq && lq && rq.sign() >= 0 && lq.sign() >= 0 && rq.cmp(lq) > 0) {
      r.error(
        at(at(at(path, 'resources'), 'requests'), name),
        `request ${String(req)} is greater than the limit ${String(limits[name])}`,
        `lower the request or raise the limit: Kubernetes rejects a pod whose ${name} request exceeds its limit`,
      );
    }
  }
}

// Port fields of pod specs (containers, probes, lifecycle handlers) and Services, with their range.
const PORT_FIELDS: Readonly<Record<string, { min: number; what: string }>> = {
  containerPort: { min: 1, what: 'containerPort' },
  hostPort: { min: 0, what: 'hostPort' },
  port: { min: 1, what: 'port' },
  targetPort: { min: 1, what: 'targetPort' },
  nodePort: { min: 0, what: 'nodePort' },
};

/** Every numeric port below `v` must be a port number (the apiserver rejects the pod otherwise). */
export function checkPortNumbers(path: string, v: unknown, r: Report, depth = 0): void {
  if (depth > 32) return; // pod specs are far shallower; validate() bounds the depth anyway
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      checkPortNumbers(at(path, i), x, r, depth + 1);
    });
    return;
  }
  if (!isObj(v)) return;
  for (const [k, x] of Object.entries(v)) {
    const field = PORT_FIELDS[k];
    if (field && typeof x === 'number' && Number.isFinite(x)) {
      if (!Number.isInteger(x) || x < field.min || x > 65535)
        r.error(at(path, k), `${field.what} ${x} is not a port number`, `use ${field.min}-65535`);
    } else checkPortNumbers(at(path, k), x, r, depth + 1);
  }
}

export function checkPodTemplate(p: string, t: PodTemplateSpec | undefined, role: string, r: Report): void {
  // `spec: null` is pruned like an absent spec by the apiserver: the pods would have no containers.
  const containers = t?.spec?.containers;
  if (t?.spec == null || (Array.isArray(containers) && containers.length === 0)) {
    r.error(
      at(at(p, 'spec'), 'containers'),
      `the ${role} pod template has no containers`,
      'add the Ray container as containers[0], e.g. {name: ray, image: rayproject/ray:2.58.0}',
    );
    return;
  }
  checkPortNumbers(at(p, 'spec'), t.spec, r);
  if (!Array.isArray(containers)) return;
  const lists: [string, unknown][] = [
    ['containers', containers],
    ['initContainers', t.spec.initContainers],
  ];
  for (const [field, list] of lists) {
    if (!Array.isArray(list)) continue;
    const cp = at(at(p, 'spec'), field);
    list.forEach((c: unknown, i) => {
      if (!isObj(c)) return;
      const path = at(cp, i);
      if (typeof c.name === 'string') {
        for (const m of dns1123Label(c.name))
          r.error(
            at(path, 'name'),
            `container name ${JSON.stringify(c.name)} ${m}`,
            'use e.g. ray-head or ray-worker',
          );
      }
      (Array.isArray(c.ports) ? c.ports : []).forEach((port: unknown, j) => {
        if (!isObj(port) || typeof port.name !== 'string') return;
        for (const m of portName(port.name))
          r.error(
            at(at(at(path, 'ports'), j), 'name'),
            `port name ${JSON.stringify(port.name)} ${m}`,
            'use a short name such as gcs-server, dashboard, client, metrics, serve',
          );
      });
      checkResources(path, c.resources, r);
    });
  }
}
