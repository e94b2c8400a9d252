import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants, createDeflate } from 'node:zlib';
import {
  FrameReader,
  FrameWriter,
  decodeHeaderBlock,
  encodeHeaderBlock,
  headerDictionary,
  type Frame,
} from './spdy.ts';

function adler32(b: Buffer): number {
  let a = 1;
  let c = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    c = (c + a) % 65521;
  }
  return ((c << 16) | a) >>> 0;
}

/** A peer compressing like Go's spdystream: one zlib stream with the dictionary, sync-flushed per block. */
async function goStyleBlocks(blocks: Buffer[]): Promise<Buffer[]> {
  const z = createDeflate({ dictionary: headerDictionary });
  const out: Buffer[] = [];
  for (const b of blocks) {
    const chunks: Buffer[] = [];
    const onData = (c: Buffer) => chunks.push(c);
    z.on('data', onData);
    z.write(b);
    await new Promise<void>((resolve) => {
      z.flush(constants.Z_SYNC_FLUSH, () => {
        resolve();
      });
    });
    // Output of the flush may arrive on the next tick.
    await new Promise((r) => setImmediate(r));
    z.off('data', onData);
    out.push(Buffer.concat(chunks));
  }
  z.close();
  return out;
}

function synStreamBytes(streamId: number, compressedHeaders: Buffer): Buffer {
  const body = Buffer.alloc(10);
  body.writeUInt32BE(streamId, 0);
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8003, 0);
  h.writeUInt16BE(1, 2);
  h.writeUIntBE(10 + compressedHeaders.length, 5, 3);
  return Buffer.concat([h, body, compressedHeaders]);
}

describe('spdy framing', () => {
  it('has the SPDY/3 dictionary (1423 bytes, the id peers put in their zlib header)', () => {
    assert.equal(headerDictionary.length, 1423);
    // The dictionary id Go and Chromium write after the zlib header when they use it.
    assert.equal(adler32(headerDictionary), 0xe3c6a7c2);
  });

  it('round-trips header blocks, joining repeated values with NUL', () => {
    const h = { streamtype: ['stdout'], port: ['8265'], multi: ['a', 'b'] };
    assert.deepEqual(decodeHeaderBlock(encodeHeaderBlock(h)), h);
  });

  it('reads the frames it writes, across arbitrary chunk boundaries', () => {
    const w = new FrameWriter();
    const frames: Frame[] = [
      {
        type: 'syn_stream',
        streamId: 1,
        associatedId: 0,
        priority: 0,
        fin: false,
        unidirectional: false,
        headers: { streamtype: ['error'] },
      },
      { type: 'syn_reply', streamId: 1, fin: false, headers: {} },
      { type: 'data', streamId: 1, fin: false, data: Buffer.from('hello') },
      { type: 'data', streamId: 3, fin: true, data: Buffer.alloc(0) },
      { type: 'ping', id: 7 },
      { type: 'rst_stream', streamId: 5, status: 5 },
      { type: 'window_update', streamId: 1, delta: 1000 },
      { type: 'goaway', lastGoodStreamId: 9, status: 0 },
      { type: 'headers', streamId: 1, fin: true, headers: { a: ['b'] } },
    ];
    const bytes = Buffer.concat(frames.map((f) => w.encode(f)));
    const r = new FrameReader();
    const got: Frame[] = [];
    for (let i = 0; i < bytes.length; i += 3) got.push(...r.push(bytes.subarray(i, i + 3)));
    assert.deepEqual(got, frames);
  });

  it("inflates a Go-style peer's header blocks that reference the dictionary and earlier blocks", async () => {
    const h1 = encodeHeaderBlock({ streamtype: ['error'], port: ['8265'], requestid: ['0'] });
    const h2 = encodeHeaderBlock({ streamtype: ['data'], port: ['8265'], requestid: ['0'] });
    const [c1, c2] = await goStyleBlocks([h1, h2]);
    assert.ok(c1![1]! & 0x20, 'first block carries FDICT');
    const r = new FrameReader();
    const frames = r.push(Buffer.concat([synStreamBytes(1, c1!), synStreamBytes(3, c2!)]));
    assert.deepEqual(
      frames.map((f) => (f.type === 'syn_stream' ? [f.streamId, f.headers] : f.type)),
      [
        [1, { streamtype: ['error'], port: ['8265'], requestid: ['0'] }],
        [3, { streamtype: ['data'], port: ['8265'], requestid: ['0'] }],
      ],
    );
  });

  it('splits data larger than a frame, FIN only on the last piece', () => {
    const w = new FrameWriter();
    const big = Buffer.alloc(0xffffff + 10, 1);
    const r = new FrameReader();
    const got = r.push(w.encode({ type: 'data', streamId: 1, fin: true, data: big }));
    assert.deepEqual(
      got.map((f) => (f.type === 'data' ? [f.data.length, f.fin] : [])),
      [
        [0xffffff, false],
        [10, true],
      ],
    );
  });

  it('rejects other SPDY versions and bad header blocks', () => {
    const h = Buffer.alloc(12);
    h.writeUInt16BE(0x8002, 0);
    h.writeUInt16BE(6, 2);
    h.writeUIntBE(4, 5, 3);
    assert.throws(() => new FrameReader().push(h), /unsupported SPDY version 2/);
    assert.throws(() => new FrameReader().push(synStreamBytes(1, Buffer.from('xx'))), /not a zlib stream/);
  });
});
