/**
 * The service's log files as a reader (`<Name>.exe logs`) sees them, while the service may be
 * writing and rotating them (naming: rotating-file.ts): the current file opened and read through
 * its descriptor, so a rotation renaming it does not disturb the reader; rotated files read whole
 * (gunzipped); and whether two names or descriptors are the same file.
 *
 * Windows: node:fs opens files with read, write and delete sharing, so holding the current file
 * open does not stop the service renaming or deleting it.
 */
import nodeFs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { ByteSource } from './log-records';
import type { RotatedLogFile } from './rotating-file';

/** The file-system calls the reader makes: node:fs, or a faulty stand-in in tests. */
export type LogReadFs = Pick<typeof nodeFs, 'openSync' | 'readSync' | 'fstatSync' | 'statSync' | 'closeSync' | 'readdirSync' | 'readFileSync'>;

/** A log file held open: its descriptor and what it was when opened (bigint: exact file ids). */
export interface OpenLogFile {
  fd: number;
  stat: nodeFs.BigIntStats;
}

/** `<dir>/<name>.log`, the file the service writes to. */
export function currentLogPath(dir: string, name: string): string {
  return path.join(dir, `${name}.log`);
}

/** Whether `err` is a file-system error with one of `codes`. */
export function isFsError(err: unknown, ...codes: string[]): boolean {
  return typeof err === 'object' && err !== null && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}

/** Opens `file` for reading; null if it does not exist. Other errors (EACCES…) are thrown. */
export function openLogFile(fs: LogReadFs, file: string): OpenLogFile | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if (isFsError(err, 'ENOENT')) return null;
    throw err;
  }
  return { fd, stat: fs.fstatSync(fd, { bigint: true }) };
}

/** The stat of `file`; null if it does not exist. */
export function statOrNull(fs: LogReadFs, file: string): nodeFs.BigIntStats | null {
  try {
    return fs.statSync(file, { bigint: true });
  } catch (err) {
    if (isFsError(err, 'ENOENT')) return null;
    throw err;
  }
}

/** The first `size` bytes of an open file, read on demand (positional reads: the fd's own position is unused). */
export function fdSource(fs: LogReadFs, fd: number, size: number): ByteSource {
  return {
    size,
    read(position, length) {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - position)));
      let got = 0;
      while (got < buf.length) {
        const n = fs.readSync(fd, buf, got, buf.length - got, position + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    },
  };
}

/** Everything in an open file from `offset` to its current end (empty if nothing new). */
export function readFrom(fs: LogReadFs, fd: number, offset: number): Buffer {
  const chunks: Buffer[] = [];
  for (;;) {
    const buf = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, offset);
    if (n === 0) break;
    chunks.push(buf.subarray(0, n));
    offset += n;
  }
  return Buffer.concat(chunks);
}

/** A rotated file's content and, for a plain file, its stat (to compare identities). */
export interface RotatedContent {
  bytes: Buffer;
  stat: nodeFs.BigIntStats | null;
}

/**
 * Reads a rotated file whole, gunzipping a `.gz`. A plain file that vanished meanwhile (the
 * service just compressed it) is read from its `.gz`; null if neither exists any more (rotated
 * away). A `.gz` that cannot be decompressed (a compression cut short) is thrown as an error.
 */
export function readRotated(fs: LogReadFs, dir: string, file: RotatedLogFile): RotatedContent | null {
  const full = path.join(dir, file.file);
  try {
    if (file.gz) return { bytes: zlib.gunzipSync(fs.readFileSync(full)), stat: null };
    const opened = openLogFile(fs, full);
    if (opened) {
      try {
        return { bytes: readFrom(fs, opened.fd, 0), stat: opened.stat };
      } finally {
        fs.closeSync(opened.fd);
      }
    }
  } catch (err) {
    if (!isFsError(err, 'ENOENT')) throw err;
  }
  if (file.gz) return null;
  return readRotated(fs, dir, { ...file, file: `${file.file}.gz`, gz: true });
}

/**
 * Whether two stats are of the same file: by volume and file id where the file system gives ids
 * (NTFS, Linux), else by creation time; null when neither is known.
 */
export function sameFile(a: nodeFs.BigIntStats, b: nodeFs.BigIntStats): boolean | null {
  if (a.ino > 0n && b.ino > 0n) return a.dev === b.dev && a.ino === b.ino;
  if (a.birthtimeNs > 0n && b.birthtimeNs > 0n) return a.birthtimeNs === b.birthtimeNs;
  return null;
}

/** How many leading bytes `sameContent` compares. */
const PREFIX_BYTES = 4096;

/**
 * Whether `bytes` (a rotated file's content) is what the open file `held` holds: the same length
 * and the same first bytes. Every file starts with records stamped to the millisecond, so two
 * different log files practically never agree on both. Used where ids cannot tell (a `.gz` is a
 * new file).
 */
export function sameContent(fs: LogReadFs, held: OpenLogFile, bytes: Buffer): boolean {
  const size = Number(fs.fstatSync(held.fd, { bigint: true }).size);
  if (size !== bytes.length) return false;
  const prefix = fdSource(fs, held.fd, size).read(0, PREFIX_BYTES);
  return prefix.equals(bytes.subarray(0, prefix.length));
}
