// When a cron schedule fires next, as robfig/cron's ParseStandard (KubeRay's parser) computes it:
// five fields "minute hour day-of-month month day-of-week" (names, ranges, steps, `*`/`?`), the
// descriptors @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly and `@every <duration>`,
// evaluated in an IANA time zone. Day-of-month and day-of-week are OR-ed when both are restricted
// (neither starts with `*`/`?`), as in Vixie cron and robfig. Validation (src/api/validation/cron.ts)
// has already refused anything malformed; parseSchedule throws on it anyway.
import { parseGoDurationMs } from '../../util/goDuration.ts';

export interface Schedule {
  /** The first firing strictly after `after`. */
  next(after: Date): Date;
}

interface Field {
  min: number;
  max: number;
  names?: readonly string[];
}
const MINUTE: Field = { min: 0, max: 59 };
const HOUR: Field = { min: 0, max: 23 };
const DOM: Field = { min: 1, max: 31 };
const MONTH: Field = {
  min: 1,
  max: 12,
  names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
};
const DOW: Field = { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] };

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function value(f: Field, s: string): number {
  const i = f.names?.indexOf(s.toLowerCase()) ?? -1;
  if (i >= 0) return i + (f === MONTH ? 1 : 0);
  if (!/^\d+$/.test(s)) throw new Error(`bad value ${JSON.stringify(s)}`);
  return Number(s);
}

/** The set of values a field allows, and whether it was written as a star (for the dom/dow rule). */
function parseField(text: string, f: Field): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      star = true;
      lo = f.min;
      hi = f.max;
    } else {
      const [a = '', b] = range.split('-');
      lo = value(f, a);
      hi = b === undefined ? (stepText === undefined ? lo : f.max) : value(f, b);
    }
    if (!(step >= 1) || lo < f.min || hi > (f === DOW ? 7 : f.max) || lo > hi)
      throw new Error(`bad field ${JSON.stringify(text)}`);
    for (let v = lo; v <= hi; v += step) set.add(f === DOW && v === 7 ? 0 : v);
  }
  return { set, star };
}

/** Go's time.ParseDuration, in milliseconds (throws on anything else). */
export function goDurationMs(s: string): number {
  const ms = parseGoDurationMs(s);
  if (ms === undefined) throw new Error(`bad duration ${JSON.stringify(s)}`);
  return ms;
}

/** Wall-clock fields of an instant in a time zone. */
function wall(fmt: Intl.DateTimeFormat, t: number) {
  const p: Record<string, number> = {};
  for (const x of fmt.formatToParts(t)) if (x.type !== 'literal') p[x.type] = Number(x.value);
  return {
    minute: p.minute!,
    hour: p.hour! % 24,
    day: p.day!,
    month: p.month!,
    dow: new Date(Date.UTC(p.year!, p.month! - 1, p.day)).getUTCDay(),
  };
}

const MIN = 60_000;

export function parseSchedule(schedule: string, timeZone = 'UTC'): Schedule {
  const s = schedule.trim();
  if (s.startsWith('@every ')) {
    const every = goDurationMs(s.slice(7).trim());
    if (!(every > 0)) throw new Error(`@every needs a positive duration`);
    // robfig: the delay is rounded up to whole seconds (at least 1 s); the next firing is after + delay.
    const ms = Math.max(1000, Math.ceil(every / 1000) * 1000);
    return { next: (after) => new Date(Math.floor(after.getTime() / 1000) * 1000 + ms) };
  }
  const expr = DESCRIPTORS[s] ?? s;
  const fields = expr.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected 5 fields, got ${fields.length}`);
  const [mi, ho, dm, mo, dw] = [
    parseField(fields[0]!, MINUTE),
    parseField(fields[1]!, HOUR),
    parseField(fields[2]!, DOM),
    parseField(fields[3]!, MONTH),
    parseField(fields[4]!, DOW),
  ];
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const dayMatches = (w: ReturnType<typeof wall>): boolean => {
    const d = dm.set.has(w.day);
    const k = dw.set.has(w.dow);
    if (dm.star || dw.star) return d && k;
    return d || k;
  };
  return {
    next(after) {
      // Minute by minute in UTC (time zones are whole or half hours apart, so every wall-clock minute
      // is some UTC minute), skipping whole hours and days that cannot match. Bounded: 5 years.
      let t = Math.floor(after.getTime() / MIN) * MIN + MIN;
      const end = t + 5 * 366 * 24 * 60 * MIN;
      while (t < end) {
        const w = wall(fmt, t);
        if (!mo.set.has(w.month) || !dayMatches(w)) {
          // To 23:00 of this wall day, not midnight: a DST day of 23 h must not jump past 00:xx.
          t += Math.max(60 - w.minute, 23 * 60 - (w.hour * 60 + w.minute)) * MIN;
          continue;
        }
        if (!ho.set.has(w.hour)) {
          t += (60 - w.minute) * MIN;
          continue;
        }
        if (mi.set.has(w.minute)) return new Date(t);
        t += MIN;
      }
      throw new Error(`schedule ${JSON.stringify(schedule)} never fires within 5 years`);
    },
  };
}
