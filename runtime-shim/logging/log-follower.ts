/**
 * Following the service log as it is written (`<Name>.exe logs --follow`), across rotations,
 * without losing or repeating a byte. The caller polls (a few times a second); each poll returns
 * what was written since the last one, in the order written.
 *
 * The current file is held open. A rotation renames it to `<Name>.1.log` (perhaps gzips it) and
 * the service starts a new `<Name>.log`: the follower sees that the name now points at another
 * file (file ids; where the file system has none, the name's file being shorter than what was
 * read), reads the rest of the held file — the service closed it before renaming, so it is
 * complete — and goes on with the new file from its start. If the log rotated more than once
 * between two polls, the files in between (now `<Name>.1.log`, …) are printed first: they are
 * the rotated files newer than the held one, found by id or, for a `.gz`, by content.
 */
import path from 'node:path';
import {
  currentLogPath,
  openLogFile,
  readFrom,
  readRotated,
  sameContent,
  sameFile,
  statOrNull,
  type LogReadFs,
  type OpenLogFile,
} from './log-files';
import { rotatedLogFiles } from './rotating-file';

export interface LogFollowerOptions {
  /** The log folder. */
  dir: string;
  /** The service name: the current file is `<name>.log`. */
  name: string;
  fs: LogReadFs;
  /** A warning line for stderr (records that may have been missed). */
  warn(line: string): void;
}

interface Held extends OpenLogFile {
  /** Bytes of it already returned. */
  offset: number;
}

/**
 * Where following starts: the current file, held open, and how much of it was already printed;
 * or no current file yet — then the follower waits for it and returns it from its start, after
 * the rotated files if `rotatedAreNew` (there was no log at all: any rotated file appeared since).
 */
export type FollowStart = { open: OpenLogFile; offset: number } | { rotatedAreNew: boolean };

/**
 * Follows `<dir>/<name>.log` from `from`. File-system errors other than a missing file (EACCES…)
 * are thrown from `poll`.
 */
export class LogFollower {
  private held: Held | null;
  private readonly file: string;

  constructor(
    private readonly opts: LogFollowerOptions,
    private readonly from: FollowStart,
  ) {
    this.file = currentLogPath(opts.dir, opts.name);
    this.held = 'open' in from ? { ...from.open, offset: from.offset } : null;
  }

  /** What was written since the last poll (empty if nothing), in the order written. */
  poll(): Buffer[] {
    const out: Buffer[] = [];
    if (this.held === null) {
      const opened = openLogFile(this.opts.fs, this.file);
      if (opened === null) return out;
      if ('rotatedAreNew' in this.from && this.from.rotatedAreNew) out.push(...this.between(null, opened));
      this.held = { ...opened, offset: 0 };
    }
    const held = this.held;
    this.drain(held, out);
    const named = statOrNull(this.opts.fs, this.file);
    if (named === null) return out; // between the rename and the new file: look again next time
    const same = sameFile(named, held.stat);
    if (same === true) {
      if (named.size < BigInt(held.offset)) held.offset = 0; // emptied in place (by hand): from its start again
      return out;
    }
    if (same === null && named.size >= BigInt(held.offset)) return out;
    // Rotated. The service closed the held file before renaming it: what it holds now is final.
    this.drain(held, out);
    const next = openLogFile(this.opts.fs, this.file);
    if (next === null) return out;
    out.push(...this.between(held, next));
    this.opts.fs.closeSync(held.fd);
    this.held = { ...next, offset: 0 };
    this.drain(this.held, out);
    return out;
  }

  /** Closes the held file. */
  close(): void {
    if (this.held) this.opts.fs.closeSync(this.held.fd);
    this.held = null;
  }

  private drain(held: Held, out: Buffer[]): void {
    const bytes = readFrom(this.opts.fs, held.fd, held.offset);
    held.offset += bytes.length;
    if (bytes.length > 0) out.push(bytes);
  }

  /**
   * The content of the rotated files written after `old` and before `next` (oldest first): those
   * listed before `old` in newest-first order, except `next` itself should it have been rotated
   * already. Empty after a single rotation (`old` is `<name>.1.log`). If `old` is not among the
   * rotated files (rotated away, `logKeep` exceeded), nothing: which files are newer cannot be
   * told, so a warning says records may be missing. With no `old` (no log before), all of them.
   */
  private between(old: OpenLogFile | null, next: OpenLogFile): Buffer[] {
    const { fs, dir, name } = this.opts;
    const newer: Buffer[] = [];
    const done = new Set<number>();
    for (const file of rotatedLogFiles(name, fs.readdirSync(dir))) {
      if (done.has(file.index)) continue;
      // A plain file's id answers without reading it (the usual case: <name>.1.log is `old`).
      const stat = file.gz ? null : statOrNull(fs, path.join(dir, file.file));
      if (stat && old && sameFile(stat, old.stat) === true) return newer.reverse();
      if (stat && sameFile(stat, next.stat) === true) {
        done.add(file.index);
        continue;
      }
      const content = readRotated(fs, dir, file);
      if (content === null) continue;
      done.add(file.index);
      const is = (held: OpenLogFile) =>
        (content.stat !== null ? sameFile(content.stat, held.stat) : null) ?? sameContent(fs, held, content.bytes);
      if (old && is(old)) return newer.reverse();
      if (!is(next)) newer.push(content.bytes);
    }
    if (old === null) return newer.reverse();
    this.opts.warn(
      `${name}: the log rotated more than once between two reads and the file being followed is no longer in ${dir}; records written meanwhile may be missing`,
    );
    return [];
  }
}
