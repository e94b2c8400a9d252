import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { applyRuntimeV8Flags, OPERATOR_NODE_FLAGS, OPERATOR_RUNTIME_V8_FLAGS } from './nodeFlags.ts';

test('the image runs the operator with the same V8 flags as the bench and the tests', () => {
  const dockerfile = readFileSync(join(import.meta.dirname, '..', '..', 'Dockerfile'), 'utf8');
  const env = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(dockerfile);
  assert.ok(env, 'Dockerfile sets NODE_OPTIONS');
  assert.deepEqual(env[1]!.split(/\s+/).filter(Boolean), [...OPERATOR_NODE_FLAGS]);
});

test('the runtime V8 flags are set on the process, and this Node knows each of them', () => {
  const set: string[] = [];
  applyRuntimeV8Flags((f) => set.push(f));
  assert.deepEqual(set, [...OPERATOR_RUNTIME_V8_FLAGS]);
  // V8 ignores an unknown flag given to setFlagsFromString; on the command line it refuses it, so a
  // Node upgrade that drops one fails here rather than silently costing the memory it saved.
  for (const f of OPERATOR_RUNTIME_V8_FLAGS) {
    const r = spawnSync(process.execPath, [f, '-e', '0'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${f}: ${r.stderr}`);
    assert.equal(r.stderr, '', f);
  }
});
