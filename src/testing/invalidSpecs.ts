// Invalid RayClusters of every kind the issue-13 fuzzing found accepted, each with the field path
// validation must name. Shared by the validation unit test and the admission webhook's `kubectl
// apply` test, so both prove the same list.
import { base, HC, set, W } from '../api/validation/fixtures.ts';

export interface InvalidSpec {
  name: string;
  obj: Record<string, unknown>;
  path: string;
  message: RegExp;
  /** Refused by kube-apiserver itself before admission (strict decoding), naming this field. */
  apiserver?: string;
}

const deep = (levels: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};

export const invalidSpecs: readonly InvalidSpec[] = [
  {
    name: 'shell injection in a rayStartParams value',
    obj: set(base, 'spec.headGroupSpec.rayStartParams', { 'temp-dir': '/tmp/ray; touch /tmp/x; #' }),
    path: 'spec.headGroupSpec.rayStartParams.temp-dir',
    message: /shell syntax.*ends the command/,
  },
  {
    name: 'command substitution in a rayStartParams value',
    obj: set(base, `${W}.rayStartParams`, { 'node-name': '$(id -u)' }),
    path: 'spec.workerGroupSpecs[0].rayStartParams.node-name',
    message: /shell syntax/,
  },
  {
    name: 'rayStartParams key that is not a ray start option',
    obj: set(base, `${W}.rayStartParams`, { num_cpus: '2' }),
    path: 'spec.workerGroupSpecs[0].rayStartParams.num_cpus',
    message: /not an option of ray start/,
  },
  {
    name: 'rayStartParams key with shell syntax',
    obj: set(base, `${W}.rayStartParams`, { 'x;touch /tmp/x': '1' }),
    path: 'spec.workerGroupSpecs[0].rayStartParams["x;touch /tmp/x"]',
    message: /not an option of ray start/,
  },
  {
    name: 'group resources key breaking out of the JSON quotes',
    obj: set(base, `${W}.resources`, { "a'; touch /tmp/x; '": '1' }),
    path: `spec.workerGroupSpecs[0].resources["a'; touch /tmp/x; '"]`,
    message: /not a resource name/,
  },
  {
    name: 'negative group resource',
    obj: set(base, `${W}.resources`, { CPU: '-2' }),
    path: 'spec.workerGroupSpecs[0].resources.CPU',
    message: /negative/,
  },
  {
    name: 'template.spec: null',
    obj: set(base, `${W}.template.spec`, null),
    path: 'spec.workerGroupSpecs[0].template.spec.containers',
    message: /no containers/,
  },
  {
    name: 'negative container limit',
    obj: set(base, `${HC}.resources`, { limits: { cpu: '-1' } }),
    path: 'spec.headGroupSpec.template.spec.containers[0].resources.limits.cpu',
    message: /negative/,
  },
  {
    name: 'quantity beyond int64 (1e400)',
    obj: set(base, `${HC}.resources`, { limits: { memory: '1e400' } }),
    path: 'spec.headGroupSpec.template.spec.containers[0].resources.limits.memory',
    message: /larger than any quantity/,
  },
  {
    name: 'NaN quantity (YAML .nan)',
    obj: set(base, `${HC}.resources`, { requests: { cpu: NaN } }),
    path: 'spec.headGroupSpec.template.spec.containers[0].resources.requests.cpu',
    message: /not a finite number/,
  },
  {
    name: 'infinite quantity (YAML .inf)',
    obj: set(base, `${W}.template.spec.containers.0.resources`, { limits: { cpu: Infinity } }),
    path: 'spec.workerGroupSpecs[0].template.spec.containers[0].resources.limits.cpu',
    message: /not a finite number/,
  },
  {
    name: 'containerPort out of range',
    obj: set(base, `${HC}.ports`, [{ name: 'dashboard', containerPort: 70000 }]),
    path: 'spec.headGroupSpec.template.spec.containers[0].ports[0].containerPort',
    message: /not a port number/,
  },
  {
    name: 'negative hostPort',
    obj: set(base, `${HC}.ports`, [{ containerPort: 8265, hostPort: -1 }]),
    path: 'spec.headGroupSpec.template.spec.containers[0].ports[0].hostPort',
    message: /not a port number/,
  },
  {
    name: 'probe port out of range',
    obj: set(base, `${HC}.readinessProbe`, { httpGet: { path: '/', port: 0 } }),
    path: 'spec.headGroupSpec.template.spec.containers[0].readinessProbe.httpGet.port',
    message: /not a port number/,
  },
  {
    name: 'head Service port out of range',
    obj: set(base, 'spec.headGroupSpec.headService', { spec: { ports: [{ port: 65536 }] } }),
    path: 'spec.headGroupSpec.headService.spec.ports[0].port',
    message: /not a port number/,
  },
  {
    name: 'a million replicas',
    obj: set(set(base, `${W}.replicas`, 1_000_000), `${W}.maxReplicas`, 1_000_000),
    path: 'spec.workerGroupSpecs[0].replicas',
    message: /asks for 1000001 pods.*at most 10000/,
  },
  {
    name: 'nesting deeper than any Kubernetes object',
    obj: set(base, `${HC}.env`, [{ name: 'X', valueFrom: deep(80) }]),
    // The first object 64 levels down: 9 levels to valueFrom, then 55 × `a`.
    path: `spec.headGroupSpec.template.spec.containers[0].env[0].valueFrom${'.a'.repeat(55)}`,
    message: /nested more than 64 levels/,
    // The CRD has no field this deep, so the API server's strict decoding refuses it first.
    apiserver: 'spec.headGroupSpec.template.spec.containers[0].env[0].valueFrom.a',
  },
];
