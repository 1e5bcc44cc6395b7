/**
 * Reading the service log back (the format `formatRecord` in logging/log-sink.ts writes): which lines form
 * one record, and where the last records — by count, by time, or both — begin, found by scanning
 * the files backwards from their end so that only what is needed is read.
 *
 * A record is a line plus the lines written with it: a multi-line message is stored as one line
 * per message line, all with the same time, level and source; a stack trace captured from stderr
 * arrives line by line, its indented `at …` lines possibly a millisecond later. So a line
 * continues the record before it when it has the same level and source and either the same time
 * or an indented message; a line not in the record format at all (never written by svcpack)
 * stays with the line before it.
 */

/** What identifies a stored line's record: `2026-11-22T10:00:00.000Z info  [lifecycle] running`. */
export interface LineHead {
  /** The ISO time as stored (UTC, milliseconds). */
  stamp: string;
  level: string;
  source: string;
  /** The message starts with white space (a stack trace's `    at …`). */
  indented: boolean;
}

const HEAD = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (debug|info |warn |error) \[(\w+)\] (.?)/;

/** The head of one stored line (without its newline); null if the line is not in the record format. */
export function lineHead(line: string): LineHead | null {
  const match = HEAD.exec(line);
  if (!match) return null;
  return { stamp: match[1]!, level: match[2]!.trimEnd(), source: match[3]!, indented: /^\s$/.test(match[4]!) };
}

/** Whether the line headed `later`, directly after the line headed `earlier`, belongs to the same record. */
export function continuesRecord(earlier: LineHead | null, later: LineHead | null): boolean {
  if (later === null) return true;
  if (earlier === null) return false;
  if (later.level !== earlier.level || later.source !== earlier.source) return false;
  return later.stamp === earlier.stamp || later.indented;
}

/** Bytes that can be read at any position: an open log file, or a decompressed `.gz`. */
export interface ByteSource {
  /** Bytes readable, from 0 to size. */
  readonly size: number;
  /** Up to `length` bytes from `position`. */
  read(position: number, length: number): Buffer;
}

export function bufferSource(bytes: Buffer): ByteSource {
  return { size: bytes.length, read: (position, length) => bytes.subarray(position, position + length) };
}

const NEWLINE = 0x0a;
/** How much of a line is decoded to find its head: the head is ~40 bytes, the indentation right after. */
const HEAD_BYTES = 96;

/**
 * The lines of `source` from the last to the first, each with the byte offset where it starts and
 * its first bytes decoded (enough for `lineHead`). A last line without a newline is included.
 * Reads `chunkBytes` at a time from the end; holds at most one line plus one chunk.
 */
export function* linesBackward(source: ByteSource, chunkBytes = 64 * 1024): Generator<{ start: number; head: string }> {
  let pos = source.size;
  let carry = Buffer.alloc(0);
  while (pos > 0 || carry.length > 0) {
    const from = Math.max(0, pos - chunkBytes);
    const buf = pos > from ? Buffer.concat([source.read(from, pos - from), carry]) : carry;
    let end = buf.length;
    for (;;) {
      // The newline that ends the line before the one ending at `end` (its own newline excluded).
      const newline = end >= 2 ? buf.lastIndexOf(NEWLINE, end - 2) : -1;
      if (newline >= 0) {
        yield { start: from + newline + 1, head: buf.toString('utf8', newline + 1, Math.min(end, newline + 1 + HEAD_BYTES)) };
        end = newline + 1;
      } else if (from === 0) {
        if (end > 0) yield { start: 0, head: buf.toString('utf8', 0, Math.min(end, HEAD_BYTES)) };
        return;
      } else {
        break;
      }
    }
    carry = buf.subarray(0, end);
    pos = from;
  }
}

export interface RecordSelection {
  /** The last this many records; null: no count limit. */
  lines: number | null;
  /** Records written at or after this time (ms since the epoch); null: no time limit. */
  sinceMs: number | null;
}

/** A byte position in a list of sources: `source` indexes the list (0 = the newest). */
export interface LogPosition {
  source: number;
  offset: number;
}

/**
 * Where the selected records begin (pure but for the reads): scans `sources` — newest first, each
 * opened only when the scan reaches it (null: there is no such source; the list ends) — backwards
 * record by record, and stops at the first record older than `sinceMs` or once `lines` records
 * were taken. Everything from the returned position to the end of source 0 is the selection,
 * in the order written; null when it is empty. A record without a time (not in the record format)
 * is taken whatever `sinceMs`. Records are assumed to be in time order (they are written so; a
 * clock set back can hide the records before the jump from `sinceMs`).
 */
export function selectionStart(sources: (index: number) => ByteSource | null, selection: RecordSelection): LogPosition | null {
  const { lines, sinceMs } = selection;
  if (lines === 0) return null;
  let taken = 0;
  let start: LogPosition | null = null;
  /** The earliest line seen so far of the record being assembled. */
  let record: { at: LogPosition; head: LineHead | null } | null = null;

  /** Takes the completed `record`; false when the scan must stop. */
  const take = (done: { at: LogPosition; head: LineHead | null }): boolean => {
    const time = done.head ? Date.parse(done.head.stamp) : Number.NaN;
    if (sinceMs !== null && time < sinceMs) return false;
    start = done.at;
    taken++;
    return lines === null || taken < lines;
  };

  for (let index = 0; ; index++) {
    // A record already older than sinceMs stays older however far back it reaches: stop here
    // rather than open the next file.
    if (record?.head && sinceMs !== null && Date.parse(record.head.stamp) < sinceMs) return start;
    const source = sources(index);
    if (source === null) break;
    for (const line of linesBackward(source)) {
      const head = lineHead(line.head);
      if (record && continuesRecord(head, record.head)) {
        record = { at: { source: index, offset: line.start }, head };
        continue;
      }
      if (record && !take(record)) return start;
      record = { at: { source: index, offset: line.start }, head };
    }
  }
  if (record) take(record);
  return start;
}
