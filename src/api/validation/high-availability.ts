// Kuray's high-availability annotations (src/compiler/highAvailability.ts) and the guide's
// multi-zone pitfall: a nodeSelector that pins every pod to one zone makes that zone a single
// point of failure however many replicas there are.
import {
  ANNOTATION_PDB,
  ANNOTATION_PDB_MAX_UNAVAILABLE,
  ANNOTATION_SPREAD,
  ANNOTATION_SPREAD_MODE,
} from '../annotations.ts';
import type { RayClusterSpec } from '../v1/index.ts';
import { at, type Report } from './issue.ts';
import { qualifiedName } from './names.ts';

const ZONE = 'topology.kubernetes.io/zone';

export function checkHaAnnotations(annotations: Readonly<Record<string, string>>, r: Report): void {
  const path = (k: string) => at('metadata.annotations', k);
  const spread = annotations[ANNOTATION_SPREAD];
  if (spread !== undefined) {
    const prefixed = spread.includes('/') ? spread.split('/').slice(1).join('/') : spread;
    const problems = spread === '' ? ['is empty'] : qualifiedName(prefixed);
    for (const m of problems)
      r.error(
        path(ANNOTATION_SPREAD),
        `${JSON.stringify(spread)} is not a node label key: ${m}`,
        `use a node label such as ${ZONE} or kubernetes.io/hostname`,
      );
  }
  const mode = annotations[ANNOTATION_SPREAD_MODE];
  if (mode !== undefined && mode !== 'ScheduleAnyway' && mode !== 'DoNotSchedule')
    r.error(
      path(ANNOTATION_SPREAD_MODE),
      `unknown value ${JSON.stringify(mode)}`,
      'use ScheduleAnyway (prefer balance) or DoNotSchedule (require it)',
    );
  const pdb = annotations[ANNOTATION_PDB];
  if (pdb !== undefined && !['true', 'false'].includes(pdb.toLowerCase()))
    r.error(
      path(ANNOTATION_PDB),
      `${JSON.stringify(pdb)} is not true or false`,
      'write "true" to get PodDisruptionBudgets',
    );
  const max = annotations[ANNOTATION_PDB_MAX_UNAVAILABLE];
  if (max !== undefined && !/^[1-9][0-9]*$/.test(max))
    r.error(
      path(ANNOTATION_PDB_MAX_UNAVAILABLE),
      `${JSON.stringify(max)} is not a positive whole number`,
      'use e.g. "1"',
    );
}

/** Warns when every pod of the cluster is pinned to a single zone by nodeSelector. */
export function warnZonePinning(
  p: string,
  spec: RayClusterSpec,
  annotations: Readonly<Record<string, string>>,
  r: Report,
): void {
  const groups = [
    {
      path: `${p}.headGroupSpec.template.spec.nodeSelector`,
      sel: spec.headGroupSpec.template.spec?.nodeSelector,
    },
    ...(spec.workerGroupSpecs ?? []).map((g, i) => ({
      path: `${p}.workerGroupSpecs[${i}].template.spec.nodeSelector`,
      sel: g.template.spec?.nodeSelector,
    })),
  ];
  const zones = new Set(groups.map((g) => g.sel?.[ZONE]));
  if (groups.length < 2 || zones.size !== 1 || [...zones][0] === undefined) return;
  const zone = [...zones][0]!;
  const spreading =
    annotations[ANNOTATION_SPREAD] === ZONE
      ? ` (${ANNOTATION_SPREAD} cannot spread pods that nodeSelector pins)`
      : '';
  r.warn(
    `${groups[1]!.path}[${JSON.stringify(ZONE)}]`,
    `every pod of the cluster is pinned to zone ${zone}${spreading}: losing that zone stops the head and all workers at once, so more replicas add capacity, not availability`,
    `to survive a zone outage, drop the zone from the workers' nodeSelector and set the annotation ${ANNOTATION_SPREAD}: ${ZONE} (and ${ANNOTATION_PDB}: "true" for node drains); keep the head's if it must stay near its storage`,
  );
}
