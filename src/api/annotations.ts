// Kuray's own RayCluster annotations (opt-in features that keep the spec KubeRay's), read by
// validation and the compiler. Each is documented where it takes effect.

/** src/compiler/highAvailability.ts: spread worker pods over this node label (e.g. a zone). */
export const ANNOTATION_SPREAD = 'kuray.io/spread-workers-across';
/** ScheduleAnyway (default) or DoNotSchedule, for the spread above. */
export const ANNOTATION_SPREAD_MODE = 'kuray.io/spread-workers-when-unsatisfiable';
/** "true": PodDisruptionBudgets for the head and every worker group. */
export const ANNOTATION_PDB = 'kuray.io/pod-disruption-budget';
/** Workers of one group a voluntary disruption may take at once (default 1). */
export const ANNOTATION_PDB_MAX_UNAVAILABLE = 'kuray.io/pod-disruption-budget-max-unavailable';
