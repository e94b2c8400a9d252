// Schema builders for the ray.io/v1 API. Every builder takes the field's description first, because
// the CRDs generated from these schemas must teach the user through `kubectl explain`, and a
// description that cannot be forgotten is one that is always written.
//
// The builders emit *structural* OpenAPI v3 directly (no $ref, no patternProperties, enums as `enum`
// rather than anyOf-of-consts), so the CRD generator only has to copy them. `Static<>` of each builder
// is the TypeScript type the rest of Kuray uses.
import type { Static, TSchema, TUnsafe, TProperties, TObject, TArray } from 'typebox';
import { Type } from './typeBuilders.ts';

/** Kubernetes' own pattern for resource.Quantity strings (as controller-gen emits it). */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

type Extra = Record<string, unknown>;

// Array items and map values are documented by their parent field; '' means "no description".
const d = (description: string): { description?: string } => (description === '' ? {} : { description });

export function str(description: string, extra: Extra = {}) {
  return Type.String({ ...d(description), ...extra });
}

export function int32(description: string, extra: Extra = {}) {
  return Type.Integer({ ...d(description), format: 'int32', ...extra });
}

export function int64(description: string, extra: Extra = {}) {
  return Type.Integer({ ...d(description), format: 'int64', ...extra });
}

/** A JSON number (Go float32/float64). */
export function num(description: string, extra: Extra = {}) {
  return Type.Number({ ...d(description), ...extra });
}

export function bool(description: string, extra: Extra = {}) {
  return Type.Boolean({ ...d(description), ...extra });
}

/** RFC 3339 timestamp (metav1.Time on the wire). */
export function time(description: string, extra: Extra = {}) {
  return Type.String({ ...d(description), format: 'date-time', ...extra });
}

/** map[string]string, written as structural `additionalProperties` (never patternProperties). */
export function stringMap(description: string, extra: Extra = {}): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    additionalProperties: { type: 'string' },
    ...d(description),
    ...extra,
  });
}

/** map[string]T for an object value schema. */
export function mapOf<T extends TSchema>(value: T, description: string): TUnsafe<Record<string, Static<T>>> {
  return Type.Unsafe<Record<string, Static<T>>>({
    type: 'object',
    additionalProperties: value,
    ...d(description),
  });
}

/** A string enum as a single `enum` keyword (structural; anyOf-of-consts is not allowed in CRDs). */
export function stringEnum<const V extends readonly string[]>(
  values: V,
  description: string,
  extra: Extra = {},
): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...d(description), ...extra });
}

/** resource.Quantity: an integer or a quantity string such as `500m`, `1.5Gi`. */
export function quantity(description: string): TUnsafe<string | number> {
  return Type.Unsafe<string | number>({
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern: QUANTITY_PATTERN,
    'x-kubernetes-int-or-string': true,
    ...d(description),
  });
}

/** An int-or-string field (an absolute count or a percentage such as "25%"). */
export function intOrPercent(description: string): TUnsafe<string | number> {
  return Type.Unsafe<string | number>({
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    'x-kubernetes-int-or-string': true,
    ...d(description),
  });
}

export function obj<P extends TProperties>(
  properties: P,
  description: string,
  extra: Extra = {},
): TObject<P> {
  return Type.Object(properties, { ...d(description), ...extra });
}

export function arr<T extends TSchema>(items: T, description: string, extra: Extra = {}): TArray<T> {
  return Type.Array(items, { ...d(description), ...extra });
}

/**
 * A Kubernetes core type, typed with @kubernetes/client-node's model interface and validated with the
 * structural schema derived from Kubernetes' own OpenAPI spec (src/api/k8s). The description replaces
 * the core type's generic one with what the field means *here*.
 */
export function k8s<T>(schema: Record<string, unknown>, description?: string): TUnsafe<T> {
  return Type.Unsafe<T>(description === undefined ? schema : { ...schema, description });
}

export const opt = Type.Optional;
export type { Static } from 'typebox';

/**
 * A string typed as a union in TypeScript but open in the schema. For status fields written by the
 * operator from values it does not own (Ray's job statuses): an enum there would make a status update
 * fail the day Ray adds a value.
 */
export function openStringUnion<const V extends readonly string[]>(
  _values: V,
  description: string,
): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ type: 'string', ...d(description) });
}
