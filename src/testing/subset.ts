// "Does the live object hold everything that was rendered?" for comparing what the operator created
// with what `kuray render` prints. The API server adds defaults (protocol, terminationMessagePath, the
// service-account token volume, …) and writes quantities in canonical form, so equality would fail
// on things neither side chose; a subset check with quantities compared by value does not.
import { isQuantity, parseQuantity } from '../api/quantity.ts';

function sameQuantity(a: unknown, b: unknown): boolean {
  return (
    (typeof a === 'string' || typeof a === 'number') &&
    (typeof b === 'string' || typeof b === 'number') &&
    isQuantity(a) &&
    isQuantity(b) &&
    parseQuantity(a).equals(parseQuantity(b))
  );
}

const named = (v: unknown): v is { name: string } =>
  !!v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string';

/** Paths (JSON-pointer-like) where `got` lacks or differs from something `want` has. */
export function subsetDiff(want: unknown, got: unknown, path = ''): string[] {
  if (want === undefined) return [];
  if (Array.isArray(want)) {
    if (!Array.isArray(got)) return [`${path}: want an array, got ${JSON.stringify(got)}`];
    // Lists of named items (containers, env, volumes, ports) match by name: the server may add items.
    if (want.every(named) && got.every(named)) {
      return want.flatMap((w) => {
        const g = got.find((x) => x.name === w.name);
        return g ? subsetDiff(w, g, `${path}/${w.name}`) : [`${path}/${w.name}: missing`];
      });
    }
    if (got.length < want.length)
      return [`${path}: ${String(got.length)} items, want ${String(want.length)}`];
    return want.flatMap((w, i) => subsetDiff(w, got[i], `${path}/${String(i)}`));
  }
  if (want && typeof want === 'object') {
    if (!got || typeof got !== 'object') return [`${path}: want an object, got ${JSON.stringify(got)}`];
    return Object.entries(want).flatMap(([k, v]) =>
      subsetDiff(v, (got as Record<string, unknown>)[k], `${path}/${k}`),
    );
  }
  if (want === got || sameQuantity(want, got)) return [];
  return [`${path}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`];
}
