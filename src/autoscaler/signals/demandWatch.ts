// Polls the GCS of every native-mode cluster between its periodic syncs and asks for a sync as soon
// as pending demand grows or the node set changes (demandChange.ts), so a burst of tasks reaches
// the decision within one poll interval instead of one sync period.
//
// The sync is the authority: it starts a cluster's watch (observe(), with the state it just read,
// so a change between its read and the first poll is not missed), replaces the GCS client when the
// head moved or the token changed, and stops the watch when the cluster leaves native mode. A poll
// only compares and asks; it never decides. A failing poll is not reported (the periodic sync says
// whether Ray is reachable) and the next one comes at the resting interval.
import type { GcsClient } from '../../ray/gcs/client.ts';
import { realClock, type Clock, type TimerHandle } from '../../runtime/clock.ts';
import {
  changeKeyOf,
  DEFAULT_DEMAND_POLL,
  nextPollMs,
  warrantsSync,
  type DemandPollIntervals,
  type ChangeInputs,
  type RayChangeKey,
} from './demandChange.ts';
import { signalsFromGcsState } from './gcsSignals.ts';

export interface DemandWatchOptions {
  /** Called with the cluster key when a poll finds something a decision should see now. */
  onChange: (key: string) => void;
  intervals?: DemandPollIntervals;
  clock?: Clock;
}

interface Watched {
  gcs: Pick<GcsClient, 'clusterResourceState'>;
  key: RayChangeKey;
  timer: TimerHandle | undefined;
  /** Bumped by every observe(): a poll that started before it does not overwrite its key. */
  generation: number;
}

export class DemandWatch {
  readonly #o: Required<DemandWatchOptions>;
  readonly #watched = new Map<string, Watched>();
  #polls = 0;

  constructor(opts: DemandWatchOptions) {
    this.#o = { intervals: DEFAULT_DEMAND_POLL, clock: realClock, ...opts };
  }

  /** GCS polls made so far (all clusters). */
  get polls(): number {
    return this.#polls;
  }

  /** Clusters being watched. */
  get size(): number {
    return this.#watched.size;
  }

  /**
   * A sync of `key` read `seen` through `gcs`: watch the cluster from there. A different client
   * (the head moved, the token changed) replaces the old one.
   */
  observe(key: string, gcs: Pick<GcsClient, 'clusterResourceState'>, seen: ChangeInputs): void {
    const w = this.#watched.get(key);
    const ck = changeKeyOf(seen);
    if (w && w.gcs === gcs) {
      w.key = ck;
      w.generation++;
      return;
    }
    w?.timer?.cancel();
    const fresh: Watched = { gcs, key: ck, timer: undefined, generation: 0 };
    this.#watched.set(key, fresh);
    this.#schedule(key, fresh);
  }

  /** Stops watching `key`. */
  unwatch(key: string): void {
    this.#watched.get(key)?.timer?.cancel();
    this.#watched.delete(key);
  }

  /** Stops every watch. */
  close(): void {
    for (const key of [...this.#watched.keys()]) this.unwatch(key);
  }

  #schedule(key: string, w: Watched, ms = nextPollMs(w.key, this.#o.intervals)): void {
    w.timer = this.#o.clock.after(ms, () => {
      void this.#poll(key, w);
    });
  }

  async #poll(key: string, w: Watched): Promise<void> {
    w.timer = undefined;
    const generation = w.generation;
    this.#polls++;
    let state: ChangeInputs | undefined;
    try {
      state = signalsFromGcsState(await w.gcs.clusterResourceState(), this.#o.clock.now());
    } catch {
      // Unreachable for now: the periodic sync reports it; keep looking at the resting pace.
    }
    if (this.#watched.get(key) !== w) return; // unwatched or replaced meanwhile
    if (!state) {
      this.#schedule(key, w, this.#o.intervals.restMs);
      return;
    }
    // A sync that observed meanwhile holds a view at least as new as this poll's starting point.
    if (w.generation === generation) {
      const prev = w.key;
      w.key = changeKeyOf(state);
      if (warrantsSync(prev, w.key)) this.#o.onChange(key);
    }
    this.#schedule(key, w);
  }
}
