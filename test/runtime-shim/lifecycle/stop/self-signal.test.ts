import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest';
import { STOP_SIGNALS, interceptSelfSignals, selfSignalAction, stopSignalName, type SelfSignalOptions, type StopSignalName } from '../../../../runtime-shim/lifecycle/stop/self-signal';

describe('selfSignalAction', () => {
  it('while live (running, starting, paused) a self-signal is a stop request, listeners or not', () => {
    expect(selfSignalAction('live', 0)).toBe('request-stop');
    expect(selfSignalAction('live', 3)).toBe('request-stop');
  });
  it('during a stop it is delivered to the app\'s listeners, or ends the process cleanly without any', () => {
    expect(selfSignalAction('stopping', 1)).toBe('deliver');
    expect(selfSignalAction('stopping', 2)).toBe('deliver');
    expect(selfSignalAction('stopping', 0)).toBe('end-cleanly');
  });
  it('once stopped it ends the process cleanly, listeners or not', () => {
    expect(selfSignalAction('stopped', 0)).toBe('end-cleanly');
    expect(selfSignalAction('stopped', 1)).toBe('end-cleanly');
  });
});

describe('stopSignalName', () => {
  it('the stop signals are SIGTERM, SIGINT and SIGBREAK', () => {
    expect([...STOP_SIGNALS]).toEqual(['SIGTERM', 'SIGINT', 'SIGBREAK']);
  });
  it('names the stop signals given by name', () => {
    expect(stopSignalName('SIGTERM')).toBe('SIGTERM');
    expect(stopSignalName('SIGINT')).toBe('SIGINT');
    expect(stopSignalName('SIGBREAK')).toBe('SIGBREAK');
  });
  it('no signal is SIGTERM (process.kill\'s default)', () => {
    expect(stopSignalName(undefined)).toBe('SIGTERM');
  });
  it('names the stop signals given by number', () => {
    expect(stopSignalName(15)).toBe('SIGTERM');
    expect(stopSignalName(2)).toBe('SIGINT');
    // SIGBREAK's number is 21 on Windows; on Linux 21 is SIGTTIN, a signal of its own.
    if (process.platform === 'win32') expect(stopSignalName(21)).toBe('SIGBREAK');
    else expect(stopSignalName(21)).toBeNull();
  });
  it('null for every other signal, name or number', () => {
    for (const s of ['SIGKILL', 'SIGHUP', 'SIGUSR1', 'sigterm', 'TERM', '', 0, 1, 9, 99, -15]) expect(stopSignalName(s)).toBeNull();
  });
});

describe('interceptSelfSignals', () => {
  const realKill = process.kill;
  const added: Array<[string, (...args: unknown[]) => void]> = [];
  let original: ReturnType<typeof vi.fn<(pid: number, signal?: string | number) => true>>;

  /** Listens for `signal` on the real process, removed after the test. */
  const listen = (signal: string, fn: (...args: unknown[]) => void): void => {
    process.on(signal as NodeJS.Signals, fn);
    added.push([signal, fn]);
  };

  beforeEach(() => {
    // Node's own process.kill never runs in these tests: the wrapper wraps this fake instead.
    original = vi.fn((_pid: number, _signal?: string | number) => true as const);
    process.kill = original as unknown as typeof process.kill;
  });

  afterEach(() => {
    process.kill = realKill;
    for (const [signal, fn] of added.splice(0)) process.off(signal as NodeJS.Signals, fn);
    vi.restoreAllMocks();
  });

  function install(phase: ReturnType<SelfSignalOptions['phase']>, ownListeners: SelfSignalOptions['ownListeners'] = new Set()) {
    const state = { phase };
    const requestStop = vi.fn<(signal: StopSignalName) => void>();
    const logs: Array<{ level: string; message: string }> = [];
    interceptSelfSignals({ phase: () => state.phase, ownListeners, requestStop, log: (level, message) => logs.push({ level, message }) });
    expect(process.kill).not.toBe(original);
    return { state, requestStop, logs };
  }

  /** process.exit throws this instead of ending the test process. */
  const EXIT = new Error('process.exit called');
  const stubExit = () =>
    vi.spyOn(process, 'exit').mockImplementation(() => {
      throw EXIT;
    });

  it('live: a self-sent SIGTERM asks for a stop and returns true, without any real signal', () => {
    const t = install('live');
    expect(process.kill(process.pid, 'SIGTERM')).toBe(true);
    expect(t.requestStop).toHaveBeenCalledTimes(1);
    expect(t.requestStop).toHaveBeenCalledWith('SIGTERM');
    expect(original).not.toHaveBeenCalled();
    expect(t.logs).toEqual([{ level: 'info', message: 'the app sent itself SIGTERM: stopping the service' }]);
  });

  it('live: SIGINT, SIGBREAK, a number or no signal at all are stop requests too, named as such', () => {
    const t = install('live');
    process.kill(process.pid, 'SIGINT');
    process.kill(process.pid, 'SIGBREAK');
    process.kill(process.pid, 15);
    process.kill(process.pid, 2);
    process.kill(process.pid);
    process.kill(String(process.pid) as unknown as number, 'SIGTERM'); // a pid as a string (Node coerces it too)
    expect(t.requestStop.mock.calls.map((c) => c[0])).toEqual(['SIGINT', 'SIGBREAK', 'SIGTERM', 'SIGINT', 'SIGTERM', 'SIGTERM']);
    expect(original).not.toHaveBeenCalled();
  });

  it('live: the app\'s own listeners do not turn the request into a delivery', () => {
    const listener = vi.fn();
    listen('SIGTERM', listener);
    const t = install('live');
    process.kill(process.pid, 'SIGTERM');
    expect(t.requestStop).toHaveBeenCalledWith('SIGTERM');
    expect(listener).not.toHaveBeenCalled();
  });

  it('stopping with an app listener: the listener receives the signal asynchronously', async () => {
    const listener = vi.fn();
    listen('SIGTERM', listener);
    const t = install('stopping');
    expect(process.kill(process.pid, 'SIGTERM')).toBe(true);
    expect(listener).not.toHaveBeenCalled(); // as a real signal: later, not inside process.kill
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledWith('SIGTERM');
    expect(t.requestStop).not.toHaveBeenCalled();
    expect(original).not.toHaveBeenCalled();
  });

  it('stopping: the shim\'s own listeners are not counted as the app\'s (no app listener: a clean end)', async () => {
    const exit = stubExit();
    const own = vi.fn();
    listen('SIGINT', own);
    const t = install('stopping', new Set([own]));
    expect(() => process.kill(process.pid, 'SIGINT')).toThrow(EXIT);
    expect(exit).toHaveBeenCalledWith(0);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(own).not.toHaveBeenCalled();
    expect(t.requestStop).not.toHaveBeenCalled();
    expect(t.logs).toEqual([{ level: 'info', message: 'the app ended itself with SIGINT during the stop' }]);
  });

  it('stopping without app listeners: the app ended itself cleanly, process.exit(0)', () => {
    const exit = stubExit();
    const t = install('stopping');
    expect(() => process.kill(process.pid, 'SIGTERM')).toThrow(EXIT);
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
    expect(original).not.toHaveBeenCalled();
    expect(t.requestStop).not.toHaveBeenCalled();
  });

  it('stopped: process.exit(0) even with app listeners', () => {
    const exit = stubExit();
    const listener = vi.fn();
    listen('SIGTERM', listener);
    install('stopped');
    expect(() => process.kill(process.pid, 15)).toThrow(EXIT);
    expect(exit).toHaveBeenCalledWith(0);
    expect(listener).not.toHaveBeenCalled();
  });

  it('follows the phase at each call', async () => {
    const exit = stubExit();
    const t = install('live');
    process.kill(process.pid, 'SIGTERM');
    expect(t.requestStop).toHaveBeenCalledTimes(1);
    t.state.phase = 'stopping';
    expect(() => process.kill(process.pid, 'SIGTERM')).toThrow(EXIT);
    expect(exit).toHaveBeenCalledWith(0);
    expect(t.requestStop).toHaveBeenCalledTimes(1);
  });

  it('another pid goes to the original process.kill unchanged, whatever the phase', () => {
    const t = install('live');
    const other = process.pid + 1;
    expect(process.kill(other, 'SIGTERM')).toBe(true);
    expect(process.kill(other)).toBe(true);
    expect(process.kill(0, 'SIGINT')).toBe(true);
    expect(original.mock.calls).toEqual([
      [other, 'SIGTERM'],
      [other, undefined],
      [0, 'SIGINT'],
    ]);
    expect(t.requestStop).not.toHaveBeenCalled();
  });

  it('a signal that is not a stop signal goes to the original process.kill, also for this pid', () => {
    const t = install('stopping');
    process.kill(process.pid, 'SIGHUP');
    process.kill(process.pid, 'SIGKILL');
    process.kill(process.pid, 0); // "does it exist?"
    process.kill(process.pid, 9);
    expect(original.mock.calls).toEqual([
      [process.pid, 'SIGHUP'],
      [process.pid, 'SIGKILL'],
      [process.pid, 0],
      [process.pid, 9],
    ]);
    expect(t.requestStop).not.toHaveBeenCalled();
  });

  it('passes what the original returns and throws through', () => {
    install('live');
    const esrch = Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
    original.mockImplementationOnce(() => {
      throw esrch;
    });
    expect(() => process.kill(424242, 'SIGTERM')).toThrow(esrch);
  });
});
