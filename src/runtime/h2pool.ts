// HTTP/2 sessions to the API server, shared by every request and watch of a KubeClient, as client-go
// does. Over HTTP/1.1 each open watch holds a socket for minutes, so an operator watching ~10 kinds in
// 100 namespaces held ~1,000 sockets (and with a capped pool, starved every other request). Over
// HTTP/2 a watch is one stream: the whole operator needs one connection per `maxConcurrentStreams`
// streams the server allows (kube-apiserver: 250 unless --http2-max-streams-per-connection says
// otherwise), so the connection count stays bounded however many namespaces are watched.
//
// Sessions are per TLS identity (an exec plugin may rotate the client certificate: new streams then go
// to a session with the new certificate, the old one closes when its streams end).
import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { RetriableWireError, type WireRequest, type WireResponse } from './wire.ts';

export interface TlsIdentity {
  ca?: string | Buffer | (string | Buffer)[];
  cert?: string | Buffer | (string | Buffer)[];
  key?: string | Buffer | (string | Buffer)[];
  servername?: string;
  rejectUnauthorized?: boolean;
}

export interface H2PoolOptions {
  /** A session idle this long is closed (it holds a socket and a TLS context). */
  idleMs?: number;
  /** PING period on busy sessions; a peer that does not answer within pingTimeoutMs is dropped. */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
}

/** The server did not negotiate h2 (ALPN): the client falls back to HTTP/1.1. */
export class H2UnsupportedError extends Error {}

// Streams a session may carry before the server's SETTINGS arrive: RFC 9113 recommends servers allow at
// least 100, and kube-apiserver allows 250, so 100 never overshoots.
const ASSUMED_MAX_STREAMS = 100;
// Per-stream receive window 4 MiB and connection window 32 MiB (client-go: 4 MiB / 1 GiB): a relist of
// a large namespace or a burst of watch events is not paced by window updates at 64 KiB.
const STREAM_WINDOW = 4 << 20;
const SESSION_WINDOW = 32 << 20;

interface Session {
  readonly id: number;
  readonly key: string;
  readonly s: http2.ClientHttp2Session;
  readonly ready: Promise<void>;
  active: number;
  /** GOAWAY received or closing: takes no new streams. */
  draining: boolean;
  idleTimer?: NodeJS.Timeout;
  pingTimer?: NodeJS.Timeout;
}

/** Streams refused before the server processed them: safe to send again on another session. */
function refusedBeforeProcessing(err: NodeJS.ErrnoException, stream: http2.ClientHttp2Stream): boolean {
  return (
    stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM ||
    err.code === 'ERR_HTTP2_GOAWAY_SESSION' ||
    err.code === 'ERR_HTTP2_INVALID_SESSION'
  );
}

export class H2Pool {
  readonly #origin: URL;
  readonly #opts: Required<H2PoolOptions>;
  readonly #sessions = new Set<Session>();
  #nextId = 1;
  #closed = false;

  constructor(origin: URL, opts: H2PoolOptions = {}) {
    this.#origin = origin;
    this.#opts = { idleMs: 90_000, pingIntervalMs: 30_000, pingTimeoutMs: 15_000, ...opts };
  }

  /** Open connections (sessions connected or connecting). */
  get connections(): number {
    return this.#sessions.size;
  }

  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS, once a session has received them. */
  get maxStreamsPerConnection(): number | undefined {
    for (const s of this.#sessions)
      if (!s.s.connecting && !s.s.destroyed) return s.s.remoteSettings.maxConcurrentStreams;
    return undefined;
  }

  /** Streams in flight over all sessions (open watches included). */
  get streams(): number {
    let n = 0;
    for (const s of this.#sessions) n += s.active;
    return n;
  }

  close(): void {
    this.#closed = true;
    for (const s of this.#sessions) s.s.close();
  }

  async request(id: TlsIdentity, req: WireRequest): Promise<WireResponse> {
    if (this.#closed) throw new Error('the client is closed');
    const key = identityKey(id);
    const session = this.#pick(key) ?? this.#connect(key, id);
    // Counted before the handshake completes, so a burst of requests fills this session up to its
    // assumed limit and only then opens another.
    this.#began(session);
    try {
      await session.ready;
    } catch (e) {
      this.#ended(session);
      throw e;
    }
    return this.#stream(session, req);
  }

  #pick(key: string): Session | undefined {
    for (const s of this.#sessions) {
      if (s.key !== key || s.draining || s.s.destroyed || s.s.closed) continue;
      const max = s.s.connecting
        ? ASSUMED_MAX_STREAMS
        : (s.s.remoteSettings.maxConcurrentStreams ?? ASSUMED_MAX_STREAMS);
      if (s.active < max) return s;
    }
    return undefined;
  }

  #connect(key: string, id: TlsIdentity): Session {
    const host = this.#origin.hostname.replace(/^\[|\]$/g, '');
    const port = Number(this.#origin.port || 443);
    let alpn: string | false | null | undefined;
    const s = http2.connect(this.#origin, {
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
      peerMaxConcurrentStreams: ASSUMED_MAX_STREAMS,
      createConnection: () => {
        const sock = tls.connect({
          host,
          port,
          // SNI carries host names only; an IP address there is refused by Node and ignored by servers.
          ...(id.servername ? { servername: id.servername } : isIP(host) ? {} : { servername: host }),
          ...(id.ca !== undefined ? { ca: id.ca } : {}),
          ...(id.cert !== undefined ? { cert: id.cert } : {}),
          ...(id.key !== undefined ? { key: id.key } : {}),
          rejectUnauthorized: id.rejectUnauthorized ?? true,
          ALPNProtocols: ['h2', 'http/1.1'],
        });
        sock.once('secureConnect', () => {
          alpn = sock.alpnProtocol;
        });
        return sock;
      },
    });
    const session: Session = {
      id: this.#nextId++,
      key,
      s,
      active: 0,
      draining: false,
      ready: new Promise<void>((resolve, reject) => {
        s.once('connect', () => {
          // Node emits connect before the server has answered the HTTP/2 preface: an HTTP/1.1 server
          // shows in the ALPN answer here, not in an error yet.
          if (alpn === 'h2') resolve();
          else {
            reject(new H2UnsupportedError(`ALPN chose ${alpn || 'no protocol'}`));
            s.destroy();
          }
        });
        s.once('error', (e: Error) => {
          reject(
            alpn !== undefined && alpn !== 'h2'
              ? new H2UnsupportedError(`ALPN chose ${alpn || 'nothing'}`)
              : e,
          );
        });
        s.once('close', () => {
          reject(new Error(`connection to ${this.#origin.host} closed`));
        });
      }),
    };
    session.ready.then(
      () => {
        s.setLocalWindowSize(SESSION_WINDOW);
      },
      () => undefined,
    );
    s.on('error', () => undefined); // surfaced through `ready` and each stream's own error
    s.on('goaway', () => {
      session.draining = true;
    });
    s.on('close', () => {
      clearTimeout(session.idleTimer);
      clearInterval(session.pingTimer);
      this.#sessions.delete(session);
    });
    session.pingTimer = setInterval(() => {
      this.#ping(session);
    }, this.#opts.pingIntervalMs).unref();
    this.#sessions.add(session);
    return session;
  }

  /** A peer that stopped answering (a half-open TCP connection) is only noticed by a PING. */
  #ping(session: Session): void {
    const { s } = session;
    if (session.active === 0 || s.connecting || s.destroyed) return;
    const timer = setTimeout(() => {
      s.destroy(new Error(`no PING answer from ${this.#origin.host} in ${this.#opts.pingTimeoutMs} ms`));
    }, this.#opts.pingTimeoutMs).unref();
    const sent = s.ping((err) => {
      clearTimeout(timer);
      if (err && !s.destroyed) s.destroy(err);
    });
    if (!sent) clearTimeout(timer);
  }

  #began(session: Session): void {
    session.active++;
    clearTimeout(session.idleTimer);
    // Like Node's keep-alive agent: a busy connection keeps the process alive, an idle one does not.
    session.s.ref();
  }

  #ended(session: Session): void {
    session.active--;
    if (session.active > 0) return;
    session.s.unref();
    session.idleTimer = setTimeout(() => {
      if (session.active === 0) session.s.close();
    }, this.#opts.idleMs).unref();
  }

  #stream(session: Session, req: WireRequest): Promise<WireResponse> {
    const headers: http2.OutgoingHttpHeaders = {
      ':method': req.method,
      ':path': req.path,
      ':authority': this.#origin.host,
    };
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.s.request(headers, {
        endStream: req.body === undefined,
        ...(req.signal ? { signal: req.signal } : {}),
      });
    } catch (e) {
      this.#ended(session);
      const err = e as NodeJS.ErrnoException;
      throw err.code === 'ERR_HTTP2_INVALID_SESSION' || err.code === 'ERR_HTTP2_GOAWAY_SESSION'
        ? new RetriableWireError(err)
        : err;
    }
    stream.once('close', () => {
      this.#ended(session);
    });
    if (req.body !== undefined) stream.end(req.body);
    return new Promise<WireResponse>((resolve, reject) => {
      let answered = false;
      if (req.timeoutMs !== undefined) {
        const ms = req.timeoutMs;
        stream.setTimeout(ms, () => {
          stream.destroy(new Error(`${req.method} ${req.path}: timed out after ${ms} ms`));
        });
      }
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (answered) return; // the body's reader sees it
        reject(refusedBeforeProcessing(e, stream) ? new RetriableWireError(e) : e);
      });
      stream.once('close', () => {
        if (!answered)
          reject(
            new RetriableWireError(new Error(`stream closed before a response (code ${stream.rstCode})`)),
          );
      });
      stream.once('response', (h) => {
        answered = true;
        resolve(h2Response(stream, h));
      });
    });
  }
}

function h2Response(stream: http2.ClientHttp2Stream, h: http2.IncomingHttpHeaders): WireResponse {
  const body = new BodyQueue(stream);
  return {
    status: Number(h[':status'] ?? 0),
    header: (name) => {
      const v = h[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    },
    // END_STREAM seen and no reset: a watch the server ended on its timeout, not a lost connection.
    get complete() {
      return body.ended && !stream.rstCode; // undefined while open, NGHTTP2_NO_ERROR (0) after a clean end
    },
    destroy: () => {
      if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
    },
    [Symbol.asyncIterator]: () => body,
  };
}

// Bytes buffered before the stream is paused (flow control then holds the server back).
const HIGH_WATER = 1 << 20;

/**
 * The body, read from the moment the response arrives. A Node Http2Stream read later through its
 * own async iterator fails with "Premature close" when the server has already ended and closed the
 * stream (a small reply read after an await), so chunks are taken as they come and handed out here.
 */
class BodyQueue implements AsyncIterator<Buffer> {
  ended = false;
  readonly #stream: http2.ClientHttp2Stream;
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  #error: Error | undefined;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(stream: http2.ClientHttp2Stream) {
    this.#stream = stream;
    stream.on('data', (c: Buffer) => {
      this.#chunks.push(c);
      this.#bytes += c.length;
      if (this.#bytes > HIGH_WATER) stream.pause();
      this.#notify();
    });
    stream.once('end', () => {
      this.ended = true;
      this.#notify();
    });
    stream.on('error', (e: Error) => {
      this.#error = e;
      this.#notify();
    });
    stream.once('close', () => {
      this.#closed = true;
      this.#notify();
    });
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  async next(): Promise<IteratorResult<Buffer>> {
    for (;;) {
      const c = this.#chunks.shift();
      if (c) {
        this.#bytes -= c.length;
        if (this.#bytes <= HIGH_WATER / 4 && this.#stream.isPaused()) this.#stream.resume();
        return { value: c, done: false };
      }
      if (this.#error) throw this.#error;
      if (this.ended) return { value: undefined, done: true };
      if (this.#closed) throw new Error(`stream closed before its end (code ${this.#stream.rstCode})`);
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  return(): Promise<IteratorResult<Buffer>> {
    if (!this.#stream.destroyed) this.#stream.close(http2.constants.NGHTTP2_CANCEL);
    return Promise.resolve({ value: undefined, done: true });
  }
}

function identityKey(id: TlsIdentity): string {
  const h = createHash('sha256');
  for (const part of [id.ca, id.cert, id.key])
    for (const p of part === undefined ? [] : Array.isArray(part) ? part : [part]) h.update(p).update('\0');
  h.update(`${id.servername ?? ''}\0${String(id.rejectUnauthorized ?? true)}`);
  return h.digest('hex');
}
