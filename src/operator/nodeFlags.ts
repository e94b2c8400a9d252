// The V8 flags the operator process runs with: the image sets them in NODE_OPTIONS (Dockerfile), the
// benchmark and the tests that spawn an operator pass them on the command line.
//
// --max-semi-space-size=2 (MiB): V8's young generation defaults to 16 MiB semi-spaces, and a
// controller that parses thousands of watch events and API replies in a burst touches all of it, so
// the pages stay resident afterwards. Measured at 1,000 idle RayClusters (bench steady, this
// machine): 204 MiB RSS with the default, 148 MiB with 2 MiB, and no slower to get there (more,
// cheaper scavenges). Objects that live (the informer caches) are promoted to the old generation
// either way.
import v8 from 'node:v8';

export const OPERATOR_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

// Flags Node refuses in NODE_OPTIONS, so the operator sets them itself when it starts (runOperator):
// every way of running it (the image, `kuray operator`, the bench, in-process tests) gets them.
//
// --memory-saver-mode: V8 gives memory back after a burst only through its memory reducer, which
// starts a shrinking GC once the allocation rate is low — but that rate is sampled at GCs, and an
// idle operator makes none, so the reducer kept seeing the creation burst's rate ("high alloc") and
// never ran: the old generation stayed at its post-burst size (pooled pages included) for good.
// Memory saver mode lets the reducer run regardless (8 s after the heap stops growing). Measured
// (bench, 1,000 idle RayClusters, 2026-12-05): 144 → 104 MiB RSS; full burst and scale-up/-down
// no slower (24.9 vs 24.8 s all ready; 13.9/13.2 vs 10.7/8.1 s), ~12 % more operator CPU during them
// (2.70 → 3.04 s; 3.52 → 3.99 s). --optimize-for-size gave the same RSS (106 MiB) but also
// changes compilation; it is not needed.
export const OPERATOR_RUNTIME_V8_FLAGS: readonly string[] = ['--memory-saver-mode'];

/** Sets OPERATOR_RUNTIME_V8_FLAGS on this process (V8 reads these flags when it decides, not only at start). */
export function applyRuntimeV8Flags(
  set: (flag: string) => void = (f) => {
    v8.setFlagsFromString(f);
  },
): void {
  for (const f of OPERATOR_RUNTIME_V8_FLAGS) set(f);
}
