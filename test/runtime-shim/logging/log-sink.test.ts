import { describe, it, expect, vi } from 'vitest';
import { ConsoleLog, captureStdio, formatRecord, levelEnabled, type LogLevel, type LogSource } from '../../../runtime-shim/logging/log-sink';

const T = new Date('2026-11-22T10:00:00.000Z');

describe('formatRecord', () => {
  it('formats one line with ISO time, padded level and source', () => {
    expect(formatRecord(T, 'info', 'lifecycle', 'running')).toBe('2026-11-22T10:00:00.000Z info  [lifecycle] running\n');
    expect(formatRecord(T, 'error', 'app', 'x')).toBe('2026-11-22T10:00:00.000Z error [app] x\n');
    expect(formatRecord(T, 'debug', 'stdout', '')).toBe('2026-11-22T10:00:00.000Z debug [stdout] \n');
  });

  it('makes one record per line of a multi-line message (LF and CRLF)', () => {
    const out = formatRecord(T, 'warn', 'app', 'a\nb\r\nc');
    expect(out.split('\n').filter(Boolean)).toEqual([
      '2026-11-22T10:00:00.000Z warn  [app] a',
      '2026-11-22T10:00:00.000Z warn  [app] b',
      '2026-11-22T10:00:00.000Z warn  [app] c',
    ]);
    expect(out).not.toContain('\r');
  });
});

describe('levelEnabled', () => {
  it('passes records at or above the lowest level', () => {
    expect(levelEnabled('debug', 'info')).toBe(false);
    expect(levelEnabled('info', 'info')).toBe(true);
    expect(levelEnabled('error', 'warn')).toBe(true);
    expect(levelEnabled('warn', 'error')).toBe(false);
    expect(levelEnabled('debug', 'debug')).toBe(true);
  });
});

/** Runs `fn` with process.stderr.write stubbed; returns each chunk written. */
function stderrWrites(fn: () => void): string[] {
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    fn();
    return spy.mock.calls.map((c) => String(c[0]));
  } finally {
    spy.mockRestore();
  }
}

describe('ConsoleLog', () => {
  it('writes lifecycle/app records to stderr and drops stdout/stderr captures', () => {
    const written = stderrWrites(() => {
      const log = new ConsoleLog('debug');
      log.write('info', 'lifecycle', 'running');
      log.write('info', 'stdout', 'ignored');
    });
    expect(written).toHaveLength(1);
    expect(written[0]).toContain('[lifecycle] running');
  });

  it('drops records below its level (run applies the log level)', () => {
    const written = stderrWrites(() => {
      const log = new ConsoleLog('info');
      log.write('debug', 'app', 'dropped');
      log.write('info', 'app', 'kept');
      log.write('error', 'lifecycle', 'kept too');
    });
    expect(written.map((w) => w.replace(/^\S+ /, ''))).toEqual(['info  [app] kept\n', 'error [lifecycle] kept too\n']);
  });
});

describe('captureStdio', () => {
  it('sends whole lines to the sink and holds partial lines until newline or flush', () => {
    const outWrite = process.stdout.write;
    const errWrite = process.stderr.write;
    const records: Array<[LogLevel, LogSource, string]> = [];
    try {
      const cap = captureStdio({ write: (level, source, message) => records.push([level, source, message]) });
      process.stdout.write('hel');
      expect(records).toEqual([]);
      process.stdout.write('lo\nwor');
      expect(records).toEqual([['info', 'stdout', 'hello']]);
      process.stderr.write(Buffer.from('err1\r\nerr2\npart'));
      process.stdout.write('ld\n\n');
      expect(records).toEqual([
        ['info', 'stdout', 'hello'],
        ['info', 'stderr', 'err1'],
        ['info', 'stderr', 'err2'],
        ['info', 'stdout', 'world'],
        ['info', 'stdout', ''],
      ]);
      cap.flush();
      expect(records.at(-1)).toEqual(['info', 'stderr', 'part']);
      const n = records.length;
      cap.flush();
      expect(records).toHaveLength(n);
    } finally {
      process.stdout.write = outWrite;
      process.stderr.write = errWrite;
    }
    expect(process.stdout.write).toBe(outWrite);
  });

  it('calls write callbacks (as the last or the encoding argument) and returns true', async () => {
    const outWrite = process.stdout.write;
    const errWrite = process.stderr.write;
    try {
      captureStdio({ write: () => {} });
      const cb1 = vi.fn();
      const cb2 = vi.fn();
      expect(process.stdout.write('a\n', cb1)).toBe(true);
      expect(process.stdout.write('b\n', 'utf8', cb2)).toBe(true);
      await new Promise((r) => process.nextTick(r));
      expect(cb1).toHaveBeenCalledTimes(1);
      expect(cb2).toHaveBeenCalledTimes(1);
    } finally {
      process.stdout.write = outWrite;
      process.stderr.write = errWrite;
    }
  });
});
