/**
 * A read-only `fs` layer over the project files embedded in the exe. They appear under a virtual
 * folder that is the exe's own path used as a directory: the project file `src/locales/en.json` is
 * `C:\svc\app.exe\src\locales\en.json`. No real file can exist there (the exe is a file), so app
 * code that computes such paths (`path.join(__dirname, 'locales', 'en.json')`,
 * `new URL('./x.wasm', import.meta.url)`) and calls `fs` is served from the tree; every other path,
 * and every call this layer does not know, goes to the real `fs` untouched.
 */
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export interface EmbeddedFile {
  /** bytes */
  size: number;
  /** reads the contents (may be called many times; cache nothing big yourself) */
  read(): Uint8Array;
}

export interface EmbeddedTree {
  /** Absolute path of the virtual root (the exe path), in the platform's path syntax. */
  root: string;
  /**
   * Files by project-relative POSIX path ('src/locales/en.json'), iterated once, on the first
   * access inside the root. Folders are implied by the files.
   */
  files: Iterable<readonly [string, EmbeddedFile]>;
  /** mtime/ctime/birthtime reported for every entry (the exe's build time). */
  time: Date;
}

export type PathApi = typeof path.win32 | typeof path.posix;

/**
 * The tree-relative POSIX path ('src/a.js') of `p` when it lies strictly below `root`, else null
 * (root itself included). Both are resolved first; with a win32 `pathApi` the comparison ignores
 * case and `/` separators are accepted.
 */
export function embeddedRelative(root: string, p: string, pathApi: PathApi): string | null {
  const full = pathApi.resolve(p);
  const base = pathApi.resolve(root);
  const prefix = base.endsWith(pathApi.sep) ? base : base + pathApi.sep;
  if (full.length <= prefix.length) return null;
  const windows = pathApi.sep === '\\';
  const head = full.slice(0, prefix.length);
  if (windows ? head.toLowerCase() !== prefix.toLowerCase() : head !== prefix) return null;
  const rel = full.slice(prefix.length);
  return windows ? rel.replaceAll('\\', '/') : rel;
}

/**
 * Like {@link embeddedRelative}, but the root itself is '.': the tree path of `p` when it is the
 * root (the exe) or lies below it, else null.
 */
export function exeRelative(root: string, p: string, pathApi: PathApi): string | null {
  const full = pathApi.resolve(p);
  const base = pathApi.resolve(root);
  const same = pathApi.sep === '\\' ? full.toLowerCase() === base.toLowerCase() : full === base;
  return same ? '.' : embeddedRelative(root, p, pathApi);
}

/** Error codes this layer raises: Node's message text and libuv's number on Windows (uv/errno.h). */
const ERRORS = {
  EACCES: ['permission denied', -4092],
  EBADF: ['bad file descriptor', -4083],
  EISDIR: ['illegal operation on a directory', -4068],
  ENOENT: ['no such file or directory', -4058],
  ENOTDIR: ['not a directory', -4052],
  EROFS: ['read-only file system', -4043],
} as const;
type Code = keyof typeof ERRORS;
/** Descriptors handed out by this layer; real ones (small integers) never reach this range. */
const FIRST_FD = 0x40000000;
const DEVICE = 0x53565043;

/** A file (with `file`) or folder (with `children`, keyed by name, lower-cased on win32). */
interface Entry { name: string; ino: number; file?: EmbeddedFile; children?: Map<string, Entry> }
/** A virtual path: as the caller gave it (for errors), resolved, and relative to the root. */
interface Target { given: string; full: string; rel: string }
interface OpenFile { entry: Entry; position: number }
type Options = { encoding?: BufferEncoding | 'buffer' | null; flag?: string | number; [k: string]: unknown };

/** Code-unit order, as a sorted directory listing. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** fs's `options` argument: an encoding name or an object. */
function optionsOf(options: unknown): Options {
  return typeof options === 'string' ? { encoding: options as BufferEncoding } : ((options ?? {}) as Options);
}

function encodeName(name: string, encoding: Options['encoding']): string | Buffer {
  return encoding === 'buffer' ? Buffer.from(name) : name;
}

/** Whether open flags ('r+', 'w', 'a', numeric O_*) ask for anything more than reading. */
function writes(flag: string | number): boolean {
  const { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND } = fs.constants;
  return typeof flag === 'number' ? (flag & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) !== 0 : /[wa+]/.test(flag);
}

interface ReadRequest { buffer: NodeJS.ArrayBufferView; offset: number; length: number; position: number | bigint | null }

/** fs.read's argument forms: (buffer, offset?, length?, position?), (buffer, options?), (options?). */
function readRequest(args: unknown[]): ReadRequest {
  const [first, second, length, position] = args;
  const o = (ArrayBuffer.isView(first)
    ? second !== null && typeof second === 'object' ? { ...second, buffer: first } : { buffer: first, offset: second, length, position }
    : first ?? {}) as Partial<ReadRequest>;
  const buffer = o.buffer ?? Buffer.alloc(16384);
  const offset = o.offset ?? 0;
  return { buffer, offset, length: o.length ?? buffer.byteLength - offset, position: o.position ?? null };
}

/** fs.Dirent's interface, and prototype, for an embedded entry. */
class EmbeddedDirent {
  readonly #folder: boolean;
  /** Same as parentPath (the older name, gone from Node 24's own Dirents). */
  readonly path: string;
  constructor(readonly name: string | Buffer, readonly parentPath: string, folder: boolean) {
    this.#folder = folder;
    this.path = parentPath;
  }
  isFile(): boolean { return !this.#folder; }
  isDirectory(): boolean { return this.#folder; }
  isSymbolicLink(): boolean { return false; }
  isFIFO(): boolean { return false; }
  isSocket(): boolean { return false; }
  isBlockDevice(): boolean { return false; }
  isCharacterDevice(): boolean { return false; }
}
Object.setPrototypeOf(EmbeddedDirent.prototype, fs.Dirent.prototype);

/** The tree and open descriptors, with each operation as a synchronous function that throws like fs. */
class EmbeddedFs {
  readonly windows: boolean;
  private folders: Entry | null = null;
  private readonly open = new Map<number, OpenFile>();
  private nextFd = FIRST_FD;

  constructor(private readonly tree: EmbeddedTree, private readonly pathApi: PathApi) {
    this.windows = pathApi.sep === '\\';
  }

  /**
   * The root folder, built from the file paths on first use (an exe with the dependency tree has
   * thousands: ≈ 20 ms that a start which never looks inside the exe does not pay); inode numbers
   * follow the sorted paths, so they are stable.
   */
  private get root(): Entry {
    if (this.folders) return this.folders;
    const root: Entry = { name: '', ino: 1, children: new Map() };
    let ino = 2;
    for (const [rel, file] of [...this.tree.files].sort(([a], [b]) => compare(a, b))) {
      const names = rel.split('/').filter(Boolean);
      let folder = root;
      for (const [i, name] of names.entries()) {
        const children = folder.children;
        if (!children) break; // a path through a file: the file (first in order) wins
        const key = this.key(name);
        if (!children.has(key)) children.set(key, i === names.length - 1 ? { name, ino: ino++, file } : { name, ino: ino++, children: new Map() });
        folder = children.get(key)!;
      }
    }
    return (this.folders = root);
  }

  private key(name: string): string {
    return this.windows ? name.toLowerCase() : name;
  }

  /** The virtual path a string/Buffer/file: URL argument names, or null to leave the call to the real fs. */
  target(p: unknown): Target | null {
    let given: string;
    if (typeof p === 'string') given = p;
    else if (Buffer.isBuffer(p)) given = p.toString();
    else if (p instanceof URL && p.protocol === 'file:') {
      try { given = fileURLToPath(p, { windows: this.windows }); } catch { return null; }
    } else return null;
    if (given.includes('\0')) return null;
    const rel = embeddedRelative(this.tree.root, given, this.pathApi);
    return rel === null ? null : { given, full: this.pathApi.resolve(given), rel };
  }

  /** A path argument as Node would print it in an error message. */
  given(p: unknown): string {
    return this.target(p)?.given ?? String(p);
  }

  /** The open file behind a descriptor this layer handed out. */
  file(fd: unknown): OpenFile | undefined {
    return typeof fd === 'number' ? this.open.get(fd) : undefined;
  }

  error(code: Code, syscall: string, p?: string, dest?: string): NodeJS.ErrnoException {
    const where = p === undefined ? '' : dest === undefined ? ` '${p}'` : ` '${p}' -> '${dest}'`;
    const [message, windowsErrno] = ERRORS[code];
    const err: NodeJS.ErrnoException & { dest?: string } = new Error(`${code}: ${message}, ${syscall}${where}`);
    // Elsewhere libuv reports the negated system errno.
    err.errno = this.windows ? windowsErrno : -(os.constants.errno as Record<string, number>)[code]!;
    err.code = code;
    err.syscall = syscall;
    if (p !== undefined) err.path = p;
    if (dest !== undefined) err.dest = dest;
    return err;
  }

  /** The entry at `t`; ENOENT, or ENOTDIR through a file on POSIX (Windows reports ENOENT there). */
  lookup(t: Target, syscall: string, dest?: string): Entry {
    let entry = this.root;
    for (const name of t.rel.split('/')) {
      const next = entry.children?.get(this.key(name));
      if (!next) throw this.error(entry.file && !this.windows ? 'ENOTDIR' : 'ENOENT', syscall, t.given, dest);
      entry = next;
    }
    return entry;
  }

  exists(t: Target): boolean {
    try { return !!this.lookup(t, 'access'); } catch { return false; }
  }

  /** An fs.Stats for an entry; `{ bigint: true }` is not supported (numbers are always returned). */
  stats(entry: Entry): fs.Stats {
    const ms = this.tree.time.getTime();
    const size = entry.file?.size ?? 0;
    const fields = {
      dev: DEVICE, mode: entry.file ? 0o100444 : 0o40555, nlink: 1, uid: 0, gid: 0, rdev: 0, blksize: 4096,
      ino: entry.ino, size, blocks: Math.ceil(size / 512),
      atimeMs: ms, mtimeMs: ms, ctimeMs: ms, birthtimeMs: ms,
      atime: new Date(ms), mtime: new Date(ms), ctime: new Date(ms), birthtime: new Date(ms),
    };
    return Object.create(fs.Stats.prototype, Object.getOwnPropertyDescriptors(fields)) as fs.Stats;
  }

  /** statSync/lstatSync: `throwIfNoEntry: false` turns ENOENT/ENOTDIR into undefined, as in Node 22+. */
  statSync(t: Target, options: unknown, syscall: string): fs.Stats | undefined {
    try {
      return this.stats(this.lookup(t, syscall));
    } catch (err) {
      if ((options as { throwIfNoEntry?: boolean } | undefined)?.throwIfNoEntry === false) return undefined;
      throw err;
    }
  }

  /** A file entry's contents, not copied (callers copy what they hand out); EISDIR (syscall read, no path, as Node) for folders. */
  contents(entry: Entry): Uint8Array {
    if (!entry.file) throw this.error('EISDIR', 'read');
    return entry.file.read();
  }

  readFile(t: Target, options: unknown): string | Buffer {
    const { encoding, flag = 'r' } = optionsOf(options);
    if (writes(flag)) throw this.error('EROFS', 'open', t.given);
    const data = Buffer.from(this.contents(this.lookup(t, 'open')));
    return encoding && encoding !== 'buffer' ? data.toString(encoding) : data;
  }

  /** Names sorted per folder; `recursive` lists each folder's entries right after it (pre-order). */
  readdir(t: Target, options: unknown): Array<string | Buffer | EmbeddedDirent> {
    const { encoding, withFileTypes, recursive } = optionsOf(options);
    const folder = this.lookup(t, 'scandir');
    if (!folder.children) throw this.error('ENOTDIR', 'scandir', t.given);
    const out: Array<string | Buffer | EmbeddedDirent> = [];
    const list = (dir: Entry, relDir: string): void => {
      const children = [...dir.children!.values()].sort((a, b) => compare(a.name, b.name));
      for (const child of children) {
        const rel = relDir ? this.pathApi.join(relDir, child.name) : child.name;
        const parentPath = relDir ? this.pathApi.join(t.given, relDir) : t.given;
        out.push(withFileTypes ? new EmbeddedDirent(encodeName(child.name, encoding), parentPath, !child.file) : encodeName(rel, encoding));
        if (recursive && child.children) list(child, rel);
      }
    };
    list(folder, '');
    return out;
  }

  /** F_OK and R_OK pass; W_OK fails with EACCES, and X_OK on files on POSIX (mode 0444; Windows ignores X_OK). */
  access(t: Target, mode: unknown): void {
    const entry = this.lookup(t, 'access');
    const denied = fs.constants.W_OK | (entry.file && !this.windows ? fs.constants.X_OK : 0);
    if (typeof mode === 'number' && (mode & denied) !== 0) throw this.error('EACCES', 'access', t.given);
  }

  /** The resolved path itself: no symlinks exist in the tree. */
  realpath(t: Target, options: unknown, syscall: string): string | Buffer {
    this.lookup(t, syscall);
    return encodeName(t.full, optionsOf(options).encoding);
  }

  openFd(t: Target, flags: unknown): number {
    if (writes((flags ?? 'r') as string | number)) throw this.error('EROFS', 'open', t.given);
    const entry = this.lookup(t, 'open');
    const fd = this.nextFd++;
    this.open.set(fd, { entry, position: 0 });
    return fd;
  }

  /** Reads into the request's buffer; a null/-1 position reads at, and advances, the file position. */
  read(file: OpenFile, req: ReadRequest): number {
    const data = this.contents(file.entry);
    const current = req.position === null || req.position === -1;
    const from = current ? file.position : Number(req.position);
    const chunk = data.subarray(from, from + Math.max(0, req.length));
    new Uint8Array(req.buffer.buffer, req.buffer.byteOffset + req.offset, chunk.length).set(chunk);
    if (current) file.position += chunk.length;
    return chunk.length;
  }

  /** The rest of the file from its position (FileHandle.readFile). */
  readRest(file: OpenFile, options: unknown): string | Buffer {
    const rest = Buffer.from(this.contents(file.entry).subarray(file.position));
    file.position += rest.length;
    const { encoding } = optionsOf(options);
    return encoding && encoding !== 'buffer' ? rest.toString(encoding) : rest;
  }

  close(fd: number): void {
    this.open.delete(fd);
  }

  /** Copies an embedded file to a real path (mode COPYFILE_EXCL honoured); EROFS when dest is embedded. */
  copyFile(src: unknown, dest: unknown, mode: unknown): void {
    const from = this.target(src);
    if (!from || this.target(dest)) throw this.error('EROFS', 'copyfile', this.given(src), this.given(dest));
    const data = this.contents(this.lookup(from, 'copyfile', this.given(dest)));
    const exclusive = typeof mode === 'number' && (mode & fs.constants.COPYFILE_EXCL) !== 0;
    fs.writeFileSync(dest as fs.PathLike, data, { flag: exclusive ? 'wx' : 'w' });
  }

  /**
   * A Readable over an embedded file honouring `start`, `end` (inclusive), `encoding` and
   * `highWaterMark`; like fs.ReadStream it opens on the next tick, emits 'open' (fd) and 'ready',
   * and reports failures through 'error'.
   */
  createReadStream(t: Target, options: unknown): Readable {
    const { encoding, start = 0, end = Infinity, highWaterMark = 64 * 1024 } = optionsOf(options) as Options & Record<string, number>;
    let fd: number | undefined;
    let data: Uint8Array = new Uint8Array(0);
    let position = start;
    const stream: Readable = new Readable({
      highWaterMark,
      encoding: encoding === 'buffer' || encoding === null ? undefined : encoding,
      construct: (done) => {
        try {
          fd = this.openFd(t, 'r');
          data = this.contents(this.file(fd)!.entry).subarray(0, end + 1);
        } catch (err) {
          return done(err as Error);
        }
        stream.emit('open', fd);
        stream.emit('ready');
        done();
      },
      read: (size) => {
        const chunk = data.subarray(position, position + size);
        position += chunk.length;
        stream.push(chunk.length > 0 ? Buffer.from(chunk) : null);
      },
      destroy: (err, done) => {
        if (fd !== undefined) this.close(fd);
        done(err);
      },
    });
    return Object.assign(stream, { path: t.given });
  }

  /** A Writable that fails with EROFS, as fs.createWriteStream would on a read-only folder. */
  createWriteStream(t: Target): Writable {
    const stream = new Writable({ construct: (done) => done(this.error('EROFS', 'open', t.given)) });
    return Object.assign(stream, { path: t.given });
  }

  /** The part of fs.promises.FileHandle reading needs: fd, read, readFile, stat, close, asyncDispose. */
  fileHandle(fd: number) {
    const file = (syscall: string): OpenFile => {
      const open = this.file(fd);
      if (!open) throw this.error('EBADF', syscall);
      return open;
    };
    const handle = {
      fd,
      read: async (...args: unknown[]) => {
        const req = readRequest(args);
        return { bytesRead: this.read(file('read'), req), buffer: req.buffer };
      },
      readFile: async (options?: unknown) => this.readRest(file('read'), options),
      stat: async () => this.stats(file('fstat').entry),
      close: async () => this.close(fd),
      [Symbol.asyncDispose]: () => handle.close(),
    };
    return handle;
  }
}

/** Routes a call: a thunk that serves it from the tree, or null to call the real function. */
type Route = (args: unknown[]) => (() => unknown) | null;
type Pick<H> = (args: unknown[]) => H | null | undefined;
type Impl<H> = (hit: H, args: unknown[]) => unknown;

const syncForm = <H>(pick: Pick<H>, impl: Impl<H>): Route => (args) => {
  const hit = pick(args);
  return hit ? () => impl(hit, args) : null;
};

/**
 * Node-style callback (the last argument), always called on a later tick with (error) or
 * (null, ...results(value)).
 */
const callbackForm = <H>(pick: Pick<H>, impl: Impl<H>, results = (value: unknown) => [value]): Route => (args) => {
  const callback = args.at(-1) as (...a: unknown[]) => void;
  const hit = typeof callback === 'function' ? pick(args) : null;
  if (!hit) return null;
  return () => {
    let value: unknown;
    try {
      value = impl(hit, args.slice(0, -1));
    } catch (err) {
      return process.nextTick(callback, err);
    }
    process.nextTick(callback, null, ...results(value));
  };
};

const promiseForm = <H>(pick: Pick<H>, impl: Impl<H>): Route => (args) => {
  const hit = pick(args);
  return hit ? () => new Promise((resolve) => resolve(impl(hit, args))) : null;
};

/** Swaps functions on objects for routed ones and puts the originals back. */
class Patches {
  private readonly saved: Array<[Record<string, unknown>, string, unknown]> = [];

  /** Replaces obj[key] (if a function) keeping its own properties (`native`, promisify symbols). */
  patch(obj: object, key: string, route: Route): void {
    const target = obj as Record<string, unknown>;
    const original = target[key];
    if (typeof original !== 'function') return;
    const routed = function (this: unknown, ...args: unknown[]): unknown {
      const serve = route(args);
      return serve ? serve() : original.apply(this, args);
    };
    for (const k of Reflect.ownKeys(original)) {
      if (k !== 'prototype') Object.defineProperty(routed, k, Object.getOwnPropertyDescriptor(original, k)!);
    }
    this.saved.push([target, key, original]);
    target[key] = routed;
  }

  /** Patches fs.<name>Sync, fs.<name> (callback) and fs.promises.<name> with one implementation. */
  all<H>(name: string, pick: Pick<H>, impl: Impl<H>): void {
    this.patch(fs, `${name}Sync`, syncForm(pick, impl));
    this.patch(fs, name, callbackForm(pick, impl));
    this.patch(fs.promises, name, promiseForm(pick, impl));
  }

  /** Puts the originals back, last patch first; later calls do nothing. */
  restore(): void {
    for (const [target, key, original] of this.saved.splice(0).reverse()) target[key] = original;
  }
}

/** Calls that change files; on embedded paths they fail with EROFS and this syscall name. */
const WRITES: ReadonlyArray<[name: string, syscall: string]> = [
  ['writeFile', 'open'], ['appendFile', 'open'], ['truncate', 'open'], ['mkdir', 'mkdir'], ['mkdtemp', 'mkdtemp'],
  ['rm', 'rm'], ['rmdir', 'rmdir'], ['unlink', 'unlink'], ['chmod', 'chmod'], ['chown', 'chown'], ['utimes', 'utime'],
];

/**
 * Patches `fs` (and `fs.promises`) so paths strictly under tree.root are served from the tree;
 * returns a function that restores the originals. Calls module.syncBuiltinESMExports() after
 * patching and after restoring, so `import { readFileSync } from 'node:fs'` sees the patch.
 *
 * Served: readFile, stat, lstat, access, exists, readdir (withFileTypes, recursive), realpath (and
 * .native), open/read/fstat/close on descriptors it hands out, promises.open (a FileHandle subset),
 * createReadStream, copyFile from an embedded file. Write calls on embedded paths fail with EROFS.
 * Callback forms call back on a later tick; promise and callback forms do their work synchronously.
 * `options.pathApi` (default `path`) selects the path syntax, so tests can run a win32 tree on Linux.
 */
export function installEmbeddedFs(tree: EmbeddedTree, options: { pathApi?: PathApi } = {}): () => void {
  const vfs = new EmbeddedFs(tree, options.pathApi ?? path);
  const p = new Patches();
  const onPath: Pick<Target> = (args) => vfs.target(args[0]);
  const onFd: Pick<OpenFile> = (args) => vfs.file(args[0]);

  p.all('readFile', onPath, (t, a) => vfs.readFile(t, a[1]));
  p.all('readdir', onPath, (t, a) => vfs.readdir(t, a[1]));
  p.all('access', onPath, (t, a) => vfs.access(t, a[1]));
  for (const syscall of ['stat', 'lstat']) {
    const stat: Impl<Target> = (t) => vfs.stats(vfs.lookup(t, syscall));
    p.patch(fs, `${syscall}Sync`, syncForm(onPath, (t, a) => vfs.statSync(t, a[1], syscall)));
    p.patch(fs, syscall, callbackForm(onPath, stat));
    p.patch(fs.promises, syscall, promiseForm(onPath, stat));
  }
  p.patch(fs, 'existsSync', syncForm(onPath, (t) => vfs.exists(t)));
  p.patch(fs, 'exists', (args) => {
    const [t, callback] = [vfs.target(args[0]), args[1]];
    return t && typeof callback === 'function' ? () => process.nextTick(callback as (b: boolean) => void, vfs.exists(t)) : null;
  });

  // Node's JS realpath walks with lstat (and names that syscall); .native and promises ask the OS.
  const realpath = (syscall: string): Impl<Target> => (t, a) => vfs.realpath(t, a[1], syscall);
  p.patch(fs, 'realpathSync', syncForm(onPath, realpath('lstat')));
  p.patch(fs, 'realpath', callbackForm(onPath, realpath('lstat')));
  p.patch(fs.realpathSync, 'native', syncForm(onPath, realpath('realpath')));
  p.patch(fs.realpath, 'native', callbackForm(onPath, realpath('realpath')));
  p.patch(fs.promises, 'realpath', promiseForm(onPath, realpath('realpath')));

  p.all('open', onPath, (t, a) => vfs.openFd(t, a[1]));
  p.patch(fs.promises, 'open', promiseForm(onPath, (t, a) => vfs.fileHandle(vfs.openFd(t, a[1]))));
  p.patch(fs, 'readSync', syncForm(onFd, (f, a) => vfs.read(f, readRequest(a.slice(1)))));
  const readInto: Impl<OpenFile> = (f, a) => {
    const req = readRequest(a.slice(1));
    return [vfs.read(f, req), req.buffer];
  };
  p.patch(fs, 'read', callbackForm(onFd, readInto, (value) => value as unknown[]));
  p.patch(fs, 'fstatSync', syncForm(onFd, (f) => vfs.stats(f.entry)));
  p.patch(fs, 'fstat', callbackForm(onFd, (f) => vfs.stats(f.entry)));
  p.patch(fs, 'closeSync', syncForm(onFd, (_f, a) => vfs.close(a[0] as number)));
  p.patch(fs, 'close', (args) => {
    const [fd, callback] = args; // the callback is optional
    if (!vfs.file(fd)) return null;
    return () => {
      vfs.close(fd as number);
      if (typeof callback === 'function') process.nextTick(callback, null);
    };
  });

  p.patch(fs, 'createReadStream', syncForm(onPath, (t, a) => vfs.createReadStream(t, a[1])));
  p.patch(fs, 'createWriteStream', syncForm(onPath, (t) => vfs.createWriteStream(t)));
  p.all('copyFile', (a) => vfs.target(a[0]) || vfs.target(a[1]), (_t, a) => vfs.copyFile(a[0], a[1], a[2]));
  p.all('rename', (a) => vfs.target(a[0]) || vfs.target(a[1]), (_t, a) => {
    throw vfs.error('EROFS', 'rename', vfs.given(a[0]), vfs.given(a[1]));
  });
  for (const [name, syscall] of WRITES) {
    p.all(name, onPath, (t) => { throw vfs.error('EROFS', syscall, t.given); });
  }

  syncBuiltinESMExports();
  return () => {
    p.restore();
    syncBuiltinESMExports();
  };
}
