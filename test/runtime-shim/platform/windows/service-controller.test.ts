import { describe, it, expect, vi } from 'vitest';
import { Lifecycle, type ControlRequest, type ServiceStatus } from '../../../../runtime-shim/lifecycle/lifecycle';
import * as W from '../../../../runtime-shim/platform/windows/advapi32';
import type { ControlThreadData, ToControlThread } from '../../../../runtime-shim/platform/windows/control-thread-protocol';
import { ServiceControlThread } from '../../../../runtime-shim/platform/windows/service-control-thread';
import { ServiceController, controlFromCode, toServiceStatusStruct, type StartControlThread } from '../../../../runtime-shim/platform/windows/service-controller';
import { STATUS_SLOT_BYTES, StatusSlot } from '../../../../runtime-shim/platform/windows/status-slot';
import { FakeClock, flush } from '../../../support/fake-clock';
import { FakeAdvapi } from './fake-advapi';

const status = (s: Partial<ServiceStatus>): ServiceStatus => ({
  state: 'running',
  accepts: [],
  exitCode: 0,
  checkPoint: 0,
  waitHintMs: 0,
  userCodes: { rotate: false, custom: false },
  ...s,
});

describe('toServiceStatusStruct', () => {
  it('maps each state to its SERVICE_* code', () => {
    expect(toServiceStatusStruct(status({ state: 'stopped' })).dwCurrentState).toBe(1);
    expect(toServiceStatusStruct(status({ state: 'start-pending' })).dwCurrentState).toBe(2);
    expect(toServiceStatusStruct(status({ state: 'stop-pending' })).dwCurrentState).toBe(3);
    expect(toServiceStatusStruct(status({ state: 'running' })).dwCurrentState).toBe(4);
    expect(toServiceStatusStruct(status({ state: 'continue-pending' })).dwCurrentState).toBe(5);
    expect(toServiceStatusStruct(status({ state: 'pause-pending' })).dwCurrentState).toBe(6);
    expect(toServiceStatusStruct(status({ state: 'paused' })).dwCurrentState).toBe(7);
  });

  it('ORs the accepted-control flags', () => {
    expect(toServiceStatusStruct(status({ accepts: [] })).dwControlsAccepted).toBe(0);
    expect(toServiceStatusStruct(status({ accepts: ['stop'] })).dwControlsAccepted).toBe(0x1);
    expect(toServiceStatusStruct(status({ accepts: ['stop', 'shutdown'] })).dwControlsAccepted).toBe(0x5);
    expect(toServiceStatusStruct(status({ accepts: ['stop', 'preshutdown'] })).dwControlsAccepted).toBe(0x101);
    expect(toServiceStatusStruct(status({ accepts: ['pause-continue'] })).dwControlsAccepted).toBe(0x2);
    expect(toServiceStatusStruct(status({ accepts: ['paramchange'] })).dwControlsAccepted).toBe(0x8);
    expect(toServiceStatusStruct(status({ accepts: ['power-event'] })).dwControlsAccepted).toBe(0x40);
    expect(toServiceStatusStruct(status({ accepts: ['session-change'] })).dwControlsAccepted).toBe(0x80);
    expect(
      toServiceStatusStruct(status({ accepts: ['stop', 'shutdown', 'pause-continue', 'paramchange', 'session-change', 'power-event'] })).dwControlsAccepted,
    ).toBe(0xcf);
  });

  it('exit code 0 → NO_ERROR; non-zero → ERROR_SERVICE_SPECIFIC_ERROR with the code', () => {
    const ok = toServiceStatusStruct(status({ state: 'stopped', exitCode: 0 }));
    expect(ok.dwWin32ExitCode).toBe(0);
    expect(ok.dwServiceSpecificExitCode).toBe(0);
    const bad = toServiceStatusStruct(status({ state: 'stopped', exitCode: 3 }));
    expect(bad.dwWin32ExitCode).toBe(1066);
    expect(bad.dwServiceSpecificExitCode).toBe(3);
  });

  it('passes checkpoint, wait hint and the own-process type through', () => {
    expect(toServiceStatusStruct(status({ state: 'stop-pending', checkPoint: 4, waitHintMs: 5000 }))).toEqual({
      dwServiceType: 0x10,
      dwCurrentState: 3,
      dwControlsAccepted: 0,
      dwWin32ExitCode: 0,
      dwServiceSpecificExitCode: 0,
      dwCheckPoint: 4,
      dwWaitHint: 5000,
    });
  });
});

describe('controlFromCode', () => {
  it('maps the handled control codes', () => {
    expect(controlFromCode(1)).toBe('stop');
    expect(controlFromCode(4)).toBe('interrogate');
    expect(controlFromCode(5)).toBe('shutdown');
    expect(controlFromCode(0x0f)).toBe('preshutdown');
  });
  it('maps pause, continue and PARAMCHANGE', () => {
    expect(controlFromCode(2)).toBe('pause');
    expect(controlFromCode(3)).toBe('continue');
    expect(controlFromCode(6)).toBe('paramchange');
  });
  it('maps user-defined codes 128-255 to custom controls', () => {
    expect(controlFromCode(128)).toEqual({ kind: 'custom', code: 128 });
    expect(controlFromCode(200)).toEqual({ kind: 'custom', code: 200 });
    expect(controlFromCode(255)).toEqual({ kind: 'custom', code: 255 });
  });
  it('names session changes and power events after their event type; unknown types in hex', () => {
    expect(controlFromCode(0xe, 0x7, () => 3)).toEqual({ kind: 'session-change', event: 'WTS_SESSION_LOCK', sessionId: 3 });
    expect(controlFromCode(0xe, 0x1, () => null)).toEqual({ kind: 'session-change', event: 'WTS_CONSOLE_CONNECT', sessionId: 0 });
    expect(controlFromCode(0xe, 0x42, () => 1)).toEqual({ kind: 'session-change', event: '0x42', sessionId: 1 });
    expect(controlFromCode(0xd, 0x4)).toEqual({ kind: 'power-event', event: 'PBT_APMSUSPEND' });
    expect(controlFromCode(0xd, 0x12)).toEqual({ kind: 'power-event', event: 'PBT_APMRESUMEAUTOMATIC' });
    expect(controlFromCode(0xd, 0x8013)).toEqual({ kind: 'power-event', event: 'PBT_POWERSETTINGCHANGE' });
  });
  it('reads the session id only for session changes', () => {
    const sessionId = vi.fn(() => 1);
    controlFromCode(0xd, 0x4, sessionId);
    controlFromCode(200, 0, sessionId);
    expect(sessionId).not.toHaveBeenCalled();
  });
  it('returns null for everything else', () => {
    for (const code of [0, 7, 8, 9, 10, 0x10, 0x20, 127, 256]) expect(controlFromCode(code)).toBeNull();
  });
});

/**
 * A ServiceController whose control thread is a real ServiceControlThread run in-process against
 * the fake advapi32. Messages go both ways through queueMicrotask, as postMessage delivers them
 * later, never inside the sender's call. The control thread has its own clock (`threadClock`).
 */
function harness() {
  const api = new FakeAdvapi();
  const threadClock = new FakeClock();
  const onError = vi.fn<(m: string) => void>();
  const started: ControlThreadData[] = [];
  const toThread: ToControlThread[] = [];
  const threadLogs: Array<{ level: string; message: string }> = [];
  const ends: number[] = [];
  let logFile: string | null = null;
  const startThread: StartControlThread = (data, onMessage) => {
    started.push(data);
    const thread = new ServiceControlThread({
      api,
      slot: new StatusSlot(data.status),
      post: (message) => queueMicrotask(() => onMessage(message)),
      clock: threadClock,
      log: (level: string, message: string) => void threadLogs.push({ level, message }),
      endProcess: (code) => void ends.push(code),
    });
    thread.run(data.name);
    return {
      post: (message) => {
        toThread.push(message);
        // As loaders/control-thread.ts: the log file is the loader's, the rest the thread's.
        queueMicrotask(() => (message.type === 'log-file' ? (logFile = message.file) : thread.onMessage(message)));
      },
    };
  };
  const sc = new ServiceController(api, 'MySvc', onError, startThread, { koffiSha256: 'c0ffee' });
  return { api, threadClock, onError, started, toThread, threadLogs, ends, sc, logFile: () => logFile };
}

/** Connected: ServiceMain has run (START_PENDING reported by the control thread). */
async function connected() {
  const h = harness();
  const result = h.sc.connect();
  h.api.serviceMain!(1, null);
  expect(await result).toBe('service');
  return h;
}

describe('ServiceController.connect', () => {
  it('starts the control thread with the service name, the status buffer and the options', async () => {
    const h = harness();
    void h.sc.connect();
    expect(h.started).toHaveLength(1);
    const data = h.started[0]!;
    expect(data).toMatchObject({ kind: 'service', name: 'MySvc', koffiSha256: 'c0ffee' });
    expect(data.status).toBeInstanceOf(SharedArrayBuffer);
    expect(data.status.byteLength).toBe(STATUS_SLOT_BYTES);
    expect(h.api.dispatcherName).toBe('MySvc');
  });

  it("resolves 'service' once ServiceMain ran: the control thread reported START_PENDING accepting stop", async () => {
    const h = harness();
    let result: string | null = null;
    void h.sc.connect().then((r) => (result = r));
    await flush();
    expect(result).toBeNull(); // the dispatcher has not called ServiceMain yet
    h.api.serviceMain!(1, null);
    await flush();
    expect(result).toBe('service');
    expect(h.api.registeredName).toBe('MySvc');
    expect(h.api.statuses).toEqual([
      {
        dwServiceType: W.SERVICE_WIN32_OWN_PROCESS,
        dwCurrentState: W.SERVICE_START_PENDING,
        dwControlsAccepted: W.SERVICE_ACCEPT_STOP,
        dwWin32ExitCode: 0,
        dwServiceSpecificExitCode: 0,
        dwCheckPoint: 1,
        dwWaitHint: 5_000,
      },
    ]);
    expect(h.sc.stopped).toBe(false);
    // The dispatcher returning later (all services stopped) changes nothing.
    h.api.done!(true);
    await flush();
    expect(h.onError).not.toHaveBeenCalled();
  });

  it("resolves 'not-started-by-scm' when the dispatcher fails before ServiceMain", async () => {
    const h = harness();
    const result = h.sc.connect();
    h.api.done!(false);
    expect(await result).toBe('not-started-by-scm');
    expect(h.api.handler).toBeNull();
    expect(h.api.statuses).toEqual([]);
  });

  it('rejects when RegisterServiceCtrlHandlerExW returned null, naming the last error', async () => {
    const h = harness();
    h.api.registerResult = null;
    h.api.lastErrorCode = 1063;
    const result = h.sc.connect();
    expect(() => h.api.serviceMain!(1, null)).not.toThrow();
    await expect(result).rejects.toThrow('RegisterServiceCtrlHandlerExW failed (error 1063)');
    expect(h.api.statuses).toEqual([]);
  });

  it('rejects when ServiceMain throws', async () => {
    const h = harness();
    h.api.registerResult = new Error('no handler');
    const result = h.sc.connect();
    expect(() => h.api.serviceMain!(1, null)).not.toThrow();
    await expect(result).rejects.toThrow('ServiceMain failed: Error: no handler');
  });

  it('rejects when the control thread cannot start', async () => {
    const sc = new ServiceController(new FakeAdvapi(), 'MySvc', () => {}, () => {
      throw new Error('this exe has no control thread script');
    }, { koffiSha256: '' });
    await expect(sc.connect()).rejects.toThrow('no control thread script');
  });

  it("a 'failed' or 'warning' message after the connection goes to onError", async () => {
    const onError = vi.fn<(m: string) => void>();
    let send: ((m: Parameters<Parameters<StartControlThread>[1]>[0]) => void) | null = null;
    const sc = new ServiceController(new FakeAdvapi(), 'MySvc', onError, (_data, onMessage) => {
      send = onMessage;
      return { post: () => {} };
    }, { koffiSha256: '' });
    const result = sc.connect();
    send!({ type: 'warning', message: 'no job object' });
    send!({ type: 'service-main', handle: 1 });
    expect(await result).toBe('service');
    send!({ type: 'failed', message: 'the control thread ended (exit code 1)' });
    expect(onError.mock.calls).toEqual([['no job object'], ['the control thread ended (exit code 1)']]);
  });
});

describe('ServiceController controls', () => {
  it('queues the control thread\'s requests until listen, then delivers them in order, and later ones at once', async () => {
    const h = await connected();
    h.sc.report(status({ state: 'running', accepts: ['stop', 'shutdown', 'pause-continue'], userCodes: { rotate: false, custom: true } }));
    const handler = h.api.handler!;
    expect(handler(W.SERVICE_CONTROL_INTERROGATE, 0, null, null)).toBe(W.NO_ERROR); // answered by the thread, not posted
    expect(handler(W.SERVICE_CONTROL_PAUSE, 0, null, null)).toBe(W.NO_ERROR);
    expect(handler(200, 0, null, null)).toBe(W.NO_ERROR);
    expect(handler(W.SERVICE_CONTROL_SESSIONCHANGE, 0x7, { cbSize: 8, dwSessionId: 3 }, null)).toBe(W.ERROR_CALL_NOT_IMPLEMENTED); // refused, still posted
    await flush();
    const received: ControlRequest[] = [];
    const refused: ControlRequest[] = [];
    h.sc.listen({ control: (r) => received.push(r) > 0, refused: (r) => void refused.push(r) });
    expect(received).toEqual(['pause', { kind: 'custom', code: 200 }]);
    expect(refused).toEqual([{ kind: 'session-change', event: 'WTS_SESSION_LOCK', sessionId: 3 }]);
    expect(handler(W.SERVICE_CONTROL_STOP, 0, null, null)).toBe(W.NO_ERROR);
    await flush();
    expect(received.at(-1)).toBe('stop');
    expect(received).toHaveLength(3);
  });

  it('the stop timeout set on this thread is what the control thread answers a stop with', async () => {
    const h = await connected();
    h.sc.setStopTimeout(12_000);
    h.sc.report(status({ state: 'running', accepts: ['stop'] }));
    h.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null);
    expect(h.api.statuses.at(-1)).toMatchObject({ dwCurrentState: W.SERVICE_STOP_PENDING, dwCheckPoint: 1, dwWaitHint: 12_500 });
    h.threadClock.advance(12_499);
    expect(h.ends).toEqual([]);
    h.threadClock.advance(1);
    expect(h.ends).toEqual([0]);
  });

  it('user codes published with a report decide what the control thread accepts', async () => {
    const h = await connected();
    h.sc.report(status({ state: 'running', accepts: ['stop'], userCodes: { rotate: true, custom: false } }));
    expect(h.api.handler!(128, 0, null, null)).toBe(W.NO_ERROR);
    expect(h.api.handler!(129, 0, null, null)).toBe(W.ERROR_CALL_NOT_IMPLEMENTED);
    h.sc.report(status({ state: 'running', accepts: ['stop'], userCodes: { rotate: false, custom: true } }));
    expect(h.api.handler!(128, 0, null, null)).toBe(W.ERROR_CALL_NOT_IMPLEMENTED);
    expect(h.api.handler!(129, 0, null, null)).toBe(W.NO_ERROR);
  });

  it("stopping() arms the control thread's deadline (once): STOPPED 0 and the end of the process", async () => {
    const h = await connected();
    h.sc.report(status({ state: 'stop-pending', checkPoint: 1, waitHintMs: 5_000 }));
    h.sc.stopping(3_000, 'stop');
    h.sc.stopping(100, 'shutdown');
    expect(h.toThread).toEqual([
      { type: 'stopping', timeoutMs: 3_000, cause: 'stop' },
      { type: 'stopping', timeoutMs: 100, cause: 'shutdown' },
    ]);
    await flush();
    h.threadClock.advance(3_499);
    expect(h.ends).toEqual([]);
    h.threadClock.advance(1);
    expect(h.api.statuses.at(-1)).toMatchObject({ dwCurrentState: W.SERVICE_STOPPED, dwWin32ExitCode: 0, dwServiceSpecificExitCode: 0 });
    expect(h.threadLogs.find((l) => l.level === 'error')!.message).toContain('stop deadline (3000 ms + 500 ms)');
    expect(h.ends).toEqual([0]);
    expect(h.sc.stopped).toBe(true);
  });

  it('logTo() names the log file to the control thread', async () => {
    const h = await connected();
    h.sc.logTo('C:\\ProgramData\\MySvc\\logs\\MySvc.log');
    expect(h.toThread).toEqual([{ type: 'log-file', file: 'C:\\ProgramData\\MySvc\\logs\\MySvc.log' }]);
    await flush();
    expect(h.logFile()).toBe('C:\\ProgramData\\MySvc\\logs\\MySvc.log');
  });

  it('stopping() and logTo() before connect post nothing and do not throw', () => {
    const h = harness();
    expect(() => h.sc.stopping(1_000, 'stop')).not.toThrow();
    expect(() => h.sc.logTo('x.log')).not.toThrow();
    expect(h.toThread).toEqual([]);
  });
});

describe('ServiceController.report', () => {
  it('calls setStatus with the SERVICE_STATUS struct and the handle ServiceMain registered', async () => {
    const { api, sc, onError } = await connected();
    const s = status({ state: 'start-pending', accepts: ['stop', 'shutdown'], checkPoint: 2, waitHintMs: 5000 });
    sc.report(s);
    expect(api.calls.at(-1)).toEqual({ handle: 7, status: toServiceStatusStruct(s) });
    expect(api.statuses).toHaveLength(2);
    expect(onError).not.toHaveBeenCalled();
  });

  it('a bigint status handle is used as posted', async () => {
    const h = harness();
    h.api.registerResult = 0x7ff6_0000_1234n;
    const result = h.sc.connect();
    h.api.serviceMain!(1, null);
    expect(await result).toBe('service');
    h.sc.report(status({}));
    expect(h.api.calls.map((c) => c.handle)).toEqual([0x7ff6_0000_1234n, 0x7ff6_0000_1234n]); // the control thread's and this thread's
  });

  it('reports nothing before ServiceMain posted the handle', () => {
    const h = harness();
    void h.sc.connect();
    h.sc.report(status({}));
    expect(h.api.statuses).toHaveLength(0);
  });

  it('reports a false setStatus through onError with the last error, without throwing, and publishes nothing', async () => {
    const { api, sc, onError } = await connected();
    api.setStatusResult = false;
    api.lastErrorCode = 6;
    expect(() => sc.report(status({ state: 'stopped' }))).not.toThrow();
    expect(onError).toHaveBeenCalledWith('SetServiceStatus failed (error 6)');
    expect(sc.stopped).toBe(false);
  });

  it('reports a throwing setStatus through onError without throwing', async () => {
    const { api, sc, onError } = await connected();
    api.setStatusResult = new Error('koffi type error');
    expect(() => sc.report(status({}))).not.toThrow();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![0]).toMatch(/^SetServiceStatus failed: .*koffi type error/);
  });

  it('drops reports after STOPPED', async () => {
    const { api, sc, onError } = await connected();
    sc.report(status({ state: 'stopped', exitCode: 3 }));
    expect(sc.stopped).toBe(true);
    const n = api.statuses.length;
    sc.report(status({ state: 'running', accepts: ['stop'] }));
    sc.report(status({ state: 'stop-pending', checkPoint: 1, waitHintMs: 5000 }));
    sc.report(status({ state: 'stopped', exitCode: 0 }));
    expect(api.statuses).toHaveLength(n);
    expect(api.statuses.at(-1)).toMatchObject({ dwCurrentState: W.SERVICE_STOPPED, dwServiceSpecificExitCode: 3 });
    expect(onError).not.toHaveBeenCalled();
  });

  it('drops a RUNNING report once a stop was reported (by this thread or the control thread)', async () => {
    const own = await connected();
    own.sc.report(status({ state: 'stop-pending', checkPoint: 1, waitHintMs: 5000 }));
    own.sc.report(status({ state: 'running', accepts: ['stop'] }));
    expect(own.api.states).toEqual([W.SERVICE_START_PENDING, W.SERVICE_STOP_PENDING]);

    const other = await connected();
    other.sc.report(status({ state: 'running', accepts: ['stop'] }));
    other.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null); // the control thread reports STOP_PENDING
    other.sc.report(status({ state: 'running', accepts: ['stop'] })); // a late report of the main thread
    other.sc.report(status({ state: 'paused', accepts: ['stop'] }));
    expect(other.api.states).toEqual([W.SERVICE_START_PENDING, W.SERVICE_RUNNING, W.SERVICE_STOP_PENDING]);
    other.sc.report(status({ state: 'stopped' }));
    expect(other.api.states.at(-1)).toBe(W.SERVICE_STOPPED);
  });
});

describe('ServiceController with a Lifecycle (both threads)', () => {
  function wired(h: Awaited<ReturnType<typeof connected>>, runStopHandlers: () => Promise<void>) {
    const mainClock = new FakeClock();
    const exit = vi.fn<(code: number) => void>();
    const stopping = vi.fn((timeoutMs: number, cause: string) => h.sc.stopping(timeoutMs, cause));
    h.sc.setStopTimeout(10_000);
    const lc = new Lifecycle(
      { report: (s) => h.sc.report(s), runStopHandlers, log: () => {}, exit, clock: mainClock, stopping },
      { stopTimeoutMs: 10_000 },
    );
    lc.start();
    h.sc.listen(lc);
    lc.started();
    return { lc, exit, stopping, mainClock };
  }

  it('an SCM stop: STOP_PENDING at once from the control thread, the stop work, then one STOPPED 0', async () => {
    const h = await connected();
    const w = wired(h, async () => {});
    expect(h.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null)).toBe(W.NO_ERROR);
    expect(h.api.states.at(-1)).toBe(W.SERVICE_STOP_PENDING); // before the main thread heard of it
    await flush();
    await flush();
    expect(w.stopping).toHaveBeenCalledWith(10_000, 'stop');
    expect(w.exit).toHaveBeenCalledWith(0);
    expect(h.api.states).toEqual([
      W.SERVICE_START_PENDING, // ServiceMain (control thread)
      W.SERVICE_START_PENDING, // lifecycle.start
      W.SERVICE_RUNNING,
      W.SERVICE_STOP_PENDING, // HandlerEx (control thread)
      W.SERVICE_STOP_PENDING, // the lifecycle's stop
      W.SERVICE_STOPPED,
    ]);
    expect(h.api.statuses.at(-1)).toMatchObject({ dwWin32ExitCode: 0, dwServiceSpecificExitCode: 0 });
    // The deadline armed by the stop fires later: STOPPED was reported, so nothing more is.
    h.threadClock.advance(20_000);
    expect(h.api.states.filter((s) => s === W.SERVICE_STOPPED)).toHaveLength(1);
    expect(h.onError).not.toHaveBeenCalled();
  });

  it('a blocked main thread: the control thread reports STOPPED 0 at the deadline and ends the process; the late main-thread STOPPED is dropped', async () => {
    const h = await connected();
    const w = wired(h, () => new Promise<void>(() => {}));
    h.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null);
    await flush(); // the lifecycle heard of it, its stop work hangs, and its clock never runs (blocked)
    h.threadClock.advance(10_500);
    expect(h.api.statuses.at(-1)).toMatchObject({ dwCurrentState: W.SERVICE_STOPPED, dwServiceSpecificExitCode: 0 });
    expect(h.ends).toEqual([0]);
    expect(h.sc.stopped).toBe(true);
    const n = h.api.statuses.length;
    w.mainClock.advance(10_000); // the main thread runs again: its own timeout forces the stop
    await flush();
    expect(w.exit).toHaveBeenCalledWith(0);
    expect(h.api.statuses).toHaveLength(n);
  });
});
