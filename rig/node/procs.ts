// Process-group bookkeeping through /proc. kill(-pgid, 0) also succeeds for zombies, and in a
// container whose PID 1 does not reap orphans (common in CI sandboxes), a container's processes
// can linger as zombies forever: a group counts as alive only while it has a non-zombie member.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  pgid: number;
  state: string;
  rssBytes: number;
}

const pageSize = 4096;

export function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": [0] state, [2] pgrp, [21] rss in pages.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, pgid: Number(f[2]), state: f[0]!, rssBytes: Number(f[21]) * pageSize };
  } catch {
    return undefined;
  }
}

/** Live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const p = procInfo(Number(d));
    if (p && p.pgid === pgid && p.state !== 'Z' && p.state !== 'X') out.push(p);
  }
  return out;
}

export function groupAlive(pgid: number): boolean {
  return groupMembers(pgid).length > 0;
}

/** Sum of RSS over a group's live members. */
export function groupRss(pgid: number): number {
  return groupMembers(pgid).reduce((a, p) => a + p.rssBytes, 0);
}

export function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* gone */
  }
}
