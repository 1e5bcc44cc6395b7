import { describe, expect, it } from 'vitest';
import { formatRecord } from '../../../runtime-shim/logging/log-sink';
import {
  bufferSource,
  continuesRecord,
  lineHead,
  linesBackward,
  selectionStart,
  type ByteSource,
  type RecordSelection,
} from '../../../runtime-shim/logging/log-records';

const T0 = Date.parse('2026-12-02T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000);

describe('lineHead and continuesRecord', () => {
  it('reads time, level and source of a stored line; null for a line in another format', () => {
    expect(lineHead('2026-12-02T10:00:00.000Z warn  [app] disk low')).toEqual({ stamp: '2026-12-02T10:00:00.000Z', level: 'warn', source: 'app', indented: false });
    expect(lineHead('2026-12-02T10:00:00.000Z error [stderr]     at f (x.js:1:1)')?.indented).toBe(true);
    expect(lineHead('2026-12-02T10:00:00.000Z info  [stdout] ')).toMatchObject({ source: 'stdout', indented: false });
    expect(lineHead('just text')).toBeNull();
    expect(lineHead('2026-12-02 10:00:00 info [app] x')).toBeNull();
  });

  it('a line continues the record before it: same time, level and source; or indented; or not a record line', () => {
    const head = (s: string) => lineHead(s);
    const a = head('2026-12-02T10:00:00.000Z error [stderr] Error: boom');
    expect(continuesRecord(a, head('2026-12-02T10:00:00.000Z error [stderr] second line'))).toBe(true);
    expect(continuesRecord(a, head('2026-12-02T10:00:00.001Z error [stderr]     at f (x.js:1:1)'))).toBe(true);
    expect(continuesRecord(a, head('2026-12-02T10:00:00.001Z error [stderr] Error: again'))).toBe(false);
    expect(continuesRecord(a, head('2026-12-02T10:00:00.000Z info  [stderr] same time, other level'))).toBe(false);
    expect(continuesRecord(a, head('2026-12-02T10:00:00.000Z error [app] same time, other source'))).toBe(false);
    expect(continuesRecord(a, null)).toBe(true);
    expect(continuesRecord(null, a)).toBe(false);
  });
});

describe('linesBackward', () => {
  const lines = (text: string, chunk: number) => [...linesBackward(bufferSource(Buffer.from(text)), chunk)].map((l) => [l.start, l.head]);

  it('yields the lines from the last to the first with their offsets, whatever the chunk size', () => {
    const text = 'one\ntwo\n\nthree\n';
    const expected = [
      [9, 'three\n'],
      [8, '\n'],
      [4, 'two\n'],
      [0, 'one\n'],
    ];
    for (const chunk of [1, 2, 3, 5, 64]) expect(lines(text, chunk)).toEqual(expected);
  });

  it('includes a last line without a newline; nothing for an empty source', () => {
    expect(lines('a\nbc', 1)).toEqual([
      [2, 'bc'],
      [0, 'a\n'],
    ]);
    expect(lines('', 4)).toEqual([]);
  });

  it('offsets count bytes, not characters', () => {
    expect(lines('é€\nx\n', 2)).toEqual([
      [6, 'x\n'],
      [0, 'é€\n'],
    ]);
  });
});

/** `files` (oldest first, each a list of records [seconds after T0, message]) as sources newest first. */
function sources(...files: Array<Array<[number, string]>>): { at: (i: number) => ByteSource | null; texts: string[]; opened: number[] } {
  const texts = files.map((records) => records.map(([s, message]) => formatRecord(at(s), 'info', 'app', message)).join('')).reverse();
  const opened: number[] = [];
  return {
    texts,
    opened,
    at: (i) => {
      if (i >= texts.length) return null;
      opened.push(i);
      return bufferSource(Buffer.from(texts[i]!));
    },
  };
}

/** The selected text: from the returned position to the end of source 0. */
function selected(s: ReturnType<typeof sources>, selection: RecordSelection): string {
  const start = selectionStart(s.at, selection);
  if (start === null) return '';
  return s.texts
    .slice(0, start.source + 1)
    .reverse()
    .map((text, i) => (i === 0 ? Buffer.from(text).subarray(start.offset).toString() : text))
    .join('');
}

describe('selectionStart', () => {
  const messages = (text: string) => text.split('\n').filter(Boolean).map((l) => l.replace(/^.*\[app\] /, ''));

  it('the last N records, across files, opening only the files it needs', () => {
    const s = sources(
      [[1, 'a'], [2, 'b']],
      [[3, 'c'], [4, 'd']],
      [[5, 'e']],
    );
    expect(messages(selected(s, { lines: 2, sinceMs: null }))).toEqual(['d', 'e']);
    expect(s.opened).toEqual([0, 1]);
    expect(messages(selected(s, { lines: 4, sinceMs: null }))).toEqual(['b', 'c', 'd', 'e']);
    expect(messages(selected(s, { lines: 50, sinceMs: null }))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(selected(s, { lines: 0, sinceMs: null })).toBe('');
  });

  it('a multi-line record counts once and stays whole, also across a chunk boundary', () => {
    const s = sources([[1, 'a'], [2, 'Error: boom\n    at f (x.js:1:1)\n    at g (x.js:2:1)'], [3, 'c']]);
    expect(messages(selected(s, { lines: 2, sinceMs: null }))).toEqual(['Error: boom', '    at f (x.js:1:1)', '    at g (x.js:2:1)', 'c']);
    expect(messages(selected(s, { lines: 1, sinceMs: null }))).toEqual(['c']);
  });

  it('--since: the records at or after the time; with lines, at most the last N of them', () => {
    const s = sources([[1, 'a'], [2, 'b']], [[3, 'c'], [4, 'd']]);
    expect(messages(selected(s, { lines: null, sinceMs: at(2).getTime() }))).toEqual(['b', 'c', 'd']);
    expect(messages(selected(s, { lines: 2, sinceMs: at(2).getTime() }))).toEqual(['c', 'd']);
    expect(selected(s, { lines: null, sinceMs: at(5).getTime() })).toBe('');
    expect(messages(selected(s, { lines: null, sinceMs: at(0).getTime() }))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('--since stops at the first older record: older files are not opened', () => {
    const s = sources([[1, 'a']], [[2, 'b']], [[3, 'c'], [4, 'd']]);
    expect(messages(selected(s, { lines: null, sinceMs: at(3).getTime() }))).toEqual(['c', 'd']);
    expect(s.opened).toEqual([0, 1]); // 1 to see where c begins; b there is older, so 2 is not opened
  });

  it('lines not in the record format stay with the record before them; a leading one is taken', () => {
    const text = 'stray first line\n' + formatRecord(at(1), 'info', 'app', 'a') + 'continued\n' + formatRecord(at(2), 'info', 'app', 'b');
    const s = { texts: [text], opened: [], at: (i: number) => (i === 0 ? bufferSource(Buffer.from(text)) : null) };
    expect(selected(s, { lines: 2, sinceMs: null })).toBe(text.slice(text.indexOf('2026')));
    expect(selected(s, { lines: 3, sinceMs: null })).toBe(text);
  });
});
