// Process-group bookkeeping through /proc. kill(-pgid, 0) also succeeds for zombies, and in a
// container whose PID 1 does not reap orphans (common in CI sandboxes), a container's processes
// can linger as zombies forever: a group counts as alive only while it has a non-zombie member.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  pgid: number;
  state: string;
  rssBytes: number;
  /** Start time in clock ticks since boot: with the pid, names one process (pids are reused). */
  startTicks: number;
  /** CPU time consumed so far (user + system), ns. */
  cpuNs: number;
}

const pageSize = 4096;
const nsPerTick = 1e7; // USER_HZ is 100 on Linux

/** `preciseCpu`: read the nanosecond run time too (one more file per process). */
export function procInfo(pid: number, preciseCpu = false): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": [0] state, [2] pgrp, [11] utime, [12] stime, [19] starttime, [21] rss in pages.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let cpuNs = (Number(f[11]) + Number(f[12])) * nsPerTick;
    if (preciseCpu)
      try {
        // Nanosecond run time: a process that ran for less than a tick still shows (metrics-server
        // drops a pod whose container reports 0 CPU).
        cpuNs = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) || cpuNs;
      } catch {
        // no schedstat in this kernel: ticks
      }
    return {
      pid,
      pgid: Number(f[2]),
      state: f[0]!,
      rssBytes: Number(f[21]) * pageSize,
      startTicks: Number(f[19]),
      cpuNs,
    };
  } catch {
    return undefined;
  }
}

function isLive(p: ProcInfo): boolean {
  return p.state !== 'Z' && p.state !== 'X';
}

/** Every live process of the machine by process group (with precise CPU), in one pass over /proc. */
export function processesByGroup(): Map<number, ProcInfo[]> {
  const out = new Map<number, ProcInfo[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const p = procInfo(Number(d), true);
    if (!p || !isLive(p)) continue;
    const list = out.get(p.pgid);
    if (list) list.push(p);
    else out.set(p.pgid, [p]);
  }
  return out;
}

/** Live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const p = procInfo(Number(d));
    if (p && p.pgid === pgid && isLive(p)) out.push(p);
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
