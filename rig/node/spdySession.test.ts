// One SPDY session over an in-memory socket pair: what a peer may send after we reset a stream.
import assert from 'node:assert/strict';
import { duplexPair } from 'node:stream';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { FrameReader, FrameWriter, rstStatus, type Frame } from './spdy.ts';
import { SpdySession, type SpdyStream } from './spdySession.ts';

function peer() {
  const [ours, theirs] = duplexPair();
  const writer = new FrameWriter();
  const reader = new FrameReader();
  const received: Frame[] = [];
  theirs.on('data', (b: Buffer) => received.push(...reader.push(b)));
  return { ours, send: (f: Frame) => theirs.write(writer.encode(f)), received, theirs };
}

const syn = (streamId: number): Frame => ({
  type: 'syn_stream',
  streamId,
  associatedId: 0,
  priority: 0,
  fin: false,
  unidirectional: false,
  headers: { streamtype: ['data'], port: ['8265'] },
});

describe('SpdySession', () => {
  it('passes data to an accepted stream, then ignores what arrives after our reset (no error, the session lives)', async () => {
    const p = peer();
    const streams: SpdyStream[] = [];
    const session = new SpdySession(p.ours, (s) => (streams.push(s), true));
    p.send(syn(1));
    p.send({ type: 'data', streamId: 1, fin: false, data: Buffer.from('GET / HTTP/1.1\r\n') });
    await tick();
    const s = streams[0]!;
    const got: Buffer[] = [];
    s.incoming.on('data', (b: Buffer) => got.push(b));
    const errors: unknown[] = [];
    s.incoming.on('error', (e) => errors.push(e));
    await tick();
    assert.equal(Buffer.concat(got).toString(), 'GET / HTTP/1.1\r\n');

    // The pod refused or closed: the forwarder resets the data stream. The peer's request bytes
    // were already on their way.
    s.reset(rstStatus.cancel);
    p.send({ type: 'data', streamId: 1, fin: false, data: Buffer.from('Host: x\r\n\r\n') });
    p.send({ type: 'data', streamId: 1, fin: true, data: Buffer.alloc(0) });
    p.send({ type: 'ping', id: 7 });
    await tick();
    await tick();
    assert.deepEqual(errors, []);
    assert.equal(Buffer.concat(got).toString(), 'GET / HTTP/1.1\r\n', 'nothing after the reset');
    assert.ok(!session.isClosed, 'the session (other forwarded ports) goes on');
    assert.ok(
      p.received.some((f) => f.type === 'rst_stream' && f.streamId === 1),
      'the peer was told the stream is reset',
    );
    assert.ok(
      p.received.some((f) => f.type === 'ping' && f.id === 7),
      'and still gets its pings answered',
    );
    session.close();
  });
});
