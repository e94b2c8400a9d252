// Structural schemas of the Kubernetes core types that ray.io/v1 embeds (pod templates, Services,
// env vars, ...). They are derived from Kubernetes' own OpenAPI spec by scripts/gen-k8s-schemas.ts
// (`npm run gen:k8s-schemas`) and committed as ./core.json, so the CRDs carry the same fields and
// descriptions as `kubectl explain pod.spec`, and validation checks embedded templates field by field.
import core from './core.json' with { type: 'json' };

export type CoreTypeName = keyof typeof core.schemas;

/** Where the schemas come from (k8s.io/kubernetes version). */
export const CORE_SOURCE: string = core.source;

const schemas = core.schemas as Record<CoreTypeName, Record<string, unknown>>;

/**
 * The structural schema of one core type, fully inlined. Shared, never mutate it: builders copy the
 * top level to set their own description.
 */
export function coreSchema(name: CoreTypeName): Record<string, unknown> {
  return schemas[name];
}

// Every node of core.json, so the CRD generator can tell a core type's own text from ray.io's (builders
// copy only the top level of a core schema to set their description; everything below is shared).
const coreNodes = new WeakSet<object>();
function collect(v: unknown): void {
  if (typeof v !== 'object' || v === null) return;
  coreNodes.add(v);
  for (const c of Object.values(v)) collect(c);
}
collect(core.schemas);

/** True for a schema node that belongs to a Kubernetes core type (not its ray.io top level). */
export function isCoreNode(node: object): boolean {
  return coreNodes.has(node);
}
