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

test('alias bombs are refused with the document named; ordinary anchors still work', () => {
  let bomb = 'a0: &a0 ["lol"]\n';
  for (let i = 1; i <= 6; i++)
    bomb += `a${i}: &a${i} [${Array(9)
      .fill(`*a${i - 1}`)
      .join(',')}]\n`;
  assert.throws(
    () => parseYamlStream(`x: 1\n---\n${bomb}`, 'bomb.yaml'),
    (e: unknown) => e instanceof YamlError && /^bomb\.yaml: document 2: .*alias/i.test(e.message),
  );
  const [doc] = parseYamlStream('base: &b {cpu: "1"}\nhead: *b\nworker: *b\n');
  assert.deepEqual(doc?.value, { base: { cpu: '1' }, head: { cpu: '1' }, worker: { cpu: '1' } });
});
