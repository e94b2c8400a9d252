// The ray.io/v1 API: schemas (TypeBox, the one source of truth) and their Static<> types.
// `import { RayCluster } from '../api/v1/index.ts'` gives both the schema value and the type.
export const GROUP = 'ray.io';
export const VERSION = 'v1';
export const API_VERSION = 'ray.io/v1';

export * from './raycluster.ts';
export * from './rayjob.ts';
export * from './rayservice.ts';
export * from './raycronjob.ts';
export type * from './core.ts';
export type { ObjectMeta } from './meta.ts';

/** The kinds of ray.io/v1, with the plural resource names the apiserver serves them under. */
export const KINDS = {
  RayCluster: { plural: 'rayclusters', singular: 'raycluster', listKind: 'RayClusterList' },
  RayJob: { plural: 'rayjobs', singular: 'rayjob', listKind: 'RayJobList' },
  RayService: { plural: 'rayservices', singular: 'rayservice', listKind: 'RayServiceList' },
  RayCronJob: { plural: 'raycronjobs', singular: 'raycronjob', listKind: 'RayCronJobList' },
} as const;
export type RayKind = keyof typeof KINDS;
