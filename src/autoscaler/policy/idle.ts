// Which workers may go: only ones Ray reports idle, longest-idle first (ties by pod name, so the
// choice is deterministic and a repeated decision names the same pods).
import type { WorkerState } from './types.ts';

/** Running workers idle for at least `timeoutMs` at `nowMs`. */
export function idleExpired(
  workers: readonly WorkerState[],
  nowMs: number,
  timeoutMs: number,
): WorkerState[] {
  return workers
    .filter((w) => w.phase === 'running' && w.idleSinceMs !== undefined && nowMs - w.idleSinceMs >= timeoutMs)
    .sort((a, b) => a.idleSinceMs! - b.idleSinceMs! || a.podName.localeCompare(b.podName));
}

/**
 * Workers that can be removed without touching running work, for shrinking past `maxReplicas` or
 * dropping surplus pods: launching pods first (nothing runs there yet), then idle ones (any idle
 * duration), longest-idle first. Busy workers are never returned.
 */
export function removableWorkers(workers: readonly WorkerState[]): WorkerState[] {
  const launching = workers
    .filter((w) => w.phase === 'pending')
    .sort((a, b) => a.podName.localeCompare(b.podName));
  const idle = workers
    .filter((w) => w.phase === 'running' && w.idleSinceMs !== undefined)
    .sort((a, b) => a.idleSinceMs! - b.idleSinceMs! || a.podName.localeCompare(b.podName));
  return [...launching, ...idle];
}

/** True when Ray considers the worker busy (running and not idle). */
export function isBusy(w: WorkerState): boolean {
  return w.phase === 'running' && w.idleSinceMs === undefined;
}
