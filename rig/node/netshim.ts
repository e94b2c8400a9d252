// Builds netshim.c (the per-pod loopback networking library, see its header) into the user cache,
// keyed by the source hash so an edit rebuilds it. Needs a C compiler (cc/gcc/clang; $CC wins).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const source = join(import.meta.dirname, 'netshim.c');

export function cacheDir(): string {
  return process.env.KURAY_NODE_CACHE ?? join(homedir(), '.cache', 'kuray', 'node');
}

export async function ensureNetShim(): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const dir = cacheDir();
  const out = join(dir, `netshim-${hash}.so`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const compilers = [process.env.CC, 'cc', 'gcc', 'clang'].filter((c): c is string => !!c);
  const errors: string[] = [];
  for (const cc of compilers) {
    try {
      await run(cc, ['-O2', '-shared', '-fPIC', '-o', tmp, source, '-ldl']);
      renameSync(tmp, out);
      return out;
    } catch (err) {
      errors.push(`${cc}: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`);
    }
  }
  throw new Error(
    `local node: cannot build ${source} (needs a C compiler: install gcc or set CC):\n${errors.join('\n')}`,
  );
}
