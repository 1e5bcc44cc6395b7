/**
 * Remembers the last error-level record written to a log sink, for the live status' "last error"
 * (the app's `service.log.error`, an uncaught exception, the supervisor's crash reasons). Every
 * record still goes to the wrapped sink unchanged, whatever the log level filters there.
 */
import type { LogSink } from '../logging/log-sink';
import type { LastError } from './status-report';

/** The longest message kept (its first line), in characters. */
const MAX_MESSAGE = 500;

export interface LastErrorSink extends LogSink {
  /** The last error record so far; null when there was none. */
  readonly lastError: LastError | null;
}

/** Wraps `sink`; `now` gives the record's time (default: the system clock). */
export function rememberLastError(sink: LogSink, now: () => Date = () => new Date()): LastErrorSink {
  let last: LastError | null = null;
  return {
    get lastError() {
      return last;
    },
    write(level, source, message) {
      if (level === 'error') {
        const first = message.split(/\r?\n/, 1)[0] ?? '';
        last = { at: now().toISOString(), source, message: first.length > MAX_MESSAGE ? `${first.slice(0, MAX_MESSAGE - 1)}…` : first };
      }
      sink.write(level, source, message);
    },
  };
}
