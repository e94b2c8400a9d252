// Test builders for RayJob objects, in the style of builders.ts:
//   rayJob('j', withEntrypoint('python x.py'), inMode('HTTPMode'), withJobStatus({ jobDeploymentStatus: 'Running' }))
// The job's cluster spec is the builders' default head-only cluster unless a mod replaces it.
import type { RayJob, RayJobSpec, RayJobStatus } from '../api/v1/index.ts';
import { rayCluster, type ClusterMod } from './builders.ts';

export type JobMod = (j: RayJob) => RayJob;

export function rayJob(name: string, ...mods: JobMod[]): RayJob {
  const base: RayJob = {
    apiVersion: 'ray.io/v1',
    kind: 'RayJob',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: {
      entrypoint: 'python -c "print(1)"',
      rayClusterSpec: structuredClone(rayCluster(`${name}-cluster`).spec),
    },
  };
  return mods.reduce((j, m) => m(j), base);
}

const spec =
  (over: Partial<RayJobSpec>): JobMod =>
  (j) => ({ ...j, spec: { ...j.spec, ...over } });

export const withEntrypoint = (entrypoint: string): JobMod => spec({ entrypoint });
export const inMode = (submissionMode: NonNullable<RayJobSpec['submissionMode']>): JobMod =>
  spec({ submissionMode });
export const withJobSpec = (over: Partial<RayJobSpec>): JobMod => spec(over);
export const withJobCluster = (...mods: ClusterMod[]): JobMod =>
  spec({ rayClusterSpec: structuredClone(rayCluster('c', ...mods).spec) });
export const onCluster =
  (name: string): JobMod =>
  (j) => {
    const { rayClusterSpec: _drop, ...rest } = j.spec;
    return { ...j, spec: { ...rest, clusterSelector: { 'ray.io/cluster': name } } };
  };
export const withJobStatus =
  (status: RayJobStatus): JobMod =>
  (j) => ({
    ...j,
    status: { ...j.status, ...status },
  });
export const withFinalizer = (): JobMod => (j) => ({
  ...j,
  metadata: { ...j.metadata, finalizers: ['ray.io/rayjob-finalizer'] },
});
