// Exponential backoff with jitter and a healthy-period reset, as client-go's reflector uses
// (wait.NewExponentialBackoffManager: 800 ms → 30 s, factor 2, jitter 1.0, reset after 2 min).
import { type Clock, realClock } from './clock.ts';

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Each delay d becomes d + random·jitter·d. */
  jitter?: number;
  /** If no failure happened for this long, start again from initialMs. */
  resetAfterMs?: number;
  clock?: Clock;
  random?: () => number;
}

export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #resetAfter: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  #current: number;
  #lastFailure: number | undefined;

  constructor(o: BackoffOptions = {}) {
    this.#initial = o.initialMs ?? 800;
    this.#max = o.maxMs ?? 30_000;
    this.#factor = o.factor ?? 2;
    this.#jitter = o.jitter ?? 1.0;
    this.#resetAfter = o.resetAfterMs ?? 120_000;
    this.#clock = o.clock ?? realClock;
    this.#random = o.random ?? Math.random;
    this.#current = this.#initial;
  }

  /** The delay to wait after a failure now. */
  next(): number {
    const now = this.#clock.now();
    if (this.#lastFailure !== undefined && now - this.#lastFailure > this.#resetAfter) {
      this.#current = this.#initial;
    }
    this.#lastFailure = now;
    const base = this.#current;
    this.#current = Math.min(this.#max, this.#current * this.#factor);
    return base + this.#random() * this.#jitter * base;
  }

  reset(): void {
    this.#current = this.#initial;
    this.#lastFailure = undefined;
  }
}
