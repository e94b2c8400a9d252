// The one test entry point (`npm test`, and `.ci/run` through it).
//
// Why a script and not `node --test <glob>`: a glob that matches nothing makes node's runner exit 0
// having run no test, and CI then reports "ran no test". This script lists the files itself, fails
// when a selected tier has none, prepares what a tier needs (rig binaries, the Ray venv) instead of
// letting the tier skip, and runs every selected file in ONE `node --test` so there is one summary.
//
// Tiers, by file name:
//   *.test.ts       unit: pure or loopback-only, no binaries needed
//   *.int.test.ts   integration: a real control plane (rig/); a shared rig is started for them
//   *.e2e.test.ts   end-to-end: the rig plus real Ray processes from the project venv
//
// Usage: node scripts/test.ts [--tier unit|int|e2e]... [--only substring]... [-- extra node --test args]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism } from 'node:os';

type Tier = 'unit' | 'int' | 'e2e';
const root = join(import.meta.dirname, '..');
const searchDirs = ['src', 'rig', 'bench', 'scripts'];

function tierOf(file: string): Tier | undefined {
  if (file.endsWith('.int.test.ts')) return 'int';
  if (file.endsWith('.e2e.test.ts')) return 'e2e';
  if (file.endsWith('.test.ts')) return 'unit';
  return undefined;
}

function listFiles(dir: string, out: string[]): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'go') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) listFiles(path, out);
    else out.push(path);
  }
  return out;
}

function parseArgs(argv: string[]): { tiers: Set<Tier>; only: string[]; extra: string[] } {
  const tiers = new Set<Tier>();
  const only: string[] = [];
  const extra: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      extra.push(...argv.slice(i + 1));
      break;
    } else if (a === '--tier') {
      const t = argv[++i];
      if (t !== 'unit' && t !== 'int' && t !== 'e2e') {
        throw new Error(`--tier: expected unit, int or e2e, got ${JSON.stringify(t)}`);
      }
      tiers.add(t);
    } else if (a === '--only') {
      only.push(argv[++i] ?? '');
    } else {
      throw new Error(`unknown argument ${JSON.stringify(a)}; see the header of scripts/test.ts`);
    }
  }
  if (tiers.size === 0) for (const t of ['unit', 'int', 'e2e'] as const) tiers.add(t);
  return { tiers, only, extra };
}

interface RunResult {
  code: number;
  counts: Record<string, number>;
  /** The runner's closing "✖ failing tests:" section, if any (the failures with their errors). */
  failures: string[];
}

/**
 * Runs node's test runner, passing its output through and reading its closing counts and its
 * failing-tests section (printed at the end of a phase, which is not the end of the log when a
 * later phase follows: CI shows a log's tail, so the script repeats the section last).
 */
function runTests(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env, cwd: root });
    const counts: Record<string, number> = {};
    const failures: string[] = [];
    let inFailures = false;
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      process.stdout.write(chunk);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^ℹ (tests|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line);
        if (m) counts[m[1]!] = Number(m[2]);
        if (/^✖ failing tests:/.test(line)) inFailures = true;
        if (inFailures) failures.push(line);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (inFailures && pending) failures.push(pending);
      resolve({ code: code ?? (signal ? 1 : 0), counts, failures });
    });
  });
}

const { tiers, only, extra } = parseArgs(process.argv.slice(2));
const files = searchDirs
  .flatMap((d) => listFiles(join(root, d), []))
  .map((f) => relative(root, f))
  .filter((f) => {
    const t = tierOf(f);
    return t !== undefined && tiers.has(t) && (only.length === 0 || only.some((o) => f.includes(o)));
  })
  .sort();

for (const t of tiers) {
  if (only.length === 0 && !files.some((f) => tierOf(f) === t)) {
    console.error(`test: tier "${t}" selected but no *${t === 'unit' ? '' : '.' + t}.test.ts file exists`);
    process.exit(1);
  }
}
if (files.length === 0) {
  console.error('test: no test file matched');
  process.exit(1);
}

// Imported by path at run time so a unit-only run does not load the rig at all.
function rigModule(path: string): string {
  return new URL(`../rig/${path}`, import.meta.url).href;
}

const needsRig = files.some((f) => tierOf(f) !== 'unit');
const needsRay = files.some((f) => tierOf(f) === 'e2e');
const env: NodeJS.ProcessEnv = { ...process.env };
let stopRig: (() => Promise<void>) | undefined;

let code: number;
try {
  if (needsRay) {
    const { ensureRayVenv } = (await import(rigModule('ray/venv.ts'))) as {
      ensureRayVenv: () => Promise<string>;
    };
    env.KURAY_RAY_VENV = await ensureRayVenv();
  }
  if (needsRig) {
    // Builds the control-plane binaries on first use (minutes), then starts one rig that every
    // integration file shares, each in its own namespace. Files that must break the control plane
    // (restart kube-apiserver, …) start a private rig instead.
    const { startSharedRig } = (await import(rigModule('shared.ts'))) as {
      startSharedRig: () => Promise<{ env: Record<string, string>; stop: () => Promise<void> }>;
    };
    const shared = await startSharedRig();
    stopRig = shared.stop;
    Object.assign(env, shared.env);
  }
  // Two phases: unit + integration files run side by side; e2e files, each of which starts real Ray
  // clusters (heavy on a 2-core machine: Ray gives up on a raylet that takes > 30 s to register),
  // run one at a time. One combined count closes the run.
  const phases: { files: string[]; concurrency: number }[] = [
    { files: files.filter((f) => tierOf(f) !== 'e2e'), concurrency: Math.max(2, availableParallelism()) },
    { files: files.filter((f) => tierOf(f) === 'e2e'), concurrency: 1 },
  ].filter((p) => p.files.length > 0);
  const total: Record<string, number> = {};
  const failures: string[] = [];
  code = 0;
  for (const phase of phases) {
    const r = await runTests(
      [
        '--test',
        `--test-concurrency=${phase.concurrency}`,
        '--test-timeout=900000',
        ...extra,
        ...phase.files,
      ],
      env,
    );
    if (r.code !== 0) code = r.code;
    failures.push(...r.failures);
    for (const [k, v] of Object.entries(r.counts)) total[k] = (total[k] ?? 0) + v;
  }
  if (phases.length > 1) {
    if (failures.length > 0) {
      console.log('\ntest: the failures of every phase, repeated here at the end of the log:');
      console.log(failures.join('\n'));
    }
    console.log(`\ntest: ${files.length} files in ${phases.length} phases`);
    console.log(
      `${total.pass ?? 0} passed, ${(total.fail ?? 0) + (total.cancelled ?? 0)} failed, ${total.skipped ?? 0} skipped`,
    );
  }
} finally {
  if (stopRig) await stopRig();
}
process.exit(code);
