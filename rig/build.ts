// Ensures every rig binary exists: from KURAY_RIG_BIN_DIR, KUBEBUILDER_ASSETS (etcd,
// kube-apiserver, kubectl), or the per-version cache under ~/.cache/kuray/rig, building what is
// missing from the Go recipes in rig/go/ (tens of minutes on a cold machine, then seconds).
//
// Builds run in a copy of the recipe inside the cache, so the work tree never changes, and produce
// into a temporary directory renamed into place only when every binary exists: an interrupted
// build is never mistaken for a finished one. A lock directory serialises concurrent callers.
import { spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, tailFile } from './proc.ts';
import {
  allBinaries,
  ldflags,
  recipeDir,
  recipeOf,
  recipeVersion,
  recipes,
  type BinaryName,
  type Recipe,
} from './versions.ts';

export type BinaryPaths = Record<BinaryName, string>;

export function cacheRoot(): string {
  return (
    process.env.KURAY_RIG_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kuray', 'rig')
  );
}

export function buildDirOf(r: Recipe, version = recipeVersion(r)): string {
  return join(cacheRoot(), `${r.component}-${version}`);
}

function isExecutable(path: string): boolean {
  try {
    return statSync(path).isFile() && (statSync(path).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Where a binary comes from when it is not built: the env overrides, in order. */
export function overridePath(binary: BinaryName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs: string[] = [];
  if (env.KURAY_RIG_BIN_DIR) dirs.push(...env.KURAY_RIG_BIN_DIR.split(delimiter).filter(Boolean));
  // envtest's asset directory only ever holds these three.
  if (env.KUBEBUILDER_ASSETS && ['etcd', 'kube-apiserver', 'kubectl'].includes(binary)) {
    dirs.push(env.KUBEBUILDER_ASSETS);
  }
  return dirs.map((d) => join(d, binary)).find(isExecutable);
}

export interface BuildStamp {
  component: string;
  version: string;
  binaries: string[];
  seconds: number;
  peakRssKiB?: number;
  goVersion: string;
  builtAt: string;
}

export function readStamp(r: Recipe): BuildStamp | undefined {
  try {
    return JSON.parse(readFileSync(join(buildDirOf(r), 'stamp.json'), 'utf8')) as BuildStamp;
  } catch {
    return undefined;
  }
}

function cachedPath(binary: BinaryName): string | undefined {
  const r = recipeOf(binary);
  const p = join(buildDirOf(r), 'bin', binary);
  return readStamp(r) && isExecutable(p) ? p : undefined;
}

/** Paths of binaries already available without building; missing ones are absent. */
export function availableBinaries(): Partial<BinaryPaths> {
  const out: Partial<BinaryPaths> = {};
  for (const b of allBinaries) {
    const p = overridePath(b) ?? cachedPath(b);
    if (p) out[b] = p;
  }
  return out;
}

export class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildError';
  }
}

function runLogged(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  log: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    // The child writes straight into the log file: no pipe through this process to keep alive.
    const fd = openSync(log, 'a');
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

async function goVersion(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['version'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (err) => {
      reject(
        new BuildError(
          `rig: cannot build the control-plane binaries: the Go toolchain ("go") is not on PATH (${err.message}). ` +
            'Install Go >= 1.26, or set KURAY_RIG_BIN_DIR to a directory holding ' +
            allBinaries.join(', '),
        ),
      );
    });
    child.on('exit', () => {
      resolve(out.trim());
    });
  });
}

async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.lock');
  mkdirSync(dir, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // lock dir just created, pid not written yet
      }
      if (Number.isInteger(holder) && holder > 0 && !isAlive(holder))
        rmSync(lock, { recursive: true, force: true });
      else await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds one recipe into its cache directory (no-op when already built). */
export async function buildRecipe(
  r: Recipe,
  log: (msg: string) => void = console.error,
  baseEnv: NodeJS.ProcessEnv = process.env,
): Promise<BuildStamp> {
  const version = recipeVersion(r);
  const dir = buildDirOf(r, version);
  return withLock(dir, async () => {
    const existing = readStamp(r);
    if (existing) return existing;
    const gov = await goVersion(baseEnv);
    const src = join(dir, 'src');
    const tmpBin = join(dir, 'bin.tmp');
    const logFile = join(dir, 'build.log');
    rmSync(tmpBin, { recursive: true, force: true });
    mkdirSync(src, { recursive: true });
    mkdirSync(tmpBin, { recursive: true });
    for (const f of ['go.mod', 'go.sum', 'tools.go']) copyFileSync(join(recipeDir(r), f), join(src, f));
    writeFileSync(logFile, `# ${new Date().toISOString()} building ${r.component} ${version} with ${gov}\n`);
    const names = r.packages.map((p) => p.binary).join(', ');
    log(`rig: building ${names} ${version} (cold: minutes; log ${logFile})`);
    const goArgs = [
      'build',
      '-trimpath',
      '-ldflags',
      ldflags(r, version, new Date().toISOString().replace(/\.\d+Z$/, 'Z')),
      '-o',
      // One package: name the file (go would call go.etcd.io/etcd/server/v3 "server"); several:
      // a directory, where each binary is named after its cmd/<name> package.
      r.packages.length === 1 ? join(tmpBin, r.packages[0]!.binary) : tmpBin + '/',
      ...r.packages.map((p) => p.pkg),
    ];
    const timeFile = join(dir, 'time.txt');
    const haveTime = existsSync('/usr/bin/time');
    const [cmd, args] = haveTime
      ? ['/usr/bin/time', ['-v', '-o', timeFile, 'go', ...goArgs]]
      : ['go', goArgs];
    const env = {
      ...baseEnv,
      CGO_ENABLED: '0',
      GOTOOLCHAIN: 'local',
      // -p=2: the machines are small and linking kube-apiserver takes GBs; more jobs only thrash.
      GOFLAGS: [baseEnv.GOFLAGS ?? '', '-p=2', '-mod=readonly', '-buildvcs=false'].join(' ').trim(),
    };
    const started = Date.now();
    const code = await runLogged(cmd, args, src, env, logFile);
    const seconds = Math.round((Date.now() - started) / 1000);
    const missing = r.packages.filter((p) => !isExecutable(join(tmpBin, p.binary)));
    if (code !== 0 || missing.length > 0) {
      throw new BuildError(
        `rig: building ${names} ${version} failed (exit ${code}) after ${seconds}s; last lines of ${logFile}:\n` +
          tailFile(logFile, 25),
      );
    }
    const rss = haveTime
      ? /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, 'utf8'))
      : null;
    const stamp: BuildStamp = {
      component: r.component,
      version,
      binaries: r.packages.map((p) => p.binary),
      seconds,
      ...(rss ? { peakRssKiB: Number(rss[1]) } : {}),
      goVersion: gov,
      builtAt: new Date().toISOString(),
    };
    rmSync(join(dir, 'bin'), { recursive: true, force: true });
    renameSync(tmpBin, join(dir, 'bin'));
    writeFileSync(join(dir, 'stamp.json'), JSON.stringify(stamp, null, 2) + '\n');
    log(
      `rig: built ${names} ${version} in ${seconds}s${rss ? `, peak RSS ${Math.round(Number(rss[1]) / 1024)} MiB` : ''}`,
    );
    return stamp;
  });
}

/**
 * Every binary the rig needs, building missing ones. `only` limits the set (e.g. a CRUD-only rig);
 * overrides from the environment win over the cache.
 */
export async function ensureBinaries(
  only: readonly BinaryName[] = allBinaries,
  log: (msg: string) => void = console.error,
): Promise<BinaryPaths> {
  const found = availableBinaries();
  const needed = new Set(only.filter((b) => !found[b]).map(recipeOf));
  for (const r of recipes) if (needed.has(r)) await buildRecipe(r, log);
  const out = availableBinaries();
  const missing = only.filter((b) => !out[b]);
  if (missing.length > 0)
    throw new BuildError(`rig: binaries still missing after build: ${missing.join(', ')}`);
  return out as BinaryPaths;
}
