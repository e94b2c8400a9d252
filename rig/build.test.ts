// Build failures must explain themselves: no Go toolchain, or a recipe that does not build (the
// real `go build`, offline, failing on a module it cannot have).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildError, buildRecipe, overridePath } from './build.ts';
import type { Recipe } from './versions.ts';

const cache = mkdtempSync(join(tmpdir(), 'rig-build-'));
process.env.KURAY_RIG_CACHE = cache;

function brokenRecipe(): Recipe {
  const dir = join(cache, 'recipe');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'go.mod'),
    'module kuray.local/rig/broken\n\ngo 1.26.0\n\nrequire example.invalid/nothing v1.0.0\n',
  );
  writeFileSync(join(dir, 'go.sum'), '');
  writeFileSync(
    join(dir, 'tools.go'),
    '//go:build tools\n\npackage tools\n\nimport _ "example.invalid/nothing"\n',
  );
  return {
    component: 'broken',
    dir,
    module: 'example.invalid/nothing',
    packages: [{ pkg: 'example.invalid/nothing', binary: 'etcd' }],
  };
}

test('no Go toolchain: the error says so and names the override', async () => {
  await assert.rejects(
    buildRecipe(brokenRecipe(), () => undefined, { ...process.env, PATH: '/nonexistent' }),
    (e: unknown) =>
      e instanceof BuildError &&
      /Go toolchain \("go"\) is not on PATH/.test(e.message) &&
      /KURAY_RIG_BIN_DIR/.test(e.message),
  );
});

test('a failing build reports the exit code and the last lines of its log, and leaves no binary', async () => {
  const env = { ...process.env, GOPROXY: 'off', GOFLAGS: '' };
  await assert.rejects(
    buildRecipe(brokenRecipe(), () => undefined, env),
    (e: unknown) => {
      assert.ok(e instanceof BuildError);
      assert.match(e.message, /building etcd v1\.0\.0 failed \(exit [1-9]\d*\)/);
      assert.match(e.message, /example\.invalid\/nothing/);
      return true;
    },
  );
  assert.equal(existsSync(join(cache, 'broken-v1.0.0', 'stamp.json')), false);
  assert.equal(existsSync(join(cache, 'broken-v1.0.0', 'bin')), false);
});

test('KURAY_RIG_BIN_DIR and KUBEBUILDER_ASSETS override the cache; envtest assets only for their three', () => {
  const dir = join(cache, 'assets');
  mkdirSync(dir, { recursive: true });
  for (const b of ['etcd', 'kube-apiserver', 'kubectl', 'kwok'])
    writeFileSync(join(dir, b), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(join(dir, 'helm'), 'not executable', { mode: 0o644 });
  assert.equal(overridePath('kwok', { KURAY_RIG_BIN_DIR: dir }), join(dir, 'kwok'));
  assert.equal(overridePath('helm', { KURAY_RIG_BIN_DIR: dir }), undefined);
  assert.equal(overridePath('etcd', { KUBEBUILDER_ASSETS: dir }), join(dir, 'etcd'));
  assert.equal(overridePath('kwok', { KUBEBUILDER_ASSETS: dir }), undefined);
  assert.equal(overridePath('kubectl', {}), undefined);
});
