// CPU seconds and memory of a process from /proc (Linux): /proc/<pid>/stat fields 14–15 (utime,
// stime, in clock ticks) and /proc/<pid>/status VmRSS / VmHWM (current and peak resident set).
// Parsers are pure; readProcUsage reads a live process.
import { readFileSync } from 'node:fs';

/** USER_HZ: 100 on every Linux ABI Node runs on (sysconf(_SC_CLK_TCK) is not reachable from JS). */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcMemory {
  rssKiB: number;
  hwmKiB: number;
}

export interface ProcUsage extends ProcMemory {
  pid: number;
  cpuSeconds: number;
}

function kib(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
  if (!m) throw new Error(`procfs: no ${field} in status`);
  return Number(m[1]);
}

export function parseStatus(text: string): ProcMemory {
  return { rssKiB: kib(text, 'VmRSS'), hwmKiB: kib(text, 'VmHWM') };
}

/**
 * utime + stime of a /proc/<pid>/stat line, in seconds. The command name (field 2) is in
 * parentheses and may itself contain spaces and ')', so fields are counted after the LAST ')'.
 */
export function parseStatCpuSeconds(text: string, ticksPerSecond = CLOCK_TICKS_PER_SECOND): number {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error('procfs: malformed stat line');
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('procfs: malformed stat line');
  return (utime + stime) / ticksPerSecond;
}

/** Usage of a live process, or undefined when it is gone (or a zombie without memory). */
export function readProcUsage(pid: number): ProcUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { pid, cpuSeconds: parseStatCpuSeconds(stat), ...parseStatus(status) };
  } catch {
    return undefined;
  }
}
