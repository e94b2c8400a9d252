// A streaming tar reader for `kubectl ray log`: it writes regular files and directories under a
// destination and nothing else. Entries come from a pod, so they are not trusted: absolute paths and
// `..` components are refused, links and devices are skipped (a symlink could point a later file
// outside the destination). Handles ustar (prefix + name), GNU long names (L) and PAX paths (x).
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { Writable } from 'node:stream';

const block = 512;

function field(h: Buffer, off: number, len: number): string {
  const s = h.subarray(off, off + len);
  const nul = s.indexOf(0);
  return s.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

function octal(h: Buffer, off: number, len: number): number {
  const s = field(h, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}

/** The entry path inside `dest`, or undefined when it would leave it. */
export function safeJoin(dest: string, name: string): string | undefined {
  const n = normalize(name.replace(/^\.\//, ''));
  if (n === '.' || n === '') return dest;
  if (n.startsWith('/') || n.split(sep).includes('..')) return undefined;
  return join(dest, n);
}

export interface TarSummary {
  files: number;
  dirs: number;
  bytes: number;
  skipped: string[];
}

/** A Writable that extracts the tar stream written to it into `dest`. */
export class TarExtractor extends Writable {
  readonly summary: TarSummary = { files: 0, dirs: 0, bytes: 0, skipped: [] };
  readonly #dest: string;
  #buf: Buffer = Buffer.alloc(0);
  /** The current entry: bytes left of its data (+ padding), where they go. */
  #left = 0;
  #pad = 0;
  #fd: number | undefined;
  #meta: 'L' | 'x' | undefined;
  #metaData: Buffer[] = [];
  #nextName: string | undefined;
  #ended = false;

  constructor(dest: string) {
    super();
    this.#dest = dest;
    mkdirSync(dest, { recursive: true });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    try {
      this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
      this.#drain();
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.#close();
    cb(this.#left > 0 ? new Error('tar stream ended inside an entry') : null);
  }

  #close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #drain(): void {
    for (;;) {
      if (this.#ended) return;
      if (this.#left > 0) {
        if (this.#buf.length === 0) return;
        const n = Math.min(this.#left, this.#buf.length);
        const data = this.#buf.subarray(0, n);
        if (this.#fd !== undefined) {
          writeSync(this.#fd, data);
          this.summary.bytes += n;
        } else if (this.#meta) this.#metaData.push(Buffer.from(data));
        this.#buf = this.#buf.subarray(n);
        this.#left -= n;
        if (this.#left > 0) return;
        this.#close();
        if (this.#meta) this.#endMeta();
      }
      if (this.#pad > 0) {
        const n = Math.min(this.#pad, this.#buf.length);
        this.#buf = this.#buf.subarray(n);
        this.#pad -= n;
        if (this.#pad > 0) return;
      }
      if (this.#buf.length < block) return;
      const h = this.#buf.subarray(0, block);
      this.#buf = this.#buf.subarray(block);
      if (h.every((b) => b === 0)) {
        this.#ended = true; // end-of-archive blocks
        return;
      }
      this.#header(h);
    }
  }

  #endMeta(): void {
    const data = Buffer.concat(this.#metaData).toString('utf8');
    if (this.#meta === 'L') this.#nextName = data.replace(/\0+$/, '');
    else {
      // PAX records: "<len> key=value\n"
      for (const rec of data.split('\n')) {
        const m = /^\d+ path=(.*)$/.exec(rec);
        if (m) this.#nextName = m[1];
      }
    }
    this.#meta = undefined;
    this.#metaData = [];
  }

  #header(h: Buffer): void {
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156]!);
    const magic = field(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? field(h, 345, 155) : '';
    const name = this.#nextName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    this.#nextName = undefined;
    this.#left = size;
    this.#pad = (block - (size % block)) % block;
    if (type === 'L' || type === 'x') {
      this.#meta = type;
      if (size === 0) this.#endMeta();
      return;
    }
    if (type === 'g') return; // global PAX header: nothing we use
    const path = safeJoin(this.#dest, name);
    if (!path) {
      this.summary.skipped.push(name);
      return;
    }
    if (type === '5') {
      mkdirSync(path, { recursive: true });
      this.summary.dirs++;
    } else if (type === '0' || type === '\0') {
      mkdirSync(dirname(path), { recursive: true });
      this.#fd = openSync(path, 'w', 0o644);
      this.summary.files++;
      if (size === 0) this.#close();
    } else this.summary.skipped.push(name);
  }
}
