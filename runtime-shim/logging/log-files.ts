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

/** A rotated file held open: what it holds stays readable when the service renames or deletes it. */
export interface OpenRotated extends OpenLogFile {
  gz: boolean;
}

/**
 * Opens a rotated file. A plain file that vanished meanwhile (the service just compressed it) is
 * opened as its `.gz`; null if neither exists any more (renamed or rotated away).
 */
export function openRotated(fs: LogReadFs, dir: string, file: RotatedLogFile): OpenRotated | null {
  const opened = openLogFile(fs, path.join(dir, file.file));
  if (opened) return { ...opened, gz: file.gz };
  if (file.gz) return null;
  return openRotated(fs, dir, { ...file, file: `${file.file}.gz`, gz: true });
}

/** The records an opened rotated file holds (gunzipped). */
export function rotatedBytes(fs: LogReadFs, file: OpenRotated): Buffer {
  const raw = readFrom(fs, file.fd, 0);
  return file.gz ? zlib.gunzipSync(raw) : raw;
}

/** A rotated file's content and, for a plain file, its stat (to compare identities). */
export interface RotatedContent {
  bytes: Buffer;
  stat: nodeFs.BigIntStats | null;
}

/** Reads a rotated file whole (see openRotated); null if it is gone. */
export function readRotated(fs: LogReadFs, dir: string, file: RotatedLogFile): RotatedContent | null {
  const opened = openRotated(fs, dir, file);
  if (opened === null) return null;
  try {
    return { bytes: rotatedBytes(fs, opened), stat: opened.gz ? null : opened.stat };
  } finally {
    fs.closeSync(opened.fd);
  }
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
