import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatCpuSeconds, parseStatus, readProcUsage } from './procfs.ts';

test('utime + stime from a stat line whose command contains spaces and parentheses', () => {
  // Fields 14 (utime) = 250 and 15 (stime) = 50 ticks → 3 s.
  const line =
    '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 11 0 100 1000000 5000';
  assert.equal(parseStatCpuSeconds(line), 3);
  assert.throws(() => parseStatCpuSeconds('garbage'), /malformed/);
});

test('VmRSS and VmHWM from /proc/<pid>/status', () => {
  const status = 'Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t   81234 kB\nVmRSS:\t   70000 kB\nThreads:\t11\n';
  assert.deepEqual(parseStatus(status), { rssKiB: 70000, hwmKiB: 81234 });
  assert.throws(() => parseStatus('Name:\tkthread\n'), /VmRSS/);
});

test('readProcUsage reads this very process and nothing for a PID that does not exist', () => {
  const u = readProcUsage(process.pid);
  assert.ok(u && u.rssKiB > 0 && u.hwmKiB >= u.rssKiB && u.cpuSeconds >= 0);
  assert.equal(readProcUsage(2 ** 22 + 12345), undefined);
});
