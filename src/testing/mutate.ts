// Seeded mutations of RayCluster specs for the fuzz test: a mutation replaces, deletes or injects
// one thing — an arbitrary value at any path, hostile text in the places that reach a shell
// (rayStartParams keys and values, group resources and labels), absurd numbers, deep nesting.
// Deterministic for a seed, so a failure names the seed that reproduces it.

/** mulberry32: small, fast, good enough to pick mutations. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
type Json = Record<string, unknown>;
type Path = (string | number)[];

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Text that runs something in a shell if pasted unquoted, plus KubeRay's legitimate quoting forms. */
const SHELL_PAYLOADS = [
  '/tmp/ray; touch /tmp/pwned; #',
  '$(touch /tmp/pwned)',
  '`touch /tmp/pwned`',
  "'; touch /tmp/pwned; '",
  '"; touch /tmp/pwned; "',
  '" $(touch /tmp/pwned) "',
  '1 && touch /tmp/pwned',
  '1 || touch /tmp/pwned',
  '1 | touch /tmp/pwned',
  '1 > /tmp/pwned',
  '1\ntouch /tmp/pwned',
  '${PATH:-$(touch /tmp/pwned)}',
  "'a'\\''; touch /tmp/pwned; '\\''b'",
  '"a\\"; touch /tmp/pwned; \\"b"',
  '\\"; touch /tmp/pwned; #',
  '$((1+1))',
  '<(touch /tmp/pwned)',
  '*',
  '~',
  '!!',
  '',
  ' ',
  "'",
  '"',
  '\\',
  '$',
  '$REDIS_PASSWORD',
  '${HOME}',
  `'{"CPU": 1}'`,
  `"{\\"Custom\\": 1}"`,
  '{"a": 1}',
  '4Gi',
  '2',
  'true',
  'false',
  '0.0.0.0',
];

const FLAG_KEYS = [
  'num-cpus',
  'temp-dir',
  'resources',
  'node-name',
  'dashboard-host',
  'memory',
  'labels',
  'port',
];

function randomString(r: Rand): string {
  const alphabet = 'aZ09 -_./:;&|<>()$`\'"\\{}[]*?!#~=,\n\t';
  let s = '';
  const n = Math.floor(r() * 12);
  for (let i = 0; i < n; i++) s += alphabet.charAt(Math.floor(r() * alphabet.length));
  return s;
}

function hostileText(r: Rand): string {
  const x = r();
  if (x < 0.55) return pick(r, SHELL_PAYLOADS);
  if (x < 0.8) return pick(r, SHELL_PAYLOADS) + randomString(r) + pick(r, SHELL_PAYLOADS);
  return randomString(r);
}

function deepValue(levels: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

/** An arbitrary JSON-ish value, biased towards the ones that broke validation before. */
function arbitraryValue(r: Rand, depth = 0): unknown {
  const x = r();
  if (x < 0.08) return null;
  if (x < 0.16)
    return pick(r, [
      NaN,
      Infinity,
      -Infinity,
      Number.MAX_VALUE * 10,
      -1,
      -0.5,
      0,
      2 ** 31,
      1_000_000,
      65536,
      70000,
    ]);
  if (x < 0.26) return Math.floor(r() * 200) - 50;
  if (x < 0.32) return r() < 0.5;
  if (x < 0.5) return pick(r, ['-1', '.nan', '1e400', '1e19', '-4Gi', '500m', '4Gi', 'NaN', '', 'x']);
  if (x < 0.62) return hostileText(r);
  if (x < 0.66) return deepValue(20 + Math.floor(r() * 200));
  if (depth > 2 || x < 0.8) return randomString(r);
  if (x < 0.9) return Array.from({ length: Math.floor(r() * 3) }, () => arbitraryValue(r, depth + 1));
  const o: Json = {};
  for (let i = Math.floor(r() * 3); i > 0; i--)
    o[pick(r, ['name', 'spec', 'a', 'port', 'value'])] = arbitraryValue(r, depth + 1);
  return o;
}

function allPaths(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (prefix.length > 0) out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => allPaths(x, [...prefix, i], out));
  else if (typeof v === 'object' && v !== null)
    for (const [k, x] of Object.entries(v)) allPaths(x, [...prefix, k], out);
  return out;
}

function setPath(root: Json, path: Path, value: unknown): void {
  let cur = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = typeof k === 'number' ? [] : {};
    cur = cur[k] as Record<string | number, unknown>;
  }
  const last = path.at(-1)!;
  if (value === undefined) {
    if (Array.isArray(cur) && typeof last === 'number') cur.splice(last, 1);
    else Reflect.deleteProperty(cur, last);
  } else cur[last] = value;
}

/** The groups (head and workers) of a RayCluster-shaped value, as paths. */
function groupPaths(spec: Json): Path[] {
  const workers = Array.isArray(spec.workerGroupSpecs) ? spec.workerGroupSpecs : [];
  return [['spec', 'headGroupSpec'], ...workers.map((_, i): Path => ['spec', 'workerGroupSpecs', i])];
}

/** One mutation of a copy of `rc`; returns the copy and what was done (for failure messages). */
export function mutate(rc: Json, r: Rand): { obj: Json; what: string } {
  const obj = structuredClone(rc);
  const spec = (obj.spec ?? {}) as Json;
  const group = pick(r, groupPaths(spec));
  const x = r();
  if (x < 0.3) {
    const key = r() < 0.85 ? pick(r, FLAG_KEYS) : hostileText(r);
    const value = hostileText(r);
    setPath(obj, [...group, 'rayStartParams', key], value);
    return {
      obj,
      what: `${group.join('.')}.rayStartParams[${JSON.stringify(key)}] = ${JSON.stringify(value)}`,
    };
  }
  if (x < 0.4) {
    const key = r() < 0.5 ? hostileText(r) : pick(r, ['CPU', 'memory', 'nvidia.com/gpu', 'custom']);
    const value = r() < 0.5 ? hostileText(r) : arbitraryValue(r);
    if (group[1] === 'workerGroupSpecs' || r() < 0.5)
      Reflect.deleteProperty(getAt(obj, [...group, 'rayStartParams']) ?? {}, 'num-cpus');
    setPath(obj, [...group, 'resources', key], value);
    return { obj, what: `${group.join('.')}.resources[${JSON.stringify(key)}] = ${JSON.stringify(value)}` };
  }
  if (x < 0.46) {
    const key = hostileText(r);
    const value = hostileText(r);
    setPath(obj, [...group, 'labels', key], value);
    return { obj, what: `${group.join('.')}.labels[${JSON.stringify(key)}] = ${JSON.stringify(value)}` };
  }
  if (x < 0.5 && group[1] === 'workerGroupSpecs') {
    const field = pick(r, ['replicas', 'minReplicas', 'maxReplicas', 'numOfHosts']);
    const value = pick(r, [1_000_000, 2 ** 31 - 1, 10_001, -1, 0, 5000, NaN]);
    setPath(obj, [...group, field], value);
    return { obj, what: `${group.join('.')}.${field} = ${String(value)}` };
  }
  const paths = allPaths(obj).filter((p) => p[0] !== 'apiVersion' && p[0] !== 'kind');
  const path = pick(r, paths);
  if (x < 0.6) {
    setPath(obj, path, undefined);
    return { obj, what: `delete ${path.join('.')}` };
  }
  const value = arbitraryValue(r);
  setPath(obj, path, value);
  return { obj, what: `${path.join('.')} = ${JSON.stringify(value).slice(0, 200)}` };
}

function getAt(root: unknown, path: Path): Json | undefined {
  let cur: unknown = root;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return typeof cur === 'object' && cur !== null ? (cur as Json) : undefined;
}
