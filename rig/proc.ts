// Child processes of a rig: each runs in its own process group (detached) with stdout+stderr in a
// log file, so a rig can outlive the command that started it (`rig up`) and is stopped by PID with
// everything it forked. Stopping is SIGTERM to the group, then SIGKILL after a grace period.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProcSpec {
  name: string;
  command: string;
  args: readonly string[];
  log: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Last `n` lines of a log file (empty when absent): the context for every rig error. */
export function tailFile(path: string, n = 20): string {
  try {
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    return lines
      .slice(-n)
      .map((l) => '    ' + l)
      .join('\n');
  } catch {
    return '    (no log)';
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether any process of the group still exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Starts a process as the leader of a new process group; its pid is also its group id. */
export function startProc(spec: ProcSpec): number {
  const fd = openSync(spec.log, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    // spawn() reports ENOENT asynchronously; a missing pid means it never started.
    if (child.pid === undefined) throw new Error(`rig: cannot start ${spec.name} (${spec.command})`);
    child.on('error', () => {
      // reported through the exit check of the readiness wait
    });
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Sends a signal to a whole group, ignoring groups that are already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL; resolves once the group is gone. */
export async function stopGroup(pgid: number, graceMs = 10_000): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
  if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (groupAlive(pgid) && Date.now() < killDeadline) await sleep(50);
}

/** Synchronous last resort for process 'exit' handlers, where nothing async runs. */
export function killGroupsNow(pgids: readonly number[]): void {
  for (const p of pgids) signalGroup(p, 'SIGKILL');
}

export class ComponentError extends Error {
  readonly component: string;
  constructor(component: string, message: string, log: string) {
    super(`rig: ${component} ${message}; last lines of ${log}:\n${tailFile(log)}`);
    this.name = 'ComponentError';
    this.component = component;
  }
}

/**
 * Polls `check` until it returns true, failing fast (with the log tail) when the process exits —
 * the usual outcome of a port in use or a bad flag — or when `timeoutMs` passes.
 */
export async function waitReady(
  name: string,
  pid: number,
  log: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isAlive(pid) || isZombieOrGone(pid)) throw new ComponentError(name, 'exited during startup', log);
    let ok: boolean;
    try {
      ok = await check();
    } catch {
      ok = false;
    }
    if (ok) return;
    if (Date.now() > deadline) throw new ComponentError(name, `not ready after ${timeoutMs / 1000}s`, log);
    await sleep(200);
  }
}

/** A detached child that died is a zombie until reaped; /proc tells us without waiting on it. */
function isZombieOrGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return !isAlive(pid);
  }
}
