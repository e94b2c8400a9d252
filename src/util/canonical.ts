// JSON with object keys sorted and undefined members dropped: equal values give equal strings. The
// API server returns objects with sorted keys (Go encodes maps sorted) while controllers build them in
// their own order, so "did the status change?" must compare this form, not JSON.stringify.
export function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
