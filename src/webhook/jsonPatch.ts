// The JSON Patch (RFC 6902) that turns `from` into `to`, for a mutating webhook's response. Defaulting
// only adds and changes fields, so this emits `add` and `replace` (and `remove` for completeness);
// arrays of equal length are diffed item by item, anything else is replaced whole.

export interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

const escape = (k: string): string => k.replaceAll('~', '~0').replaceAll('/', '~1');

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function jsonPatch(from: unknown, to: unknown, path = '', out: PatchOp[] = []): PatchOp[] {
  if (isObj(from) && isObj(to)) {
    for (const k of Object.keys(from))
      if (!(k in to)) out.push({ op: 'remove', path: `${path}/${escape(k)}` });
    for (const [k, v] of Object.entries(to)) {
      const p = `${path}/${escape(k)}`;
      if (!(k in from)) out.push({ op: 'add', path: p, value: v });
      else jsonPatch(from[k], v, p, out);
    }
  } else if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
    to.forEach((v, i) => jsonPatch(from[i], v, `${path}/${i}`, out));
  } else if (JSON.stringify(from) !== JSON.stringify(to)) {
    out.push({ op: 'replace', path, value: to });
  }
  return out;
}
