// A rig's state file: enough to find, attach to, restart parts of, and stop a rig from another
// process (tests attach to the shared rig; `rig down` stops one started by `rig up`).
// State lives in the rig directory, on tmpfs (/dev/shm) when available.
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BinaryPaths } from './build.ts';
import type { Ports } from './components.ts';
import { groupAlive, isAlive, killGroupsNow } from './proc.ts';

export interface ProcState {
  pid: number;
  command: string;
  args: string[];
  log: string;
  env?: Record<string, string>;
}

export interface RigState {
  version: 1;
  name: string;
  dir: string;
  profile: string;
  createdAt: string;
  /** Process that owns the rig; 0 once detached (`rig up`): then only `down` stops it. */
  ownerPid: number;
  server: string;
  kubeconfigPath: string;
  ports: Ports;
  binaries: BinaryPaths;
  processes: Record<string, ProcState>;
  /** Watches ownerPid and kills the rig if the owner dies without stopping it (SIGKILL, OOM). */
  reaperPid?: number;
  ready: boolean;
}

export function rigRootDir(): string {
  if (process.env.KURAY_RIG_ROOT) return process.env.KURAY_RIG_ROOT;
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

export function rigDirOf(name: string): string {
  return join(rigRootDir(), `kuray-rig-${name}`);
}

export function statePathOf(name: string): string {
  return join(rigDirOf(name), 'state.json');
}

export function readState(path: string): RigState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`rig: no rig state at ${path} (not started, or already stopped)`);
  }
  return JSON.parse(text) as RigState;
}

export function writeState(s: RigState): void {
  const path = join(s.dir, 'state.json');
  writeFileSync(path + '.tmp', JSON.stringify(s, null, 2) + '\n');
  renameSync(path + '.tmp', path);
  // The reaper reads this plain list: it is a shell loop and cannot parse JSON.
  writeFileSync(join(s.dir, 'pgids'), pgidsOf(s).join('\n') + '\n');
}

export function pgidsOf(s: RigState): number[] {
  return Object.values(s.processes).map((p) => p.pid);
}

export function anyAlive(s: RigState): boolean {
  return pgidsOf(s).some(groupAlive);
}

/** A rig whose owner died without stopping it: still has state, owner gone. */
export function isStale(s: RigState): boolean {
  return s.ownerPid !== 0 && !isAlive(s.ownerPid);
}

/** Kills whatever is left of a rig (SIGKILL: it is already abandoned) and removes its directory. */
export function destroyNow(s: RigState): void {
  killGroupsNow(pgidsOf(s));
  if (s.reaperPid && isAlive(s.reaperPid)) killGroupsNow([s.reaperPid]);
  rmSync(s.dir, { recursive: true, force: true });
}

/** Removes every stale rig under the rig root (crashed test runs). Returns the names cleaned. */
export function sweepStaleRigs(): string[] {
  const root = rigRootDir();
  const cleaned: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith('kuray-rig-'));
  } catch {
    return cleaned;
  }
  for (const n of names) {
    const path = join(root, n, 'state.json');
    let s: RigState;
    try {
      s = readState(path);
    } catch {
      continue;
    }
    if (isStale(s)) {
      destroyNow(s);
      cleaned.push(s.name);
    }
  }
  return cleaned;
}
