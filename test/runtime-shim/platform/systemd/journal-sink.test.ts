import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureStdio } from '../../../../runtime-shim/logging/log-sink';
import {
  JOURNAL_LINE_BYTES,
  JOURNAL_PRIORITY,
  JournalSink,
  escapeControls,
  formatJournalRecord,
  splitLine,
  writeFully,
  type FdWriter,
} from '../../../../runtime-shim/platform/systemd/journal-sink';

describe('formatJournalRecord', () => {
  it('prefixes the syslog priority of each level and the source', () => {
    expect(formatJournalRecord('error', 'lifecycle', 'app crashed')).toBe('<3>[lifecycle] app crashed\n');
    expect(formatJournalRecord('warn', 'app', 'disk 90% full')).toBe('<4>[app] disk 90% full\n');
    expect(formatJournalRecord('info', 'lifecycle', 'running')).toBe('<6>[lifecycle] running\n');
    expect(formatJournalRecord('debug', 'supervisor', 'tick')).toBe('<7>[supervisor] tick\n');
    expect(JOURNAL_PRIORITY).toEqual({ error: 3, warn: 4, info: 6, debug: 7 });
  });

  it('gives every line of a multi-line message its own prefix', () => {
    const stack = 'Error: boom\n    at run (/app/main.js:3:9)\r\n    at main (/app/main.js:9:1)\n';
    expect(formatJournalRecord('error', 'lifecycle', stack)).toBe(
      '<3>[lifecycle] Error: boom\n<3>[lifecycle]     at run (/app/main.js:3:9)\n<3>[lifecycle]     at main (/app/main.js:9:1)\n',
    );
    expect(formatJournalRecord('info', 'app', 'a\n\nb\n\n')).toBe('<6>[app] a\n<6>[app] \n<6>[app] b\n');
    expect(formatJournalRecord('info', 'stdout', '')).toBe('<6>[stdout] \n');
  });

  it('leaves the app no way to choose a priority of its own', () => {
    expect(formatJournalRecord('info', 'stdout', '<0>system is unusable\n<2>critical')).toBe('<6>[stdout] <0>system is unusable\n<6>[stdout] <2>critical\n');
  });

  it('escapes control characters but keeps tabs and non-ASCII text', () => {
    expect(escapeControls('a\tb\x1b[31mred\x00\r\x7f\u0085 é ✓')).toBe('a\tb\\x1b[31mred\\x00\\x0d\\x7f\\x85 é ✓');
    expect(formatJournalRecord('warn', 'app', 'bell\x07')).toBe('<4>[app] bell\\x07\n');
  });

  it('cuts over-long lines into prefixed pieces, never inside a character', () => {
    const long = 'é'.repeat(JOURNAL_LINE_BYTES); // twice the bytes a line carries
    const out = formatJournalRecord('info', 'app', long).split('\n').filter(Boolean);
    expect(out).toHaveLength(2);
    for (const line of out) {
      expect(line.startsWith('<6>[app] é')).toBe(true);
      expect(Buffer.byteLength(line.slice('<6>[app] '.length))).toBe(JOURNAL_LINE_BYTES);
    }
    expect(splitLine('ab✓cd', 4)).toEqual(['ab', '✓c', 'd']);
    expect(splitLine('😀😀', 5)).toEqual(['😀', '😀']);
    expect(splitLine('short', 100)).toEqual(['short']);
  });
});

/** A writer over an in-memory stream that accepts `chunks[i]` bytes on the i-th call (-1: EAGAIN). */
function fakeWriter(chunks: number[], fail?: string) {
  const written: number[] = [];
  const sleeps: number[] = [];
  let call = 0;
  const writer: FdWriter = {
    writeSync(_fd, data, offset, length) {
      if (fail) throw Object.assign(new Error(fail), { code: fail });
      const n = chunks[call++] ?? length;
      if (n < 0) throw Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' });
      const take = Math.min(n, length);
      written.push(...data.subarray(offset, offset + take));
      return take;
    },
    sleep: (ms) => void sleeps.push(ms),
  };
  return { writer, written: () => Buffer.from(written).toString(), sleeps };
}

describe('writeFully', () => {
  it('resumes after partial writes and waits out a full pipe', () => {
    const f = fakeWriter([2, -1, -1, 3, -1]);
    expect(writeFully(1, Buffer.from('hello world'), f.writer)).toBe(true);
    expect(f.written()).toBe('hello world');
    expect(f.sleeps).toEqual([1, 2, 4]);
  });

  it('drops the record when the pipe stays full past its patience', () => {
    const f = fakeWriter(Array(100).fill(-1));
    expect(writeFully(1, Buffer.from('x'), f.writer, 20)).toBe(false);
    expect(f.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(20);
  });

  it('drops the record when the descriptor is gone', () => {
    expect(writeFully(1, Buffer.from('x'), fakeWriter([], 'EPIPE').writer)).toBe(false);
    expect(writeFully(1, Buffer.from('x'), fakeWriter([], 'EBADF').writer)).toBe(false);
  });
});

describe('JournalSink', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const tempFile = (): { fd: number; read(): string } => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-journal-'));
    dirs.push(dir);
    const file = path.join(dir, 'out');
    const fd = fs.openSync(file, 'w');
    return {
      fd,
      read() {
        fs.closeSync(fd);
        return fs.readFileSync(file, 'utf8');
      },
    };
  };

  it('writes records at its level or above to its descriptor', () => {
    const out = tempFile();
    const sink = new JournalSink({ minLevel: 'info', fd: out.fd });
    sink.write('debug', 'lifecycle', 'not shown');
    sink.write('info', 'lifecycle', 'running');
    sink.write('error', 'app', 'failed:\n  reason');
    expect(out.read()).toBe('<6>[lifecycle] running\n<3>[app] failed:\n<3>[app]   reason\n');
  });

  it('never throws when its descriptor is closed', () => {
    const out = tempFile();
    out.read();
    expect(() => new JournalSink({ minLevel: 'debug', fd: out.fd }).write('info', 'app', 'x')).not.toThrow();
  });

  it('keeps writing while captureStdio routes process.stdout into it', () => {
    const out = tempFile();
    const sink = new JournalSink({ minLevel: 'debug', fd: out.fd });
    const original = { stdout: process.stdout.write, stderr: process.stderr.write };
    let capture: { flush(): void };
    try {
      capture = captureStdio(sink);
      process.stdout.write('from the app\npartial');
      capture.flush();
    } finally {
      process.stdout.write = original.stdout;
      process.stderr.write = original.stderr;
    }
    expect(out.read()).toBe('<6>[stdout] from the app\n<6>[stdout] partial\n');
  });
});
