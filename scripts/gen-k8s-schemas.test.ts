import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convert } from './gen-k8s-schemas.ts';

const ref = (n: string) => ({ allOf: [{ $ref: `#/components/schemas/${n}` }] });
const defs = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string', description: 'Quantity is ...' },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    type: 'string',
    format: 'int-or-string',
    description: 'IOS',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
    description: 'meta',
    properties: Object.fromEntries(
      ['annotations', 'finalizers', 'labels', 'name', 'namespace', 'uid', 'managedFields'].map((k) => [
        k,
        { type: 'string', description: k },
      ]),
    ),
  },
  Port: {
    type: 'object',
    description: 'a port',
    properties: { protocol: { type: 'string', default: 'TCP', description: 'p' } },
  },
  Thing: {
    description: 'a thing',
    properties: {
      metadata: {
        ...ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
        default: {},
        description: 'its metadata',
      },
      size: ref('io.k8s.apimachinery.pkg.api.resource.Quantity'),
      port: { ...ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString'), description: 'number or name' },
      ports: {
        type: 'array',
        items: { ...ref('Port'), default: {} },
        'x-kubernetes-patch-merge-key': 'protocol',
        'x-kubernetes-list-type': 'atomic',
        description: 'ports',
      },
    },
  },
  Loop: { type: 'object', properties: { next: ref('Loop') } },
};

test('convert inlines refs, keeps the field description, and makes quantities/int-or-string structural', () => {
  const out = convert(defs, 'Thing') as { properties: Record<string, Record<string, unknown>> };
  const p = out.properties;
  assert.equal((out as Record<string, unknown>).type, 'object', 'type: object added where the spec omits it');
  assert.deepEqual(Object.keys(p.metadata!.properties as object), [
    'annotations',
    'finalizers',
    'labels',
    'name',
    'namespace',
  ]);
  assert.equal(p.metadata!.description, 'its metadata');
  assert.equal(p.metadata!.default, undefined, 'object defaults are dropped');
  assert.deepEqual(p.size!.anyOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.equal(p.size!['x-kubernetes-int-or-string'], true);
  assert.equal(typeof p.size!.pattern, 'string');
  assert.equal(p.size!.description, 'Quantity is ...', "the type's description when the field has none");
  assert.equal(p.port!.description, 'number or name');
  assert.equal(p.port!.pattern, undefined);
  assert.equal(p.ports!['x-kubernetes-patch-merge-key'], undefined);
  assert.equal(p.ports!['x-kubernetes-list-type'], 'atomic');
  const item = p.ports!.items as { properties: Record<string, Record<string, unknown>>; default?: unknown };
  assert.equal(item.default, undefined);
  assert.equal(item.properties.protocol!.default, 'TCP', 'scalar defaults are kept');
  assert.equal(JSON.stringify(out).includes('$ref'), false);
});

test('convert refuses recursive types (a CRD schema cannot express them)', () => {
  assert.throws(() => convert(defs, 'Loop'), /recursive type Loop -> Loop/);
});
