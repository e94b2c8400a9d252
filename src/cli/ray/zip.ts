// A working directory as the zip Ray's runtime_env expects for working_dir (entries relative to the
// directory, deflated), named like Ray's own packages: gcs://_ray_pkg_<sha1 of paths and contents>.zip.
// `.git` is left out. Pure apart from reading the files.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Relative path with `/` separators. */
  path: string;
  data: Buffer;
}

export function collectFiles(dir: string): ZipEntry[] {
  const out: ZipEntry[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name === '.git') continue;
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push({ path: relative(dir, p).split(sep).join('/'), data: readFileSync(p) });
    }
  };
  walk(dir);
  return out;
}

export function packageUri(entries: readonly ZipEntry[]): string {
  const h = createHash('sha1');
  for (const e of entries) h.update(e.path).update('\0').update(e.data).update('\0');
  return `gcs://_ray_pkg_${h.digest('hex').slice(0, 32)}.zip`;
}

/** A zip archive (PKWARE APPNOTE: local headers, central directory, end record; deflate, no zip64). */
export function zip(entries: readonly ZipEntry[], mtime = new Date(1980, 0, 1)): Buffer {
  const dosTime = (mtime.getHours() << 11) | (mtime.getMinutes() << 5) | (mtime.getSeconds() >> 1);
  const dosDate = ((mtime.getFullYear() - 1980) << 9) | ((mtime.getMonth() + 1) << 5) | mtime.getDate();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.path, 'utf8');
    const body = deflateRawSync(e.data);
    const crc = crc32(e.data);
    const common = (h: Buffer, o: number) => {
      h.writeUInt16LE(20, o); // version needed: 2.0
      h.writeUInt16LE(0x0800, o + 2); // UTF-8 names
      h.writeUInt16LE(8, o + 4); // deflate
      h.writeUInt16LE(dosTime, o + 6);
      h.writeUInt16LE(dosDate, o + 8);
      h.writeUInt32LE(crc, o + 10);
      h.writeUInt32LE(body.length, o + 14);
      h.writeUInt32LE(e.data.length, o + 18);
      h.writeUInt16LE(name.length, o + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    common(local, 4);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
    common(central, 6);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, 0644
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
