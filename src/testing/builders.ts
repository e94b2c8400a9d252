// Test builders for RayCluster objects, cert-manager style:
//   rayCluster('c', withWorkers(3), withHeadResources({ cpu: '2', memory: '4Gi' }), withAutoscaling())
// Every modifier returns a new object (the builders never mutate their input), so a base cluster can
// be shared between tests and refined per test.
import type { AutoscalerOptions, RayCluster, WorkerGroupSpec } from '../api/v1/index.ts';
import type { Container, PodTemplateSpec, ResourceRequirements } from '../compiler/k8sTypes.ts';

export type ClusterMod = (rc: RayCluster) => RayCluster;
export type GroupMod = (g: WorkerGroupSpec) => WorkerGroupSpec;

/** The Ray image the project tests against. */
export const TEST_RAY_IMAGE = 'rayproject/ray:2.58.0';

/** `{ cpu: '2', memory: '4Gi' }` → requests = limits; or a full ResourceRequirements. */
export type ResourcesInput = Record<string, string | number> | ResourceRequirements;

function toRequirements(r: ResourcesInput): ResourceRequirements {
  if ('limits' in r || 'requests' in r || 'claims' in r) return structuredClone(r as ResourceRequirements);
  const list = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)]));
  return { requests: { ...list }, limits: { ...list } };
}

function template(containerName: string): PodTemplateSpec {
  return {
    spec: {
      containers: [
        {
          name: containerName,
          image: TEST_RAY_IMAGE,
          resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } },
        },
      ],
    },
  };
}

export function rayCluster(name: string, ...mods: ClusterMod[]): RayCluster {
  const base: RayCluster = {
    apiVersion: 'ray.io/v1',
    kind: 'RayCluster',
    metadata: { name, namespace: 'default' },
    spec: { headGroupSpec: { rayStartParams: {}, template: template('ray-head') } },
  };
  return mods.reduce((rc, m) => m(structuredClone(rc)), base);
}

export function workerGroup(groupName: string, ...mods: GroupMod[]): WorkerGroupSpec {
  const base: WorkerGroupSpec = {
    groupName,
    replicas: 1,
    minReplicas: 0,
    maxReplicas: 2147483647,
    numOfHosts: 1,
    rayStartParams: {},
    template: template('ray-worker'),
  };
  return mods.reduce((g, m) => m(structuredClone(g)), base);
}

// ---- cluster modifiers -------------------------------------------------------------------------

export const inNamespace =
  (namespace: string): ClusterMod =>
  (rc) => ({ ...rc, metadata: { ...rc.metadata, namespace } });

export const withUID =
  (uid: string): ClusterMod =>
  (rc) => ({ ...rc, metadata: { ...rc.metadata, uid } });

export const withClusterLabels =
  (labels: Record<string, string>): ClusterMod =>
  (rc) => ({ ...rc, metadata: { ...rc.metadata, labels: { ...rc.metadata?.labels, ...labels } } });

export const withAnnotations =
  (annotations: Record<string, string>): ClusterMod =>
  (rc) => ({
    ...rc,
    metadata: { ...rc.metadata, annotations: { ...rc.metadata?.annotations, ...annotations } },
  });

export const withRayVersion =
  (rayVersion: string): ClusterMod =>
  (rc) => ({ ...rc, spec: { ...rc.spec, rayVersion } });

export const suspended = (): ClusterMod => (rc) => ({ ...rc, spec: { ...rc.spec, suspend: true } });

/** upgradeStrategy RollingUpdate (Kuray-only), with maxUnavailable when given. */
export const rollingUpdate =
  (maxUnavailable?: number | string): ClusterMod =>
  (rc) => ({
    ...rc,
    spec: {
      ...rc.spec,
      upgradeStrategy: {
        type: 'RollingUpdate',
        ...(maxUnavailable !== undefined ? { rollingUpdate: { maxUnavailable } } : {}),
      },
    },
  });

export const withAutoscaling =
  (options: AutoscalerOptions = {}): ClusterMod =>
  (rc) => ({ ...rc, spec: { ...rc.spec, enableInTreeAutoscaling: true, autoscalerOptions: options } });

/** autoscalerOptions without enableInTreeAutoscaling: Kuray's native autoscaler when a native-only field is set. */
export const withNativeAutoscaling =
  (options: AutoscalerOptions): ClusterMod =>
  (rc) => ({ ...rc, spec: { ...rc.spec, autoscalerOptions: options } });

/** Ray auth (e.g. { mode: 'token' }); sets rayVersion 2.58.0, since token auth needs Ray >= 2.52. */
export const withAuthOptions =
  (authOptions: NonNullable<RayCluster['spec']['authOptions']>): ClusterMod =>
  (rc) => ({ ...rc, spec: { ...rc.spec, rayVersion: '2.58.0', authOptions } });

/** Edits the head group through a function of the group (escape hatch for anything not covered). */
export const withHead =
  (f: (h: RayCluster['spec']['headGroupSpec']) => RayCluster['spec']['headGroupSpec']): ClusterMod =>
  (rc) => ({ ...rc, spec: { ...rc.spec, headGroupSpec: f(structuredClone(rc.spec.headGroupSpec)) } });

function headContainer(f: (c: Container) => Container): ClusterMod {
  return withHead((h) => {
    const [first, ...rest] = h.template.spec?.containers ?? [];
    return {
      ...h,
      template: { ...h.template, spec: { ...h.template.spec, containers: [f(first!), ...rest] } },
    };
  });
}

export const withHeadResources = (r: ResourcesInput): ClusterMod =>
  headContainer((c) => ({ ...c, resources: toRequirements(r) }));

export const withHeadImage = (image: string): ClusterMod => headContainer((c) => ({ ...c, image }));

export const withHeadEnv = (...env: NonNullable<Container['env']>): ClusterMod =>
  headContainer((c) => ({ ...c, env: [...(c.env ?? []), ...env] }));

export const withHeadPorts = (...ports: NonNullable<Container['ports']>): ClusterMod =>
  headContainer((c) => ({ ...c, ports: [...(c.ports ?? []), ...ports] }));

export const withHeadCommand = (command: string[], args?: string[]): ClusterMod =>
  headContainer((c) => ({ ...c, command, ...(args ? { args } : {}) }));

export const withHeadRayStartParams = (params: Record<string, string>): ClusterMod =>
  withHead((h) => ({ ...h, rayStartParams: { ...h.rayStartParams, ...params } }));

export const withHeadServiceType = (serviceType: string): ClusterMod =>
  withHead((h) => ({ ...h, serviceType }));

export const withHeadPodSpec = (spec: Partial<NonNullable<PodTemplateSpec['spec']>>): ClusterMod =>
  withHead((h) => ({
    ...h,
    template: { ...h.template, spec: { ...h.template.spec!, ...structuredClone(spec) } },
  }));

export const withHeadTemplateLabels = (labels: Record<string, string>): ClusterMod =>
  withHead((h) => ({
    ...h,
    template: {
      ...h.template,
      metadata: { ...h.template.metadata, labels: { ...h.template.metadata?.labels, ...labels } },
    },
  }));

/** Adds a worker group; a second call adds another (named `workers-2`, … unless `named()` says otherwise). */
export const withWorkerGroup =
  (group: WorkerGroupSpec): ClusterMod =>
  (rc) => ({ ...rc, spec: { ...rc.spec, workerGroupSpecs: [...(rc.spec.workerGroupSpecs ?? []), group] } });

export const withWorkers =
  (replicas: number, ...mods: GroupMod[]): ClusterMod =>
  (rc) => {
    const n = (rc.spec.workerGroupSpecs ?? []).length;
    const g = workerGroup(n === 0 ? 'workers' : `workers-${n + 1}`, (x) => ({ ...x, replicas }), ...mods);
    return withWorkerGroup(g)(rc);
  };

// ---- worker group modifiers --------------------------------------------------------------------

export const named =
  (groupName: string): GroupMod =>
  (g) => ({ ...g, groupName });

export const replicas =
  (n: number | undefined): GroupMod =>
  (g) => {
    const out = { ...g };
    if (n === undefined) delete out.replicas;
    else out.replicas = n;
    return out;
  };

export const minMax =
  (minReplicas: number, maxReplicas: number): GroupMod =>
  (g) => ({ ...g, minReplicas, maxReplicas });

export const numOfHosts =
  (n: number): GroupMod =>
  (g) => ({ ...g, numOfHosts: n });

export const groupSuspended = (): GroupMod => (g) => ({ ...g, suspend: true });

export const groupRayStartParams =
  (params: Record<string, string>): GroupMod =>
  (g) => ({ ...g, rayStartParams: { ...g.rayStartParams, ...params } });

/** The group's top-level `resources` (Ray logical resources) field. */
export const groupRayResources =
  (resources: Record<string, string>): GroupMod =>
  (g) => ({ ...g, resources });

/** The group's top-level `labels` (Ray node labels) field. */
export const groupRayLabels =
  (labels: Record<string, string>): GroupMod =>
  (g) => ({ ...g, labels });

function workerContainer(f: (c: Container) => Container): GroupMod {
  return (g) => {
    const [first, ...rest] = g.template.spec?.containers ?? [];
    return {
      ...g,
      template: { ...g.template, spec: { ...g.template.spec, containers: [f(first!), ...rest] } },
    };
  };
}

export const workerResources = (r: ResourcesInput): GroupMod =>
  workerContainer((c) => ({ ...c, resources: toRequirements(r) }));

export const workerEnv = (...env: NonNullable<Container['env']>): GroupMod =>
  workerContainer((c) => ({ ...c, env: [...(c.env ?? []), ...env] }));

export const workerPodSpec =
  (spec: Partial<NonNullable<PodTemplateSpec['spec']>>): GroupMod =>
  (g) => ({ ...g, template: { ...g.template, spec: { ...g.template.spec!, ...structuredClone(spec) } } });
