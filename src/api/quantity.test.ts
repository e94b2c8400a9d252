// Quantity tests: vectors transcribed from k8s.io/apimachinery's quantity_test.go plus property
// tests against a bigint model of the rules.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Quantity,
  QuantityError,
  isQuantity,
  parseQuantity,
  quantity,
  type QuantityFormat,
} from './quantity.ts';

/** m × 10^e as nano-units (e ≥ -9). */
function dec(m: bigint, e: number): bigint {
  return m * 10n ** BigInt(e + 9);
}

const KI = 1024n;

// [input, value in nanos, format] — apimachinery TestQuantityParse.
const parseVectors: [string, bigint, QuantityFormat][] = [
  ['0', 0n, 'DecimalSI'],
  ['0n', 0n, 'DecimalSI'],
  ['0Ki', 0n, 'BinarySI'],
  ['0M', 0n, 'DecimalSI'],
  ['0Ti', 0n, 'BinarySI'],
  ['1', dec(1n, 0), 'DecimalSI'],
  ['1Ki', dec(KI, 0), 'BinarySI'],
  ['8Ki', dec(8n * KI, 0), 'BinarySI'],
  ['7Mi', dec(7n * KI ** 2n, 0), 'BinarySI'],
  ['6Gi', dec(6n * KI ** 3n, 0), 'BinarySI'],
  ['5Ti', dec(5n * KI ** 4n, 0), 'BinarySI'],
  ['4Pi', dec(4n * KI ** 5n, 0), 'BinarySI'],
  ['3Ei', dec(3n * KI ** 6n, 0), 'BinarySI'],
  ['100Ti', dec(100n * KI ** 4n, 0), 'BinarySI'],
  ['5n', dec(5n, -9), 'DecimalSI'],
  ['4u', dec(4n, -6), 'DecimalSI'],
  ['3m', dec(3n, -3), 'DecimalSI'],
  ['8k', dec(8n, 3), 'DecimalSI'],
  ['50k', dec(5n, 4), 'DecimalSI'],
  ['7M', dec(7n, 6), 'DecimalSI'],
  ['6G', dec(6n, 9), 'DecimalSI'],
  ['300T', dec(3n, 14), 'DecimalSI'],
  ['2P', dec(2n, 15), 'DecimalSI'],
  ['1E', dec(1n, 18), 'DecimalSI'],
  ['1E-3', dec(1n, -3), 'DecimalExponent'],
  ['1e3', dec(1n, 3), 'DecimalExponent'],
  ['1E6', dec(1n, 6), 'DecimalExponent'],
  ['1e14', dec(1n, 14), 'DecimalExponent'],
  ['1E18', dec(1n, 18), 'DecimalExponent'],
  ['100.035k', dec(100035n, 0), 'DecimalSI'],
  ['0.001', dec(1n, -3), 'DecimalSI'],
  ['0.0005k', dec(5n, -1), 'DecimalSI'],
  ['0.00050k', dec(5n, -1), 'DecimalSI'],
  ['0.50000', dec(5n, -1), 'DecimalSI'],
  ['0.5e0', dec(5n, -1), 'DecimalExponent'],
  ['0.5e-2', dec(5n, -3), 'DecimalExponent'],
  ['10.035M', dec(10035n, 3), 'DecimalSI'],
  ['1.2e3', dec(12n, 2), 'DecimalExponent'],
  ['1.3E+6', dec(13n, 5), 'DecimalExponent'],
  ['1.40e9', dec(14n, 8), 'DecimalExponent'],
  ['1.7E18', dec(17n, 17), 'DecimalExponent'],
  ['9.01', dec(901n, -2), 'DecimalSI'],
  ['7.123456M', dec(7123456n, 0), 'DecimalSI'],
  ['6.987654321G', dec(6987654321n, 0), 'DecimalSI'],
  ['1.01E', dec(101n, 16), 'DecimalSI'],
  // rounding away from zero to 1n
  ['3.001n', dec(4n, -9), 'DecimalSI'],
  ['1.1E-9', dec(2n, -9), 'DecimalExponent'],
  ['0.0000000001', dec(1n, -9), 'DecimalSI'],
  ['0.5e-9', dec(1n, -9), 'DecimalExponent'],
  ['0.9n', dec(1n, -9), 'DecimalSI'],
  ['0.00000012345', dec(124n, -9), 'DecimalSI'],
  // BinarySI saturates at 2^63-1
  ['9Ei', dec(2n ** 63n - 1n, 0), 'BinarySI'],
  ['9223372036854775807Ki', dec(2n ** 63n - 1n, 0), 'BinarySI'],
  ['12E', dec(12n, 18), 'DecimalSI'],
  ['100.035Ki', dec(10243584n, -2), 'BinarySI'],
  ['0.5Mi', dec(524288n, 0), 'BinarySI'],
  ['0.05Gi', dec(536870912n, -1), 'BinarySI'],
  ['0.025Ti', dec(274877906944n, -1), 'BinarySI'],
  ['0.000000000001Ki', dec(2n, -9), 'DecimalSI'],
  ['.001', dec(1n, -3), 'DecimalSI'],
  ['.0001k', dec(100n, -3), 'DecimalSI'],
  ['1.', dec(1n, 0), 'DecimalSI'],
  ['1.G', dec(1n, 9), 'DecimalSI'],
  // decimal quantities are not capped
  ['18446744073709551616', dec(18446744073709551616n, 0), 'DecimalSI'],
];

// [input, canonical] — TestQuantityString alternates, TestQuantityParseEmit, TestParseQuantity.
const canonicalVectors: [string, string][] = [
  ['1024Mi', '1Gi'],
  ['307200Ki', '300Mi'],
  ['1025024Mi', '1001Gi'],
  ['1024Gi', '1Ti'],
  ['1.5Gi', '1536Mi'],
  ['1.5Ki', '1536'],
  ['1000Ki', '1000Ki'],
  ['1048576', '1048576'],
  ['1024', '1024'],
  ['5000m', '5'],
  ['1000M', '1G'],
  ['0.001T', '1G'],
  ['1000u', '1m'],
  ['1.08', '1080m'],
  ['1080000000n', '1080m'],
  ['.001e12', '1e9'],
  ['0.001e0', '1e-3'],
  ['1000e-12', '1e-9'],
  ['80e-3', '80e-3'],
  ['2e3', '2e3'],
  ['1e1', '10'],
  ['00', '0'],
  ['.001Ki', '1024m'],
  ['.000001Ki', '1024u'],
  ['.000000001Ki', '1024n'],
  ['.000000000001Ki', '2n'],
  ['0.1', '100m'],
  ['500m', '500m'],
  ['4G', '4G'],
  ['1.5', '1500m'],
  ['999999999999999999.1', '999999999999999999100m'],
  ['1000000000000000000', '1E'],
  ['10000000000000000000000m', '10E'],
  ['1.0000000000000000001E', '1000000000000000000100m'],
  ['1000E', '1e21'],
  ['-1.5Gi', '-1536Mi'],
  ['-.001Ki', '-1024m'],
  ['+1', '1'],
];

const invalid = [
  '',
  '1.1.M',
  '1+1.0M',
  '0.1mi',
  '0.1am',
  'aoeu',
  '.5i',
  '1i',
  '-3.01i',
  '-3.01e-',
  ' 1',
  '1 ',
  '1e',
  '4K',
  '1e99999',
];

describe('parseQuantity', () => {
  test('apimachinery parse vectors: value and format, also negated and with +', () => {
    for (const [input, nanos, format] of parseVectors) {
      const q = parseQuantity(input);
      assert.equal(q.nanos, nanos, input);
      assert.equal(q.format, format, input);
      const neg = parseQuantity('-' + input);
      assert.equal(neg.nanos, -nanos, '-' + input);
      assert.equal(neg.format, format, '-' + input);
      assert.equal(parseQuantity('+' + input).nanos, nanos, '+' + input);
    }
  });

  test('canonical strings', () => {
    for (const [input, canonical] of canonicalVectors) {
      assert.equal(parseQuantity(input).toString(), canonical, input);
    }
  });

  test('scanner quirks kept: ".", "-", bare suffix are zero', () => {
    for (const s of ['.', '-.', '-', '+', 'Ki', 'm']) assert.equal(parseQuantity(s).isZero(), true, s);
    assert.equal(parseQuantity('Ki').format, 'BinarySI');
  });

  test('invalid strings throw QuantityError', () => {
    for (const s of invalid) {
      assert.throws(() => parseQuantity(s), QuantityError, JSON.stringify(s));
      assert.equal(isQuantity(s), false, s);
    }
    assert.equal(isQuantity(undefined), false);
    assert.equal(isQuantity({}), false);
    assert.throws(() => parseQuantity(Number.NaN), QuantityError);
  });

  test('numbers from YAML parse', () => {
    assert.equal(parseQuantity(4).toString(), '4');
    assert.equal(parseQuantity(0.5).toString(), '500m');
    assert.equal(quantity(1e21).toString(), '1e21');
  });

  test('Value and MilliValue round away from zero', () => {
    assert.equal(parseQuantity('1.5Gi').value(), 1610612736n);
    assert.equal(parseQuantity('500m').value(), 1n);
    assert.equal(parseQuantity('1500m').value(), 2n);
    assert.equal(parseQuantity('-1500m').value(), -2n);
    assert.equal(parseQuantity('2').value(), 2n);
    assert.equal(parseQuantity('2e3').value(), 2000n);
    assert.equal(parseQuantity('4G').value(), 4000000000n);
    assert.equal(parseQuantity('0.1').milliValue(), 100n);
    assert.equal(parseQuantity('1n').milliValue(), 1n);
    assert.equal(parseQuantity('-1n').milliValue(), -1n);
    assert.equal(parseQuantity('9.01').value(), 10n);
    assert.equal(parseQuantity('-9.01').value(), -10n);
  });

  test('arithmetic keeps the format as apimachinery (zero takes the other side)', () => {
    const zero = parseQuantity('0');
    assert.equal(zero.add(parseQuantity('1Gi')).toString(), '1Gi');
    assert.equal(zero.sub(parseQuantity('1Gi')).toString(), '-1Gi');
    assert.equal(parseQuantity('100m').sub(zero).toString(), '100m');
    assert.equal(parseQuantity('1Gi').add(parseQuantity('512Mi')).toString(), '1536Mi');
    assert.equal(parseQuantity('500m').mul(3n).toString(), '1500m');
    assert.equal(parseQuantity('10000T').cmp(parseQuantity('100Gi')), 1);
    assert.equal(parseQuantity('50m').cmp(parseQuantity('100m')), -1);
    assert.equal(Quantity.fromInt(4n).toString(), '4');
    assert.equal(Quantity.fromMilli(1500n).toString(), '1500m');
    assert.equal(Quantity.fromInt(4n * KI ** 3n, 'BinarySI').toString(), '4Gi');
    assert.equal(JSON.stringify({ q: parseQuantity('1.5Gi') }), '{"q":"1536Mi"}');
  });
});

// A generator of valid quantity strings in the apimachinery grammar.
const suffixArb = fc.constantFrom(
  '',
  'n',
  'u',
  'm',
  'k',
  'M',
  'G',
  'T',
  'P',
  'E',
  'Ki',
  'Mi',
  'Gi',
  'Ti',
  'Pi',
  'Ei',
  'e3',
  'E-2',
  'e+6',
  'e0',
  'e-9',
  'e21',
);
const digits = fc.stringMatching(/^[0-9]{1,12}$/);
const quantityString = fc
  .tuple(fc.constantFrom('', '-', '+'), digits, fc.option(fc.stringMatching(/^[0-9]{0,10}$/)), suffixArb)
  .map(([sign, int, frac, suf]) => `${sign}${int}${frac === null ? '' : '.' + frac}${suf}`);

/** Independent model of the value: exact rational num/den, then apimachinery's rounding and cap. */
function modelNanos(s: string): bigint {
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(s)!;
  const neg = m[1] === '-';
  const frac = m[3] ?? '';
  let num = BigInt((m[2] ?? '') + frac || '0');
  let den = 10n ** BigInt(frac.length);
  const suf = m[4] ?? '';
  const bin = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'].indexOf(suf);
  const decs: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
  let exp10 = 0;
  if (bin >= 0) num *= 2n ** BigInt(10 * (bin + 1));
  else if (suf in decs) exp10 = decs[suf]!;
  else exp10 = Number(suf.slice(1));
  const scale = exp10 + 9;
  if (scale >= 0) num *= 10n ** BigInt(scale);
  else den *= 10n ** BigInt(-scale);
  let nanos = (num + den - 1n) / den; // ceil for a non-negative value
  if (bin >= 0 && nanos > (2n ** 63n - 1n) * 1_000_000_000n) nanos = (2n ** 63n - 1n) * 1_000_000_000n;
  return neg ? -nanos : nanos;
}

describe('quantity properties', () => {
  test('parse agrees with an exact rational model (rounding up to 1n, BinarySI cap)', () => {
    fc.assert(
      fc.property(quantityString, (s) => {
        assert.equal(parseQuantity(s).nanos, modelNanos(s));
      }),
      { numRuns: 2000 },
    );
  });

  test('round trip: parse(toString(q)) == q, and canonical form is idempotent', () => {
    fc.assert(
      fc.property(quantityString, (s) => {
        const q = parseQuantity(s);
        const c = q.toString();
        const back = parseQuantity(c);
        assert.equal(back.nanos, q.nanos, `${s} → ${c}`);
        assert.equal(back.toString(), c, `${s} → ${c}`);
        assert.match(c, /^-?[0-9]+([numkMGTPE]|[KMGTPE]i|e-?[0-9]+)?$/, `${s} → ${c}`);
      }),
      { numRuns: 2000 },
    );
  });

  test('canonical form has no removable factor: mantissa not divisible by 1000 (decimal) or 1024 (binary)', () => {
    fc.assert(
      fc.property(quantityString, (s) => {
        const c = parseQuantity(s).toString();
        const m = /^(-?[0-9]+)(.*)$/.exec(c)!;
        const mant = BigInt(m[1]!);
        const suf = m[2]!;
        if (mant === 0n) return;
        if (suf.endsWith('i')) assert.notEqual(mant % 1024n, 0n, c);
        else if (suf !== 'E' && !suf.startsWith('e')) assert.notEqual(mant % 1000n, 0n, c);
      }),
      { numRuns: 1000 },
    );
  });

  test('arithmetic matches bigint arithmetic on the values', () => {
    fc.assert(
      fc.property(quantityString, quantityString, fc.bigInt({ min: -1000n, max: 1000n }), (a, b, n) => {
        const qa = parseQuantity(a);
        const qb = parseQuantity(b);
        assert.equal(qa.add(qb).nanos, qa.nanos + qb.nanos);
        assert.equal(qa.sub(qb).nanos, qa.nanos - qb.nanos);
        assert.equal(qa.mul(n).nanos, qa.nanos * n);
        assert.equal(qa.cmp(qb), qa.nanos < qb.nanos ? -1 : qa.nanos > qb.nanos ? 1 : 0);
        assert.equal(qa.add(qb).sub(qb).equals(qa), true);
        // value() is the ceiling away from zero
        const v = qa.value();
        const abs = qa.nanos < 0n ? -qa.nanos : qa.nanos;
        const absCeil = (abs + 999_999_999n) / 1_000_000_000n;
        assert.equal(v, qa.nanos < 0n ? -absCeil : absCeil);
        assert.equal(qa.sign(), qa.nanos === 0n ? 0 : qa.nanos < 0n ? -1 : 1);
      }),
      { numRuns: 1000 },
    );
  });
});
