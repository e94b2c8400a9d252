import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { asInt, encodeVarintFields, ProtobufError, readFields } from './protobuf.ts';

test('property: varint fields round-trip, negatives as 64-bit two’s complement', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          field: fc.integer({ min: 1, max: 1000 }),
          value: fc.integer({ min: -(2 ** 40), max: 2 ** 52 }),
        }),
        {
          maxLength: 10,
        },
      ),
      (fields) => {
        const back = readFields(encodeVarintFields(fields)).map((f) => ({ field: f.field, value: asInt(f) }));
        assert.deepEqual(
          back,
          fields.filter((f) => f.value !== 0).map((f) => ({ field: f.field, value: f.value })),
        );
      },
    ),
  );
});

test('truncated input is a ProtobufError, not garbage', () => {
  assert.throws(() => readFields(Uint8Array.from([0x0a, 0x05, 0x01])), ProtobufError); // LEN 5, 1 byte
  assert.throws(() => readFields(Uint8Array.from([0x08, 0x80])), ProtobufError); // unfinished varint
  assert.throws(() => readFields(Uint8Array.from([0x0b])), ProtobufError); // group wire type
});
