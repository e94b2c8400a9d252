// The project-local Python venv with real Ray (`ray[default,serve]==2.58.0` from PyPI: Ray Serve is there for RayService).
//
// Tests and the playground run Ray from here: pods whose image is `rayproject/ray:*` are mapped to
// this venv's `ray` by the local node. Created on first use (a few minutes: ray's wheel is large),
// reused afterwards; a marker file records the exact requirement so a version change reinstalls.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const RAY_VERSION = '2.58.0';
/**
 * What pip installs. Ray 2.58's Serve controller imports jinja2 (its HAProxy manager) without declaring
 * it in the `serve` extra; the `rayproject/ray` images carry it, so the venv does too.
 */
export const RAY_REQUIREMENTS = [`ray[default,serve]==${RAY_VERSION}`, 'jinja2'] as const;
export const RAY_REQUIREMENT = RAY_REQUIREMENTS.join(' ');
export const repoRoot = join(import.meta.dirname, '..', '..');
export const defaultVenvDir = join(repoRoot, '.venv', 'ray');

export function venvBin(venv: string, tool: string): string {
  return join(venv, 'bin', tool);
}

/** The Python used to create the venv: $KURAY_PYTHON, else python3.11, else python3. */
async function findPython(): Promise<string> {
  const candidates = [process.env.KURAY_PYTHON, 'python3.11', 'python3'].filter((c): c is string => !!c);
  for (const c of candidates) {
    try {
      const { stdout } = await run(c, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
      const [maj, min] = stdout.trim().split('.').map(Number);
      if (maj === 3 && min !== undefined && min >= 10 && min <= 13) return c;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    `ray venv: no usable Python 3.10–3.13 found (tried ${candidates.join(', ')}); ` +
      'install python3.11 or set KURAY_PYTHON to its path',
  );
}

/** Ensures the venv exists with Ray installed; returns its directory. Idempotent. */
export async function ensureRayVenv(venv = process.env.KURAY_RAY_VENV ?? defaultVenvDir): Promise<string> {
  const marker = join(venv, '.kuray-requirement');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === RAY_REQUIREMENT) return venv;
  const python = await findPython();
  const started = Date.now();
  console.error(`ray venv: installing ${RAY_REQUIREMENT} into ${venv} (first run only; takes minutes)`);
  if (!existsSync(venvBin(venv, 'python'))) await run(python, ['-m', 'venv', venv]);
  try {
    await run(
      venvBin(venv, 'pip'),
      ['install', '--disable-pip-version-check', '--no-input', '--quiet', ...RAY_REQUIREMENTS],
      { maxBuffer: 64 << 20 },
    );
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const tail = (e.stderr ?? '').trim().split('\n').slice(-15).join('\n');
    throw new Error(`ray venv: pip install ${RAY_REQUIREMENT} failed:\n${tail || e.message}`, { cause: err });
  }
  writeFileSync(marker, RAY_REQUIREMENT + '\n');
  console.error(`ray venv: ready in ${Math.round((Date.now() - started) / 1000)}s`);
  return venv;
}

if (import.meta.main) {
  console.log(await ensureRayVenv());
}
