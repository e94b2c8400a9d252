import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATOR_NODE_FLAGS } from './nodeFlags.ts';

test('the image runs the operator with the same V8 flags as the bench and the tests', () => {
  const dockerfile = readFileSync(join(import.meta.dirname, '..', '..', 'Dockerfile'), 'utf8');
  const env = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(dockerfile);
  assert.ok(env, 'Dockerfile sets NODE_OPTIONS');
  assert.deepEqual(env[1]!.split(/\s+/).filter(Boolean), [...OPERATOR_NODE_FLAGS]);
});
