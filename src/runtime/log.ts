// JSON logs, one object per line, so a log pipeline can filter by controller/namespace/name/
// reconcileID without parsing prose. No dependency: the format is the contract.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function isLogLevel(s: string): s is LogLevel {
  return s in rank;
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry these fields (e.g. { controller: 'raycluster' }). */
  child(fields: LogFields): Logger;
  enabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to process.stderr. Tests pass an array-collecting sink. */
  sink?: (line: string) => void;
  fields?: LogFields;
}

/** Errors serialise to their message (and code/reason when present); JSON.stringify would give {}. */
function normalise(v: unknown): unknown {
  if (v instanceof Error) {
    const out: LogFields = { message: v.message };
    const extra = v as unknown as Record<string, unknown>;
    for (const k of ['code', 'reason', 'status']) if (extra[k] !== undefined) out[k] = extra[k];
    return out;
  }
  return v;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = rank[opts.level ?? 'info'];
  const sink = opts.sink ?? ((line: string) => process.stderr.write(line + '\n'));
  const base = opts.fields ?? {};
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (rank[level] < min) return;
    const rec: LogFields = { ts: new Date().toISOString(), level, msg, ...base };
    if (fields) for (const [k, v] of Object.entries(fields)) rec[k] = normalise(v);
    let line: string;
    try {
      line = JSON.stringify(rec);
    } catch {
      line = JSON.stringify({ ts: rec.ts, level, msg, logError: 'unserialisable fields' });
    }
    sink(line);
  };
  return {
    debug: (m, f) => {
      emit('debug', m, f);
    },
    info: (m, f) => {
      emit('info', m, f);
    },
    warn: (m, f) => {
      emit('warn', m, f);
    },
    error: (m, f) => {
      emit('error', m, f);
    },
    child: (fields) => createLogger({ ...opts, fields: { ...base, ...fields } }),
    enabled: (level) => rank[level] >= min,
  };
}

/** A logger that drops everything; the default for library pieces constructed without one. */
export const nopLogger: Logger = createLogger({ level: 'error', sink: () => undefined });
