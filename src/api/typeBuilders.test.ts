// typeBuilders.ts must build exactly what TypeBox builds: the CRDs, defaulting and validation walk
// these objects, and the tests check values against them with TypeBox's own Value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import TB from 'typebox';
import Value from 'typebox/value';
import { Type } from './typeBuilders.ts';
import { RayCluster, RayCronJob, RayJob, RayService } from './v1/index.ts';

type Node = Record<string, unknown>;

/** Every own key in order, whether it is enumerable, and its value (objects described the same way). */
function shape(v: unknown, seen = new Set<unknown>()): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (seen.has(v)) return '<cycle>';
  seen.add(v);
  const out = Reflect.ownKeys(v).map((k) => {
    const d = Object.getOwnPropertyDescriptor(v, k)!;
    return [String(k), d.enumerable, d.writable, d.configurable, shape(d.value, seen)];
  });
  seen.delete(v);
  return [Array.isArray(v) ? 'array' : 'object', out];
}

function same(ours: unknown, theirs: unknown): void {
  assert.deepEqual(shape(ours), shape(theirs));
}

test('each builder makes the object TypeBox makes: keys, order, hidden markers', () => {
  const o = { description: 'd', format: 'x' };
  same(Type.String(), TB.String());
  same(Type.String(o), TB.String(o));
  same(Type.Integer({ format: 'int32', minimum: 0 }), TB.Integer({ format: 'int32', minimum: 0 }));
  same(Type.Number(o), TB.Number(o));
  same(Type.Boolean(o), TB.Boolean(o));
  same(Type.Array(Type.String(), o), TB.Array(TB.String(), o));
  same(Type.Optional(Type.String(o)), TB.Optional(TB.String(o)));
  same(
    Type.Unsafe({ type: 'object', additionalProperties: { type: 'string' } }),
    TB.Unsafe({
      type: 'object',
      additionalProperties: { type: 'string' },
    }),
  );
  same(
    Type.Optional(Type.Unsafe({ type: 'string', enum: ['a'] })),
    TB.Optional(TB.Unsafe({ type: 'string', enum: ['a'] })),
  );
  same(
    Type.Object({ a: Type.Optional(Type.String()), b: Type.Integer() }, { description: 'o' }),
    TB.Object({ a: TB.Optional(TB.String()), b: TB.Integer() }, { description: 'o' }),
  );
  // No required list when every property is optional, and none for an empty object.
  same(Type.Object({ a: Type.Optional(Type.String()) }), TB.Object({ a: TB.Optional(TB.String()) }));
  same(Type.Object({}), TB.Object({}));
  // Children are shared, not copied (as TypeBox does): Optional copies only the node it marks.
  const s = Type.String();
  assert.equal(Type.Array(s).items, s);
  assert.notEqual(Type.Optional(s), s);
  assert.equal(Object.hasOwn(s, '~optional'), false);
});

/** Rebuilds a schema built by typeBuilders with TypeBox itself, from the same inputs. */
function rebuild(n: unknown): unknown {
  if (typeof n !== 'object' || n === null) return n;
  if (Array.isArray(n)) return n.map(rebuild);
  const node = n as Node;
  const own = (skip: string[]): Node => {
    const out: Node = {};
    for (const [k, v] of Object.entries(node)) if (!skip.includes(k)) out[k] = rebuild(v);
    return out;
  };
  let built: unknown;
  if (Object.hasOwn(node, '~unsafe')) built = TB.Unsafe(own([]));
  else
    switch (node['~kind']) {
      case 'String':
        built = TB.String(own(['type']));
        break;
      case 'Integer':
        built = TB.Integer(own(['type']));
        break;
      case 'Number':
        built = TB.Number(own(['type']));
        break;
      case 'Boolean':
        built = TB.Boolean(own(['type']));
        break;
      case 'Array':
        built = TB.Array(rebuild(node.items) as never, own(['type', 'items']));
        break;
      case 'Object': {
        const props: Record<string, never> = {};
        for (const [k, v] of Object.entries(node.properties as Node)) props[k] = rebuild(v) as never;
        built = TB.Object(props, own(['type', 'required', 'properties']));
        break;
      }
      case undefined:
        return own([]);
      default:
        throw new Error(`unexpected ~kind ${String(node['~kind'])}`);
    }
  return Object.hasOwn(node, '~optional') ? TB.Optional(built as never) : built;
}

test('the ray.io/v1 schemas are what TypeBox would build from the same definitions', () => {
  for (const schema of [RayCluster, RayJob, RayService, RayCronJob]) same(schema, rebuild(schema));
});

test("TypeBox's Value reads the schemas built without it", () => {
  assert.equal(
    Value.Check(RayCluster, { apiVersion: 'ray.io/v1', kind: 'RayCluster', metadata: {}, spec: {} }),
    false,
  );
  assert.equal(Value.Check(Type.Object({ a: Type.Optional(Type.Integer()) }), {}), true);
  assert.equal(Value.Check(Type.Object({ a: Type.Integer() }), {}), false);
  assert.equal(Value.Check(Type.Object({ a: Type.Optional(Type.Integer()) }), { a: 'x' }), false);
});
