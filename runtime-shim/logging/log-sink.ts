/**
 * What every log sink shares: the record format, level filtering, the console sink of `run`, and
 * the capture of stdout/stderr in service mode. The service's files are `logging/rotating-file.ts`.
 * One line per record: `2026-11-22T10:00:00.000Z info  [lifecycle] running`.
 */
import { LOG_LEVELS, type LogLevel } from '../settings/logging-settings';

export type { LogLevel };
/**
 * Who wrote a record: the service lifecycle, the supervisor (supervised mode), the app's logger,
 * its stdout/stderr, a hook command's output (hooks/run-hook.ts).
 */
export type LogSource = 'lifecycle' | 'supervisor' | 'app' | 'stdout' | 'stderr' | 'hook';

export interface LogSink {
  write(level: LogLevel, source: LogSource, message: string): void;
}

/** Formats one log record (pure). Multi-line messages become one record per line. */
export function formatRecord(time: Date, level: LogLevel, source: LogSource, message: string): string {
  const stamp = time.toISOString();
  return message
    .split(/\r?\n/)
    .map((line) => `${stamp} ${level.padEnd(5)} [${source}] ${line}\n`)
    .join('');
}

/** True if a record at `level` passes a sink whose lowest level is `min` (debug < info < warn < error). */
export function levelEnabled(level: LogLevel, min: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(min);
}

/**
 * Writes records at `minLevel` or above to stderr (for `run`). Captured stdout/stderr records are
 * dropped: in a console the app's own output already goes there.
 */
export class ConsoleLog implements LogSink {
  constructor(readonly minLevel: LogLevel) {}

  write(level: LogLevel, source: LogSource, message: string): void {
    if (source === 'stdout' || source === 'stderr' || !levelEnabled(level, this.minLevel)) return;
    process.stderr.write(formatRecord(new Date(), level, source, message));
  }
}

/**
 * Sends everything written to process.stdout/stderr to `sink` as `info` records, one per line (a
 * partial line waits for its newline or for `flush`). A service has no console to write to.
 */
export function captureStdio(sink: LogSink): { flush(): void } {
  const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const hook = (source: 'stdout' | 'stderr', level: LogLevel) => {
    const stream = process[source];
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const lines = (pending[source] + text).split('\n');
      pending[source] = lines.pop() ?? '';
      for (const line of lines) sink.write(level, source, line.replace(/\r$/, ''));
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') process.nextTick(done as () => void);
      return true;
    }) as typeof stream.write;
  };
  hook('stdout', 'info');
  hook('stderr', 'info');
  return {
    flush() {
      for (const source of ['stdout', 'stderr'] as const) {
        if (pending[source]) sink.write('info', source, pending[source]);
        pending[source] = '';
      }
    },
  };
}

/** A sink that writes every record to each of `sinks`, in order. */
export function teeSink(...sinks: LogSink[]): LogSink {
  return { write: (level, source, message) => sinks.forEach((sink) => sink.write(level, source, message)) };
}
