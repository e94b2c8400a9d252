// Resource addressing (group/version/resource) and object shapes the runtime needs. Objects stay
// plain JSON with string timestamps; the generated client-node models are not used on purpose.

export interface GVR {
  group: string; // '' for core
  version: string;
  resource: string; // plural, lowercase
  kind: string;
  namespaced: boolean;
}

export function gvr(group: string, version: string, resource: string, kind: string, namespaced = true): GVR {
  return { group, version, resource, kind, namespaced };
}

export function apiVersionOf(r: GVR): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

export const Pods = gvr('', 'v1', 'pods', 'Pod');
export const Services = gvr('', 'v1', 'services', 'Service');
export const ConfigMaps = gvr('', 'v1', 'configmaps', 'ConfigMap');
export const Secrets = gvr('', 'v1', 'secrets', 'Secret');
export const ServiceAccounts = gvr('', 'v1', 'serviceaccounts', 'ServiceAccount');
export const Namespaces = gvr('', 'v1', 'namespaces', 'Namespace', false);
export const Nodes = gvr('', 'v1', 'nodes', 'Node', false);
export const Events = gvr('', 'v1', 'events', 'Event');
export const PersistentVolumeClaims = gvr('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim');
export const Leases = gvr('coordination.k8s.io', 'v1', 'leases', 'Lease');
export const Jobs = gvr('batch', 'v1', 'jobs', 'Job');
export const PodDisruptionBudgets = gvr('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget');
export const Roles = gvr('rbac.authorization.k8s.io', 'v1', 'roles', 'Role');
export const RoleBindings = gvr('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding');
export const EndpointSlices = gvr('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice');
export const Ingresses = gvr('networking.k8s.io', 'v1', 'ingresses', 'Ingress');
export const NetworkPolicies = gvr('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy');
export const CustomResourceDefinitions = gvr(
  'apiextensions.k8s.io',
  'v1',
  'customresourcedefinitions',
  'CustomResourceDefinition',
  false,
);
export const RayClusters = gvr('ray.io', 'v1', 'rayclusters', 'RayCluster');
export const RayJobs = gvr('ray.io', 'v1', 'rayjobs', 'RayJob');
export const RayServices = gvr('ray.io', 'v1', 'rayservices', 'RayService');
export const RayCronJobs = gvr('ray.io', 'v1', 'raycronjobs', 'RayCronJob');

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  [k: string]: unknown;
}

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

/** "namespace/name", or "name" for cluster-scoped objects: client-go's MetaNamespaceKeyFunc. */
export function objectKey(o: { metadata: { namespace?: string; name?: string } }): string {
  const ns = o.metadata.namespace;
  return ns ? `${ns}/${o.metadata.name ?? ''}` : (o.metadata.name ?? '');
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** The ownerReference with controller: true, if any. */
export function controllerOf(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** An ownerReference that makes `owner` the controller of a dependent (garbage collection). */
export function controllerRef(owner: KubeObject, blockOwnerDeletion = true): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion,
  };
}
