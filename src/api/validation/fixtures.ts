// Objects shared by the validation tests: valid bases and `set`, which returns a modified deep copy.
import { rayCluster, withWorkers } from '../../testing/builders.ts';

export type Json = Record<string, unknown>;

/** A deep copy of `obj` with `path` (dot-separated, numeric segments index arrays) set to `value`. */
export function set(obj: unknown, path: string, value: unknown): Json {
  const copy = structuredClone(obj) as Json;
  const keys = path.split('.');
  let cur: Record<string, unknown> = copy;
  keys.slice(0, -1).forEach((k, i) => {
    if (cur[k] === undefined) cur[k] = /^\d+$/.test(keys[i + 1] ?? '') ? [] : {};
    cur = cur[k] as Record<string, unknown>;
  });
  const last = keys.at(-1)!;
  if (value === undefined) Reflect.deleteProperty(cur, last);
  else cur[last] = value;
  return copy;
}

export const base = rayCluster('demo', withWorkers(2));
export const W = 'spec.workerGroupSpecs.0';
export const HC = 'spec.headGroupSpec.template.spec.containers.0';

export const job = {
  apiVersion: 'ray.io/v1',
  kind: 'RayJob',
  metadata: { name: 'job' },
  spec: { entrypoint: 'python x.py', rayClusterSpec: base.spec },
};
export const service = {
  apiVersion: 'ray.io/v1',
  kind: 'RayService',
  metadata: { name: 'svc' },
  spec: { rayClusterConfig: base.spec, serveConfigV2: 'applications: []\n' },
};
export const cron = {
  apiVersion: 'ray.io/v1',
  kind: 'RayCronJob',
  metadata: { name: 'nightly' },
  spec: { schedule: '0 3 * * *', jobTemplate: job.spec },
};
