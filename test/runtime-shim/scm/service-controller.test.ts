import { describe, it, expect, vi } from 'vitest';
import type { ServiceStatus } from '../../../runtime-shim/lifecycle';
import * as W from '../../../runtime-shim/scm/advapi32';
import { ServiceController, controlFromCode, toServiceStatusStruct } from '../../../runtime-shim/scm/service-controller';

const status = (s: Partial<ServiceStatus>): ServiceStatus => ({
  state: 'running',
  accepts: [],
  exitCode: 0,
  checkPoint: 0,
  waitHintMs: 0,
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

/** A fake advapi32: the test decides whether the "SCM" calls ServiceMain. */
class FakeAdvapi implements W.Advapi32 {
  serviceMain: W.ServiceMainFn | null = null;
  done: ((ok: boolean) => void) | null = null;
  handler: W.HandlerExFn | null = null;
  registeredName: string | null = null;
  dispatcherName: string | null = null;
  statuses: W.ServiceStatusStruct[] = [];
  setStatusResult: boolean | Error = true;
  handle: unknown = { h: 1 };
  lastErrorCode = 5;

  startDispatcher(serviceName: string, serviceMain: W.ServiceMainFn, done: (ok: boolean) => void): void {
    this.dispatcherName = serviceName;
    this.serviceMain = serviceMain;
    this.done = done;
  }
  registerHandler(serviceName: string, handler: W.HandlerExFn): unknown {
    this.registeredName = serviceName;
    this.handler = handler;
    return this.handle;
  }
  setStatus(handle: unknown, s: W.ServiceStatusStruct): boolean {
    expect(handle).toBe(this.handle);
    if (this.setStatusResult instanceof Error) throw this.setStatusResult;
    this.statuses.push(s);
    return this.setStatusResult;
  }
  lastError(): number {
    return this.lastErrorCode;
  }
  sessionIdOf(eventData: unknown): number | null {
    return eventData === null ? null : (eventData as { dwSessionId: number }).dwSessionId;
  }
}

async function connected(onControl: (r: Parameters<Parameters<ServiceController['connect']>[0]>[0]) => boolean = () => true) {
  const api = new FakeAdvapi();
  const onError = vi.fn<(m: string) => void>();
  const sc = new ServiceController(api, 'MySvc', onError);
  const result = sc.connect(onControl);
  api.serviceMain!(1, null);
  expect(await result).toBe('service');
  return { api, onError, sc };
}

describe('ServiceController.connect', () => {
  it("resolves 'service' when ServiceMain runs, registering the handler under the service name", async () => {
    const { api, onError } = await connected();
    expect(api.dispatcherName).toBe('MySvc');
    expect(api.registeredName).toBe('MySvc');
    expect(api.handler).toBeTypeOf('function');
    // the dispatcher returning later (all services stopped) changes nothing
    api.done!(true);
    expect(onError).not.toHaveBeenCalled();
  });

  it("resolves 'not-started-by-scm' when the dispatcher fails before ServiceMain", async () => {
    const api = new FakeAdvapi();
    const sc = new ServiceController(api, 'MySvc', () => {});
    const result = sc.connect(() => true);
    api.done!(false);
    expect(await result).toBe('not-started-by-scm');
    expect(api.handler).toBeNull();
  });

  it('maps control codes to requests and answers NO_ERROR / ERROR_CALL_NOT_IMPLEMENTED', async () => {
    const onControl = vi.fn((r: unknown) => r !== 'preshutdown');
    const { api } = await connected(onControl);
    const handler = api.handler!;
    expect(handler(W.SERVICE_CONTROL_STOP, 0, null, null)).toBe(W.NO_ERROR);
    expect(onControl).toHaveBeenLastCalledWith('stop');
    expect(handler(W.SERVICE_CONTROL_SHUTDOWN, 0, null, null)).toBe(W.NO_ERROR);
    expect(onControl).toHaveBeenLastCalledWith('shutdown');
    expect(handler(W.SERVICE_CONTROL_INTERROGATE, 0, null, null)).toBe(W.NO_ERROR);
    expect(onControl).toHaveBeenLastCalledWith('interrogate');
    // not accepted by the lifecycle
    expect(handler(W.SERVICE_CONTROL_PRESHUTDOWN, 0, null, null)).toBe(120);
    onControl.mockClear();
    // unknown codes never reach the lifecycle
    expect(handler(0x10, 0, null, null)).toBe(W.ERROR_CALL_NOT_IMPLEMENTED);
    expect(handler(0x40, 0, null, null)).toBe(120);
    expect(onControl).not.toHaveBeenCalled();
  });

  it('decodes a session change\'s eventData and passes user codes through', async () => {
    const onControl = vi.fn((_r: unknown) => true);
    const { api } = await connected(onControl);
    expect(api.handler!(W.SERVICE_CONTROL_SESSIONCHANGE, 0x8, { cbSize: 8, dwSessionId: 2 }, null)).toBe(W.NO_ERROR);
    expect(onControl).toHaveBeenLastCalledWith({ kind: 'session-change', event: 'WTS_SESSION_UNLOCK', sessionId: 2 });
    expect(api.handler!(200, 0, null, null)).toBe(W.NO_ERROR);
    expect(onControl).toHaveBeenLastCalledWith({ kind: 'custom', code: 200 });
    onControl.mockReturnValueOnce(false);
    expect(api.handler!(201, 0, null, null)).toBe(W.ERROR_CALL_NOT_IMPLEMENTED);
  });

  it('a throwing onControl never escapes the callback: returns a number and reports onError', async () => {
    const { api, onError } = await connected(() => {
      throw new Error('lifecycle exploded');
    });
    let answer: unknown;
    expect(() => {
      answer = api.handler!(W.SERVICE_CONTROL_STOP, 0, null, null);
    }).not.toThrow();
    expect(typeof answer).toBe('number');
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![0]).toContain('lifecycle exploded');
  });

  it('ServiceMain never throws when registering the handler fails', async () => {
    const api = new FakeAdvapi();
    api.registerHandler = () => {
      throw new Error('no handler');
    };
    const onError = vi.fn();
    const sc = new ServiceController(api, 'MySvc', onError);
    const result = sc.connect(() => true);
    expect(() => api.serviceMain!(1, null)).not.toThrow();
    expect(await result).toBe('service');
    expect(onError).toHaveBeenCalledWith(expect.stringContaining('no handler'));
  });

  it('reports a null status handle through onError', async () => {
    const api = new FakeAdvapi();
    api.handle = null;
    api.lastErrorCode = 1063;
    const onError = vi.fn();
    const sc = new ServiceController(api, 'MySvc', onError);
    const result = sc.connect(() => true);
    api.serviceMain!(1, null);
    expect(await result).toBe('service');
    expect(onError).toHaveBeenCalledWith(expect.stringContaining('1063'));
  });
});

describe('ServiceController.report', () => {
  it('calls setStatus with the SERVICE_STATUS struct', async () => {
    const { api, sc, onError } = await connected();
    const s = status({ state: 'start-pending', checkPoint: 1, waitHintMs: 5000 });
    sc.report(s);
    expect(api.statuses).toEqual([toServiceStatusStruct(s)]);
    expect(onError).not.toHaveBeenCalled();
  });

  it('reports nothing before the handler is registered', () => {
    const api = new FakeAdvapi();
    const sc = new ServiceController(api, 'MySvc', () => {});
    sc.report(status({}));
    expect(api.statuses).toHaveLength(0);
  });

  it('reports a false setStatus through onError with the last error, without throwing', async () => {
    const { api, sc, onError } = await connected();
    api.setStatusResult = false;
    api.lastErrorCode = 6;
    expect(() => sc.report(status({}))).not.toThrow();
    expect(onError).toHaveBeenCalledWith(expect.stringMatching(/SetServiceStatus failed.*6/));
  });

  it('reports a throwing setStatus through onError without throwing', async () => {
    const { api, sc, onError } = await connected();
    api.setStatusResult = new Error('koffi type error');
    expect(() => sc.report(status({}))).not.toThrow();
    expect(onError).toHaveBeenCalledWith(expect.stringContaining('koffi type error'));
  });
});
