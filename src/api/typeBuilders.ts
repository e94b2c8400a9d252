// The eight TypeBox builders src/api/schema.ts uses, without loading TypeBox at run time.
//
// Why: `import Type from 'typebox'` loads 373 modules (its whole type engine, parser and
// guards) to call eight functions that each build one plain object. In the operator that import
// was ~20 MiB of RSS (measured: node, 2 MiB semi-spaces, 41 → 63 MiB for the import alone) held for
// the process's life, while the schemas it builds are needed at rest (every reconcile validates its
// spec). TypeBox stays the source of the static types (`import type`, erased) and of the tests'
// `Value.Check`; typeBuilders.test.ts checks that every ray.io/v1 schema built here is the same
// object TypeBox 1.4 builds: same enumerable keys in the same order, and the same hidden `~kind`,
// `~optional` and `~unsafe` markers TypeBox's own tools read.
import type {
  TArray,
  TBoolean,
  TInteger,
  TNumber,
  TObject,
  TOptional,
  TProperties,
  TSchema,
  TString,
  TUnsafe,
} from 'typebox';

type Options = Record<string, unknown>;

/** TypeBox's Memory.Create: enumerable keys, then options, then hidden (non-enumerable) markers. */
function create(hidden: Options, enumerable: Options, options: Options): unknown {
  const out: Options = { ...enumerable, ...options };
  for (const [k, v] of Object.entries(hidden))
    Object.defineProperty(out, k, { configurable: true, writable: true, enumerable: false, value: v });
  return out;
}

/** TypeBox's Memory.Update: a shallow copy keeping every own property's descriptor, plus markers. */
function update(current: object, hidden: Options): unknown {
  const out: Options = {};
  for (const key of Reflect.ownKeys(current)) {
    if (typeof key === 'string' && key in hidden) continue;
    Object.defineProperty(out, key, Object.getOwnPropertyDescriptor(current, key)!);
  }
  for (const [k, v] of Object.entries(hidden))
    Object.defineProperty(out, k, { configurable: true, writable: true, enumerable: false, value: v });
  return out;
}

function isOptional(s: unknown): boolean {
  return typeof s === 'object' && s !== null && Object.hasOwn(s, '~optional');
}

/** The builders, under TypeBox's names (`Type.String(…)`, …); arrows, so `opt = Type.Optional` is safe. */
export const Type = {
  String: (options: Options = {}) => create({ '~kind': 'String' }, { type: 'string' }, options) as TString,
  Integer: (options: Options = {}) =>
    create({ '~kind': 'Integer' }, { type: 'integer' }, options) as TInteger,
  Number: (options: Options = {}) => create({ '~kind': 'Number' }, { type: 'number' }, options) as TNumber,
  Boolean: (options: Options = {}) =>
    create({ '~kind': 'Boolean' }, { type: 'boolean' }, options) as TBoolean,
  Array: <T extends TSchema>(items: T, options: Options = {}) =>
    create({ '~kind': 'Array' }, { type: 'array', items }, options) as TArray<T>,
  Object: <P extends TProperties>(properties: P, options: Options = {}) => {
    // TypeBox lists as required every property not wrapped in Optional, and omits an empty list.
    const required = Object.keys(properties).filter((k) => !isOptional(properties[k]));
    return create(
      { '~kind': 'Object' },
      { type: 'object', ...(required.length ? { required } : {}), properties },
      options,
    ) as TObject<P>;
  },
  Optional: <T extends TSchema>(type: T) => update(type, { '~optional': true }) as TOptional<T>,
  // The schema's static type is the caller's to state, as with TypeBox's Unsafe<T>.
  Unsafe: <T>(schema: Options) => update(schema, { '~unsafe': null }) as TUnsafe<T>,
};
