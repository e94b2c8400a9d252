// A counting gate for expensive container starts. Starting a Ray node costs ~20 CPU-seconds, and
// Ray gives several startup steps hard 30 s limits (raylet registration, the client server's node
// lookup); on a 2-core machine starting four Ray nodes at once makes them time out and crash-loop.
// The local node therefore starts Ray containers a few at a time, heads first: a slot is held until
// the container is Ready, exits, or a hold time passes.
export class StartGate {
  readonly #limit: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  /** How many of #waiting (at its front) are `first` waiters. */
  #firsts = 0;

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /**
   * Resolves with a release function once a slot is free; `first` waiters (Ray heads, which every
   * other pod of their cluster waits for) go ahead of the others. Releasing twice is harmless.
   */
  async acquire(first = false): Promise<() => void> {
    if (this.#active >= this.#limit) {
      await new Promise<void>((resolve) => {
        if (first) this.#waiting.splice(this.#firsts++, 0, resolve);
        else this.#waiting.push(resolve);
      });
      if (first) this.#firsts--;
    } else this.#active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    };
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#waiting.length;
  }
}
