// A minimal protobuf wire-format reader/writer: just what the GCS autoscaler-state call needs.
//
// Why hand-written: the only messages Kuray reads from GCS are a handful of autoscaler messages
// (ray.rpc.autoscaler.*). Pulling in @grpc/grpc-js + protobufjs + .proto files from the Ray repo
// for that is a lot of weight; the wire format is small and stable (varint, 64-bit, length-
// delimited, 32-bit). Unknown fields are skipped, so newer Ray versions that add fields still parse.

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export class ProtobufError extends Error {
  override name = 'ProtobufError';
}

/** One decoded field: its number, wire type and raw payload (a bigint for varints). */
export type WireField =
  | { field: number; wire: typeof WIRE_VARINT; value: bigint }
  | { field: number; wire: typeof WIRE_I64; bytes: Uint8Array }
  | { field: number; wire: typeof WIRE_LEN; bytes: Uint8Array }
  | { field: number; wire: typeof WIRE_I32; bytes: Uint8Array };

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new ProtobufError('truncated varint');
    const b = buf[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
  throw new ProtobufError('varint longer than 10 bytes');
}

/** Splits a message into its top-level fields, in wire order (repeated fields appear repeatedly). */
export function readFields(buf: Uint8Array): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, p1] = readVarint(buf, pos);
    pos = p1;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new ProtobufError('field number 0');
    if (wire === WIRE_VARINT) {
      const [value, p2] = readVarint(buf, pos);
      pos = p2;
      out.push({ field, wire, value });
    } else if (wire === WIRE_I64 || wire === WIRE_I32) {
      const n = wire === WIRE_I64 ? 8 : 4;
      if (pos + n > buf.length) throw new ProtobufError('truncated fixed-width field');
      out.push({ field, wire, bytes: buf.subarray(pos, pos + n) });
      pos += n;
    } else if (wire === WIRE_LEN) {
      const [len, p2] = readVarint(buf, pos);
      const end = p2 + Number(len);
      if (end > buf.length) throw new ProtobufError(`truncated length-delimited field ${field}`);
      out.push({ field, wire, bytes: buf.subarray(p2, end) });
      pos = end;
    } else {
      // Groups (3/4) are deprecated and unused by Ray's protos.
      throw new ProtobufError(`unsupported wire type ${wire} for field ${field}`);
    }
  }
  return out;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

export function asString(f: WireField): string {
  if (f.wire !== WIRE_LEN) throw new ProtobufError(`field ${f.field}: expected bytes, got wire ${f.wire}`);
  return decoder.decode(f.bytes);
}

export function asBytes(f: WireField): Uint8Array {
  if (f.wire !== WIRE_LEN) throw new ProtobufError(`field ${f.field}: expected bytes, got wire ${f.wire}`);
  return f.bytes;
}

/** int64/int32/enum/bool as a JS number (values Ray sends here fit in 2^53). Two's complement for negatives. */
export function asInt(f: WireField): number {
  if (f.wire !== WIRE_VARINT)
    throw new ProtobufError(`field ${f.field}: expected varint, got wire ${f.wire}`);
  return Number(BigInt.asIntN(64, f.value));
}

export function asDouble(f: WireField): number {
  if (f.wire !== WIRE_I64) throw new ProtobufError(`field ${f.field}: expected double, got wire ${f.wire}`);
  return new DataView(f.bytes.buffer, f.bytes.byteOffset, 8).getFloat64(0, true);
}

/** A map<string, V> entry: key is field 1, value is field 2. Missing key/value take proto3 defaults. */
export function readMapEntry<V>(entry: Uint8Array, value: (f: WireField) => V, dflt: V): [string, V] {
  let k = '';
  let v = dflt;
  for (const f of readFields(entry)) {
    if (f.field === 1) k = asString(f);
    else if (f.field === 2) v = value(f);
  }
  return [k, v];
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function writeVarint(out: number[], v: bigint): void {
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
}

/** A field to encode: varint (int/enum/bool) or length-delimited (bytes/string). */
export type EncodeField =
  { field: number; value: number | bigint } | { field: number; bytes: Uint8Array | string };

const encoder = new TextEncoder();

/** Encodes a flat message of varint and bytes/string fields (enough for the requests Kuray sends). */
export function encodeFields(fields: readonly EncodeField[]): Uint8Array {
  const out: number[] = [];
  for (const f of fields) {
    if ('value' in f) {
      const v = BigInt(f.value);
      if (v === 0n) continue; // proto3: default values are not sent
      writeVarint(out, BigInt(f.field << 3) | BigInt(WIRE_VARINT));
      writeVarint(out, v);
    } else {
      const b = typeof f.bytes === 'string' ? encoder.encode(f.bytes) : f.bytes;
      if (b.length === 0) continue;
      writeVarint(out, BigInt(f.field << 3) | BigInt(WIRE_LEN));
      writeVarint(out, BigInt(b.length));
      for (const x of b) out.push(x);
    }
  }
  return Uint8Array.from(out);
}

/** Encodes a message made only of varint fields. */
export function encodeVarintFields(fields: readonly { field: number; value: number | bigint }[]): Uint8Array {
  return encodeFields(fields);
}
