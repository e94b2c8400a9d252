import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlStream, toYaml, toYamlStream, YamlError } from './yaml.ts';

test('writes YAML 1.1 booleans-as-strings quoted so kubectl keeps them strings', () => {
  const out = toYaml({ a: 'yes', b: 'on', c: 'y', d: 'off', e: 'plain' });
  for (const k of ['a', 'b', 'c', 'd']) assert.match(out, new RegExp(`${k}: ["']`));
  assert.match(out, /e: plain/);
  const [back] = parseYamlStream(out);
  assert.deepEqual(back?.value, { a: 'yes', b: 'on', c: 'y', d: 'off', e: 'plain' });
});

test('reads multi-document streams, dropping empty documents', () => {
  const docs = parseYamlStream('---\na: 1\n---\n---\nb: 2\n');
  assert.deepEqual(
    docs.map((d) => d.value),
    [{ a: 1 }, { b: 2 }],
  );
  assert.equal(parseYamlStream(toYamlStream([{ x: 1 }, { y: 2 }])).length, 2);
});

test('syntax errors name the source and document', () => {
  assert.throws(
    () => parseYamlStream('a: 1\n---\nb: [1, 2\n', 'f.yaml'),
    (e: unknown) => {
      assert.ok(e instanceof YamlError);
      assert.match(e.message, /^f\.yaml: document 2: /);
      return true;
    },
  );
});
