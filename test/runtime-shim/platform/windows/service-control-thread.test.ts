import { describe, it, expect, vi } from 'vitest';
import { DEFAULT_STOP_TIMEOUT_MS, type ControlRequest } from '../../../../runtime-shim/lifecycle/lifecycle';
import * as W from '../../../../runtime-shim/platform/windows/advapi32';
import type { FromControlThread } from '../../../../runtime-shim/platform/windows/control-thread-protocol';
import { ANSWER_SETTLE_MS, ServiceControlThread, acceptsNow } from '../../../../runtime-shim/platform/windows/service-control-thread';
import { StatusSlot, type PublishedStatus } from '../../../../runtime-shim/platform/windows/status-slot';
import { DEADLINE_GRACE_MS } from '../../../../runtime-shim/lifecycle/stop/stop-deadline';
import { FakeClock } from '../../../support/fake-clock';
import { FakeAdvapi } from './fake-advapi';

type Request = Exclude<ControlRequest, 'interrogate'>;

const ALL_ACCEPTS =
  W.SERVICE_ACCEPT_STOP |
  W.SERVICE_ACCEPT_SHUTDOWN |
  W.SERVICE_ACCEPT_PRESHUTDOWN |
  W.SERVICE_ACCEPT_PAUSE_CONTINUE |
  W.SERVICE_ACCEPT_PARAMCHANGE |
  W.SERVICE_ACCEPT_SESSIONCHANGE |
  W.SERVICE_ACCEPT_POWEREVENT;

const published = (p: Partial<PublishedStatus>): PublishedStatus => ({
  state: W.SERVICE_RUNNING,
  accepts: ALL_ACCEPTS,
  userCodes: { rotate: true, custom: true },
  stopped: false,
  ...p,
});

/** Every request kind, named for the table below. */
const REQUESTS: Record<string, Request> = {
  stop: 'stop',
  shutdown: 'shutdown',
  preshutdown: 'preshutdown',
  pause: 'pause',
  continue: 'continue',
  paramchange: 'paramchange',
  rotate: { kind: 'custom', code: 128 },
  custom129: { kind: 'custom', code: 129 },
  custom255: { kind: 'custom', code: 255 },
  session: { kind: 'session-change', event: 'WTS_SESSION_LOCK', sessionId: 1 },
  power: { kind: 'power-event', event: 'PBT_APMSUSPEND' },
};

const STATES: Record<string, number> = {
  none: 0,
  'start-pending': W.SERVICE_START_PENDING,
  running: W.SERVICE_RUNNING,
  'pause-pending': W.SERVICE_PAUSE_PENDING,
  paused: W.SERVICE_PAUSED,
  'continue-pending': W.SERVICE_CONTINUE_PENDING,
  'stop-pending': W.SERVICE_STOP_PENDING,
  stopped: W.SERVICE_STOPPED,
};

describe('acceptsNow', () => {
  it('with every flag and both user codes: what each state accepts', () => {
    const stopTypes = ['stop', 'shutdown', 'preshutdown'];
    const whileLive = ['paramchange', 'rotate', 'custom129', 'custom255', 'session', 'power'];
    const expected: Record<string, string[]> = {
      none: stopTypes,
      'start-pending': stopTypes,
      running: [...stopTypes, 'pause', ...whileLive],
      'pause-pending': stopTypes,
      paused: [...stopTypes, 'continue', ...whileLive],
      'continue-pending': stopTypes,
      'stop-pending': stopTypes, // by the flag alone; a STOP_PENDING report carries none (below)
      stopped: stopTypes, // the same: what decides is `stopped` (below)
    };
    for (const [stateName, state] of Object.entries(STATES)) {
      const accepted = Object.keys(REQUESTS).filter((name) => acceptsNow(REQUESTS[name]!, published({ state })));
      expect({ state: stateName, accepted }).toEqual({ state: stateName, accepted: expected[stateName] });
    }
  });

  it('nothing once STOPPED was reported, whatever the flags', () => {
    for (const state of Object.values(STATES)) {
      for (const request of Object.values(REQUESTS)) expect(acceptsNow(request, published({ state, stopped: true }))).toBe(false);
    }
  });

  it('nothing without accept flags and user codes, in any state', () => {
    for (const state of Object.values(STATES)) {
      for (const request of Object.values(REQUESTS)) {
        expect(acceptsNow(request, published({ state, accepts: 0, userCodes: { rotate: false, custom: false } }))).toBe(false);
      }
    }
  });

  it('each flagged request by its own flag', () => {
    const byFlag: Array<[string, number]> = [
      ['stop', W.SERVICE_ACCEPT_STOP],
      ['shutdown', W.SERVICE_ACCEPT_SHUTDOWN],
      ['preshutdown', W.SERVICE_ACCEPT_PRESHUTDOWN],
      ['pause', W.SERVICE_ACCEPT_PAUSE_CONTINUE],
      ['paramchange', W.SERVICE_ACCEPT_PARAMCHANGE],
      ['session', W.SERVICE_ACCEPT_SESSIONCHANGE],
      ['power', W.SERVICE_ACCEPT_POWEREVENT],
    ];
    for (const [name, flag] of byFlag) {
      expect(acceptsNow(REQUESTS[name]!, published({ accepts: flag }))).toBe(true);
      expect(acceptsNow(REQUESTS[name]!, published({ accepts: ALL_ACCEPTS & ~flag }))).toBe(false);
    }
    expect(acceptsNow('continue', published({ state: W.SERVICE_PAUSED, accepts: W.SERVICE_ACCEPT_PAUSE_CONTINUE }))).toBe(true);
    expect(acceptsNow('continue', published({ state: W.SERVICE_PAUSED, accepts: ALL_ACCEPTS & ~W.SERVICE_ACCEPT_PAUSE_CONTINUE }))).toBe(false);
  });

  it('user codes carry no flag: 128 by `rotate`, 129-255 by `custom`', () => {
    for (const state of [W.SERVICE_RUNNING, W.SERVICE_PAUSED]) {
      const rotateOnly = published({ state, accepts: 0, userCodes: { rotate: true, custom: false } });
      expect(acceptsNow(REQUESTS.rotate!, rotateOnly)).toBe(true);
      expect(acceptsNow(REQUESTS.custom129!, rotateOnly)).toBe(false);
      expect(acceptsNow(REQUESTS.custom255!, rotateOnly)).toBe(false);
      const customOnly = published({ state, accepts: 0, userCodes: { rotate: false, custom: true } });
      expect(acceptsNow(REQUESTS.rotate!, customOnly)).toBe(false);
      expect(acceptsNow(REQUESTS.custom129!, customOnly)).toBe(true);
      expect(acceptsNow(REQUESTS.custom255!, customOnly)).toBe(true);
    }
  });

  it('a STOP_PENDING as reported (accepting nothing) refuses a second stop', () => {
    for (const request of Object.values(REQUESTS)) expect(acceptsNow(request, published({ state: W.SERVICE_STOP_PENDING, accepts: 0 }))).toBe(false);
  });
});

/** The main thread's side of the slot: reports as the lifecycle would. */
const runningStatus = (accepts: number): W.ServiceStatusStruct => ({
  dwServiceType: W.SERVICE_WIN32_OWN_PROCESS,
  dwCurrentState: W.SERVICE_RUNNING,
  dwControlsAccepted: accepts,
  dwWin32ExitCode: 0,
  dwServiceSpecificExitCode: 0,
  dwCheckPoint: 0,
  dwWaitHint: 0,
});

function setup() {
  const api = new FakeAdvapi();
  const clock = new FakeClock();
  const slot = new StatusSlot();
  /** The main thread's view of the same shared memory. */
  const mainSlot = new StatusSlot(slot.buffer);
  const posted: FromControlThread[] = [];
  /** Warnings and errors (the thread may also log 'info' lines, which these tests do not pin). */
  const logs: Array<{ level: string; message: string }> = [];
  const events: string[] = [];
  const endProcess = vi.fn<(code: number) => void>((code) => void events.push(`end ${code}`));
  api.onSet = (s) => events.push(`set ${s.dwCurrentState} exit ${s.dwServiceSpecificExitCode}`);
  const thread = new ServiceControlThread({
    api,
    slot,
    post: (m) => posted.push(m),
    clock,
    log: (level: string, message: string) => {
      if (level === 'info') return;
      logs.push({ level, message });
      events.push(`log ${level}`);
    },
    endProcess,
  });
  /** The main thread reports (through its own slot over the shared buffer). */
  const mainReport = (s: W.ServiceStatusStruct, userCodes?: { rotate: boolean; custom: boolean }) =>
    mainSlot.report(s, (x) => void api.setStatus(7, x), userCodes);
  return { api, clock, slot, mainSlot, posted, logs, events, endProcess, thread, mainReport };
}

/** A thread whose ServiceMain has run and whose main thread reported RUNNING with `accepts`. */
function running(accepts = W.SERVICE_ACCEPT_STOP | W.SERVICE_ACCEPT_SHUTDOWN, stopTimeoutMs = 8_000) {
  const t = setup();
  t.mainSlot.stopTimeoutMs = stopTimeoutMs;
  t.thread.run('MySvc');
  t.api.serviceMain!(1, null);
  t.mainReport(runningStatus(accepts), { rotate: true, custom: false });
  t.posted.length = 0;
  t.api.calls.length = 0;
  t.events.length = 0;
  return t;
}

describe('ServiceControlThread: the dispatcher and ServiceMain', () => {
  it('ServiceMain registers HandlerEx under the name, reports START_PENDING accepting stop, and posts the handle', () => {
    const t = setup();
    t.thread.run('MySvc');
    expect(t.api.dispatcherName).toBe('MySvc');
    expect(t.posted).toEqual([]);
    t.api.serviceMain!(1, null);
    expect(t.api.registeredName).toBe('MySvc');
    expect(t.api.handler).toBeTypeOf('function');
    expect(t.api.calls).toEqual([
      {
        handle: 7,
        status: {
          dwServiceType: W.SERVICE_WIN32_OWN_PROCESS,
          dwCurrentState: W.SERVICE_START_PENDING,
          dwControlsAccepted: W.SERVICE_ACCEPT_STOP,
          dwWin32ExitCode: 0,
          dwServiceSpecificExitCode: 0,
          dwCheckPoint: 1,
          dwWaitHint: 5_000,
        },
      },
    ]);
    expect(t.posted).toEqual([{ type: 'service-main', handle: 7 }]);
    expect(t.slot.read()).toMatchObject({ state: W.SERVICE_START_PENDING, accepts: W.SERVICE_ACCEPT_STOP });
    // The dispatcher returning later (the service stopped) posts nothing.
    t.api.done!(true);
    t.api.done!(false);
    expect(t.posted).toHaveLength(1);
  });

  it('a bigint handle is posted and used as it came', () => {
    const t = setup();
    t.api.registerResult = 0x1234n;
    t.thread.run('MySvc');
    t.api.serviceMain!(1, null);
    expect(t.posted).toEqual([{ type: 'service-main', handle: 0x1234n }]);
    expect(t.api.calls[0]!.handle).toBe(0x1234n);
  });

  it("the dispatcher failing before ServiceMain posts 'not-started-by-scm'", () => {
    const t = setup();
    t.thread.run('MySvc');
    t.api.done!(false);
    expect(t.posted).toEqual([{ type: 'not-started-by-scm' }]);
    expect(t.api.calls).toEqual([]);
  });

  it("RegisterServiceCtrlHandlerExW returning null posts 'failed' with the last error, and reports nothing", () => {
    const t = setup();
    t.api.registerResult = null;
    t.api.lastErrorCode = 1063;
    t.thread.run('MySvc');
    expect(() => t.api.serviceMain!(1, null)).not.toThrow();
    expect(t.posted).toEqual([{ type: 'failed', message: 'RegisterServiceCtrlHandlerExW failed (error 1063)' }]);
    expect(t.api.calls).toEqual([]);
    // ServiceMain ran: the dispatcher's end is no 'not-started-by-scm'.
    t.api.done!(false);
    expect(t.posted).toHaveLength(1);
  });

  it("a throwing ServiceMain never escapes the callback: 'failed'", () => {
    const t = setup();
    t.api.registerResult = new Error('no handler');
    t.thread.run('MySvc');
    expect(() => t.api.serviceMain!(1, null)).not.toThrow();
    expect(t.posted).toEqual([{ type: 'failed', message: 'ServiceMain failed: Error: no handler' }]);
  });

  it('a failing START_PENDING report is logged; ServiceMain still posts the handle', () => {
    const t = setup();
    t.api.setStatusResult = false;
    t.api.lastErrorCode = 6;
    t.thread.run('MySvc');
    t.api.serviceMain!(1, null);
    expect(t.logs).toEqual([{ level: 'error', message: 'SetServiceStatus failed (error 6)' }]);
    expect(t.posted).toEqual([{ type: 'service-main', handle: 7 }]);
    expect(t.slot.read().state).toBe(0); // nothing published
  });
});

describe('ServiceControlThread: HandlerEx', () => {
  it('interrogate: NO_ERROR from the last report, nothing posted or reported', () => {
    const t = running();
    expect(t.api.handler!(W.SERVICE_CONTROL_INTERROGATE, 0, null, null)).toBe(W.NO_ERROR);
    expect(t.posted).toEqual([]);
    expect(t.api.calls).toEqual([]);
  });

  it('unknown codes: ERROR_CALL_NOT_IMPLEMENTED, nothing posted', () => {
    const t = running(ALL_ACCEPTS);
    for (const code of [0, 7, 8, 0x10, 0x20, 0x40, 127, 256]) expect(t.api.handler!(code, 0, null, null)).toBe(W.ERROR_CALL_NOT_IMPLEMENTED);
    expect(t.posted).toEqual([]);
    expect(t.api.calls).toEqual([]);
  });

  it('an accepted stop: posted, STOP_PENDING (checkpoint 1, wait hint timeout + grace), deadline armed with the slot\'s timeout', () => {
    const t = running(W.SERVICE_ACCEPT_STOP | W.SERVICE_ACCEPT_SHUTDOWN, 8_000);
    expect(t.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null)).toBe(W.NO_ERROR);
    expect(t.posted).toEqual([{ type: 'control', request: 'stop', accepted: true }]);
    expect(t.api.calls).toEqual([
      {
        handle: 7,
        status: {
          dwServiceType: W.SERVICE_WIN32_OWN_PROCESS,
          dwCurrentState: W.SERVICE_STOP_PENDING,
          dwControlsAccepted: 0,
          dwWin32ExitCode: 0,
          dwServiceSpecificExitCode: 0,
          dwCheckPoint: 1,
          dwWaitHint: 8_000 + DEADLINE_GRACE_MS,
        },
      },
    ]);
    expect(t.slot.stopReported()).toBe(true);
    t.clock.advance(ANSWER_SETTLE_MS); // the answers reach the SCM
    expect(t.clock.pending).toBe(1);
    t.clock.advance(8_000 + DEADLINE_GRACE_MS - ANSWER_SETTLE_MS - 1);
    expect(t.endProcess).not.toHaveBeenCalled();
    t.clock.advance(1);
    expect(t.endProcess).toHaveBeenCalledWith(0);
  });

  it('a stop is posted only once STOP_PENDING is reported and the deadline armed: the main thread may end the process as soon as it hears', () => {
    const t = running();
    const order: string[] = [];
    t.api.onSet = (st) => order.push(`set ${st.dwCurrentState}`);
    const post = t.posted.push.bind(t.posted);
    t.posted.push = (...m: FromControlThread[]) => (order.push(`post ${m[0]!.type}`), post(...m));
    t.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null);
    expect(order).toEqual([`set ${W.SERVICE_STOP_PENDING}`, 'post control']);
  });

  it('each request counts as being answered until ANSWER_SETTLE_MS after HandlerEx returned (the dispatcher writes the answer then)', () => {
    const t = running();
    expect(t.mainSlot.awaitAnswered(0)).toBe(true);
    t.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null);
    t.api.handler!(W.SERVICE_CONTROL_INTERROGATE, 0, null, null);
    expect(t.mainSlot.awaitAnswered(0)).toBe(false);
    t.clock.advance(ANSWER_SETTLE_MS - 1);
    expect(t.mainSlot.awaitAnswered(0)).toBe(false);
    t.clock.advance(1);
    expect(t.mainSlot.awaitAnswered(0)).toBe(true);
  });

  it('a request whose handling throws is still counted as answered', () => {
    const t = running();
    t.api.sessionIdOf = () => {
      throw new Error('bad eventData');
    };
    expect(t.api.handler!(W.SERVICE_CONTROL_SESSIONCHANGE, 5, {}, null)).toBe(W.NO_ERROR);
    t.clock.advance(ANSWER_SETTLE_MS);
    expect(t.mainSlot.awaitAnswered(0)).toBe(true);
  });

  it('a late RUNNING from the main thread after the thread reported STOP_PENDING is dropped', () => {
    const t = running();
    t.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null);
    expect(t.mainReport(runningStatus(W.SERVICE_ACCEPT_STOP))).toBe('dropped');
    expect(t.api.states).toEqual([W.SERVICE_STOP_PENDING]);
  });

  it('shutdown and preshutdown are stops too, named in the deadline\'s line', () => {
    for (const [code, flag, name] of [
      [W.SERVICE_CONTROL_SHUTDOWN, W.SERVICE_ACCEPT_SHUTDOWN, 'shutdown'],
      [W.SERVICE_CONTROL_PRESHUTDOWN, W.SERVICE_ACCEPT_PRESHUTDOWN, 'preshutdown'],
    ] as const) {
      const t = running(W.SERVICE_ACCEPT_STOP | flag, 1_000);
      expect(t.api.handler!(code, 0, null, null)).toBe(W.NO_ERROR);
      expect(t.posted).toEqual([{ type: 'control', request: name, accepted: true }]);
      expect(t.api.last).toMatchObject({ dwCurrentState: W.SERVICE_STOP_PENDING, dwWaitHint: 1_500 });
      t.clock.advance(1_500);
      expect(t.logs.at(-1)!.message).toContain(`the stop (${name})`);
      expect(t.endProcess).toHaveBeenCalledWith(0);
    }
  });

  it('a stop while the main thread has not published a stop timeout uses the default', () => {
    const t = running(W.SERVICE_ACCEPT_STOP, 0);
    t.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null);
    expect(t.api.last.dwWaitHint).toBe(DEFAULT_STOP_TIMEOUT_MS + DEADLINE_GRACE_MS);
    t.clock.advance(DEFAULT_STOP_TIMEOUT_MS + DEADLINE_GRACE_MS - 1);
    expect(t.endProcess).not.toHaveBeenCalled();
    t.clock.advance(1);
    expect(t.endProcess).toHaveBeenCalledWith(0);
  });

  it('the stop timeout is read when the stop arrives (a reload changed it)', () => {
    const t = running(W.SERVICE_ACCEPT_STOP, 8_000);
    t.mainSlot.stopTimeoutMs = 2_000;
    t.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null);
    expect(t.api.last.dwWaitHint).toBe(2_500);
    t.clock.advance(2_500);
    expect(t.endProcess).toHaveBeenCalledWith(0);
  });

  it('a stop during START_PENDING (as ServiceMain reported it) is accepted', () => {
    const t = setup();
    t.mainSlot.stopTimeoutMs = 3_000;
    t.thread.run('MySvc');
    t.api.serviceMain!(1, null);
    t.posted.length = 0;
    expect(t.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null)).toBe(W.NO_ERROR);
    expect(t.posted).toEqual([{ type: 'control', request: 'stop', accepted: true }]);
    expect(t.api.states).toEqual([W.SERVICE_START_PENDING, W.SERVICE_STOP_PENDING]);
  });

  it('a refused control is still posted (the lifecycle logs it) but answered 120, with no report and no deadline', () => {
    const t = running(W.SERVICE_ACCEPT_STOP); // no pause, no shutdown, user code 129 not handled
    expect(t.api.handler!(W.SERVICE_CONTROL_PAUSE, 0, null, null)).toBe(W.ERROR_CALL_NOT_IMPLEMENTED);
    expect(t.api.handler!(W.SERVICE_CONTROL_SHUTDOWN, 0, null, null)).toBe(W.ERROR_CALL_NOT_IMPLEMENTED);
    expect(t.api.handler!(200, 0, null, null)).toBe(W.ERROR_CALL_NOT_IMPLEMENTED);
    expect(t.posted).toEqual([
      { type: 'control', request: 'pause', accepted: false },
      { type: 'control', request: 'shutdown', accepted: false },
      { type: 'control', request: { kind: 'custom', code: 200 }, accepted: false },
    ]);
    expect(t.api.calls).toEqual([]);
    t.clock.advance(ANSWER_SETTLE_MS); // the answers reach the SCM
    expect(t.clock.pending).toBe(0);
  });

  it('an accepted control other than a stop: NO_ERROR and posted, no report, no deadline', () => {
    const t = running(W.SERVICE_ACCEPT_STOP | W.SERVICE_ACCEPT_PAUSE_CONTINUE);
    expect(t.api.handler!(W.SERVICE_CONTROL_PAUSE, 0, null, null)).toBe(W.NO_ERROR);
    expect(t.api.handler!(128, 0, null, null)).toBe(W.NO_ERROR); // rotate is handled
    expect(t.posted).toEqual([
      { type: 'control', request: 'pause', accepted: true },
      { type: 'control', request: { kind: 'custom', code: 128 }, accepted: true },
    ]);
    expect(t.api.calls).toEqual([]);
    t.clock.advance(ANSWER_SETTLE_MS); // the answers reach the SCM
    expect(t.clock.pending).toBe(0);
  });

  it('decodes a session change\'s eventData', () => {
    const t = running(W.SERVICE_ACCEPT_STOP | W.SERVICE_ACCEPT_SESSIONCHANGE);
    t.api.sessionIdResult = 2;
    expect(t.api.handler!(W.SERVICE_CONTROL_SESSIONCHANGE, 0x8, { cbSize: 8, dwSessionId: 2 }, null)).toBe(W.NO_ERROR);
    expect(t.posted).toEqual([{ type: 'control', request: { kind: 'session-change', event: 'WTS_SESSION_UNLOCK', sessionId: 2 }, accepted: true }]);
  });

  it('a second stop after STOP_PENDING is refused and does not re-arm the deadline', () => {
    const t = running(W.SERVICE_ACCEPT_STOP | W.SERVICE_ACCEPT_SHUTDOWN, 4_000);
    t.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null);
    t.clock.advance(3_000);
    expect(t.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null)).toBe(W.ERROR_CALL_NOT_IMPLEMENTED);
    expect(t.api.handler!(W.SERVICE_CONTROL_SHUTDOWN, 0, null, null)).toBe(W.ERROR_CALL_NOT_IMPLEMENTED);
    expect(t.api.states).toEqual([W.SERVICE_STOP_PENDING]);
    t.clock.advance(1_500);
    expect(t.endProcess).toHaveBeenCalledTimes(1);
  });

  it('nothing is accepted after STOPPED', () => {
    const t = running(ALL_ACCEPTS);
    t.mainReport({ ...runningStatus(0), dwCurrentState: W.SERVICE_STOPPED });
    t.posted.length = 0;
    for (const code of [W.SERVICE_CONTROL_STOP, W.SERVICE_CONTROL_SHUTDOWN, W.SERVICE_CONTROL_PAUSE, 128]) {
      expect(t.api.handler!(code, 0, null, null)).toBe(W.ERROR_CALL_NOT_IMPLEMENTED);
    }
    expect(t.posted).toHaveLength(4);
    t.clock.advance(ANSWER_SETTLE_MS); // the answers reach the SCM
    expect(t.clock.pending).toBe(0);
  });

  it('a throwing path never escapes HandlerEx: it returns a number and posts a warning', () => {
    const t = running(W.SERVICE_ACCEPT_STOP | W.SERVICE_ACCEPT_SESSIONCHANGE);
    t.api.sessionIdResult = new Error('bad eventData');
    let answer: unknown;
    expect(() => {
      answer = t.api.handler!(W.SERVICE_CONTROL_SESSIONCHANGE, 0x7, {}, null);
    }).not.toThrow();
    expect(typeof answer).toBe('number');
    expect(t.posted).toEqual([{ type: 'warning', message: 'control handler failed: Error: bad eventData' }]);
  });

  it('a failing STOP_PENDING report is logged, not thrown; the deadline is armed anyway', () => {
    const t = running(W.SERVICE_ACCEPT_STOP, 1_000);
    t.api.setStatusResult = new Error('koffi type error');
    let answer: unknown;
    expect(() => {
      answer = t.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null);
    }).not.toThrow();
    expect(answer).toBe(W.NO_ERROR);
    expect(t.logs).toEqual([{ level: 'error', message: 'SetServiceStatus failed: koffi type error' }]);
    t.clock.advance(ANSWER_SETTLE_MS); // the answers reach the SCM
    expect(t.clock.pending).toBe(1);
    t.api.setStatusResult = true;
    t.clock.advance(1_500 - ANSWER_SETTLE_MS);
    expect(t.api.states).toEqual([W.SERVICE_STOPPED]);
    expect(t.endProcess).toHaveBeenCalledWith(0);
  });
});

describe('ServiceControlThread: the stop deadline', () => {
  it('fires at timeout + grace: an error line naming "stop deadline", STOPPED exit code 0 through setStatus, then endProcess(0)', () => {
    const t = running(W.SERVICE_ACCEPT_STOP, 5_000);
    t.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null);
    t.events.length = 0;
    t.clock.advance(5_500);
    expect(t.events).toEqual(['log error', `set ${W.SERVICE_STOPPED} exit 0`, 'end 0']);
    expect(t.api.calls.at(-1)).toEqual({
      handle: 7,
      status: {
        dwServiceType: W.SERVICE_WIN32_OWN_PROCESS,
        dwCurrentState: W.SERVICE_STOPPED,
        dwControlsAccepted: 0,
        dwWin32ExitCode: W.NO_ERROR,
        dwServiceSpecificExitCode: 0,
        dwCheckPoint: 0,
        dwWaitHint: 0,
      },
    });
    expect(t.logs).toHaveLength(1);
    expect(t.logs[0]!.level).toBe('error');
    expect(t.logs[0]!.message).toContain('stop deadline (5000 ms + 500 ms) reached');
    expect(t.slot.read().stopped).toBe(true);
    // The main thread's STOPPED from its exit listener comes too late: dropped.
    expect(t.mainReport({ ...runningStatus(0), dwCurrentState: W.SERVICE_STOPPED, dwServiceSpecificExitCode: 1 })).toBe('dropped');
  });

  it('when STOPPED was reported already it only logs a warning and ends the process', () => {
    const t = running(W.SERVICE_ACCEPT_STOP, 5_000);
    t.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null);
    t.mainReport({ ...runningStatus(0), dwCurrentState: W.SERVICE_STOPPED });
    t.events.length = 0;
    t.api.calls.length = 0;
    t.clock.advance(5_500);
    expect(t.events).toEqual(['log warn', 'end 0']);
    expect(t.api.calls).toEqual([]);
    expect(t.logs.at(-1)!.message).toContain('stop deadline');
    expect(t.logs.at(-1)!.message).toContain('STOPPED was reported');
  });

  it("a 'stopping' message arms it; only the first arm counts", () => {
    const t = running(W.SERVICE_ACCEPT_STOP, 8_000);
    t.thread.onMessage({ type: 'stopping', timeoutMs: 3_000, cause: 'stop' });
    expect(t.clock.pending).toBe(1);
    t.thread.onMessage({ type: 'stopping', timeoutMs: 100, cause: 'shutdown' });
    t.thread.onMessage({ type: 'log-file', file: 'C:\\logs\\MySvc.log' });
    expect(t.clock.pending).toBe(1);
    t.clock.advance(3_499);
    expect(t.endProcess).not.toHaveBeenCalled();
    t.clock.advance(1);
    expect(t.logs.at(-1)!.message).toContain('(3000 ms + 500 ms)');
    expect(t.logs.at(-1)!.message).toContain('the stop (stop)');
    expect(t.endProcess).toHaveBeenCalledTimes(1);
    expect(t.endProcess).toHaveBeenCalledWith(0);
  });

  it("an SCM stop after a 'stopping' message keeps the first deadline", () => {
    const t = running(W.SERVICE_ACCEPT_STOP, 8_000);
    // The main thread began a stop (the app's SIGTERM) but has not reported STOP_PENDING yet.
    t.thread.onMessage({ type: 'stopping', timeoutMs: 2_000, cause: 'stop' });
    t.clock.advance(1_000);
    t.api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null);
    expect(t.api.last.dwWaitHint).toBe(8_500);
    t.clock.advance(1_500);
    expect(t.endProcess).toHaveBeenCalledWith(0);
  });

  it("a 'log-file' message arms nothing", () => {
    const t = running();
    t.thread.onMessage({ type: 'log-file', file: 'x.log' });
    expect(t.clock.pending).toBe(0);
  });
});
