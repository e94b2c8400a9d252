import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { oid, seq, time, tlv, uint } from './der.ts';

test('known encodings', () => {
  assert.equal(oid('1.2.840.10045.2.1').toString('hex'), '06072a8648ce3d0201');
  assert.equal(uint(Buffer.from([0x80])).toString('hex'), '02020080');
  assert.equal(uint(Buffer.from([0, 0, 5])).toString('hex'), '020105');
  assert.equal(seq().toString('hex'), '3000');
  assert.equal(time(new Date('2030-01-02T03:04:05Z')).toString(), '\x17\x0d300102030405Z');
  assert.equal(time(new Date('2050-01-02T03:04:05Z')).toString(), '\x18\x0f20500102030405Z');
});

test('long lengths use the multi-byte form', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 70000 }), (n) => {
      const enc = tlv(0x04, Buffer.alloc(n));
      const first = enc[1]!;
      if (n < 128) assert.equal(first, n);
      else {
        const k = first & 0x7f;
        assert.equal(enc.readUIntBE(2, k), n);
        assert.equal(enc.length, 2 + k + n);
      }
    }),
  );
});
