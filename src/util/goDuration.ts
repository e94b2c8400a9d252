// Go's time.ParseDuration, the syntax KubeRay's annotations, cron `@every` and kubectl-style flags
// accept: a sequence of decimal numbers, each with a unit (ns, us/µs, ms, s, m, h), e.g. "1h30m",
// "1.5s"; "0" alone is zero. One parser, so every place reads "90s" the same way.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** The duration in milliseconds, or undefined when `v` is not a Go duration. */
export function parseGoDurationMs(v: string): number | undefined {
  const s = v.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = re.lastIndex;
  }
  return end === s.length && end > 0 ? total : undefined;
}
