/**
 * The service's log as systemd's journal takes it from a service's stdout: one line per entry,
 * each starting with its syslog priority in angle brackets (`<3>`), which journald reads and
 * strips (SyslogLevelPrefix=, on by default) — so `journalctl -u <unit> -p warning` filters by
 * level and errors show highlighted. journald stamps time, unit and PID itself, so a line is only
 * `<priority>[source] text`.
 *
 * Levels: error → 3 (err), warn → 4 (warning), info → 6 (info), debug → 7 (debug).
 *
 * Multi-line messages (a stack) become one entry per line, each with the record's priority and
 * source: journald splits its stdout stream at newlines and reads a priority prefix on every line,
 * so an unprefixed continuation line would land at the default priority (and one that happened to
 * start with `<N>` would choose its own). Escaping the newlines instead would keep one entry, but
 * journalctl shows it as one long line with literal `\n`s; consecutive entries read like the
 * stack did. Trailing empty lines are dropped. Lines longer than JOURNAL_LINE_BYTES are cut into
 * prefixed pieces before journald's LineMax= (48K by default) would cut them without a prefix.
 * Control characters other than tab (C0, DEL, C1) are written as `\xNN`: journalctl shows a
 * message holding one as `[N blob data]` unless asked for `--all`.
 *
 * Everything goes to one descriptor (stdout by default): journald reads stdout and stderr as two
 * streams, and two streams lose the order between records; the priority carries the severity.
 * Writes are synchronous, so the last records before the process ends are in the journal.
 */
import fs from 'node:fs';
import { levelEnabled, type LogLevel, type LogSink, type LogSource } from '../../logging/log-sink';

/** The syslog priority of each level (sd-daemon.h's SD_ERR, SD_WARNING, SD_INFO, SD_DEBUG). */
export const JOURNAL_PRIORITY: Readonly<Record<LogLevel, number>> = { error: 3, warn: 4, info: 6, debug: 7 };

/** The longest text (UTF-8 bytes, after the prefix) one journal line carries. */
export const JOURNAL_LINE_BYTES = 16 * 1024;

/** How long a write waits in all for a full stdout pipe (EAGAIN) before it drops the record, ms. */
export const JOURNAL_WRITE_PATIENCE_MS = 5_000;

/** One record as the lines journald reads (pure), each ending in `\n`. */
export function formatJournalRecord(level: LogLevel, source: LogSource, message: string): string {
  const prefix = `<${JOURNAL_PRIORITY[level]}>[${source}] `;
  const lines = message.split(/\r?\n/);
  while (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines.flatMap((line) => splitLine(escapeControls(line), JOURNAL_LINE_BYTES).map((piece) => `${prefix}${piece}\n`)).join('');
}

/** Control characters except tab (C0, DEL, C1) as `\xNN` (pure). */
export function escapeControls(line: string): string {
  return line.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `line` cut into pieces of at most `maxBytes` UTF-8 bytes, never inside a character (pure). */
export function splitLine(line: string, maxBytes: number): string[] {
  if (Buffer.byteLength(line, 'utf8') <= maxBytes) return [line];
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > maxBytes) {
      pieces.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += ch;
    bytes += n;
  }
  pieces.push(piece);
  return pieces;
}

/** How the sink writes: fs.writeSync's shape, and a blocking pause (tests replace both). */
export interface FdWriter {
  writeSync(fd: number, data: Uint8Array, offset: number, length: number): number;
  sleep(ms: number): void;
}

const pause = new Int32Array(new SharedArrayBuffer(4));
const systemWriter: FdWriter = {
  writeSync: (fd, data, offset, length) => fs.writeSync(fd, data, offset, length),
  sleep: (ms) => void Atomics.wait(pause, 0, 0, ms),
};

/**
 * Writes all of `data` to `fd`, resuming after partial writes and waiting out EAGAIN (stdout can
 * be a non-blocking pipe once Node has opened process.stdout) for at most `patienceMs` in all.
 * Returns false when the data could not be written whole (the descriptor is closed, or stayed
 * full). Never throws.
 */
export function writeFully(fd: number, data: Uint8Array, writer: FdWriter = systemWriter, patienceMs = JOURNAL_WRITE_PATIENCE_MS): boolean {
  let offset = 0;
  let waited = 0;
  let delay = 1;
  while (offset < data.length) {
    try {
      offset += writer.writeSync(fd, data, offset, data.length - offset);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || waited >= patienceMs) return false;
      writer.sleep(delay);
      waited += delay;
      delay = Math.min(delay * 2, 50);
    }
  }
  return true;
}

export interface JournalSinkOptions {
  /** The lowest level written. */
  minLevel: LogLevel;
  /** The descriptor journald reads (default 1, stdout). */
  fd?: number;
  /** Test seam: how bytes reach `fd`. */
  writer?: FdWriter;
}

/**
 * A LogSink writing records at `minLevel` or above to the journal through stdout (see the module
 * comment). Writes straight to the descriptor, not through process.stdout, so it keeps working
 * while captureStdio (logging/log-sink.ts) routes process.stdout into the log. Never throws: a
 * record that cannot be written is dropped.
 */
export class JournalSink implements LogSink {
  readonly minLevel: LogLevel;
  private readonly fd: number;
  private readonly writer: FdWriter;

  constructor(opts: JournalSinkOptions) {
    this.minLevel = opts.minLevel;
    this.fd = opts.fd ?? 1;
    this.writer = opts.writer ?? systemWriter;
  }

  write(level: LogLevel, source: LogSource, message: string): void {
    if (!levelEnabled(level, this.minLevel)) return;
    writeFully(this.fd, Buffer.from(formatJournalRecord(level, source, message), 'utf8'), this.writer);
  }
}
