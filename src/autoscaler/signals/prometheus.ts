// Prometheus text exposition format (version 0.0.4) parser, for Ray's metrics export port.
//
// Why our own: prom-client only *produces* this format. Ray's exporter (prometheus_client behind
// OpenTelemetry) emits ~1300 lines per node with long label sets; the parser must be exact about
// label escaping (\\, \", \n), special values (NaN, +Inf, -Inf), optional timestamps, comments,
// blank lines and CRLF — and must not throw on one odd line: a bad line is reported in `errors` and
// skipped, so one broken metric never blinds the autoscaler.

export interface Sample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
  timestampMs?: number;
}

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Exposition {
  samples: readonly Sample[];
  /** From `# TYPE` lines, by metric family name. */
  types: ReadonlyMap<string, MetricType>;
  /** From `# HELP` lines, unescaped. */
  help: ReadonlyMap<string, string>;
  /** Lines that could not be parsed, with their 1-based line number. */
  errors: readonly { line: number; text: string; error: string }[];
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
// Sticky (y): matches at lastIndex without slicing the line for every label.
const LABEL_NAME_RE = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

class LineError extends Error {}

export function parseValue(s: string): number {
  switch (s) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
  }
  // Number('') is 0 and Number('0x10') is 16: reject both, the format allows only Go floats.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s))
    throw new LineError(`bad value ${JSON.stringify(s)}`);
  return Number(s);
}

function unescapeHelp(s: string): string {
  return s.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** Parses `{a="x",b="y\"z"}` starting at s[i] === '{'; returns the labels and the index after '}'. */
function parseLabels(s: string, start: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (s[i] === '}') return [labels, i + 1];
    LABEL_NAME_RE.lastIndex = i;
    const m = LABEL_NAME_RE.exec(s);
    if (!m) throw new LineError(`bad label name at column ${i + 1}`);
    const name = m[0];
    i += name.length;
    while (s[i] === ' ') i++;
    if (s[i] !== '=') throw new LineError(`expected '=' after label ${name}`);
    i++;
    while (s[i] === ' ') i++;
    if (s[i] !== '"') throw new LineError(`expected '"' for label ${name}`);
    i++;
    let value = '';
    for (;;) {
      const c = s[i];
      if (c === undefined) throw new LineError(`unterminated value for label ${name}`);
      if (c === '"') break;
      if (c === '\\') {
        const n = s[i + 1];
        if (n === 'n') value += '\n';
        else if (n === '\\' || n === '"') value += n;
        else value += '\\' + (n ?? ''); // lenient: keep unknown escapes verbatim
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    i++; // closing quote
    labels[name] = value;
    while (s[i] === ' ') i++;
    if (s[i] === ',') i++;
    else if (s[i] !== '}') throw new LineError(`expected ',' or '}' after label ${name}`);
  }
}

function parseSampleLine(line: string): Sample {
  const m = NAME_RE.exec(line);
  if (!m) throw new LineError('bad metric name');
  const name = m[0];
  let i = name.length;
  let labels: Record<string, string> = {};
  if (line[i] === '{') [labels, i] = parseLabels(line, i);
  const rest = line
    .slice(i)
    .trim()
    .split(/[ \t]+/);
  if (rest.length < 1 || rest[0] === '') throw new LineError('missing value');
  if (rest.length > 2) throw new LineError('trailing garbage after value/timestamp');
  const value = parseValue(rest[0]!);
  const sample: Sample = { name, labels, value };
  if (rest[1] !== undefined) {
    const ts = Number(rest[1]);
    if (!Number.isInteger(ts)) throw new LineError(`bad timestamp ${JSON.stringify(rest[1])}`);
    sample.timestampMs = ts;
  }
  return sample;
}

export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, MetricType>();
  const help = new Map<string, string>();
  const errors: { line: number; text: string; error: string }[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '') continue;
    try {
      if (trimmed.startsWith('#')) {
        const m = /^#\s*(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(trimmed);
        if (!m) continue; // other comments are allowed and ignored
        const [, kind, metric, rest = ''] = m;
        if (kind === 'TYPE') {
          const t = rest.trim();
          if (!TYPES.has(t)) throw new LineError(`unknown metric type ${JSON.stringify(t)}`);
          types.set(metric!, t as MetricType);
        } else {
          help.set(metric!, unescapeHelp(rest));
        }
        continue;
      }
      samples.push(parseSampleLine(trimmed));
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      errors.push({ line: n + 1, text: line.slice(0, 200), error: err.message });
    }
  }
  return { samples, types, help, errors };
}

/** Samples with this exact name whose labels include every `match` pair. */
export function select(
  samples: readonly Sample[],
  name: string,
  match: Readonly<Record<string, string>> = {},
): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}
