import { describe, expect, it } from 'vitest';
import type { LogLevel, LogSource } from '../../../runtime-shim/logging/log-sink';
import { rememberLastError } from '../../../runtime-shim/status/last-error-sink';

describe('rememberLastError', () => {
  it('passes every record on and keeps the first line of the last error record', () => {
    const seen: [LogLevel, LogSource, string][] = [];
    let t = Date.parse('2026-12-02T10:00:00.000Z');
    const sink = rememberLastError({ write: (...r) => seen.push(r) }, () => new Date((t += 1000)));
    expect(sink.lastError).toBeNull();
    sink.write('info', 'app', 'hello');
    sink.write('error', 'lifecycle', 'uncaught exception: Error: boom\n    at f (app.ts:3:9)');
    sink.write('warn', 'supervisor', 'restarting the app in 1.0 s (restart 1)');
    expect(sink.lastError).toEqual({ at: '2026-12-02T10:00:01.000Z', source: 'lifecycle', message: 'uncaught exception: Error: boom' });
    sink.write('error', 'supervisor', 'app exited unexpectedly with code 1 after 2.0 s (pid 7)');
    expect(sink.lastError).toEqual({ at: '2026-12-02T10:00:02.000Z', source: 'supervisor', message: 'app exited unexpectedly with code 1 after 2.0 s (pid 7)' });
    expect(seen.map(([level]) => level)).toEqual(['info', 'error', 'warn', 'error']);
    expect(seen[1]![2]).toMatch(/\n {4}at f/);
  });

  it('cuts a very long message to 500 characters', () => {
    const sink = rememberLastError({ write: () => undefined });
    sink.write('error', 'app', 'x'.repeat(2000));
    expect(sink.lastError?.message).toHaveLength(500);
    expect(sink.lastError?.message.endsWith('…')).toBe(true);
  });
});
