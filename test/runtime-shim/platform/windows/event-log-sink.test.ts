import { describe, expect, it } from 'vitest';
import { EventId } from '../../../../runtime-shim/logging/event-ids';
import {
  createEventLogSink,
  eventFor,
  eventLogSink,
  eventText,
  MAX_EVENT_LINES,
} from '../../../../runtime-shim/platform/windows/event-log-sink';
import { Win32Error } from '../../../../runtime-shim/platform/manager-api';
import type { EventLogApi } from '../../../../runtime-shim/platform/windows/eventlog-bindings';
import type { Koffi } from '../../../../runtime-shim/addons/native-module';

const INFO = 4;
const WARNING = 2;
const ERROR = 1;

describe('eventFor', () => {
  it('lifecycle milestones: started and stopped are information events', () => {
    expect(eventFor('info', 'lifecycle', 'running')).toEqual({ type: INFO, id: EventId.Started, text: 'running' });
    expect(eventFor('info', 'lifecycle', 'stopped')).toEqual({ type: INFO, id: EventId.Stopped, text: 'stopped' });
    expect(eventFor('info', 'lifecycle', 'app exited with code 0')).toEqual({ type: INFO, id: EventId.Stopped, text: 'app exited with code 0' });
  });

  it('other lifecycle info is not reported', () => {
    expect(eventFor('info', 'lifecycle', 'starting')).toBeNull();
    expect(eventFor('info', 'lifecycle', 'stopping (stop)')).toBeNull();
    expect(eventFor('info', 'lifecycle', 'app started (pid 42)')).toBeNull();
  });

  it('lifecycle warnings (forced stop, restart) are warning events', () => {
    expect(eventFor('warn', 'lifecycle', 'stop handlers still running after 20000 ms; forcing the stop')).toEqual({
      type: WARNING,
      id: EventId.LifecycleWarning,
      text: 'stop handlers still running after 20000 ms; forcing the stop',
    });
    expect(eventFor('warn', 'lifecycle', 'restarting the app in 2.0 s (restart 1)')?.id).toBe(EventId.LifecycleWarning);
  });

  it('a crash is a failure error event with its stack; the stop after it is a stopped error event', () => {
    const crash = 'uncaught exception: Error: boom\n    at start (svcpack:///src/app.ts:13:9)\n    at run (node:internal/x:1:1)';
    expect(eventFor('error', 'lifecycle', crash)).toEqual({
      type: ERROR,
      id: EventId.Failure,
      text: 'uncaught exception: Error: boom\r\n    at start (svcpack:///src/app.ts:13:9)\r\n    at run (node:internal/x:1:1)',
    });
    expect(eventFor('error', 'lifecycle', 'giving up: 5 restarts within 60 s')?.id).toBe(EventId.Failure);
    expect(eventFor('error', 'lifecycle', 'start failed: Error: no db')?.id).toBe(EventId.Failure);
    expect(eventFor('error', 'lifecycle', 'stopped after failure (exit code 1)')).toEqual({
      type: ERROR,
      id: EventId.Stopped,
      text: 'stopped after failure (exit code 1)',
    });
    expect(eventFor('error', 'lifecycle', 'app exited with code 3')).toMatchObject({ type: ERROR, id: EventId.Stopped });
  });

  it("the app's warnings and errors are reported; its info and debug lines are not", () => {
    expect(eventFor('warn', 'app', 'disk almost full')).toEqual({ type: WARNING, id: EventId.AppWarning, text: 'disk almost full' });
    expect(eventFor('error', 'app', 'db down')).toEqual({ type: ERROR, id: EventId.AppError, text: 'db down' });
    expect(eventFor('info', 'app', 'listening')).toBeNull();
    expect(eventFor('debug', 'app', 'details')).toBeNull();
  });

  it('stdout and stderr lines are never reported', () => {
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      expect(eventFor(level, 'stdout', 'x')).toBeNull();
      expect(eventFor(level, 'stderr', 'x')).toBeNull();
    }
  });
});

describe('eventText', () => {
  it('keeps short messages, with CR LF line ends and no trailing empty lines', () => {
    expect(eventText('one line')).toBe('one line');
    expect(eventText('a\nb\r\nc\n\n')).toBe('a\r\nb\r\nc');
    expect(eventText('')).toBe('');
  });

  it(`keeps the first ${MAX_EVENT_LINES} lines of a long stack and says how many were left out`, () => {
    const stack = ['Error: deep', ...Array.from({ length: 49 }, (_, i) => `    at f${i} (app.ts:${i}:1)`)].join('\n');
    const lines = eventText(stack).split('\r\n');
    expect(lines).toHaveLength(MAX_EVENT_LINES + 1);
    expect(lines[0]).toBe('Error: deep');
    expect(lines[MAX_EVENT_LINES - 1]).toBe('    at f18 (app.ts:18:1)');
    expect(lines[MAX_EVENT_LINES]).toBe('… 30 more lines in the service log');
  });

  it('cuts a text ReportEventW would refuse (over 31 839 characters)', () => {
    const text = eventText('x'.repeat(100_000));
    expect(text).toHaveLength(31_839);
    expect(text.endsWith('x…')).toBe(true);
    expect(eventText('y'.repeat(31_839))).toBe('y'.repeat(31_839));
  });
});

/** An EventLogApi recording its calls; `fail` makes the named function throw. */
function fakeApi(fail: Partial<Record<keyof EventLogApi, number>> = {}) {
  const calls: unknown[][] = [];
  const handle = { source: 'handle' };
  const api: EventLogApi = {
    register(source) {
      calls.push(['register', source]);
      if (fail.register) throw new Win32Error('RegisterEventSourceW', fail.register);
      return handle;
    },
    report(h, type, id, text) {
      calls.push(['report', h === handle, type, id, text]);
      if (fail.report) throw new Win32Error('ReportEventW', fail.report);
    },
    deregister(h) {
      calls.push(['deregister', h === handle]);
      if (fail.deregister) throw new Win32Error('DeregisterEventSource', fail.deregister);
    },
  };
  return { api, calls };
}

describe('eventLogSink', () => {
  it('registers the source once, reports the mapped records on its handle, deregisters once on close', () => {
    const { api, calls } = fakeApi();
    const sink = eventLogSink(api, 'MySvc')!;
    sink.write('info', 'lifecycle', 'starting');
    sink.write('info', 'lifecycle', 'running');
    sink.write('info', 'stdout', 'hello');
    sink.write('error', 'app', 'db down');
    sink.close();
    sink.close();
    sink.write('error', 'app', 'after close');
    expect(calls).toEqual([
      ['register', 'MySvc'],
      ['report', true, INFO, EventId.Started, 'running'],
      ['report', true, ERROR, EventId.AppError, 'db down'],
      ['deregister', true],
    ]);
  });

  it('is null when RegisterEventSourceW fails', () => {
    expect(eventLogSink(fakeApi({ register: 5 }).api, 'MySvc')).toBeNull();
  });

  it('never throws: failed reports and a failed deregistration are dropped', () => {
    const { api, calls } = fakeApi({ report: 1502, deregister: 6 });
    const sink = eventLogSink(api, 'MySvc')!;
    expect(() => sink.write('warn', 'app', 'log full')).not.toThrow();
    expect(() => sink.close()).not.toThrow();
    expect(calls).toHaveLength(3);
  });
});

describe('createEventLogSink', () => {
  it('is null when the bindings cannot be loaded (not Windows)', () => {
    const koffi = {
      load: () => {
        throw new Error('advapi32.dll: cannot open shared object file');
      },
    } as unknown as Koffi;
    expect(createEventLogSink(koffi, 'MySvc')).toBeNull();
  });
});
