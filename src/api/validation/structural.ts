// Checks a value against a structural schema the way kube-apiserver checks a custom resource against
// its CRD (after defaulting): types, required fields, enums, formats, bounds, patterns, and unknown
// fields, which `kubectl apply` rejects by default (strict field validation) and which the apiserver
// would otherwise silently drop.
//
// Why our own walker and not a JSON Schema library: the schemas are structural (a small, fixed set of
// keywords, OpenAPI v3.0 semantics as CRDs use them), and each finding must become an Issue with a
// user-facing path, message and fix, including the common misplacements (a pod-level field written on
// a container).
import { at, type Report } from './issue.ts';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

const INT32 = { min: -2147483648, max: 2147483647 };
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Fields users put on a container that belong to the pod (`template.spec`). */
const POD_LEVEL_FIELDS = new Set([
  'affinity',
  'tolerations',
  'nodeSelector',
  'restartPolicy',
  'volumes',
  'serviceAccountName',
  'priorityClassName',
  'schedulerName',
  'hostNetwork',
  'imagePullSecrets',
  'topologySpreadConstraints',
  'runtimeClassName',
  'dnsPolicy',
  'initContainers',
]);
/** Fields that exist only in the pod-level securityContext. */
const POD_SECURITY_ONLY = new Set(['fsGroup', 'fsGroupChangePolicy', 'supplementalGroups', 'sysctls']);

function unknownFieldHint(path: string, key: string, known: string[]): string {
  if (/\.containers\[\d+\]$/.test(path) && POD_LEVEL_FIELDS.has(key)) {
    return `${key} is a pod-level field: move it out of the container, to the template's spec (next to containers)`;
  }
  if (/\.containers\[\d+\]\.securityContext$/.test(path) && POD_SECURITY_ONLY.has(key)) {
    return `${key} exists only in the pod-level securityContext (template.spec.securityContext): move it there`;
  }
  const lower = key.toLowerCase();
  const close = known.find((k) => k.toLowerCase() === lower || k.toLowerCase().replaceAll('-', '') === lower);
  if (close) return `did you mean ${close}? Field names are case-sensitive`;
  const list = known.length <= 12 ? `: ${known.join(', ')}` : '';
  return `remove it or check the spelling and indentation; allowed fields here${list}${list ? '' : ' are listed by kubectl explain'}`;
}

function typeHint(path: string, type: string, v: unknown): string {
  if (type === 'string' && (typeof v === 'number' || typeof v === 'boolean')) {
    if (/rayStartParams/.test(path))
      return `rayStartParams values are strings: quote it, e.g. "${String(v)}"`;
    return `quote the value: "${String(v)}"`;
  }
  if (
    (type === 'integer' || type === 'number') &&
    typeof v === 'string' &&
    v.trim() !== '' &&
    !isNaN(Number(v))
  ) {
    return `write the number without quotes: ${v}`;
  }
  if (type === 'integer') return 'use a whole number';
  if (type === 'boolean') return 'use true or false (without quotes)';
  if (type === 'array') return 'write a YAML list (items starting with "- ")';
  if (type === 'object') return 'write a YAML mapping (key: value lines, indented)';
  return `use a ${type}`;
}

function checkIntOrString(s: Json, v: unknown, path: string, r: Report): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      // YAML's .nan/.inf and overflowing literals such as 1e400; JSON (what the API server reads) has neither.
      r.error(
        path,
        `${String(v)} is not a finite number`,
        'use a number such as 2 or a quantity such as "500m"',
      );
    } else if (!Number.isInteger(v)) {
      // A fractional number is fine for a quantity (the apiserver accepts 0.5) but not for a port.
      if (typeof s.pattern !== 'string')
        r.error(path, `expected an integer or a string, got ${describe(v)}`, 'use a whole number or a name');
    }
    return;
  }
  if (typeof v !== 'string') {
    r.error(path, `expected an integer or a string, got ${describe(v)}`, 'use a number or a quoted string');
    return;
  }
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(v)) {
    r.error(
      path,
      `${JSON.stringify(v)} is not a valid quantity`,
      'use a number with an optional suffix, e.g. "500m", "2", "4Gi", "1.5G" (suffixes are case-sensitive: Gi, not GB)',
    );
  }
}

/** Walks `v` against structural schema `s`, reporting into `r` under `path`. */
export function checkStructural(s: Json, v: unknown, path: string, r: Report): void {
  if (v === null && s.nullable === true) return;
  if (s['x-kubernetes-int-or-string'] === true) {
    checkIntOrString(s, v, path, r);
    return;
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === true && s.type === undefined) return;
  const type = s.type as string | undefined;
  const ok =
    type === undefined ||
    (type === 'object' && isObj(v)) ||
    (type === 'array' && Array.isArray(v)) ||
    (type === 'string' && typeof v === 'string') ||
    (type === 'boolean' && typeof v === 'boolean') ||
    (type === 'number' && typeof v === 'number') ||
    (type === 'integer' && typeof v === 'number' && Number.isInteger(v));
  if (!ok) {
    r.error(
      path,
      `expected ${type === 'integer' ? 'an integer' : `a ${type}`}, got ${describe(v)}`,
      typeHint(path, type, v),
    );
    return;
  }
  if (Array.isArray(s.enum) && !s.enum.includes(v)) {
    r.error(
      path,
      `unknown value ${JSON.stringify(v)}`,
      `use one of: ${s.enum.map((e) => JSON.stringify(e)).join(', ')} (values are case-sensitive)`,
    );
  }
  if (typeof v === 'number' && !Number.isFinite(v)) {
    r.error(
      path,
      `${String(v)} is not a finite number`,
      'use a plain number (YAML .nan, .inf and 1e400 are not numbers the API server accepts)',
    );
    return;
  }
  if (typeof v === 'number') checkNumber(s, v, path, r);
  if (typeof v === 'string') checkString(s, v, path, r);
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems) {
      r.error(path, `must have at least ${s.minItems} item(s)`, 'add an item or remove the field');
    }
    if (isObj(s.items))
      v.forEach((item, i) => {
        checkStructural(s.items as Json, item, at(path, i), r);
      });
    checkListMapKeys(s, v, path, r);
  }
  if (isObj(v)) checkObject(s, v, path, r);
}

function checkNumber(s: Json, v: number, path: string, r: Report): void {
  if (s.format === 'int32' && (v < INT32.min || v > INT32.max)) {
    r.error(
      path,
      `${v} does not fit in a 32-bit integer`,
      `use a value between ${INT32.min} and ${INT32.max}`,
    );
  }
  const min = s.minimum;
  if (typeof min === 'number') {
    const exclusive = s.exclusiveMinimum === true;
    if (exclusive ? v <= min : v < min) {
      r.error(
        path,
        `${v} is ${exclusive ? 'not greater than' : 'less than'} ${min}`,
        `use a value ${exclusive ? '>' : '>='} ${min}`,
      );
    }
  }
  const max = s.maximum;
  if (typeof max === 'number') {
    const exclusive = s.exclusiveMaximum === true;
    if (exclusive ? v >= max : v > max) {
      r.error(
        path,
        `${v} is ${exclusive ? 'not less than' : 'greater than'} ${max}`,
        `use a value ${exclusive ? '<' : '<='} ${max}`,
      );
    }
  }
}

function checkString(s: Json, v: string, path: string, r: Report): void {
  if (typeof s.minLength === 'number' && v.length < s.minLength) {
    r.error(path, 'must not be empty', 'set a value or remove the field');
  }
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(v)) {
    r.error(path, `${JSON.stringify(v)} does not match the pattern ${s.pattern}`, 'fix the value');
  }
  if (s.format === 'date-time' && !RFC3339.test(v)) {
    r.error(path, `${JSON.stringify(v)} is not an RFC 3339 timestamp`, 'use e.g. 2026-01-31T12:00:00Z');
  }
}

function checkListMapKeys(s: Json, v: unknown[], path: string, r: Report): void {
  if (s['x-kubernetes-list-type'] !== 'map' || !Array.isArray(s['x-kubernetes-list-map-keys'])) return;
  const keys = s['x-kubernetes-list-map-keys'] as string[];
  const seen = new Map<string, number>();
  v.forEach((item, i) => {
    if (!isObj(item)) return;
    const id = JSON.stringify(keys.map((k) => item[k] ?? null));
    const first = seen.get(id);
    if (first !== undefined) {
      r.error(
        at(path, i),
        `duplicate entry: same ${keys.join('/')} as item ${first} (${keys.map((k) => String(item[k])).join('/')})`,
        `${keys.join('/')} must be unique in this list: rename or merge the entries`,
      );
    } else seen.set(id, i);
  });
}

function checkObject(s: Json, v: Json, path: string, r: Report): void {
  const props = isObj(s.properties) ? (s.properties as Record<string, Json>) : undefined;
  for (const req of (s.required as string[] | undefined) ?? []) {
    if (v[req] === undefined || v[req] === null) {
      const what = props?.[req]?.description;
      const desc = typeof what === 'string' ? ` (${what.split('. ')[0]!.replace(/\.$/, '')})` : '';
      r.error(at(path, req), `required field ${req} is missing`, `add ${req}${desc}`);
    }
  }
  if (props) {
    const known = Object.keys(props);
    for (const [k, val] of Object.entries(v)) {
      const ps = props[k];
      if (ps === undefined) {
        // `creationTimestamp: null` and friends (what kubectl --dry-run -o yaml writes) are pruned.
        if (s['x-kubernetes-preserve-unknown-fields'] === true || val === null) continue;
        r.error(
          at(path, k),
          `unknown field ${JSON.stringify(k)}: kubectl apply rejects it (strict field validation) and otherwise the API server drops it`,
          unknownFieldHint(path, k, known),
        );
        continue;
      }
      // The apiserver prunes a null that the schema does not allow, as if the field were absent.
      if (val === undefined || (val === null && ps.nullable !== true)) continue;
      checkStructural(ps, val, at(path, k), r);
    }
  } else if (isObj(s.additionalProperties)) {
    for (const [k, val] of Object.entries(v)) checkStructural(s.additionalProperties, val, at(path, k), r);
  }
}
