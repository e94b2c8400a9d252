// Arithmetic on Ray resource maps ({CPU: 2, memory: 4e9, GPU: 1, …}). Missing keys are 0.
import type { Resources } from './types.ts';

// Ray stores resources in fixed point with 4 decimals; compare with a tolerance below that.
const EPS = 1e-6;

export function fits(available: Resources, request: Resources): boolean {
  for (const [k, v] of Object.entries(request)) {
    if (v > 0 && (available[k] ?? 0) + EPS < v) return false;
  }
  return true;
}

export function subtract(available: Resources, request: Resources): Resources {
  const out: Record<string, number> = { ...available };
  for (const [k, v] of Object.entries(request)) out[k] = (out[k] ?? 0) - v;
  return out;
}

export function add(a: Resources, b: Resources): Resources {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

export function sum(list: readonly Resources[]): Resources {
  return list.reduce<Resources>((acc, r) => add(acc, r), {});
}

/** A size used to order demand largest-first (first-fit decreasing), like Ray's bin packing. */
export function weight(r: Resources): number {
  let w = 0;
  for (const [k, v] of Object.entries(r)) {
    if (v <= 0) continue;
    // Memory-like resources are in bytes; scale them so one GiB weighs about one CPU.
    w += k === 'memory' || k === 'object_store_memory' ? v / 2 ** 30 : v;
  }
  return w;
}

export function format(r: Resources): string {
  const parts = Object.entries(r)
    .filter(([, v]) => v !== 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v}`);
  return `{${parts.join(', ')}}`;
}
