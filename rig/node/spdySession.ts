// One SPDY/3.1 connection after the HTTP upgrade, server side: the peer opens streams (SYN_STREAM),
// we accept each with an empty SYN_REPLY or refuse it, data flows both ways, either side half-closes
// with FIN or resets. PINGs are echoed (kubectl pings every few seconds); GOAWAY from the peer, or
// the socket closing, ends every stream.
import { PassThrough } from 'node:stream';
import type { Duplex } from 'node:stream';
import { FrameReader, FrameWriter, SpdyProtocolError, rstStatus, type Frame, type Headers } from './spdy.ts';

export class SpdyStream {
  readonly id: number;
  readonly headers: Headers;
  /** What the peer sends; ends on its FIN, a reset, or the connection closing. */
  readonly incoming = new PassThrough();
  readonly #session: SpdySession;
  #finSent = false;

  constructor(session: SpdySession, id: number, headers: Headers) {
    this.#session = session;
    this.id = id;
    this.headers = headers;
  }

  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  /** False when the socket's buffer is full (wait for drain()). */
  write(data: Buffer | string): boolean {
    if (this.#finSent || data.length === 0) return true;
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    return this.#session.send({ type: 'data', streamId: this.id, fin: false, data: buf });
  }

  /** Half-closes our side (FIN). */
  end(): void {
    if (this.#finSent) return;
    this.#finSent = true;
    this.#session.send({ type: 'data', streamId: this.id, fin: true, data: Buffer.alloc(0) });
  }

  reset(status: number = rstStatus.cancel): void {
    if (!this.#finSent) this.#session.send({ type: 'rst_stream', streamId: this.id, status });
    this.#finSent = true;
    this.incoming.end();
  }

  drain(): Promise<void> {
    return this.#session.drain();
  }
}

/** Pipes a readable into a stream with backpressure, FIN at the end; resolves when the source ended. */
export function pipeToStream(src: NodeJS.ReadableStream, s: SpdyStream, fin = true): Promise<void> {
  return new Promise((resolve) => {
    src.on('data', (b: Buffer) => {
      if (!s.write(b)) {
        src.pause();
        void s.drain().then(() => src.resume());
      }
    });
    const done = () => {
      if (fin) s.end();
      resolve();
    };
    src.once('end', done);
    src.once('error', done);
  });
}

export class SpdySession {
  readonly #socket: Duplex;
  readonly #reader = new FrameReader();
  readonly #writer = new FrameWriter();
  readonly #streams = new Map<number, SpdyStream>();
  #lastAccepted = 0;
  #closed = false;
  readonly closed: Promise<void>;

  /** `accept` returns false (or throws) to refuse a stream. */
  constructor(socket: Duplex, accept: (s: SpdyStream) => boolean, head?: Buffer) {
    this.#socket = socket;
    let onClosed!: () => void;
    this.closed = new Promise((r) => (onClosed = r));
    const finish = () => {
      if (this.#closed) return;
      this.#closed = true;
      for (const s of this.#streams.values()) s.incoming.end();
      this.#streams.clear();
      onClosed();
    };
    socket.on('close', finish);
    socket.on('error', finish);
    socket.on('end', finish);
    const onBytes = (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = this.#reader.push(chunk);
      } catch (e) {
        // A peer that speaks something else: tell it and hang up.
        this.send({ type: 'goaway', lastGoodStreamId: this.#lastAccepted, status: 1 });
        socket.destroy(e instanceof SpdyProtocolError ? undefined : (e as Error));
        return;
      }
      for (const f of frames) this.#handle(f, accept);
    };
    if (head?.length) onBytes(head);
    socket.on('data', onBytes);
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  #handle(f: Frame, accept: (s: SpdyStream) => boolean): void {
    switch (f.type) {
      case 'syn_stream': {
        const s = new SpdyStream(this, f.streamId, f.headers);
        let ok: boolean;
        try {
          ok = accept(s);
        } catch {
          ok = false;
        }
        if (!ok) {
          this.send({ type: 'rst_stream', streamId: f.streamId, status: rstStatus.refusedStream });
          return;
        }
        this.#streams.set(f.streamId, s);
        this.#lastAccepted = f.streamId;
        this.send({ type: 'syn_reply', streamId: f.streamId, fin: false, headers: {} });
        if (f.fin) s.incoming.end();
        return;
      }
      case 'data': {
        const s = this.#streams.get(f.streamId);
        // After our reset (port-forward: the pod's port refused or closed — its pod deleted) the peer
        // may still send what it had in flight. Writing it to the ended `incoming` would emit an
        // 'error' nobody listens to, and that killed the whole local node; drop it, as a peer must.
        if (!s || s.incoming.writableEnded) return;
        if (f.data.length) s.incoming.write(f.data);
        if (f.fin) s.incoming.end();
        return;
      }
      case 'rst_stream': {
        const s = this.#streams.get(f.streamId);
        this.#streams.delete(f.streamId);
        s?.incoming.end();
        return;
      }
      case 'headers':
        if (f.fin) this.#streams.get(f.streamId)?.incoming.end();
        return;
      case 'ping':
        this.send(f);
        return;
      case 'goaway':
        this.close();
        return;
      default:
        return; // SETTINGS, WINDOW_UPDATE, SYN_REPLY (we open no streams): nothing to do
    }
  }

  send(f: Frame): boolean {
    if (this.#closed || this.#socket.destroyed) return true;
    return this.#socket.write(this.#writer.encode(f));
  }

  drain(): Promise<void> {
    if (this.#closed || !this.#socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        resolve();
      };
      this.#socket.once('drain', done);
      this.#socket.once('close', done);
    });
  }

  /** GOAWAY, then the socket ends once what we wrote is flushed. */
  close(): void {
    if (this.#closed) return;
    this.send({ type: 'goaway', lastGoodStreamId: this.#lastAccepted, status: 0 });
    this.#socket.end();
  }
}
