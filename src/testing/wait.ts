// Polling for tests against real components: wait for a condition with a deadline and a clear
// timeout message (what was awaited, and the last value seen).
import { setTimeout as sleep } from 'node:timers/promises';

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<string> | string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const extra = opts.describe ? `\n${await opts.describe()}` : '';
      const err = lastError instanceof Error ? `\nlast error: ${lastError.message}` : '';
      throw new Error(`timed out after ${opts.timeoutMs ?? 60_000} ms waiting for ${what}${err}${extra}`);
    }
    await sleep(opts.intervalMs ?? 200);
  }
}
