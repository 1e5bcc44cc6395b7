import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  embeddedRelative,
  exeRelative,
  installEmbeddedFs,
  type EmbeddedFile,
  type EmbeddedTree,
} from '../../../runtime-shim/embedded/embedded-fs';

const TIME = new Date('2024-05-06T07:08:09.000Z');
const FILES: Record<string, string> = {
  'src/index.js': 'console.log(1);\n',
  'src/locales/en.json': '{"hi":"hello"}',
  'src/locales/de.json': '{"hi":"hallo"}',
  'assets/data.txt': '0123456789abcdefghij',
  'README.md': '# app\n',
};

function fileOf(text: string): EmbeddedFile {
  const bytes = new TextEncoder().encode(text);
  return { size: bytes.length, read: () => bytes };
}

function treeAt(root: string): EmbeddedTree {
  return { root, files: new Map(Object.entries(FILES).map(([rel, text]) => [rel, fileOf(text)])), time: TIME };
}

/** The error a call throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): NodeJS.ErrnoException {
  try {
    fn();
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
  throw new Error('expected a throw');
}

/** An error's own properties and message, with `p` in them replaced by '<p>' (to compare with real fs errors). */
function shape(err: NodeJS.ErrnoException, p?: string) {
  const text = (s: unknown) => (p && typeof s === 'string' ? s.split(p).join('<p>') : s);
  return { message: text(err.message), ...Object.fromEntries(Object.entries(err).map(([k, v]) => [k, text(v)])) };
}

/** Resolves with a callback's arguments, and whether it was called synchronously. */
function callback<A extends unknown[]>(start: (cb: (...args: A) => void) => void): Promise<{ args: A; sync: boolean }> {
  return new Promise((resolve) => {
    let sync = true;
    start((...args) => resolve({ args, sync }));
    sync = false;
  });
}

function readAll(stream: NodeJS.ReadableStream): Promise<Array<string | Buffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Array<string | Buffer> = [];
    stream.on('data', (c: string | Buffer) => chunks.push(c)).on('end', () => resolve(chunks)).on('error', reject);
  });
}

describe('exeRelative', () => {
  it("is '.' for the root itself (any case on win32), the tree path below it, null elsewhere", () => {
    expect(exeRelative('C:\\svc\\app.exe', 'c:/SVC/App.EXE', path.win32)).toBe('.');
    expect(exeRelative('C:\\svc\\app.exe', 'C:\\svc\\app.exe\\node_modules\\pg', path.win32)).toBe('node_modules/pg');
    expect(exeRelative('C:\\svc\\app.exe', 'C:\\svc', path.win32)).toBeNull();
    expect(exeRelative('/opt/svc/app.exe', '/opt/svc/app.exe/', path.posix)).toBe('.');
    expect(exeRelative('/opt/svc/app.exe', '/opt/svc/APP.exe', path.posix)).toBeNull();
  });
});

describe('embeddedRelative', () => {
  it('gives the tree path of posix paths strictly under the root', () => {
    const r = (p: string) => embeddedRelative('/opt/svc/app.exe', p, path.posix);
    expect(r('/opt/svc/app.exe/src/a.js')).toBe('src/a.js');
    expect(r('/opt/svc/app.exe/src/../lib//b.js')).toBe('lib/b.js');
    expect(r('/opt/svc/app.exe')).toBeNull();
    expect(r('/opt/svc/app.exe/')).toBeNull();
    expect(r('/opt/svc/app.exe2/a.js')).toBeNull();
    expect(r('/opt/svc/APP.exe/a.js')).toBeNull();
    expect(r('/opt/svc')).toBeNull();
  });

  it('matches win32 roots case-insensitively and accepts / separators', () => {
    const r = (p: string) => embeddedRelative('C:\\svc\\app.exe', p, path.win32);
    expect(r('C:\\svc\\app.exe\\src\\a.js')).toBe('src/a.js');
    expect(r('c:/SVC/App.EXE/src/Locales/en.json')).toBe('src/Locales/en.json');
    expect(r('C:\\svc\\app.exe')).toBeNull();
    expect(r('C:\\svc\\app.exe.bak\\a.js')).toBeNull();
    expect(r('D:\\svc\\app.exe\\a.js')).toBeNull();
  });
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-embedded-fs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(['absent', 'a real file'])('a posix tree whose root is %s', (rootKind) => {
  const dir = path.join(tmp, rootKind === 'absent' ? 'absent' : 'file');
  const root = path.join(dir, 'app.exe');
  const at = (rel: string) => path.join(root, rel);
  const realFile = path.join(dir, 'real.txt');
  let restore: () => void;

  beforeAll(() => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(realFile, 'real');
    if (rootKind !== 'absent') fs.writeFileSync(root, 'MZ');
  });
  beforeEach(() => {
    restore = installEmbeddedFs(treeAt(root), { pathApi: path.posix });
  });
  afterEach(() => restore());

  describe('readFile', () => {
    it('reads embedded files by string, Buffer, file: URL and unnormalised paths', async () => {
      expect(fs.readFileSync(at('src/locales/en.json'))).toEqual(Buffer.from(FILES['src/locales/en.json']!));
      expect(fs.readFileSync(at('src/index.js'), 'utf8')).toBe(FILES['src/index.js']);
      expect(fs.readFileSync(Buffer.from(at('README.md')), { encoding: 'utf8' })).toBe('# app\n');
      expect(fs.readFileSync(new URL('./locales/de.json', pathToFileURL(at('src/index.js'))), 'utf8')).toBe('{"hi":"hallo"}');
      expect(fs.readFileSync(`${root}/src/../assets//data.txt`, 'latin1')).toBe(FILES['assets/data.txt']);
      expect(await fs.promises.readFile(at('README.md'), 'utf8')).toBe('# app\n');
      const { args, sync } = await callback<[Error | null, string]>((cb) => fs.readFile(at('README.md'), 'utf8', cb));
      expect(sync).toBe(false);
      expect(args).toEqual([null, '# app\n']);
    });

    it('returns a fresh Buffer each time', () => {
      const a = fs.readFileSync(at('README.md'));
      a[0] = 0;
      expect(fs.readFileSync(at('README.md'), 'utf8')).toBe('# app\n');
    });

    it('fails like Node: ENOENT (open), ENOTDIR below a file, EISDIR (read) for folders', async () => {
      const missing = at('src/nope.json');
      const enoent = thrown(() => fs.readFileSync(missing));
      expect(enoent).toBeInstanceOf(Error);
      expect(shape(enoent)).toEqual({
        message: `ENOENT: no such file or directory, open '${missing}'`, errno: -2, code: 'ENOENT', syscall: 'open', path: missing,
      });
      expect(shape(enoent, missing)).toEqual(shape(thrown(() => fs.readFileSync(path.join(dir, 'nope'))), path.join(dir, 'nope')));
      const below = at('README.md/x');
      expect(shape(thrown(() => fs.readFileSync(below)), below)).toEqual(shape(thrown(() => fs.readFileSync(`${realFile}/x`)), `${realFile}/x`));
      expect(shape(thrown(() => fs.readFileSync(at('src'))))).toEqual(shape(thrown(() => fs.readFileSync(dir))));
      expect(shape(thrown(() => fs.readFileSync(at('src'))))).toEqual({
        message: 'EISDIR: illegal operation on a directory, read', errno: -21, code: 'EISDIR', syscall: 'read',
      });
      await expect(fs.promises.readFile(missing)).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open', path: missing });
      const { args, sync } = await callback<[NodeJS.ErrnoException | null]>((cb) => fs.readFile(at('src'), cb));
      expect(sync).toBe(false);
      expect(args[0]).toMatchObject({ code: 'EISDIR', syscall: 'read' });
    });

    it('refuses write flags with EROFS', () => {
      expect(shape(thrown(() => fs.readFileSync(at('README.md'), { flag: 'a+' })))).toEqual({
        message: `EROFS: read-only file system, open '${at('README.md')}'`, errno: -30, code: 'EROFS', syscall: 'open', path: at('README.md'),
      });
    });
  });

  describe('stat and lstat', () => {
    it('describe files and folders with stable inodes and the tree time', async () => {
      const file = fs.statSync(at('src/locales/en.json'));
      expect(file).toBeInstanceOf(fs.Stats);
      expect(file.isFile()).toBe(true);
      expect(file.isDirectory()).toBe(false);
      for (const m of ['isSymbolicLink', 'isFIFO', 'isSocket', 'isBlockDevice', 'isCharacterDevice'] as const) expect(file[m]()).toBe(false);
      expect(file).toMatchObject({
        size: 14, mode: 0o100444, nlink: 1, uid: 0, gid: 0, rdev: 0, blksize: 4096, blocks: 1,
        mtimeMs: TIME.getTime(), atimeMs: TIME.getTime(), ctimeMs: TIME.getTime(), birthtimeMs: TIME.getTime(),
      });
      for (const d of [file.mtime, file.atime, file.ctime, file.birthtime]) expect(d).toEqual(TIME);
      const folder = fs.lstatSync(at('src/locales'));
      expect(folder.isDirectory()).toBe(true);
      expect(folder.mode).toBe(0o40555);
      expect(fs.statSync(at('src/locales/en.json')).ino).toBe(file.ino);
      expect(folder.ino).not.toBe(file.ino);
      expect((await fs.promises.stat(at('src/locales'))).isDirectory()).toBe(true);
      expect((await fs.promises.lstat(at('README.md'))).size).toBe(6);
      const { args, sync } = await callback<[Error | null, fs.Stats]>((cb) => fs.stat(at('README.md'), cb));
      expect(sync).toBe(false);
      expect(args[1].isFile()).toBe(true);
      const l = await callback<[Error | null, fs.Stats]>((cb) => fs.lstat(at('src'), cb));
      expect(l.args[1].isDirectory()).toBe(true);
    });

    it('fail with ENOENT named after the syscall; throwIfNoEntry: false gives undefined', async () => {
      const missing = at('nope');
      expect(shape(thrown(() => fs.statSync(missing)), missing)).toEqual(shape(thrown(() => fs.statSync(path.join(dir, 'nope'))), path.join(dir, 'nope')));
      expect(thrown(() => fs.lstatSync(missing))).toMatchObject({ syscall: 'lstat', code: 'ENOENT', errno: -2 });
      expect(fs.statSync(missing, { throwIfNoEntry: false })).toBeUndefined();
      expect(fs.lstatSync(missing, { throwIfNoEntry: false })).toBeUndefined();
      expect(fs.statSync(at('README.md/x'), { throwIfNoEntry: false })).toBeUndefined();
      await expect(fs.promises.stat(missing)).rejects.toMatchObject({ syscall: 'stat', code: 'ENOENT' });
      const { args } = await callback<[Error | null]>((cb) => fs.lstat(missing, cb));
      expect(args[0]).toMatchObject({ syscall: 'lstat', code: 'ENOENT' });
    });
  });

  describe('exists and access', () => {
    it('existsSync, exists (async callback) and promisify(exists)', async () => {
      expect(fs.existsSync(at('src'))).toBe(true);
      expect(fs.existsSync(at('src/index.js'))).toBe(true);
      expect(fs.existsSync(at('src/nope.js'))).toBe(false);
      expect(await callback<[boolean]>((cb) => fs.exists(at('README.md'), cb))).toEqual({ args: [true], sync: false });
      expect(await callback<[boolean]>((cb) => fs.exists(at('nope'), cb))).toEqual({ args: [false], sync: false });
      expect(await promisify(fs.exists)(at('src/locales'))).toBe(true);
    });

    it('access allows F_OK and R_OK, refuses W_OK (and X_OK on files) with EACCES', async () => {
      const { F_OK, R_OK, W_OK, X_OK } = fs.constants;
      expect(() => fs.accessSync(at('README.md'))).not.toThrow();
      expect(() => fs.accessSync(at('README.md'), R_OK | F_OK)).not.toThrow();
      expect(() => fs.accessSync(at('src'), R_OK | X_OK)).not.toThrow();
      expect(shape(thrown(() => fs.accessSync(at('README.md'), W_OK)))).toEqual({
        message: `EACCES: permission denied, access '${at('README.md')}'`, errno: -13, code: 'EACCES', syscall: 'access', path: at('README.md'),
      });
      expect(thrown(() => fs.accessSync(at('README.md'), X_OK)).code).toBe('EACCES');
      expect(shape(thrown(() => fs.accessSync(at('nope'))), at('nope'))).toEqual(shape(thrown(() => fs.accessSync(path.join(dir, 'nope'))), path.join(dir, 'nope')));
      await expect(fs.promises.access(at('README.md'), R_OK)).resolves.toBeUndefined();
      await expect(fs.promises.access(at('src'), W_OK)).rejects.toMatchObject({ code: 'EACCES' });
      const { args, sync } = await callback<[Error | null]>((cb) => fs.access(at('nope'), cb));
      expect(sync).toBe(false);
      expect(args[0]).toMatchObject({ code: 'ENOENT', syscall: 'access' });
    });
  });

  describe('readdir', () => {
    it('lists sorted names, in every form', async () => {
      expect(fs.readdirSync(at('src'))).toEqual(['index.js', 'locales']);
      expect(fs.readdirSync(at('src/locales'), 'buffer')).toEqual([Buffer.from('de.json'), Buffer.from('en.json')]);
      expect(await fs.promises.readdir(at('src/locales'))).toEqual(['de.json', 'en.json']);
      const { args, sync } = await callback<[Error | null, string[]]>((cb) => fs.readdir(at('src'), cb));
      expect(sync).toBe(false);
      expect(args).toEqual([null, ['index.js', 'locales']]);
    });

    it('gives Dirents with withFileTypes, and walks the tree with recursive', () => {
      const entries = fs.readdirSync(at('src'), { withFileTypes: true });
      expect(entries.map((e) => [e.name, e.isFile(), e.isDirectory(), e.parentPath])).toEqual([
        ['index.js', true, false, at('src')],
        ['locales', false, true, at('src')],
      ]);
      const first = entries[0]!;
      expect(first).toBeInstanceOf(fs.Dirent);
      expect((first as unknown as { path: string }).path).toBe(at('src'));
      for (const m of ['isSymbolicLink', 'isFIFO', 'isSocket', 'isBlockDevice', 'isCharacterDevice'] as const) expect(first[m]()).toBe(false);
      expect(fs.readdirSync(at('src'), { recursive: true })).toEqual(['index.js', 'locales', 'locales/de.json', 'locales/en.json']);
      const deep = fs.readdirSync(at('src'), { recursive: true, withFileTypes: true });
      expect(deep.map((e) => `${e.parentPath}|${e.name}`)).toEqual([
        `${at('src')}|index.js`, `${at('src')}|locales`, `${at('src/locales')}|de.json`, `${at('src/locales')}|en.json`,
      ]);
    });

    it('fails with ENOTDIR on files and ENOENT on missing paths (scandir)', async () => {
      const file = at('README.md');
      expect(shape(thrown(() => fs.readdirSync(file)), file)).toEqual(shape(thrown(() => fs.readdirSync(realFile)), realFile));
      expect(thrown(() => fs.readdirSync(file))).toMatchObject({ code: 'ENOTDIR', errno: -20, syscall: 'scandir', path: file });
      expect(thrown(() => fs.readdirSync(at('nope')))).toMatchObject({ code: 'ENOENT', syscall: 'scandir' });
      await expect(fs.promises.readdir(file)).rejects.toMatchObject({ code: 'ENOTDIR' });
    });
  });

  describe('realpath', () => {
    it('is the normalised path itself in every form', async () => {
      const messy = `${root}/src/./locales/../index.js`;
      const clean = at('src/index.js');
      expect(fs.realpathSync(messy)).toBe(clean);
      expect(fs.realpathSync.native(messy)).toBe(clean);
      expect(fs.realpathSync(at('src'), 'buffer')).toEqual(Buffer.from(at('src')));
      expect(await fs.promises.realpath(messy)).toBe(clean);
      expect((await callback<[Error | null, string]>((cb) => fs.realpath(messy, cb))).args).toEqual([null, clean]);
      const native = await callback<[Error | null, string]>((cb) => fs.realpath.native(messy, cb));
      expect(native).toEqual({ args: [null, clean], sync: false });
    });

    it('fails with ENOENT like Node (lstat for the JS realpath, realpath for native and promises)', async () => {
      const missing = at('nope');
      const real = path.join(dir, 'nope');
      expect(shape(thrown(() => fs.realpathSync(missing)), missing)).toEqual(shape(thrown(() => fs.realpathSync(real)), real));
      expect(shape(thrown(() => fs.realpathSync.native(missing)), missing)).toEqual(shape(thrown(() => fs.realpathSync.native(real)), real));
      await expect(fs.promises.realpath(missing)).rejects.toMatchObject({ code: 'ENOENT', syscall: 'realpath' });
      expect((await callback<[Error | null]>((cb) => fs.realpath(missing, cb))).args[0]).toMatchObject({ syscall: 'lstat' });
      expect((await callback<[Error | null]>((cb) => fs.realpath.native(missing, cb))).args[0]).toMatchObject({ syscall: 'realpath' });
    });
  });

  describe('createReadStream', () => {
    it('streams the whole file, a start/end (inclusive) range, decoded, in highWaterMark chunks', async () => {
      expect(Buffer.concat((await readAll(fs.createReadStream(at('assets/data.txt')))) as Buffer[]).toString()).toBe(FILES['assets/data.txt']);
      expect((await readAll(fs.createReadStream(at('assets/data.txt'), { start: 2, end: 5, encoding: 'utf8' }))).join('')).toBe('2345');
      expect((await readAll(fs.createReadStream(at('assets/data.txt'), { start: 18 }))).join('')).toBe('ij');
      const chunks = await readAll(fs.createReadStream(at('assets/data.txt'), { highWaterMark: 8, encoding: 'latin1' }));
      expect(chunks).toEqual(['01234567', '89abcdef', 'ghij']);
    });

    it("emits 'open' with a descriptor, then 'ready', and closes it", async () => {
      const stream = fs.createReadStream(at('README.md'));
      const events: unknown[] = [];
      stream.on('open', (fd: number) => events.push(['open', fd >= 0x40000000])).on('ready', () => events.push('ready'));
      stream.on('close', () => events.push('close'));
      expect(Buffer.concat((await readAll(stream)) as Buffer[]).toString()).toBe('# app\n');
      await new Promise((r) => setImmediate(r));
      expect(events).toEqual([['open', true], 'ready', 'close']);
      expect(stream.path).toBe(at('README.md'));
    });

    it("reports ENOENT and EISDIR through 'error', after returning", async () => {
      const stream = fs.createReadStream(at('nope.txt'));
      const err = await new Promise<NodeJS.ErrnoException>((resolve) => stream.on('error', resolve));
      expect(shape(err)).toEqual({
        message: `ENOENT: no such file or directory, open '${at('nope.txt')}'`, errno: -2, code: 'ENOENT', syscall: 'open', path: at('nope.txt'),
      });
      await expect(readAll(fs.createReadStream(at('src')))).rejects.toMatchObject({ code: 'EISDIR' });
    });
  });

  describe('descriptors', () => {
    it('open/read/fstat/close (sync) with the current or an explicit position', () => {
      const fd = fs.openSync(at('assets/data.txt'), 'r');
      expect(fd).toBeGreaterThanOrEqual(0x40000000);
      const buf = Buffer.alloc(6);
      expect(fs.readSync(fd, buf, 0, 4, null)).toBe(4);
      expect(buf.subarray(0, 4).toString()).toBe('0123');
      expect(fs.readSync(fd, buf, 2, 4, null)).toBe(4);
      expect(buf.toString()).toBe('014567');
      expect(fs.readSync(fd, buf, { position: 16 })).toBe(4);
      expect(buf.subarray(0, 4).toString()).toBe('ghij');
      expect(fs.readSync(fd, buf)).toBe(6);
      expect(buf.toString()).toBe('89abcd');
      expect(fs.readSync(fd, buf, 0, 6, 100)).toBe(0);
      expect(fs.fstatSync(fd).size).toBe(20);
      fs.closeSync(fd);
      expect(thrown(() => fs.readSync(fd, buf))).toMatchObject({ code: 'EBADF' });
      expect(thrown(() => fs.openSync(at('nope'), 'r'))).toMatchObject({ code: 'ENOENT', syscall: 'open' });
      const folder = fs.openSync(at('src'), 'r');
      expect(fs.fstatSync(folder).isDirectory()).toBe(true);
      expect(thrown(() => fs.readSync(folder, buf))).toMatchObject({ code: 'EISDIR', syscall: 'read' });
      fs.close(folder); // the callback is optional
      expect(thrown(() => fs.fstatSync(folder)).code).toBe('EBADF');
    });

    it('open/read/fstat/close (callbacks) and promisify(read)', async () => {
      const opened = await callback<[Error | null, number]>((cb) => fs.open(at('README.md'), cb));
      expect(opened.sync).toBe(false);
      const fd = opened.args[1];
      const buf = Buffer.alloc(3);
      const read = await callback<[Error | null, number, Buffer]>((cb) => fs.read(fd, buf, 0, 3, null, cb));
      expect(read).toEqual({ args: [null, 3, buf], sync: false });
      expect(buf.toString()).toBe('# a');
      expect(await promisify(fs.read)(fd, { buffer: Buffer.alloc(3) })).toEqual({ bytesRead: 3, buffer: Buffer.from('pp\n') });
      const stat = await callback<[Error | null, fs.Stats]>((cb) => fs.fstat(fd, cb));
      expect(stat.args[1].size).toBe(6);
      expect(await callback<[Error | null]>((cb) => fs.close(fd, cb))).toEqual({ args: [null], sync: false });
      expect(thrown(() => fs.fstatSync(fd)).code).toBe('EBADF');
    });

    it('promises.open gives a FileHandle subset', async () => {
      const handle = await fs.promises.open(at('assets/data.txt'));
      expect(handle.fd).toBeGreaterThanOrEqual(0x40000000);
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(4), 0, 4, null);
      expect([bytesRead, buffer.toString()]).toEqual([4, '0123']);
      expect((await handle.read({ buffer: Buffer.alloc(2), position: 10 })).buffer.toString()).toBe('ab');
      expect(await handle.readFile('utf8')).toBe('456789abcdefghij');
      expect((await handle.stat()).size).toBe(20);
      await handle[Symbol.asyncDispose]();
      await expect(handle.read(Buffer.alloc(1))).rejects.toMatchObject({ code: 'EBADF' });
      await expect(fs.promises.open(at('nope'))).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open' });
      await expect(fs.promises.open(at('README.md'), 'r+')).rejects.toMatchObject({ code: 'EROFS', syscall: 'open' });
    });

    it('leaves descriptors it did not hand out to the real fs', () => {
      const fd = fs.openSync(realFile, 'r');
      expect(fd).toBeLessThan(0x40000000);
      const buf = Buffer.alloc(4);
      expect(fs.readSync(fd, buf)).toBe(4);
      expect(fs.fstatSync(fd).size).toBe(4);
      fs.closeSync(fd);
    });
  });

  describe('writes', () => {
    it('fail with EROFS in sync, callback and promise forms, touching nothing', async () => {
      const p = at('new.txt');
      const erofs = (syscall: string, where = p) => ({
        message: `EROFS: read-only file system, ${syscall} '${where}'`, errno: -30, code: 'EROFS', syscall, path: where,
      });
      expect(shape(thrown(() => fs.writeFileSync(p, 'x')))).toEqual(erofs('open'));
      expect(shape(thrown(() => fs.appendFileSync(p, 'x')))).toEqual(erofs('open'));
      expect(shape(thrown(() => fs.openSync(p, 'w')))).toEqual(erofs('open'));
      expect(shape(thrown(() => fs.openSync(p, fs.constants.O_RDWR)))).toEqual(erofs('open'));
      expect(shape(thrown(() => fs.mkdirSync(at('src/new'), { recursive: true })))).toEqual(erofs('mkdir', at('src/new')));
      expect(shape(thrown(() => fs.rmSync(at('src'), { recursive: true })))).toEqual(erofs('rm', at('src')));
      expect(shape(thrown(() => fs.unlinkSync(at('README.md'))))).toEqual(erofs('unlink', at('README.md')));
      expect(shape(thrown(() => fs.rmdirSync(at('src'))))).toEqual(erofs('rmdir', at('src')));
      expect(thrown(() => fs.truncateSync(at('README.md')))).toMatchObject({ code: 'EROFS' });
      expect(thrown(() => fs.chmodSync(at('README.md'), 0o777))).toMatchObject({ code: 'EROFS', syscall: 'chmod' });
      expect(thrown(() => fs.utimesSync(at('README.md'), 1, 1))).toMatchObject({ code: 'EROFS', syscall: 'utime' });
      expect(thrown(() => fs.mkdtempSync(at('tmp-')))).toMatchObject({ code: 'EROFS', syscall: 'mkdtemp' });
      const rename = thrown(() => fs.renameSync(at('README.md'), path.join(dir, 'moved.md')));
      expect(shape(rename)).toEqual({
        message: `EROFS: read-only file system, rename '${at('README.md')}' -> '${path.join(dir, 'moved.md')}'`,
        errno: -30, code: 'EROFS', syscall: 'rename', path: at('README.md'), dest: path.join(dir, 'moved.md'),
      });
      expect(thrown(() => fs.renameSync(realFile, at('x')))).toMatchObject({ code: 'EROFS', dest: at('x') });
      await expect(fs.promises.writeFile(p, 'x')).rejects.toMatchObject(erofs('open'));
      await expect(fs.promises.mkdir(at('d'))).rejects.toMatchObject({ code: 'EROFS' });
      await expect(fs.promises.rm(at('README.md'))).rejects.toMatchObject({ code: 'EROFS' });
      const cb = await callback<[Error | null]>((done) => fs.writeFile(p, 'x', done));
      expect(cb.sync).toBe(false);
      expect(cb.args[0]).toMatchObject(erofs('open'));
      const stream = fs.createWriteStream(p);
      expect(await new Promise((resolve) => stream.on('error', resolve))).toMatchObject(erofs('open'));
      expect(fs.existsSync(realFile)).toBe(true);
      expect(fs.existsSync(path.join(dir, 'moved.md'))).toBe(false);
      expect(fs.readdirSync(dir).sort()).toEqual(rootKind === 'absent' ? ['real.txt'] : ['app.exe', 'real.txt']);
    });

    it('copyFile copies embedded files out; into the tree it is EROFS', async () => {
      const out = path.join(dir, 'copy.json');
      fs.copyFileSync(at('src/locales/en.json'), out);
      expect(fs.readFileSync(out, 'utf8')).toBe('{"hi":"hello"}');
      expect(thrown(() => fs.copyFileSync(at('README.md'), out, fs.constants.COPYFILE_EXCL))).toMatchObject({ code: 'EEXIST' });
      fs.rmSync(out);
      await fs.promises.copyFile(at('README.md'), out);
      expect(fs.readFileSync(out, 'utf8')).toBe('# app\n');
      fs.rmSync(out);
      expect(shape(thrown(() => fs.copyFileSync(at('nope'), out)), at('nope'))).toEqual(
        shape(thrown(() => fs.copyFileSync(path.join(dir, 'nope'), out)), path.join(dir, 'nope')),
      );
      expect(thrown(() => fs.copyFileSync(realFile, at('x')))).toMatchObject({ code: 'EROFS', syscall: 'copyfile', dest: at('x') });
    });
  });

  describe('everything else', () => {
    it('goes to the real fs: other paths, and the root itself', () => {
      expect(fs.readFileSync(realFile, 'utf8')).toBe('real');
      expect(fs.existsSync(root)).toBe(rootKind !== 'absent');
      if (rootKind === 'absent') expect(thrown(() => fs.statSync(root)).code).toBe('ENOENT');
      else expect(fs.statSync(root).size).toBe(2);
      expect(fs.readdirSync(dir)).toContain('real.txt');
      expect(fs.existsSync(`${root}.bak/src/index.js`)).toBe(false);
    });

    it('passes this and the original arguments through', () => {
      restore();
      const original = fs.existsSync;
      const seen: unknown[] = [];
      fs.existsSync = function (this: unknown, ...args: unknown[]) {
        seen.push(this, args);
        return true;
      } as typeof fs.existsSync;
      try {
        restore = installEmbeddedFs(treeAt(root), { pathApi: path.posix });
        const self = { me: 1 };
        expect((fs.existsSync as (...a: unknown[]) => boolean).call(self, realFile, 'extra')).toBe(true);
        expect(seen).toEqual([self, [realFile, 'extra']]);
        expect(fs.existsSync(at('README.md'))).toBe(true);
        expect(seen).toHaveLength(2);
      } finally {
        restore();
        fs.existsSync = original;
        restore = installEmbeddedFs(treeAt(root), { pathApi: path.posix });
      }
    });
  });
});

describe('installing and restoring', () => {
  const root = path.join(tmp, 'esm', 'app.exe');
  const file = path.join(root, 'README.md');

  it('reaches ESM named imports and puts every original back', async () => {
    const originals = {
      readFileSync: fs.readFileSync, readFile: fs.readFile, promisesReadFile: fs.promises.readFile,
      realpathSync: fs.realpathSync, native: fs.realpathSync.native, createReadStream: fs.createReadStream,
    };
    const restore = installEmbeddedFs(treeAt(root), { pathApi: path.posix });
    try {
      expect(fs.readFileSync).not.toBe(originals.readFileSync);
      expect(fs.readFileSync.name).toBe('readFileSync');
      const esm = await import('node:fs');
      expect(esm.readFileSync(file, 'utf8')).toBe('# app\n');
      const esmPromises = await import('node:fs/promises');
      expect(await esmPromises.readFile(file, 'utf8')).toBe('# app\n');
    } finally {
      restore();
    }
    expect({
      readFileSync: fs.readFileSync, readFile: fs.readFile, promisesReadFile: fs.promises.readFile,
      realpathSync: fs.realpathSync, native: fs.realpathSync.native, createReadStream: fs.createReadStream,
    }).toEqual(originals);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync).toBe(originals.readFileSync);
    expect(thrown(() => readFileSync(file)).code).toBe('ENOENT');
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('a win32 tree (pathApi win32, served on any OS)', () => {
  const root = 'C:\\svc\\app.exe';
  let restore: () => void;
  beforeEach(() => {
    restore = installEmbeddedFs(treeAt(root), { pathApi: path.win32 });
  });
  afterEach(() => restore());

  it('reads files by backslash, slash, any case and file: URL', () => {
    expect(fs.readFileSync('C:\\svc\\app.exe\\src\\locales\\en.json', 'utf8')).toBe('{"hi":"hello"}');
    expect(fs.readFileSync('C:/svc/app.exe/src/index.js', 'utf8')).toBe(FILES['src/index.js']);
    expect(fs.readFileSync('c:\\SVC\\App.EXE\\SRC\\Locales\\EN.JSON', 'utf8')).toBe('{"hi":"hello"}');
    expect(fs.readFileSync(new URL('file:///C:/svc/app.exe/README.md'), 'utf8')).toBe('# app\n');
    expect(fs.existsSync('C:\\svc\\app.exe\\Assets')).toBe(true);
  });

  it('uses Windows errnos and reports paths as given', () => {
    const missing = 'C:\\svc\\app.exe\\x.txt';
    expect(shape(thrown(() => fs.readFileSync(missing)))).toEqual({
      message: `ENOENT: no such file or directory, open '${missing}'`, errno: -4058, code: 'ENOENT', syscall: 'open', path: missing,
    });
    expect(thrown(() => fs.readFileSync('C:\\svc\\app.exe\\README.md\\x'))).toMatchObject({ code: 'ENOENT', errno: -4058 });
    expect(thrown(() => fs.readdirSync('C:\\svc\\app.exe\\README.md'))).toMatchObject({ code: 'ENOTDIR', errno: -4052 });
    expect(thrown(() => fs.readFileSync('C:\\svc\\app.exe\\src'))).toMatchObject({ code: 'EISDIR', errno: -4068 });
    expect(thrown(() => fs.writeFileSync('C:\\svc\\app.exe\\y', ''))).toMatchObject({ code: 'EROFS', errno: -4043 });
    expect(thrown(() => fs.accessSync('C:\\svc\\app.exe\\README.md', fs.constants.W_OK))).toMatchObject({ errno: -4092 });
    expect(() => fs.accessSync('C:\\svc\\app.exe\\README.md', fs.constants.X_OK)).not.toThrow();
  });

  it('lists and resolves in win32 syntax, keeping the embedded names', () => {
    expect(fs.readdirSync('c:/svc/app.exe/SRC', { recursive: true })).toEqual(['index.js', 'locales', 'locales\\de.json', 'locales\\en.json']);
    const [dirent] = fs.readdirSync('C:\\svc\\app.exe\\src\\locales', { withFileTypes: true });
    expect([dirent!.name, dirent!.parentPath]).toEqual(['de.json', 'C:\\svc\\app.exe\\src\\locales']);
    expect(fs.realpathSync('C:/svc/app.exe/src/../README.md')).toBe('C:\\svc\\app.exe\\README.md');
    expect(fs.statSync('C:\\svc\\app.exe\\src').isDirectory()).toBe(true);
  });

  it('leaves other paths to the real fs', () => {
    expect(fs.existsSync('C:\\svc\\app.exe')).toBe(false);
    expect(fs.existsSync('C:\\svc\\other\\README.md')).toBe(false);
    expect(fs.existsSync(os.tmpdir())).toBe(true);
  });
});
