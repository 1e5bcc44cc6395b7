/**
 * `<Name>.exe logs [--lines N] [--since <time>] [--follow]`: prints the service log from its
 * folder (`ManageContext.logDir`) to stdout, byte for byte as stored, oldest record first.
 *
 * - `--lines N` (default 50): the last N records across the current and the rotated files (a
 *   multi-line record — a message of several lines, a stack trace — counts once and is printed
 *   whole; see logging/log-records.ts). Rotated files are read, gunzipped, only as far back as
 *   needed (read again if the service rotates the log meanwhile).
 * - `--since <time>`: the records written since then (see log-since.ts); alone, all of them; with
 *   `--lines`, at most the last N of them.
 * - `--follow`: then keeps printing records as they are written, across rotations, polling a few
 *   times a second, until Ctrl+C (exit 0). With no log yet it waits for one.
 *
 * No log yet (the service never ran): one line on stderr, exit 0 — nothing is wrong, there is
 * just nothing to print. A folder or file the caller may not read (the data folder is readable by
 * administrators and the service only): ManageError, exit 1.
 */
import nodeFs from 'node:fs';
import type { LogsCommand } from './command-line';
import { LogFollower } from '../logging/log-follower';
import {
  currentLogPath,
  fdSource,
  isFsError,
  openLogFile,
  openRotated,
  rotatedBytes,
  sameFile,
  statOrNull,
  type LogReadFs,
  type OpenLogFile,
  type OpenRotated,
} from '../logging/log-files';
import { bufferSource, selectionStart, type ByteSource, type LogPosition, type RecordSelection } from '../logging/log-records';
import { rotatedLogFiles, type RotatedLogFile } from '../logging/rotating-file';
import { ManageError, type ManageContext } from './context';
import { sinceTime } from './log-since';

/** Records printed when neither --lines nor --since is given. */
export const DEFAULT_LINES = 50;
/** How often --follow looks for new records, in ms. */
export const FOLLOW_POLL_MS = 250;
const CHUNK_BYTES = 64 * 1024;

/** The console the command prints to, and what ends --follow. Tests pass their own. */
export interface LogsIo {
  /** Writes log bytes to stdout; resolves once they are handed over (backpressure). */
  write(bytes: Buffer): Promise<void>;
  /** Aborted by Ctrl+C (or a closed stdout): --follow ends, exit 0. */
  signal: AbortSignal;
  /** The wall clock, ms since the epoch (for `--since 10m`). */
  now(): number;
  /** Waits `ms`, or less if `signal` is aborted meanwhile. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  fs: LogReadFs;
}

/** How the hints name the commands: the executable as the user runs it (default `<name>.exe`), and how to start the service (default `<exe> start`; Linux: `sudo MySvc start`). */
export interface LogsWords {
  exe?: string;
  start?: string;
}

/** Runs the command; resolves to the exit code (0) or throws ManageError (exit 1). */
export async function logs(ctx: Pick<ManageContext, 'name' | 'logDir' | 'warn'> & LogsWords, command: LogsCommand, io: LogsIo = processIo()): Promise<number> {
  const { name, logDir: dir } = ctx;
  const exe = ctx.exe ?? `${name}.exe`;
  const notYet = `${name}: the service has not written a log yet in ${dir}`;
  /** The current file while this function must close it (the follower takes it over). */
  let held: OpenLogFile | null = null;
  try {
    const sinceMs = command.since ? sinceTime(command.since, io.now()) : null;
    const lines = command.lines ?? (sinceMs === null ? DEFAULT_LINES : null);
    const { current, rotated, sources, start } = await readSelection(io, dir, name, { lines, sinceMs });
    held = current;
    if (current === null && rotated.length === 0) {
      if (!command.follow) {
        ctx.warn(`${notYet} — start it with "${ctx.start ?? `${exe} start`}" and try again`);
        return 0;
      }
      ctx.warn(`${notYet}; waiting for it (Ctrl+C to stop)`);
    }
    const size = sources[0]!.size;
    if (start) {
      for (let index = start.source; index >= 0 && !io.signal.aborted; index--) {
        const source = sources[index]!;
        for (let pos = index === start.source ? start.offset : 0; pos < source.size && !io.signal.aborted; pos += CHUNK_BYTES) {
          await io.write(source.read(pos, CHUNK_BYTES));
        }
      }
    }
    if (!command.follow) return 0;

    const followFrom = current ? { open: current, offset: size } : { rotatedAreNew: rotated.length === 0 };
    const follower = new LogFollower({ dir, name, fs: io.fs, warn: ctx.warn }, followFrom);
    held = null;
    try {
      while (!io.signal.aborted) {
        for (const bytes of follower.poll()) await io.write(bytes);
        await io.sleep(FOLLOW_POLL_MS, io.signal);
      }
    } finally {
      follower.close();
    }
    return 0;
  } catch (err) {
    throw explainRead(err, exe, dir);
  } finally {
    if (held) io.fs.closeSync(held.fd);
  }
}

/**
 * Opens the current file (held: it is followed from its end) and every rotated file, then finds
 * the selection in them, reading rotated files only as far back as needed. Held open, the files
 * keep their content when the service renames them; but they are found by name, and a rotation
 * renames them all: if one happened while they were being opened (a name was gone, or the
 * current file is not current any more), all is opened again, up to MAX_ATTEMPTS times.
 */
async function readSelection(
  io: LogsIo,
  dir: string,
  name: string,
  selection: RecordSelection,
): Promise<{ current: OpenLogFile | null; rotated: RotatedLogFile[]; sources: ByteSource[]; start: LogPosition | null }> {
  for (let attempt = 1; ; attempt++) {
    let current = openLogFile(io.fs, currentLogPath(dir, name));
    const rotated = listRotated(io.fs, dir, name);
    if (current === null && rotated.length > 0) current = await openCurrentSoon(io, dir, name);
    const opened: OpenRotated[] = [];
    try {
      let complete = true;
      for (const file of rotated) {
        const one = openRotated(io.fs, dir, file);
        if (one) opened.push(one);
        else complete = false;
      }
      const settled = complete && (current === null || !rotatedSince(io.fs, currentLogPath(dir, name), current));
      if (settled || attempt === MAX_ATTEMPTS) return { current, rotated, ...select(io.fs, current, opened, selection) };
    } catch (err) {
      if (current) io.fs.closeSync(current.fd);
      throw err;
    } finally {
      for (const file of opened) io.fs.closeSync(file.fd);
    }
    if (current) io.fs.closeSync(current.fd);
  }
}

/** How often the files are opened again when rotations keep renaming them under the reader. */
const MAX_ATTEMPTS = 5;

/**
 * The selection over the current file (`current`, read up to its size now; none: empty) and the
 * opened rotated files, newest first, read when the scan reaches them: the sources read and where
 * the selection starts in them.
 */
function select(
  fs: LogReadFs,
  current: OpenLogFile | null,
  rotated: readonly OpenRotated[],
  selection: RecordSelection,
): { sources: ByteSource[]; start: LogPosition | null } {
  const sources: ByteSource[] = [current ? fdSource(fs, current.fd, Number(current.stat.size)) : bufferSource(Buffer.alloc(0))];
  const sourceAt = (index: number): ByteSource | null => {
    if (index < sources.length) return sources[index]!;
    const file = rotated[index - 1];
    if (file === undefined) return null;
    sources.push(bufferSource(rotatedBytes(fs, file)));
    return sources[index]!;
  };
  return { sources, start: selectionStart(sourceAt, selection) };
}

/** Whether `file` (the current log's name) no longer names `held`: the log rotated since `held` was opened. */
function rotatedSince(fs: LogReadFs, file: string, held: OpenLogFile): boolean {
  const now = statOrNull(fs, file);
  if (now === null) return true;
  const same = sameFile(now, held.stat);
  return same === null ? now.size < held.stat.size : !same;
}

/**
 * The current file when rotated ones exist: it is missing only for the moment between a
 * rotation's rename and the new file's creation, so missing, it is looked for again for up to a
 * second; still missing (the service stopped in that moment), null.
 */
async function openCurrentSoon(io: LogsIo, dir: string, name: string): Promise<OpenLogFile | null> {
  for (let attempt = 0; ; attempt++) {
    const current = openLogFile(io.fs, currentLogPath(dir, name));
    if (current || attempt === 10 || io.signal.aborted) return current;
    await io.sleep(100, io.signal);
  }
}

/** The rotated files in `dir`, newest first, one per index (the plain one while its `.gz` is being written). */
function listRotated(fs: LogReadFs, dir: string, name: string): RotatedLogFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if (isFsError(err, 'ENOENT', 'ENOTDIR')) return [];
    throw err;
  }
  return rotatedLogFiles(name, names).filter((file, i, all) => i === 0 || all[i - 1]!.index !== file.index);
}

/** A failed read as the one line the user sees: access denied says how to get access. */
function explainRead(err: unknown, exe: string, dir: string): unknown {
  if (err instanceof ManageError) return err;
  if (isFsError(err, 'EACCES', 'EPERM')) {
    return new ManageError(
      `cannot read the log in ${dir}: access denied`,
      `run "${exe} logs" from a command prompt opened with "Run as administrator" (the log folder is readable by administrators and the service only)`,
    );
  }
  if (err instanceof Error && 'code' in err) {
    return new ManageError(`cannot read the log in ${dir}: ${err.message}`, `check the folder, then run "${exe} logs" again`);
  }
  return err;
}

/**
 * The real console: stdout (a closed pipe, e.g. `| more` quit early, ends the command quietly),
 * Ctrl+C and Ctrl+Break, the system clock, node:fs.
 */
function processIo(): LogsIo {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGBREAK', stop);
  process.stdout.on('error', stop);
  return {
    write: (bytes) => (controller.signal.aborted ? Promise.resolve() : new Promise((resolve) => process.stdout.write(bytes, () => resolve()))),
    signal: controller.signal,
    now: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done);
      }),
    fs: nodeFs,
  };
}
