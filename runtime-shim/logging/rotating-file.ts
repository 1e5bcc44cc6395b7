/**
 * The service's log files. Records go to `<dir>\<Name>.log`; at a rotation it becomes
 * `<Name>.1.log` (newest) and the older ones move up to `<Name>.<logKeep>.log` (oldest), gzipped
 * to `<Name>.<N>.log.gz` when `logCompress` is on. Reading the files from the highest number down
 * to `<Name>.log` gives every record once, in the order written.
 *
 * Every write is synchronous (`fs.writeSync` on an open fd), so a crash loses nothing written
 * before it, and rotation happens inside the write that needs it, so records cannot overtake one
 * another or be split across files. Compression is synchronous too, after the fresh file is open,
 * and replaces the plain file only once the `.gz` is complete.
 */
import nodeFs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { formatRecord, levelEnabled, type LogLevel, type LogSink, type LogSource } from './log-sink';
import type { LoggingSettings, LogRotation } from '../settings/logging-settings';

/** The file-system calls the log makes: node:fs, or a faulty stand-in in tests. */
export type LogFs = Pick<
  typeof nodeFs,
  'mkdirSync' | 'openSync' | 'writeSync' | 'closeSync' | 'fstatSync' | 'readdirSync' | 'renameSync' | 'unlinkSync' | 'readFileSync' | 'writeFileSync'
>;

/** What the rotation policy knows about the current file. */
export interface FileState {
  /** Size of the current file in bytes. */
  bytes: number;
  /** The size from which the size limit counts: 0, or the size at the last failed rotation. */
  sizeBase: number;
  /** Local day (`localDay`) of the last write to the current file, or of its opening. */
  day: string;
}

/** `YYYY-MM-DD` of `time` in the local time zone: the unit of daily rotation (record times are UTC). */
export function localDay(time: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}`;
}

/**
 * Whether the current file must be rotated before a record of `recordBytes` bytes is written at
 * `now` (pure): the record would take the file over `maxBytes` (counted from `sizeBase`), or it is
 * the first write on a new local day. Never when nothing was written since `sizeBase`, so a record
 * larger than `maxBytes` goes whole into a fresh file, and an empty file is never rotated.
 */
export function shouldRotate(state: FileState, recordBytes: number, now: Date, rotation: LogRotation): boolean {
  const written = state.bytes - state.sizeBase;
  if (written <= 0) return false;
  if (rotation.maxBytes !== null && written + recordBytes > rotation.maxBytes) return true;
  return rotation.daily && localDay(now) !== state.day;
}

export type RotationStep = { op: 'delete'; file: string } | { op: 'rename'; from: string; to: string };

export interface RotationPlan {
  /**
   * File names (in the log folder), to run in order, stopping at the first that fails: each
   * step's target is free only once the steps before it succeeded. The last step renames
   * `<Name>.log` to `<Name>.1.log`.
   */
  steps: RotationStep[];
  /** The rotated file to gzip (to `<file>.gz`) after the fresh file is open; null without compression. */
  compress: string | null;
}

/**
 * How to rotate `<name>.log` given the names in the log folder (pure): `<name>.N.log[.gz]` moves
 * to N+1, highest first, and is deleted instead when N+1 exceeds `keep` (≥ 1). A plain file whose
 * `.gz` also exists is deleted (a compression whose clean-up failed: the `.gz` is complete). Gaps
 * left by an earlier failed rotation are kept; the order of the numbers still is the order of age.
 */
export function rotationPlan(name: string, existingFiles: readonly string[], keep: number, compress: boolean): RotationPlan {
  const pattern = rotatedFilePattern(name);
  const rotated = new Map<number, Set<string>>();
  for (const file of existingFiles) {
    const match = pattern.exec(file);
    if (!match) continue;
    const index = Number(match[1]);
    const suffixes = rotated.get(index) ?? new Set<string>();
    suffixes.add(match[2] ?? '');
    rotated.set(index, suffixes);
  }
  const steps: RotationStep[] = [];
  for (const index of [...rotated.keys()].sort((a, b) => b - a)) {
    const suffixes = rotated.get(index)!;
    if (suffixes.has('') && suffixes.has('.gz')) {
      steps.push({ op: 'delete', file: `${name}.${index}.log` });
      suffixes.delete('');
    }
    for (const suffix of suffixes) {
      const file = `${name}.${index}.log${suffix}`;
      steps.push(index + 1 > keep ? { op: 'delete', file } : { op: 'rename', from: file, to: `${name}.${index + 1}.log${suffix}` });
    }
  }
  steps.push({ op: 'rename', from: `${name}.log`, to: `${name}.1.log` });
  return { steps, compress: compress ? `${name}.1.log` : null };
}

/** Matches `<name>.<N>.log` and `<name>.<N>.log.gz`: group 1 is N, group 2 `.gz` or undefined. */
function rotatedFilePattern(name: string): RegExp {
  return new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.([1-9]\\d*)\\.log(\\.gz)?$`);
}

/** A rotated log file: `<name>.<index>.log`, or its gzipped copy when `gz`. */
export interface RotatedLogFile {
  index: number;
  file: string;
  gz: boolean;
}

/**
 * The rotated files among `existingFiles` (names in the log folder), newest first (pure): by
 * index, and for one index the plain file before its `.gz` (both exist while a compression is
 * finishing; they hold the same records).
 */
export function rotatedLogFiles(name: string, existingFiles: readonly string[]): RotatedLogFile[] {
  const pattern = rotatedFilePattern(name);
  const found: RotatedLogFile[] = [];
  for (const file of existingFiles) {
    const match = pattern.exec(file);
    if (match) found.push({ index: Number(match[1]), file, gz: match[2] !== undefined });
  }
  return found.sort((a, b) => a.index - b.index || Number(a.gz) - Number(b.gz));
}

export interface RotatingLogFileOptions {
  /** Folder of the log files, created if missing. */
  dir: string;
  /** Base name: the current file is `<name>.log` (the service name). */
  name: string;
  settings: Pick<LoggingSettings, 'logLevel' | 'logRotate' | 'logKeep' | 'logCompress'>;
  /** The clock; its local day drives daily rotation. Default: the system clock. */
  now?: () => Date;
  /** Default: node:fs. */
  fs?: LogFs;
  /**
   * Runs each record's write (and a rotation) exclusively against another thread that appends to
   * the same file (the control thread's last line; platform/windows/status-slot.ts). Default: no lock.
   */
  exclusive?: (write: () => void) => void;
}

/**
 * A `LogSink` writing `<dir>\<name>.log` with rotation (see the module comment). Records below
 * `settings.logLevel` are dropped. Called synchronously from any code in the process (lifecycle,
 * the runtime API, captured stdout/stderr); never throws from `write`.
 *
 * Failures: a rotation that fails (on Windows a reader holding a log file open without delete
 * sharing makes renames fail with EBUSY/EPERM) leaves the files it had not moved yet in place,
 * reopens the current file and keeps writing to it — nothing is lost — after a `warn` record
 * saying so; it is retried at the next rotation point (another `maxBytes` written, or the next
 * day). A failed compression leaves the rotated file uncompressed, also with a `warn` record. A
 * record that cannot be written (disk full, the folder gone and not re-creatable) is dropped:
 * there is nowhere else to put it; the file is reopened at the next write.
 */
export class RotatingLogFile implements LogSink {
  readonly file: string;
  private readonly fs: LogFs;
  private readonly now: () => Date;
  private fd: number | null = null;
  private state: FileState = { bytes: 0, sizeBase: 0, day: '' };
  private settings: RotatingLogFileOptions['settings'];

  /** Opens (creating the folder as needed) the current file for appending. Throws if it cannot. */
  constructor(private readonly opts: RotatingLogFileOptions) {
    this.settings = { ...opts.settings };
    this.fs = opts.fs ?? nodeFs;
    this.now = opts.now ?? (() => new Date());
    this.file = path.join(opts.dir, `${opts.name}.log`);
    this.open(this.now());
  }

  write(level: LogLevel, source: LogSource, message: string): void {
    if (!levelEnabled(level, this.settings.logLevel)) return;
    const now = this.now();
    const record = Buffer.from(formatRecord(now, level, source, message), 'utf8');
    this.exclusive(() => {
      if (this.fd !== null && shouldRotate(this.state, record.length, now, this.settings.logRotate)) this.rotate(now);
      this.append(record, now);
    });
  }

  private exclusive(write: () => void): void {
    if (this.opts.exclusive) this.opts.exclusive(write);
    else write();
  }

  /**
   * Takes new level, rotation, keep and compression settings (a reload) for the records that
   * follow; the folder and file name stay. A smaller size limit or keep count applies at the next
   * rotation, which may come with the next record.
   */
  applySettings(settings: RotatingLogFileOptions['settings']): void {
    this.settings = { ...settings };
  }

  /**
   * Rotates now (`MySvc.exe rotate`): the current file becomes `<Name>.1.log` and a fresh one is
   * opened. An empty current file is not rotated. Failures are handled as in a size rotation (a
   * `warn` record, writing goes on to the current file). Returns whether the file was rotated.
   */
  rotateNow(): boolean {
    if (this.fd === null || this.state.bytes - this.state.sizeBase <= 0) return false;
    const now = this.now();
    let rotated = false;
    this.exclusive(() => (rotated = this.rotate(now)));
    return rotated;
  }

  /** Appends `record` to the current file, reopening it first if it is not open. */
  private append(record: Buffer, now: Date): void {
    try {
      if (this.fd === null) this.open(now);
      let offset = 0;
      try {
        while (offset < record.length) offset += this.fs.writeSync(this.fd!, record, offset);
      } finally {
        this.state.bytes += offset;
      }
      this.state.day = localDay(now);
    } catch {
      // Disk full or the folder gone: nowhere to report it, and the service must not crash.
    }
  }

  /** Opens the current file for appending and takes its size and day from it. */
  private open(now: Date): void {
    this.fs.mkdirSync(this.opts.dir, { recursive: true });
    const fd = this.fs.openSync(this.file, 'a');
    const { size, mtime } = this.fs.fstatSync(fd);
    this.fd = fd;
    this.state = { bytes: size, sizeBase: 0, day: size > 0 ? localDay(mtime) : localDay(now) };
  }

  private close(): void {
    if (this.fd === null) return;
    try {
      this.fs.closeSync(this.fd);
    } catch {
      // The fd is unusable either way; open() replaces it.
    }
    this.fd = null;
  }

  /**
   * Runs a rotation plan; on failure goes on with the current file until the next rotation point.
   * True when the current file was renamed.
   */
  private rotate(now: Date): boolean {
    const { logKeep, logCompress } = this.settings;
    this.close();
    let plan: RotationPlan | null = null;
    let failure: unknown = null;
    try {
      plan = rotationPlan(this.opts.name, this.fs.readdirSync(this.opts.dir), logKeep, logCompress);
      for (const step of plan.steps) {
        if (step.op === 'delete') this.fs.unlinkSync(path.join(this.opts.dir, step.file));
        else this.fs.renameSync(path.join(this.opts.dir, step.from), path.join(this.opts.dir, step.to));
      }
    } catch (err) {
      failure = err;
    }
    try {
      this.open(now);
    } catch {
      return failure === null; // append() retries the open, and drops the record if that fails too.
    }
    if (failure !== null) {
      this.state.sizeBase = this.state.bytes;
      this.state.day = localDay(now);
      this.warn(now, `log rotation failed (${errorText(failure)}); still writing to ${this.file}, retrying at the next rotation point`);
      return false;
    }
    if (plan?.compress) this.compress(plan.compress, now);
    return true;
  }

  /**
   * Gzips `file` to `file.gz` through `file.gz.tmp` (a `.tmp` left by a failure is overwritten by
   * the next compression); the plain file is removed only after the `.gz` is in place.
   */
  private compress(file: string, now: Date): void {
    const plain = path.join(this.opts.dir, file);
    const tmp = `${plain}.gz.tmp`;
    try {
      this.fs.writeFileSync(tmp, zlib.gzipSync(this.fs.readFileSync(plain)));
      this.fs.renameSync(tmp, `${plain}.gz`);
    } catch (err) {
      this.warn(now, `compressing ${plain} failed (${errorText(err)}); it stays uncompressed`);
      return;
    }
    try {
      this.fs.unlinkSync(plain);
    } catch {
      // Both copies stay until the next rotation, whose plan deletes the plain one.
    }
  }

  /** A `warn` record about the log itself, written without a rotation check. */
  private warn(now: Date, message: string): void {
    if (levelEnabled('warn', this.settings.logLevel)) this.append(Buffer.from(formatRecord(now, 'warn', 'lifecycle', message), 'utf8'), now);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
