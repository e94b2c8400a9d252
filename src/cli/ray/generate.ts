// The RayCluster that `kubectl ray create cluster` makes from its flags or from a --file in KubeRay's
// plugin config format (name, namespace, labels, annotations, ray-version, image, service-account,
// head, worker-groups, autoscaler, gke.gcsfuse). Same shape as KubeRay's plugin generates: head
// container `ray-head` with the gcs-server/dashboard/client ports, workers `ray-worker`, requests
// for CPU/memory/ephemeral-storage/GPU/TPU and limits for everything but CPU. Pure.
import { parseQuantity, QuantityError } from '../../api/quantity.ts';
import type { RayCluster } from '../../api/v1/index.ts';
import { parseYamlStream } from '../../util/yaml.ts';

export const defaultRayVersion = '2.58.0';
export const defaultImage = `rayproject/ray:${defaultRayVersion}`;
export const fieldManager = 'ray-kubectl-plugin';

export const defaults = {
  headCPU: '2',
  headMemory: '4Gi',
  headGPU: '0',
  headEphemeralStorage: '',
  workerReplicas: 1,
  workerCPU: '2',
  workerMemory: '4Gi',
  workerGPU: '0',
  workerTPU: '0',
  workerEphemeralStorage: '',
  numOfHosts: 1,
} as const;

export const gkeTpuAccelerator = 'cloud.google.com/gke-tpu-accelerator';
export const gkeTpuTopology = 'cloud.google.com/gke-tpu-topology';

export interface HeadConfig {
  cpu?: string;
  gpu?: string;
  memory?: string;
  'ephemeral-storage'?: string;
  'ray-start-params'?: Record<string, string>;
  'node-selectors'?: Record<string, string>;
}

export interface WorkerGroupConfig extends HeadConfig {
  name?: string;
  tpu?: string;
  'num-of-hosts'?: number;
  replicas: number;
}

export interface GcsFuseConfig {
  'bucket-name': string;
  'mount-path': string;
  'mount-options'?: string;
  'disable-metrics'?: boolean;
  'gcsfuse-metadata-prefetch-on-mount'?: boolean;
  'skip-csi-bucket-access-check'?: boolean;
  resources?: { cpu?: string; memory?: string; 'ephemeral-storage'?: string };
}

/** KubeRay's plugin config (`kubectl ray create cluster --file`). */
export interface ClusterConfig {
  namespace?: string;
  name?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  'ray-version'?: string;
  image?: string;
  'service-account'?: string;
  head?: HeadConfig;
  'worker-groups'?: WorkerGroupConfig[];
  autoscaler?: { version?: 'v1' | 'v2' };
  gke?: { gcsfuse?: GcsFuseConfig };
}

export class ConfigError extends Error {}

const topKeys = [
  'namespace',
  'name',
  'labels',
  'annotations',
  'ray-version',
  'image',
  'service-account',
  'head',
  'worker-groups',
  'autoscaler',
  'gke',
];
const headKeys = ['cpu', 'gpu', 'memory', 'ephemeral-storage', 'ray-start-params', 'node-selectors'];
const groupKeys = [...headKeys, 'name', 'tpu', 'num-of-hosts', 'replicas'];
const gcsfuseKeys = [
  'bucket-name',
  'mount-path',
  'mount-options',
  'disable-metrics',
  'gcsfuse-metadata-prefetch-on-mount',
  'skip-csi-bucket-access-check',
  'resources',
];

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Unknown keys are errors (KubeRay parses strictly); scalars become strings where KubeRay has strings. */
function strict(v: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (!isObj(v)) throw new ConfigError(`${path || 'the file'}: expected a mapping`);
  for (const k of Object.keys(v))
    if (!keys.includes(k))
      throw new ConfigError(`${path ? path + '.' : ''}${k}: unknown field (allowed: ${keys.join(', ')})`);
  return v;
}

function str(v: unknown, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  throw new ConfigError(`${path}: expected a string or number`);
}

function strMap(v: unknown, path: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new ConfigError(`${path}: expected a mapping of strings`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, str(x, `${path}.${k}`) ?? '']));
}

function headOf(v: unknown, path: string, keys = headKeys): HeadConfig {
  const o = strict(v ?? {}, path, keys);
  const out: HeadConfig = {};
  for (const k of ['cpu', 'gpu', 'memory', 'ephemeral-storage'] as const) {
    const s = str(o[k], `${path}.${k}`);
    if (s !== undefined) out[k] = s;
  }
  const rsp = strMap(o['ray-start-params'], `${path}.ray-start-params`);
  if (rsp) out['ray-start-params'] = rsp;
  const ns = strMap(o['node-selectors'], `${path}.node-selectors`);
  if (ns) out['node-selectors'] = ns;
  return out;
}

/** Parses the config file text, filling KubeRay's defaults for what it leaves out. */
export function parseClusterConfig(text: string, source: string): ClusterConfig {
  const docs = parseYamlStream(text, source);
  if (docs.length !== 1) throw new ConfigError(`${source}: expected one YAML document, found ${docs.length}`);
  const o = strict(docs[0]!.value ?? {}, '', topKeys);
  const cfg: ClusterConfig & { head: HeadConfig } = {
    'ray-version': defaultRayVersion,
    image: defaultImage,
    head: { cpu: defaults.headCPU, memory: defaults.headMemory },
    'worker-groups': [
      {
        name: 'default-group',
        replicas: defaults.workerReplicas,
        cpu: defaults.workerCPU,
        memory: defaults.workerMemory,
      },
    ],
  };
  for (const k of ['namespace', 'name', 'ray-version', 'image', 'service-account'] as const) {
    const s = str(o[k], k);
    if (s !== undefined) cfg[k] = s;
  }
  const labels = strMap(o.labels, 'labels');
  if (labels) cfg.labels = labels;
  const annotations = strMap(o.annotations, 'annotations');
  if (annotations) cfg.annotations = annotations;
  // Like yaml.UnmarshalStrict into the defaults: given fields replace the default's, the rest stay.
  if (o.head !== undefined) cfg.head = { ...cfg.head, ...headOf(o.head, 'head') };
  // yaml.v2 (KubeRay) fills a pointer in place but replaces a slice: head keeps the defaults it does
  // not set, a given worker-groups list starts from zero values.
  if (o['worker-groups'] !== undefined) {
    if (!Array.isArray(o['worker-groups'])) throw new ConfigError('worker-groups: expected a list');
    cfg['worker-groups'] = o['worker-groups'].map((g: unknown, i) => {
      const path = `worker-groups[${i}]`;
      const w = strict(g, path, groupKeys);
      const replicas = w.replicas ?? 0;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas))
        throw new ConfigError(`${path}.replicas: expected an integer`);
      const hosts = w['num-of-hosts'];
      if (hosts !== undefined && (typeof hosts !== 'number' || !Number.isInteger(hosts)))
        throw new ConfigError(`${path}.num-of-hosts: expected an integer`);
      const name = str(w.name, `${path}.name`);
      const tpu = str(w.tpu, `${path}.tpu`);
      return {
        ...headOf(Object.fromEntries(Object.entries(w).filter(([k]) => headKeys.includes(k))), path),
        ...(name !== undefined ? { name } : {}),
        ...(tpu !== undefined ? { tpu } : {}),
        ...(hosts !== undefined ? { 'num-of-hosts': hosts } : {}),
        replicas,
      };
    });
  }
  if (o.autoscaler !== undefined) {
    const a = strict(o.autoscaler, 'autoscaler', ['version']);
    const v = str(a.version, 'autoscaler.version')?.toLowerCase();
    if (v !== undefined && v !== '' && v !== 'v1' && v !== 'v2')
      throw new ConfigError(`autoscaler.version: must be one of "v1" or "v2", not ${JSON.stringify(v)}`);
    cfg.autoscaler = v ? { version: v } : {};
  }
  if (o.gke !== undefined) {
    const g = strict(o.gke, 'gke', ['gcsfuse']);
    if (g.gcsfuse !== undefined) {
      const f = strict(g.gcsfuse, 'gke.gcsfuse', gcsfuseKeys);
      cfg.gke = { gcsfuse: f as unknown as GcsFuseConfig };
    } else cfg.gke = {};
  }
  return cfg;
}

/** A resource quantity that parses and is not negative (KubeRay's ValidateResourceQuantity). */
export function checkQuantity(v: string | undefined, name: string): void {
  if (v === undefined) return;
  let q;
  try {
    q = parseQuantity(v);
  } catch (e) {
    throw new ConfigError(
      `${name} is not a valid resource quantity: ${e instanceof QuantityError ? e.message : String(e)}`,
    );
  }
  if (q.sign() < 0) throw new ConfigError(`${name} cannot be negative`);
}

/** KubeRay's checks: quantities parse and are not negative, TPUs come with their node selectors. */
export function validateClusterConfig(cfg: ClusterConfig): void {
  const quantity = checkQuantity;
  for (const k of ['cpu', 'gpu', 'memory', 'ephemeral-storage'] as const) quantity(cfg.head?.[k], k);
  (cfg['worker-groups'] ?? []).forEach((g, i) => {
    for (const k of ['cpu', 'gpu', 'tpu', 'memory', 'ephemeral-storage'] as const)
      quantity(g[k], `${k} (worker group ${i})`);
    validateTpu(g.tpu, g['num-of-hosts'], g['node-selectors'] ?? {});
  });
  const f = cfg.gke?.gcsfuse;
  if (f) {
    if (!f['bucket-name']) throw new ConfigError('.gcsfuse.bucket-name is required');
    if (!f['mount-path']) throw new ConfigError('.gcsfuse.mount-path is required');
    for (const k of ['cpu', 'memory', 'ephemeral-storage'] as const)
      quantity(f.resources?.[k], `gcsfuse.resources.${k}`);
  }
}

const tpuDoc = 'https://cloud.google.com/kubernetes-engine/docs/concepts/plan-tpus#availability';

export function validateTpu(
  tpu: string | undefined,
  numOfHosts: number | undefined,
  selectors: Record<string, string>,
): void {
  if (!tpu || tpu === '0') return;
  if (numOfHosts === 0) throw new ConfigError('numOfHosts cannot be 0 when using TPU');
  for (const k of [gkeTpuAccelerator, gkeTpuTopology])
    if (!(k in selectors))
      throw new ConfigError(`${k} is not set in --worker-node-selectors. See ${tpuDoc} for supported values`);
}

type Resources = Record<string, string>;

function resources(r: {
  cpu?: string;
  memory?: string;
  'ephemeral-storage'?: string;
  gpu?: string;
  tpu?: string;
}) {
  const nonZero = (v: string | undefined) => v !== undefined && v !== '' && !parseQuantity(v).isZero();
  const requests: Resources = {};
  const limits: Resources = {};
  const put = (name: string, v: string | undefined, limit: boolean) => {
    if (!nonZero(v)) return;
    requests[name] = v!;
    if (limit) limits[name] = v!;
  };
  put('cpu', r.cpu, false);
  put('memory', r.memory, true);
  put('ephemeral-storage', r['ephemeral-storage'], true);
  put('nvidia.com/gpu', r.gpu, true);
  put('google.com/tpu', r.tpu, true);
  return {
    ...(Object.keys(requests).length ? { requests } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
  };
}

/** The RayCluster for a config with name and namespace set. */
export function clusterFromConfig(
  cfg: ClusterConfig & { name: string; namespace: string },
): RayCluster & { metadata: { name: string; namespace: string } } {
  const image = cfg.image ?? defaultImage;
  const sa = cfg['service-account'] ? { serviceAccountName: cfg['service-account'] } : {};
  const fuse = cfg.gke?.gcsfuse;
  const volume = fuse && {
    name: 'cluster-storage',
    csi: { driver: 'gcsfuse.csi.storage.gke.io', volumeAttributes: gcsFuseAttributes(fuse) },
  };
  const mount = fuse && { name: 'cluster-storage', mountPath: fuse['mount-path'] };
  const fuseAnnotations = fuse && gcsFuseAnnotations(fuse);
  const template = (spec: Record<string, unknown>) => ({
    ...(fuseAnnotations ? { metadata: { annotations: fuseAnnotations } } : {}),
    spec,
  });
  const head = cfg.head ?? {};
  const groups = (cfg['worker-groups'] ?? []).map((g, i) => ({
    groupName: g.name || (i === 0 ? 'default-group' : `default-group-${i}`),
    replicas: g.replicas,
    ...(g['num-of-hosts'] !== undefined ? { numOfHosts: g['num-of-hosts'] } : {}),
    rayStartParams: g['ray-start-params'] ?? {},
    template: template({
      ...sa,
      ...(g['node-selectors'] && Object.keys(g['node-selectors']).length
        ? { nodeSelector: g['node-selectors'] }
        : {}),
      containers: [
        { name: 'ray-worker', image, resources: resources(g), ...(mount ? { volumeMounts: [mount] } : {}) },
      ],
      ...(volume ? { volumes: [volume] } : {}),
    }),
  }));
  // minReplicas/maxReplicas are left to the CRD's defaults, as KubeRay's plugin leaves them.
  const cluster = {
    apiVersion: 'ray.io/v1',
    kind: 'RayCluster',
    metadata: {
      name: cfg.name,
      namespace: cfg.namespace,
      ...(cfg.labels && Object.keys(cfg.labels).length ? { labels: cfg.labels } : {}),
      ...(cfg.annotations && Object.keys(cfg.annotations).length ? { annotations: cfg.annotations } : {}),
    },
    spec: {
      rayVersion: cfg['ray-version'] ?? defaultRayVersion,
      ...(cfg.autoscaler?.version
        ? { enableInTreeAutoscaling: true, autoscalerOptions: { version: cfg.autoscaler.version } }
        : {}),
      headGroupSpec: {
        rayStartParams: head['ray-start-params'] ?? {},
        template: template({
          ...sa,
          ...(head['node-selectors'] && Object.keys(head['node-selectors']).length
            ? { nodeSelector: head['node-selectors'] }
            : {}),
          containers: [
            {
              name: 'ray-head',
              image,
              resources: resources(head),
              ports: [
                { containerPort: 6379, name: 'gcs-server' },
                { containerPort: 8265, name: 'dashboard' },
                { containerPort: 10001, name: 'client' },
              ],
              ...(mount ? { volumeMounts: [mount] } : {}),
            },
          ],
          ...(volume ? { volumes: [volume] } : {}),
        }),
      },
      workerGroupSpecs: groups,
    },
  };
  return cluster as unknown as RayCluster & { metadata: { name: string; namespace: string } };
}

function gcsFuseAttributes(f: GcsFuseConfig): Record<string, string> {
  return {
    bucketName: f['bucket-name'],
    ...(f['mount-options'] ? { mountOptions: f['mount-options'] } : {}),
    ...(f['disable-metrics'] !== undefined ? { disableMetrics: String(f['disable-metrics']) } : {}),
    ...(f['gcsfuse-metadata-prefetch-on-mount'] !== undefined
      ? { gcsfuseMetadataPrefetchOnMount: String(f['gcsfuse-metadata-prefetch-on-mount']) }
      : {}),
    ...(f['skip-csi-bucket-access-check'] !== undefined
      ? { skipCSIBucketAccessCheck: String(f['skip-csi-bucket-access-check']) }
      : {}),
  };
}

function gcsFuseAnnotations(f: GcsFuseConfig): Record<string, string> {
  const r = f.resources ?? {};
  return {
    ...(r.cpu ? { 'gke-gcsfuse/cpu-request': r.cpu } : {}),
    ...(r.memory ? { 'gke-gcsfuse/memory-limit': r.memory, 'gke-gcsfuse/memory-request': r.memory } : {}),
    ...(r['ephemeral-storage']
      ? {
          'gke-gcsfuse/ephemeral-storage-limit': r['ephemeral-storage'],
          'gke-gcsfuse/ephemeral-storage-request': r['ephemeral-storage'],
        }
      : {}),
  };
}

/** `a=1,b=2` (pflag's StringToString). */
export function parseStringMap(v: string, prev: Record<string, string> = {}): Record<string, string> {
  const out = { ...prev };
  for (const pair of v.split(',').filter(Boolean)) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new ConfigError(`${JSON.stringify(pair)} must be formatted as key=value`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}
