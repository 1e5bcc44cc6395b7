/**
 * The lifecycle's controls besides stop: pause/continue states with checkpoints, which
 * controls are accepted (and reported) as the app registers handlers, and delivery of reloads,
 * custom codes, session changes and power events.
 */
import { describe, it, expect, vi } from 'vitest';
import { Lifecycle, NO_CONTROLS, type AcceptedControls, type DeliveredControl, type ServiceStatus } from '../../../runtime-shim/lifecycle/lifecycle';
import { FakeClock, flush } from '../../support/fake-clock';

const ALL: AcceptedControls = { pauseContinue: true, paramChange: true, rotate: true, custom: true, sessionChange: true, powerEvent: true };

function setup(runControl: (c: DeliveredControl) => Promise<void> = async () => {}) {
  const clock = new FakeClock();
  const reports: ServiceStatus[] = [];
  const logs: Array<{ level: string; message: string }> = [];
  const run = vi.fn(runControl);
  const lc = new Lifecycle(
    {
      report: (s) => reports.push(s),
      runStopHandlers: async () => {},
      log: (level, message) => logs.push({ level, message }),
      exit: vi.fn(),
      clock,
      runControl: run,
    },
    { stopTimeoutMs: 10_000, checkpointIntervalMs: 1_000 },
  );
  const last = (): ServiceStatus => reports.at(-1)!;
  const running = () => {
    lc.start();
    lc.started();
  };
  return { clock, reports, logs, run, lc, last, running };
}

function deferred() {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Lifecycle accepted controls', () => {
  it('accepts only stop/shutdown until controls are set; the new set is reported at once while RUNNING', () => {
    const { lc, last, reports, running } = setup();
    running();
    expect(last().accepts).toEqual(['stop', 'shutdown']);
    const before = reports.length;
    lc.setControls({ ...NO_CONTROLS, paramChange: true, rotate: true, pauseContinue: true });
    expect(reports).toHaveLength(before + 1);
    expect(last()).toMatchObject({ state: 'running', accepts: ['stop', 'shutdown', 'pause-continue', 'paramchange'] });
    lc.setControls(ALL);
    expect(last().accepts).toEqual(['stop', 'shutdown', 'pause-continue', 'paramchange', 'session-change', 'power-event']);
  });

  it('controls set while starting are reported with RUNNING, not before', () => {
    const { lc, last, reports } = setup();
    lc.start();
    const before = reports.length;
    lc.setControls(ALL);
    expect(reports).toHaveLength(before);
    expect(last().accepts).toEqual(['stop', 'shutdown']);
    lc.started();
    expect(last().accepts).toContain('pause-continue');
  });

  it('refuses every optional control while none is accepted, and without runControl', () => {
    const { lc, running, run } = setup();
    running();
    for (const c of ['pause', 'continue', 'paramchange', { kind: 'custom', code: 200 }, { kind: 'power-event', event: 'PBT_APMSUSPEND' }] as const) {
      expect(lc.control(c)).toBe(false);
    }
    expect(run).not.toHaveBeenCalled();

    const bare = new Lifecycle({ report: () => {}, runStopHandlers: async () => {}, log: () => {}, exit: () => {}, clock: new FakeClock() });
    bare.start();
    bare.started();
    bare.setControls(ALL);
    expect(bare.control('paramchange')).toBe(false);
  });

  it('user code 128 needs rotate, 129-255 need custom; a refused user code is logged', async () => {
    const { lc, running, run, logs } = setup();
    running();
    lc.setControls({ ...NO_CONTROLS, rotate: true });
    expect(lc.control({ kind: 'custom', code: 128 })).toBe(true);
    expect(lc.control({ kind: 'custom', code: 200 })).toBe(false);
    expect(logs.at(-1)).toEqual({ level: 'warn', message: 'control 200 refused: nothing handles it (the app registered no onControl handler)' });
    lc.setControls({ ...NO_CONTROLS, custom: true });
    expect(lc.control({ kind: 'custom', code: 128 })).toBe(false);
    expect(lc.control({ kind: 'custom', code: 255 })).toBe(true);
    await flush();
    expect(run.mock.calls.map((c) => c[0])).toEqual([
      { kind: 'custom', code: 128 },
      { kind: 'custom', code: 255 },
    ]);
  });

  it('delivers reloads, session changes and power events while RUNNING or PAUSED; a failure is logged, the state stays', async () => {
    const { lc, running, run, logs, last } = setup(async (c) => {
      if (c === 'paramchange') throw new Error('bad config');
    });
    running();
    lc.setControls(ALL);
    expect(lc.control({ kind: 'session-change', event: 'WTS_SESSION_LOCK', sessionId: 2 })).toBe(true);
    expect(lc.control('paramchange')).toBe(true);
    await flush();
    expect(run).toHaveBeenCalledWith({ kind: 'session-change', event: 'WTS_SESSION_LOCK', sessionId: 2 });
    expect(logs.some((l) => l.level === 'error' && l.message.startsWith('reload failed: Error: bad config'))).toBe(true);
    expect(last().state).toBe('running');
  });
});

describe('Lifecycle pause and continue', () => {
  it('a stop that arrives while a pause is pending is carried out (the control thread already answered the SCM)', async () => {
    const pause = deferred();
    const { lc, running, last, clock } = setup((c) => (c === 'pause' ? pause.promise : Promise.resolve()));
    running();
    lc.setControls(ALL);
    expect(lc.control('pause')).toBe(true);
    expect(lc.control('stop')).toBe(true);
    expect(last().state).toBe('stop-pending');
    pause.resolve();
    await flush();
    expect(last().state).not.toBe('paused'); // the late pause does not undo the stop
    clock.advance(0);
    await flush();
    expect(last()).toMatchObject({ state: 'stopped', exitCode: 0 });
    expect(lc.control('stop')).toBe(false);
  });

  it('refused() logs an unhandled user code, nothing else', () => {
    const { lc, logs } = setup();
    lc.refused({ kind: 'custom', code: 200 });
    lc.refused('pause');
    expect(logs).toEqual([{ level: 'warn', message: 'control 200 refused: nothing handles it (the app registered no onControl handler)' }]);
  });

  it('PAUSE_PENDING with checkpoints while onPause runs, then PAUSED; CONTINUE_PENDING, then RUNNING', async () => {
    const pause = deferred();
    const { lc, running, last, clock, reports, logs } = setup((c) => (c === 'pause' ? pause.promise : Promise.resolve()));
    running();
    lc.setControls(ALL);
    expect(lc.control('pause')).toBe(true);
    expect(last()).toMatchObject({ state: 'pause-pending', checkPoint: 1, accepts: [], waitHintMs: 5_000 });
    clock.advance(2_000);
    expect(last()).toMatchObject({ state: 'pause-pending', checkPoint: 3 });
    expect(lc.control('pause')).toBe(false); // not while pending
    expect(lc.control('continue')).toBe(false);
    pause.resolve();
    await flush();
    expect(last()).toEqual({ state: 'paused', accepts: ['stop', 'shutdown', 'pause-continue', 'paramchange', 'session-change', 'power-event'], exitCode: 0, checkPoint: 0, waitHintMs: 0, userCodes: { rotate: true, custom: true } });
    const count = reports.length;
    clock.advance(5_000);
    expect(reports).toHaveLength(count); // the ticker stopped
    expect(lc.control('pause')).toBe(false);

    expect(lc.control('continue')).toBe(true);
    expect(last()).toMatchObject({ state: 'continue-pending', checkPoint: 1 });
    await flush();
    expect(last()).toMatchObject({ state: 'running', checkPoint: 0 });
    expect(logs.map((l) => l.message)).toEqual(expect.arrayContaining(['pausing', 'paused', 'continuing', 'running']));
  });

  it('a failing onPause leaves the service RUNNING, with the failure logged', async () => {
    const { lc, running, last, logs } = setup(async (c) => {
      if (c === 'pause') throw new Error('cannot pause');
    });
    running();
    lc.setControls(ALL);
    lc.control('pause');
    await flush();
    expect(last().state).toBe('running');
    expect(logs.some((l) => l.level === 'error' && l.message.startsWith('pause failed: Error: cannot pause'))).toBe(true);
    expect(logs.at(-1)).toEqual({ level: 'warn', message: 'pause failed; running' });
  });

  it('a failing onContinue still ends RUNNING', async () => {
    const { lc, running, last } = setup(async (c) => {
      if (c === 'continue') throw new Error('oops');
    });
    running();
    lc.setControls(ALL);
    lc.control('pause');
    await flush();
    lc.control('continue');
    await flush();
    expect(last().state).toBe('running');
  });

  it('a paused service can be stopped; a stop during PAUSE_PENDING wins over the pause', async () => {
    const pause = deferred();
    const { lc, running, last } = setup((c) => (c === 'pause' ? pause.promise : Promise.resolve()));
    running();
    lc.setControls(ALL);
    lc.control('pause');
    void lc.stop('console');
    expect(last().state).toBe('stop-pending');
    pause.resolve();
    await flush();
    expect(last().state).toBe('stopped');

    const second = setup();
    second.running();
    second.lc.setControls(ALL);
    second.lc.control('pause');
    await flush();
    expect(second.last().state).toBe('paused');
    expect(second.lc.control('stop')).toBe(true);
    await flush();
    expect(second.last().state).toBe('stopped');
  });

  it('PAUSE_CONTINUE is not accepted once the handlers are gone, also while PAUSED (stop still is)', async () => {
    const { lc, running, last } = setup();
    running();
    lc.setControls(ALL);
    lc.control('pause');
    await flush();
    lc.setControls({ ...ALL, pauseContinue: false });
    expect(last()).toMatchObject({ state: 'paused', accepts: ['stop', 'shutdown', 'paramchange', 'session-change', 'power-event'] });
    expect(lc.control('continue')).toBe(false);
  });
});
