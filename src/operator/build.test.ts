// The image runs the compiled operator (npm run build → dist/, see Dockerfile). This builds it into a
// scratch directory and runs it: the CLI works, and the operator's import graph holds no TypeScript
// source (Node never has to load its type stripper, which is what the build is for), nor code it
// needs only off the operator's path (each was measured in RSS for the operator's life: TypeBox's
// 373 modules, Node's bundled undici; src/api/typeBuilders.ts, src/util/nodeHttp.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');

test('npm run build output runs the CLI and loads the operator without any .ts module', () => {
  // Inside the repository, so node_modules and package.json ("type": "module") resolve as in dist/.
  mkdirSync(join(repo, '.cache'), { recursive: true });
  const out = mkdtempSync(join(repo, '.cache', 'build-test-'));
  try {
    execFileSync(
      process.execPath,
      [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out],
      { cwd: repo, stdio: 'pipe' },
    );
    const cli = spawnSync(process.execPath, [join(out, 'src/cli/main.js'), '--help'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /operator/);

    const probe = `
      import { registerHooks } from 'node:module';
      const loaded = [];
      registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); loaded.push(r.url); return r; } });
      await import(${JSON.stringify(join(out, 'src/operator/run.js'))});
      process.stdout.write(JSON.stringify({ loaded, builtins: process.moduleLoadList }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
      encoding: 'utf8',
      cwd: repo,
    });
    assert.equal(r.status, 0, r.stderr);
    const { loaded, builtins } = JSON.parse(r.stdout) as { loaded: string[]; builtins: string[] };
    assert.ok(loaded.some((u) => u.endsWith('/src/runtime/manager.js')));
    assert.deepEqual(
      loaded.filter((u) => u.endsWith('.ts')),
      [],
    );
    assert.deepEqual(
      loaded.filter((u) => u.includes('/node_modules/typebox/')),
      [],
      'TypeBox is for types and tests only',
    );
    assert.deepEqual(
      builtins.filter((m) => m.includes('undici')),
      [],
      'undici (fetch, WebSocket) is loaded by an ESM import of node:http',
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
