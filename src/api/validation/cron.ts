// Cron schedules as KubeRay parses them (robfig/cron ParseStandard): five fields
// "minute hour day-of-month month day-of-week" or a descriptor (@hourly, @every 1h30m, ...).
// Returns the problem, or undefined when the schedule is valid.

const FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const DESCRIPTORS = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]);
const GO_DURATION =
  /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h))*$/;

/** Go's time.ParseDuration syntax (e.g. "1h30m", "90s"); true when positive. */
export function isPositiveGoDuration(s: string): boolean {
  return GO_DURATION.test(s) && /[1-9]/.test(s);
}

function value(f: (typeof FIELDS)[number], s: string): number | undefined {
  const idx = f.names?.indexOf(s.toLowerCase()) ?? -1;
  if (idx >= 0) return idx + (f.name === 'month' ? 1 : 0);
  if (!/^\d+$/.test(s)) return undefined;
  return Number(s);
}

function checkField(f: (typeof FIELDS)[number], text: string): string | undefined {
  for (const part of text.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '')
      return `bad ${f.name} ${JSON.stringify(text)}`;
    if (step !== undefined && !/^[1-9]\d*$/.test(step))
      return `bad step ${JSON.stringify(step)} in the ${f.name} field`;
    if (range === '*' || range === '?') continue;
    const [lo, hi, more] = range.split('-');
    if (more !== undefined) return `bad range ${JSON.stringify(range)} in the ${f.name} field`;
    const a = value(f, lo!);
    const b = hi === undefined ? a : value(f, hi);
    // Go's cron accepts 7 as Sunday in the day-of-week field.
    const max = f.name === 'day of week' ? 7 : f.max;
    if (a === undefined || b === undefined) return `${JSON.stringify(range)} is not a valid ${f.name}`;
    if (a < f.min || b > max || a > b)
      return `${f.name} ${JSON.stringify(range)} is out of range ${f.min}-${f.max}`;
  }
  return undefined;
}

export function cronProblem(schedule: string): string | undefined {
  const s = schedule.trim();
  if (s.startsWith('@')) {
    if (DESCRIPTORS.has(s)) return undefined;
    if (s.startsWith('@every ')) {
      return isPositiveGoDuration(s.slice(7).trim())
        ? undefined
        : `"${s}" needs a positive duration, e.g. @every 1h30m`;
    }
    return `unknown descriptor ${JSON.stringify(s)}`;
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5)
    return `expected 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
  for (let i = 0; i < 5; i++) {
    const p = checkField(FIELDS[i]!, fields[i]!);
    if (p) return p;
  }
  return undefined;
}

/** True when `tz` is an IANA time zone the runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
