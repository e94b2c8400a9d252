// Env for Ray nodes started directly by a test process (not through the local node), on a busy
// shared machine. Idempotent per process.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let applied = false;

/**
 * Ray's 30 s startup limits (dashboard modules, node registration, client server) are lifted the way
 * the local node does it (rig/node/py/sitecustomize.py, copied out so no bytecode lands in the repo).
 * Child processes inherit process.env, so `ray start` from this process sees it.
 */
export function patientRayEnv(): void {
  if (applied) return;
  applied = true;
  const dir = mkdtempSync(join(tmpdir(), 'kuray-pyenv-'));
  copyFileSync(
    join(import.meta.dirname, '..', 'node', 'py', 'sitecustomize.py'),
    join(dir, 'sitecustomize.py'),
  );
  process.env.PYTHONPATH = process.env.PYTHONPATH ? `${dir}:${process.env.PYTHONPATH}` : dir;
  process.env.RAY_DASHBOARD_SUBPROCESS_MODULE_WAIT_READY_TIMEOUT ??= '240';
  process.once('exit', () => {
    rmSync(dir, { recursive: true, force: true });
  });
}
