/**
 * The service's log file (until the logging issue brings rotation and the Event Log):
 * `<exe folder>\logs\<Name>.log`, one line per record:
 * `2026-11-22T10:00:00.000Z info  [lifecycle] running`. Writes are synchronous so a crash loses
 * nothing that was written before it.
 */
import fs from 'node:fs';
import path from 'node:path';

export type LogSource = 'lifecycle' | 'app' | 'stdout' | 'stderr';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

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

export class LogFile implements LogSink {
  private fd: number;

  /** Opens (creating folders as needed) `file` for appending. Throws if it cannot. */
  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
  }

  write(level: LogLevel, source: LogSource, message: string): void {
    try {
      fs.writeSync(this.fd, formatRecord(new Date(), level, source, message));
    } catch {
      // A full disk must not crash the service; there is nowhere else to report it.
    }
  }
}

/** Writes records to the console (for `run`). */
export class ConsoleLog implements LogSink {
  write(level: LogLevel, source: LogSource, message: string): void {
    if (source === 'stdout' || source === 'stderr') return;
    process.stderr.write(formatRecord(new Date(), level, source, message));
  }
}

/**
 * Sends everything written to process.stdout/stderr to `sink`, one record per line (a partial
 * line waits for its newline or for `flush`). A service has no console to write to.
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
