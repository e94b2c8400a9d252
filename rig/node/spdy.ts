// SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00), the transport the kubelet's streaming endpoints
// speak: the API server upgrades `kubectl exec/attach/port-forward` to SPDY towards the node, both
// when kubectl itself speaks SPDY (proxied as is) and when it speaks WebSocket v5 (translated by the
// API server). Pure: bytes in, frames out, and back. No flow control: Kubernetes' spdystream peers
// neither send nor honour WINDOW_UPDATE.
//
// Header blocks are zlib-compressed with one context per direction and a preset dictionary. Reading:
// peers sync-flush after each block, so a block is a byte-aligned run of raw deflate blocks whose
// back-references reach into the dictionary and earlier blocks; it inflates on its own given that
// window (the last 32 KiB of everything inflated before). Writing: each block is deflated on its own
// and sync-flushed, which is a valid continuation of the stream for any inflater.
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

export type Headers = Record<string, string[]>;

export type Frame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | {
      type: 'syn_stream';
      streamId: number;
      associatedId: number;
      priority: number;
      fin: boolean;
      unidirectional: boolean;
      headers: Headers;
    }
  | { type: 'syn_reply'; streamId: number; fin: boolean; headers: Headers }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings' }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; fin: boolean; headers: Headers }
  | { type: 'window_update'; streamId: number; delta: number };

export const rstStatus = {
  protocolError: 1,
  invalidStream: 2,
  refusedStream: 3,
  cancel: 5,
  internalError: 6,
} as const;

const controlType = {
  syn_stream: 1,
  syn_reply: 2,
  rst_stream: 3,
  settings: 4,
  ping: 6,
  goaway: 7,
  headers: 8,
  window_update: 9,
} as const;

const FLAG_FIN = 0x01;
const FLAG_UNIDIRECTIONAL = 0x02;
const maxFrameLength = 0xffffff;

// The SPDY/3 header dictionary (spec §2.6.10.1): common header names and values, each with a 4-byte
// length, then a run of common status lines, dates and media types.
// prettier-ignore
const dictionaryWords = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding',
  'accept-language', 'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection',
  'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location',
  'content-md5', 'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host',
  'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified',
  'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via',
  'warning', 'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url',
  'public', 'set-cookie', 'keep-alive', 'origin',
];
const dictionaryTail =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const headerDictionary: Buffer = Buffer.concat([
  ...dictionaryWords.map((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    return Buffer.concat([len, Buffer.from(w, 'latin1')]);
  }),
  Buffer.from(dictionaryTail, 'latin1'),
]);

export class SpdyProtocolError extends Error {}

/** Uncompressed header block: count, then (name length, name, value length, value)… Values join with NUL. */
export function encodeHeaderBlock(headers: Readonly<Headers>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(b: Buffer): Headers {
  let off = 0;
  const u32 = () => {
    if (off + 4 > b.length) throw new SpdyProtocolError('truncated header block');
    const n = b.readUInt32BE(off);
    off += 4;
    return n;
  };
  const str = (n: number) => {
    if (off + n > b.length) throw new SpdyProtocolError('truncated header block');
    const s = b.toString('utf8', off, off + n);
    off += n;
    return s;
  };
  const out: Headers = {};
  for (let count = u32(); count > 0; count--) {
    const name = str(u32()).toLowerCase();
    const value = str(u32());
    (out[name] ??= []).push(...value.split('\0'));
  }
  return out;
}

/** The peer's header compression context (one per connection and direction). */
class HeaderInflater {
  #window: Buffer = headerDictionary;
  #started = false;

  inflate(block: Buffer): Buffer {
    let raw = block;
    if (!this.#started) {
      // zlib header: CMF, FLG, and a 4-byte dictionary id when FDICT is set.
      if (block.length < 2 || (block[0]! & 0x0f) !== 8 || block.readUInt16BE(0) % 31 !== 0)
        throw new SpdyProtocolError('header block is not a zlib stream');
      raw = block.subarray(block[1]! & 0x20 ? 6 : 2);
      this.#started = true;
    }
    let out: Buffer;
    try {
      out = inflateRawSync(raw, { dictionary: this.#window, finishFlush: constants.Z_SYNC_FLUSH });
    } catch (e) {
      throw new SpdyProtocolError(`header block does not inflate: ${(e as Error).message}`);
    }
    this.#window = Buffer.concat([this.#window, out]).subarray(-32768);
    return out;
  }
}

class HeaderDeflater {
  #started = false;

  deflate(block: Buffer): Buffer {
    const body = deflateRawSync(block, { finishFlush: constants.Z_SYNC_FLUSH });
    if (this.#started) return body;
    this.#started = true;
    // zlib header without a preset dictionary (FDICT=0): our blocks never reference one.
    return Buffer.concat([Buffer.from([0x78, 0x01]), body]);
  }
}

/** Incremental reader: push bytes as they arrive, take whole frames. */
export class FrameReader {
  #buf: Buffer = Buffer.alloc(0);
  readonly #headers = new HeaderInflater();

  push(chunk: Buffer): Frame[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.#buf.length >= 8) {
      const len = this.#buf.readUIntBE(5, 3);
      if (this.#buf.length < 8 + len) break;
      const head = this.#buf.subarray(0, 8);
      const body = this.#buf.subarray(8, 8 + len);
      this.#buf = this.#buf.subarray(8 + len);
      const f = this.#parse(head, Buffer.from(body));
      if (f) frames.push(f);
    }
    return frames;
  }

  #parse(head: Buffer, body: Buffer): Frame | undefined {
    const flags = head[4]!;
    if (!(head[0]! & 0x80)) {
      return {
        type: 'data',
        streamId: head.readUInt32BE(0) & 0x7fffffff,
        fin: !!(flags & FLAG_FIN),
        data: body,
      };
    }
    const version = head.readUInt16BE(0) & 0x7fff;
    if (version !== 3) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
    const type = head.readUInt16BE(2);
    const need = (n: number) => {
      if (body.length < n)
        throw new SpdyProtocolError(`control frame ${type} too short (${body.length} bytes)`);
    };
    const sid = (o: number) => body.readUInt32BE(o) & 0x7fffffff;
    const fin = !!(flags & FLAG_FIN);
    switch (type) {
      case controlType.syn_stream:
        need(10);
        return {
          type: 'syn_stream',
          streamId: sid(0),
          associatedId: sid(4),
          priority: body[8]! >> 5,
          fin,
          unidirectional: !!(flags & FLAG_UNIDIRECTIONAL),
          headers: decodeHeaderBlock(this.#headers.inflate(body.subarray(10))),
        };
      case controlType.syn_reply:
        need(4);
        return {
          type: 'syn_reply',
          streamId: sid(0),
          fin,
          headers: decodeHeaderBlock(this.#headers.inflate(body.subarray(4))),
        };
      case controlType.headers:
        need(4);
        return {
          type: 'headers',
          streamId: sid(0),
          fin,
          headers: decodeHeaderBlock(this.#headers.inflate(body.subarray(4))),
        };
      case controlType.rst_stream:
        need(8);
        return { type: 'rst_stream', streamId: sid(0), status: body.readUInt32BE(4) };
      case controlType.settings:
        return { type: 'settings' };
      case controlType.ping:
        need(4);
        return { type: 'ping', id: body.readUInt32BE(0) };
      case controlType.goaway:
        need(4);
        return {
          type: 'goaway',
          lastGoodStreamId: sid(0),
          status: body.length >= 8 ? body.readUInt32BE(4) : 0,
        };
      case controlType.window_update:
        need(8);
        return { type: 'window_update', streamId: sid(0), delta: body.readUInt32BE(4) & 0x7fffffff };
      default:
        return undefined; // unknown control frames are ignored (spec §2.2.1)
    }
  }
}

export class FrameWriter {
  readonly #headers = new HeaderDeflater();

  encode(f: Frame): Buffer {
    if (f.type === 'data') {
      if (f.data.length > maxFrameLength) {
        // Split: only the last piece carries FIN.
        const parts: Buffer[] = [];
        for (let o = 0; o < f.data.length; o += maxFrameLength) {
          const last = o + maxFrameLength >= f.data.length;
          parts.push(this.encode({ ...f, fin: f.fin && last, data: f.data.subarray(o, o + maxFrameLength) }));
        }
        return Buffer.concat(parts);
      }
      const h = Buffer.alloc(8);
      h.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      h[4] = f.fin ? FLAG_FIN : 0;
      h.writeUIntBE(f.data.length, 5, 3);
      return Buffer.concat([h, f.data]);
    }
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n >>> 0);
      return b;
    };
    let flags = 0;
    let body: Buffer;
    switch (f.type) {
      case 'syn_stream':
        flags = (f.fin ? FLAG_FIN : 0) | (f.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
        body = Buffer.concat([
          u32(f.streamId),
          u32(f.associatedId),
          Buffer.from([(f.priority & 7) << 5, 0]),
          this.#headers.deflate(encodeHeaderBlock(f.headers)),
        ]);
        break;
      case 'syn_reply':
      case 'headers':
        flags = f.fin ? FLAG_FIN : 0;
        body = Buffer.concat([u32(f.streamId), this.#headers.deflate(encodeHeaderBlock(f.headers))]);
        break;
      case 'rst_stream':
        body = Buffer.concat([u32(f.streamId), u32(f.status)]);
        break;
      case 'settings':
        body = u32(0);
        break;
      case 'ping':
        body = u32(f.id);
        break;
      case 'goaway':
        body = Buffer.concat([u32(f.lastGoodStreamId), u32(f.status)]);
        break;
      case 'window_update':
        body = Buffer.concat([u32(f.streamId), u32(f.delta)]);
        break;
    }
    const h = Buffer.alloc(8);
    h.writeUInt16BE(0x8000 | 3, 0);
    h.writeUInt16BE(controlType[f.type], 2);
    h[4] = flags;
    h.writeUIntBE(body.length, 5, 3);
    return Buffer.concat([h, body]);
  }
}
