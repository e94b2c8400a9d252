// Pod template checks the apiserver would only make when the operator creates the pods, i.e. too late
// for the user to see them: no containers, invalid container and port names, requests above limits.
import { parseQuantity, type Quantity } from '../quantity.ts';
import type { PodTemplateSpec } from '../v1/index.ts';
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

export function checkPodTemplate(p: string, t: PodTemplateSpec | undefined, role: string, r: Report): void {
  const containers = t?.spec?.containers;
  if (t?.spec === undefined || (Array.isArray(containers) && containers.length === 0)) {
    r.error(
      at(at(p, 'spec'), 'containers'),
      `the ${role} pod template has no containers`,
      'add the Ray container as containers[0], e.g. {name: ray, image: rayproject/ray:2.58.0}',
    );
    return;
  }
  if (!Array.isArray(containers)) return;
  const cp = at(at(p, 'spec'), 'containers');
  containers.forEach((c, i) => {
    const path = at(cp, i);
    if (typeof c.name === 'string') {
      for (const m of dns1123Label(c.name))
        r.error(
          at(path, 'name'),
          `container name ${JSON.stringify(c.name)} ${m}`,
          'use e.g. ray-head or ray-worker',
        );
    }
    (c.ports ?? []).forEach((port, j) => {
      const pp = at(at(path, 'ports'), j);
      if (typeof port.name === 'string') {
        for (const m of portName(port.name))
          r.error(
            at(pp, 'name'),
            `port name ${JSON.stringify(port.name)} ${m}`,
            'use a short name such as gcs-server, dashboard, client, metrics, serve',
          );
      }
      if (typeof port.containerPort === 'number' && (port.containerPort < 1 || port.containerPort > 65535)) {
        r.error(
          at(pp, 'containerPort'),
          `containerPort ${port.containerPort} is not a port number`,
          'use 1-65535',
        );
      }
    });
    const res = c.resources;
    if (res?.limits && res.requests) {
      for (const [name, req] of Object.entries(res.requests as Record<string, unknown>)) {
        const lim = (res.limits as Record<string, unknown>)[name];
        const rq = q(req);
        const lq = q(lim);
        if (rq && lq && rq.cmp(lq) > 0) {
          r.error(
            at(at(at(path, 'resources'), 'requests'), name),
            `request ${String(req)} is greater than the limit ${String(lim)}`,
            `lower the request or raise the limit: Kubernetes rejects a pod whose ${name} request exceeds its limit`,
          );
        }
      }
    }
  });
}
