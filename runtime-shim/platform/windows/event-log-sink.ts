/**
 * Reports the service's notable log records to the Windows Event Log, Application log, source =
 * the service name (registered by `install`, message file = the exe: every event ID's message is
 * `%1`, so Event Viewer shows the text reported here). What is reported (`eventFor`):
 *
 * - lifecycle: started (`running`), stopped (`stopped`, `app exited with code 0`) as information;
 *   every lifecycle warning (forced stop, app restart under supervision) as a warning; every
 *   lifecycle error (crash with its stack, failed start, giving up, stopped after a failure) as an
 *   error;
 * - the app's `service.log.warn` / `service.log.error`.
 *
 * Everything else (info/debug chatter, stdout/stderr lines) stays in the log file. The Event Log
 * never takes the service down: a sink that cannot be opened is null, a report that fails is
 * dropped.
 */
import type { LogLevel, LogSink, LogSource } from '../../logging/log-sink';
import {
  bindEventLog,
  EVENTLOG_ERROR_TYPE,
  EVENTLOG_INFORMATION_TYPE,
  EVENTLOG_WARNING_TYPE,
  MAX_EVENT_STRING_CHARS,
  type EventLogApi,
  type EventType,
} from './eventlog-bindings';
import type { Koffi } from '../../addons/native-module';
import { EventId } from '../../logging/event-ids';

/** One event to report. */
export interface EventRecord {
  type: EventType;
  id: EventId;
  text: string;
}

/** A multi-line message (a stack) keeps this many lines in its event; the log file has them all. */
export const MAX_EVENT_LINES = 20;

/**
 * The event text of a message (pure): its first MAX_EVENT_LINES lines joined with CR LF (a note
 * says how many were left out), cut to what ReportEventW accepts in one string.
 */
export function eventText(message: string): string {
  const lines = message.split(/\r?\n/);
  while (lines.length > 1 && lines.at(-1) === '') lines.pop();
  const omitted = lines.length - MAX_EVENT_LINES;
  const kept = omitted > 0 ? [...lines.slice(0, MAX_EVENT_LINES), `… ${omitted} more lines in the service log`] : lines;
  const text = kept.join('\r\n');
  return text.length <= MAX_EVENT_STRING_CHARS ? text : `${text.slice(0, MAX_EVENT_STRING_CHARS - 1)}…`;
}

/** The event a log record becomes, or null when it is not reported (pure; see the module comment). */
export function eventFor(level: LogLevel, source: LogSource, message: string): EventRecord | null {
  const event = (type: EventType, id: EventId): EventRecord => ({ type, id, text: eventText(message) });
  if (source === 'app') {
    if (level === 'warn') return event(EVENTLOG_WARNING_TYPE, EventId.AppWarning);
    if (level === 'error') return event(EVENTLOG_ERROR_TYPE, EventId.AppError);
    return null;
  }
  if (source !== 'lifecycle' && source !== 'supervisor') return null;
  switch (level) {
    case 'info':
      if (message === 'running') return event(EVENTLOG_INFORMATION_TYPE, EventId.Started);
      if (message === 'stopped' || message === 'app exited with code 0') return event(EVENTLOG_INFORMATION_TYPE, EventId.Stopped);
      return null;
    case 'warn':
      return event(EVENTLOG_WARNING_TYPE, EventId.LifecycleWarning);
    case 'error':
      if (/^(stopped after failure|app exited with code)/.test(message)) return event(EVENTLOG_ERROR_TYPE, EventId.Stopped);
      return event(EVENTLOG_ERROR_TYPE, EventId.Failure);
    case 'debug':
      return null;
  }
}

export interface EventLogSink extends LogSink {
  /** Deregisters the event source; later writes are ignored. Idempotent. */
  close(): void;
}

/**
 * A sink reporting through `api` as event source `source`; null when RegisterEventSourceW fails.
 * Never throws.
 */
export function eventLogSink(api: EventLogApi, source: string): EventLogSink | null {
  let handle: object | null;
  try {
    handle = api.register(source);
  } catch {
    return null;
  }
  return {
    write(level, from, message) {
      if (handle === null) return;
      const event = eventFor(level, from, message);
      if (!event) return;
      try {
        api.report(handle, event.type, event.id, event.text);
      } catch {
        // The file log has the record; the Event Log is a copy of the notable ones.
      }
    },
    close() {
      if (handle === null) return;
      const open = handle;
      handle = null;
      try {
        api.deregister(open);
      } catch {
        // Nothing left to release.
      }
    },
  };
}

/** The service's Event Log sink (koffi bindings); null when the Event Log cannot be used. Never throws. */
export function createEventLogSink(koffi: Koffi, serviceName: string): EventLogSink | null {
  let api: EventLogApi;
  try {
    api = bindEventLog(koffi);
  } catch {
    return null;
  }
  return eventLogSink(api, serviceName);
}
