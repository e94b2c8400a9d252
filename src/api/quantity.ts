// Kubernetes resource quantities (`500m`, `1.5Gi`, `2e3`, `4G`), exact, on bigint.
//
// Follows k8s.io/apimachinery pkg/api/resource.Quantity: the same grammar and scanner quirks (so a
// value the API server accepts parses here, and vice versa), the same rounding (any non-zero value
// finer than 1n rounds away from zero to 1n; BinarySI magnitudes cap at 2^63-1 on parse), the same
// remembered format (BinarySI / DecimalSI / DecimalExponent) and the same canonical String().
//
// Internally a quantity is an integer number of nano-units: parsing never keeps anything finer, so
// every value is exactly representable and arithmetic is exact bigint arithmetic.

export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

export class QuantityError extends Error {
  readonly input: string;
  constructor(input: string, reason: string) {
    super(
      `invalid quantity ${JSON.stringify(input)}: ${reason} ` +
        '(expected a number with an optional suffix: n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or e<exponent>, e.g. "500m", "4Gi", "2e3")',
    );
    this.name = 'QuantityError';
    this.input = input;
  }
}

const NANO = 1_000_000_000n;
const MILLI_PER_NANO = 1_000_000n;
// apimachinery caps BinarySI quantities at int64 max when parsing ("8Ei" → 2^63-1).
const MAX_BINARY_NANOS = (2n ** 63n - 1n) * NANO;
// Go would accept `1e2000000000` and spend its memory on it; nothing sane needs more than this.
const MAX_ABS_EXPONENT = 1000n;

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
const SUFFIX_CHARS = 'eEinumkKMGTP';

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

/** n / d rounded away from zero (d > 0): apimachinery's "round up" for both signs. */
function divAway(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (q * d === n) return q;
  return n < 0n ? q - 1n : q + 1n;
}

interface Scanned {
  negative: boolean;
  num: string;
  denom: string;
  suffix: string;
}

// A transcription of apimachinery's parseQuantityString, quirks included: "." and "-" are zero,
// "1." and ".5" are numbers, and a bare suffix ("Ki") is zero of that format.
function scan(str: string): Scanned {
  let pos = 0;
  const end = str.length;
  let negative = false;
  if (str[0] === '-') {
    negative = true;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { negative, num: '0', denom: '', suffix: '' };
  const numStart = pos;
  while (isDigit(str[pos])) pos++;
  const num = str.slice(numStart, pos) || '0';
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    const denomStart = pos;
    while (isDigit(str[pos])) pos++;
    denom = str.slice(denomStart, pos);
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < end) throw new QuantityError(str, `unexpected ${JSON.stringify(str[pos])} at offset ${pos}`);
  return { negative, num, denom, suffix: str.slice(suffixStart) };
}

interface Suffix {
  base: 2 | 10;
  exponent: bigint;
  format: QuantityFormat;
}

function interpretSuffix(input: string, s: string): Suffix {
  const dec = DECIMAL_SUFFIXES[s];
  if (dec !== undefined) return { base: 10, exponent: BigInt(dec), format: 'DecimalSI' };
  const bin = BINARY_SUFFIXES[s];
  if (bin !== undefined) return { base: 2, exponent: BigInt(bin), format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E') && /^[+-]?[0-9]+$/.test(s.slice(1))) {
    const exponent = BigInt(s.slice(1));
    if (abs(exponent) > MAX_ABS_EXPONENT)
      throw new QuantityError(input, `exponent ${s.slice(1)} is out of range`);
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  throw new QuantityError(input, `unknown suffix ${JSON.stringify(s)}`);
}

/** An immutable Kubernetes quantity. */
export class Quantity {
  /** The value in nano-units (value × 10^9), exact. */
  readonly nanos: bigint;
  readonly #format: QuantityFormat;

  private constructor(nanos: bigint, format: QuantityFormat) {
    this.nanos = nanos;
    this.#format = format;
  }

  /** The format the quantity remembers from parsing; String() renders in it. */
  get format(): QuantityFormat {
    return this.#format;
  }

  static fromNanos(nanos: bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(nanos, format);
  }

  /** An integer quantity, like resource.NewQuantity(value, format). */
  static fromInt(value: bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(value * NANO, format);
  }

  /** value/1000, like resource.NewMilliQuantity(value, format). */
  static fromMilli(milli: bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(milli * MILLI_PER_NANO, format);
  }

  static parse(input: string | number): Quantity {
    return parseQuantity(input);
  }

  /** ceil(q) away from zero, like Quantity.Value() (e.g. CPU "1500m" → 2). */
  value(): bigint {
    return divAway(this.nanos, NANO);
  }

  /** ceil(q × 1000) away from zero, like Quantity.MilliValue(). */
  milliValue(): bigint {
    return divAway(this.nanos, MILLI_PER_NANO);
  }

  /** Sum; a zero receiver takes the other's format, as Quantity.Add does. */
  add(q: Quantity): Quantity {
    return new Quantity(this.nanos + q.nanos, this.nanos === 0n ? q.#format : this.#format);
  }

  sub(q: Quantity): Quantity {
    return new Quantity(this.nanos - q.nanos, this.nanos === 0n ? q.#format : this.#format);
  }

  mul(n: bigint): Quantity {
    return new Quantity(this.nanos * n, this.#format);
  }

  neg(): Quantity {
    return new Quantity(-this.nanos, this.#format);
  }

  cmp(q: Quantity): -1 | 0 | 1 {
    return this.nanos < q.nanos ? -1 : this.nanos > q.nanos ? 1 : 0;
  }

  equals(q: Quantity): boolean {
    return this.nanos === q.nanos;
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.nanos < 0n ? -1 : this.nanos > 0n ? 1 : 0;
  }

  /** The canonical form apimachinery serialises: largest suffix without losing precision. */
  toString(): string {
    const n = this.nanos;
    if (n === 0n) return '0';
    // BinarySI renders as DecimalSI when |q| < 1024 or q is fractional, so nothing is rounded.
    if (this.#format === 'BinarySI' && abs(n) >= 1024n * NANO && n % NANO === 0n) {
      let v = n / NANO;
      let power = 0;
      // Stops at Ei: apimachinery has no larger binary suffix.
      while (power < BINARY_BY_POWER.length - 1 && v % 1024n === 0n) {
        v /= 1024n;
        power++;
      }
      return `${v}${BINARY_BY_POWER[power]}`;
    }
    let mantissa = n;
    let exponent = -9;
    while (mantissa % 10n === 0n) {
      mantissa /= 10n;
      exponent++;
    }
    while (exponent % 3 !== 0) {
      mantissa *= 10n;
      exponent--;
    }
    if (this.#format !== 'DecimalExponent') {
      const suffix = DECIMAL_BY_EXPONENT.get(exponent);
      if (suffix !== undefined) return `${mantissa}${suffix}`;
    }
    return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Parses a quantity as the API server does; throws QuantityError. Numbers (from YAML) are accepted. */
export function parseQuantity(input: string | number): Quantity {
  let str: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new QuantityError(String(input), 'not a finite number');
    str = String(input);
  } else if (typeof input === 'string') {
    str = input;
  } else {
    throw new QuantityError(String(input), `expected a string or number, got ${typeof input}`);
  }
  if (str.length === 0) throw new QuantityError(str, 'empty string');
  const { negative, num, denom, suffix } = scan(str);
  const { base, exponent, format: parsedFormat } = interpretSuffix(str, suffix);
  const digits = BigInt(num + denom);
  // value = digits × 10^-len(denom) × base^exponent; scale it to nano-units, rounding up.
  let numerator = digits;
  let tenPower = 9n - BigInt(denom.length);
  if (base === 10) tenPower += exponent;
  else numerator *= 2n ** exponent;
  let nanos = tenPower >= 0n ? numerator * 10n ** tenPower : divAway(numerator, 10n ** -tenPower);
  let format = parsedFormat;
  if (format === 'BinarySI') {
    if (nanos > MAX_BINARY_NANOS) nanos = MAX_BINARY_NANOS;
    // A fraction of one cannot be written in BinarySI without rounding.
    if (nanos > 0n && nanos < NANO) format = 'DecimalSI';
  }
  return Quantity.fromNanos(negative ? -nanos : nanos, format);
}

/** Alias of parseQuantity, for builders: `quantity('4Gi')`. */
export const quantity = parseQuantity;

export function isQuantity(input: unknown): boolean {
  if (typeof input !== 'string' && typeof input !== 'number') return false;
  try {
    parseQuantity(input);
    return true;
  } catch {
    return false;
  }
}
