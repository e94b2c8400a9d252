import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  existsSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { safeJoin, TarExtractor } from './tar.ts';
import { collectFiles, packageUri, zip } from './zip.ts';

const work = mkdtempSync(join(tmpdir(), 'kuray-tar-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

function header(name: string, type: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

function extract(data: Buffer, dest: string): Promise<TarExtractor> {
  const t = new TarExtractor(dest);
  return new Promise((resolve, reject) => {
    t.on('finish', () => {
      resolve(t);
    });
    t.on('error', reject);
    // In uneven pieces, as a pipe delivers them.
    for (let i = 0; i < data.length; i += 700) t.write(data.subarray(i, i + 700));
    t.end();
  });
}

describe('tar extraction (kubectl ray log)', () => {
  it('writes what GNU tar packs: nested dirs, long names, empty files; skips links', async () => {
    const src = join(work, 'src');
    const long = 'd'.repeat(60) + '/' + 'f'.repeat(80) + '.log';
    mkdirSync(join(src, 'old', 'd'.repeat(60)), { recursive: true });
    writeFileSync(join(src, 'raylet.out'), 'raylet started\n');
    writeFileSync(join(src, 'old', 'empty.err'), '');
    writeFileSync(join(src, 'old', long), 'x'.repeat(5000));
    symlinkSync('/etc/passwd', join(src, 'link'));
    const tar = spawnSync('tar', ['-cf', '-', '-C', src, '.'], { maxBuffer: 1 << 24 });
    assert.equal(tar.status, 0);
    const dest = join(work, 'out');
    const t = await extract(tar.stdout, dest);
    assert.equal(readFileSync(join(dest, 'raylet.out'), 'utf8'), 'raylet started\n');
    assert.equal(readFileSync(join(dest, 'old', 'empty.err'), 'utf8'), '');
    assert.equal(readFileSync(join(dest, 'old', long), 'utf8').length, 5000);
    assert.ok(!existsSync(join(dest, 'link')), 'no symlink');
    assert.deepEqual(t.summary.skipped, ['./link']);
    assert.equal(t.summary.files, 3);
  });

  it('refuses entries that leave the destination', async () => {
    const body = Buffer.from('evil\n');
    const pad = Buffer.alloc(512 - body.length);
    const data = Buffer.concat([
      header('../evil', '0', body.length),
      body,
      pad,
      header('/abs', '0', 0),
      Buffer.alloc(1024),
    ]);
    const dest = join(work, 'safe');
    const t = await extract(data, dest);
    assert.ok(!existsSync(join(work, 'evil')));
    assert.deepEqual(t.summary.skipped, ['../evil', '/abs']);
    assert.equal(safeJoin('/d', 'a/../../b'), undefined);
    assert.equal(safeJoin('/d', './a/b'), '/d/a/b');
  });
});

describe('working-dir zip (kubectl ray job submit)', () => {
  it("is a zip Python's zipfile reads back, named by its content", () => {
    const dir = join(work, 'app');
    mkdirSync(join(dir, 'pkg'), { recursive: true });
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'main.py'), 'print("hi")\n');
    writeFileSync(join(dir, 'pkg', 'data.txt'), 'data'.repeat(1000));
    writeFileSync(join(dir, '.git', 'HEAD'), 'ref');
    const files = collectFiles(dir);
    assert.deepEqual(
      files.map((f) => f.path),
      ['main.py', 'pkg/data.txt'],
    );
    const uri = packageUri(files);
    assert.match(uri, /^gcs:\/\/_ray_pkg_[0-9a-f]{32}\.zip$/);
    assert.equal(packageUri(collectFiles(dir)), uri, 'same content, same name');
    writeFileSync(join(work, 'app.zip'), zip(files));
    const py = spawnSync('python3', [
      '-c',
      'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(",".join(z.namelist())); print(z.read("pkg/data.txt").decode()[:8])',
      join(work, 'app.zip'),
    ]);
    assert.equal(py.status, 0, py.stderr.toString());
    assert.equal(py.stdout.toString(), 'main.py,pkg/data.txt\ndatadata\n');
  });
});
