import { describe, it, expect, vi } from 'vitest';
import { ExitCode, Lifecycle, type LifecycleOptions, type ServiceStatus, type StopReason } from '../../../runtime-shim/lifecycle/lifecycle';
import { FakeClock, flush } from '../../support/fake-clock';

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(opts: Partial<LifecycleOptions> = {}, stopWork: (reason: StopReason) => Promise<void> = async () => {}) {
  const clock = new FakeClock();
  const reports: ServiceStatus[] = [];
  const logs: Array<{ level: string; message: string }> = [];
  const exit = vi.fn<(code: number) => void>();
  const runStopHandlers = vi.fn(stopWork);
  const lc = new Lifecycle(
    {
      report: (s) => reports.push(s),
      runStopHandlers,
      log: (level, message) => logs.push({ level, message }),
      exit,
      clock,
    },
    { stopTimeoutMs: 10_000, checkpointIntervalMs: 1_000, ...opts },
  );
  const last = (): ServiceStatus => {
    const r = reports.at(-1);
    if (!r) throw new Error('nothing reported');
    return r;
  };
  return { clock, reports, logs, exit, runStopHandlers, lc, last };
}

describe('Lifecycle start', () => {
  it('reports START_PENDING checkpoint 1 with a wait hint at once', () => {
    const { lc, reports } = setup();
    expect(lc.current).toBe('stopped');
    lc.start();
    expect(lc.current).toBe('start-pending');
    expect(reports).toHaveLength(1);
    // A stop is accepted while starting: an app that never finishes starting can still be stopped.
    expect(reports[0]).toMatchObject({ state: 'start-pending', checkPoint: 1, exitCode: 0, accepts: ['stop', 'shutdown'] });
    expect(reports[0]!.waitHintMs).toBeGreaterThan(0);
  });

  it('increases checkpoints while start is pending', () => {
    const { lc, reports, clock } = setup();
    lc.start();
    clock.advance(3_000);
    expect(reports.map((r) => r.checkPoint)).toEqual([1, 2, 3, 4]);
    expect(reports.every((r) => r.state === 'start-pending' && r.waitHintMs > 0)).toBe(true);
  });

  it('start() twice reports once', () => {
    const { lc, reports } = setup();
    lc.start();
    lc.start();
    expect(reports).toHaveLength(1);
  });

  it('started() reports RUNNING accepting stop and shutdown, and stops the ticker', () => {
    const { lc, reports, clock, last } = setup();
    lc.start();
    clock.advance(1_000);
    lc.started();
    expect(lc.current).toBe('running');
    expect(last()).toEqual({ state: 'running', accepts: ['stop', 'shutdown'], exitCode: 0, checkPoint: 0, waitHintMs: 0, userCodes: { rotate: false, custom: false } });
    expect(clock.pending).toBe(0);
    const n = reports.length;
    clock.advance(10_000);
    expect(reports).toHaveLength(n);
  });

  it('accepts stop and preshutdown (not shutdown) with acceptPreshutdown', () => {
    const { lc, last } = setup({ acceptPreshutdown: true });
    lc.start();
    lc.started();
    expect(last().accepts).toEqual(['stop', 'preshutdown']);
    expect(lc.control('shutdown')).toBe(false);
    expect(lc.control('preshutdown')).toBe(true);
  });

  it('started() before start() is ignored', () => {
    const { lc, reports } = setup();
    lc.started();
    expect(reports).toHaveLength(0);
    expect(lc.current).toBe('stopped');
  });
});

describe('Lifecycle stop', () => {
  it('STOP_PENDING with increasing checkpoints while handlers run, then STOPPED exit 0 and exit(0) once', async () => {
    const work = deferred();
    const { lc, reports, clock, exit, runStopHandlers, last } = setup({}, () => work.promise);
    lc.start();
    lc.started();
    const before = reports.length;
    expect(lc.control('stop')).toBe(true);
    expect(runStopHandlers).toHaveBeenCalledWith('stop', expect.any(Promise));
    expect(lc.current).toBe('stop-pending');
    expect(reports[before]).toMatchObject({ state: 'stop-pending', checkPoint: 1, accepts: [] });
    expect(reports[before]!.waitHintMs).toBeGreaterThan(0);
    clock.advance(2_500);
    expect(reports.slice(before).map((r) => r.checkPoint)).toEqual([1, 2, 3]);
    expect(exit).not.toHaveBeenCalled();

    work.resolve();
    await flush();
    expect(last()).toEqual({ state: 'stopped', accepts: [], exitCode: 0, checkPoint: 0, waitHintMs: 0, userCodes: { rotate: false, custom: false } });
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
    expect(clock.pending).toBe(0);
  });

  it('forces the stop after stopTimeoutMs when handlers never settle, with a warning', async () => {
    const { lc, clock, exit, logs, last } = setup({ stopTimeoutMs: 5_000 }, () => new Promise<void>(() => {}));
    lc.start();
    lc.started();
    lc.control('stop');
    clock.advance(4_999);
    await flush();
    expect(exit).not.toHaveBeenCalled();
    expect(lc.current).toBe('stop-pending');
    clock.advance(1);
    await flush();
    expect(logs.some((l) => l.level === 'warn' && /5000 ms/.test(l.message))).toBe(true);
    expect(last()).toMatchObject({ state: 'stopped', exitCode: 0 });
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
    expect(clock.pending).toBe(0);
  });

  it('logs a handler rejection and still reports STOPPED 0', async () => {
    const { lc, exit, logs, last } = setup({}, async () => {
      throw new Error('db close failed');
    });
    lc.start();
    lc.started();
    await lc.stop('shutdown');
    expect(logs.some((l) => l.level === 'error' && l.message.includes('db close failed'))).toBe(true);
    expect(last()).toMatchObject({ state: 'stopped', exitCode: 0 });
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('a second stop is a no-op', async () => {
    const work = deferred();
    const { lc, reports, exit, runStopHandlers } = setup({}, () => work.promise);
    lc.start();
    lc.started();
    expect(lc.control('stop')).toBe(true);
    const after = reports.length;
    await lc.stop('stop');
    // control() while stop-pending: not accepted any more
    expect(lc.control('stop')).toBe(false);
    expect(reports).toHaveLength(after);
    expect(runStopHandlers).toHaveBeenCalledTimes(1);
    work.resolve();
    await flush();
    await lc.stop('stop');
    expect(runStopHandlers).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('stop is accepted while start is pending', async () => {
    const { lc, exit } = setup();
    lc.start();
    expect(lc.control('stop')).toBe(true);
    await flush();
    expect(lc.current).toBe('stopped');
    expect(exit).toHaveBeenCalledWith(0);
  });
});

describe('Lifecycle controls', () => {
  it('interrogate re-reports the current status', () => {
    const { lc, reports } = setup();
    lc.start();
    lc.started();
    const n = reports.length;
    expect(lc.control('interrogate')).toBe(true);
    expect(reports).toHaveLength(n + 1);
    expect(reports[n]).toEqual(reports[n - 1]);
  });

  it('returns false for controls not accepted when stopped', () => {
    const { lc, reports } = setup();
    expect(lc.control('stop')).toBe(false);
    expect(lc.control('shutdown')).toBe(false);
    expect(lc.control('preshutdown')).toBe(false);
    expect(reports).toHaveLength(0);
  });

  it('does not accept preshutdown without acceptPreshutdown', () => {
    const { lc } = setup();
    lc.start();
    lc.started();
    expect(lc.control('preshutdown')).toBe(false);
    expect(lc.current).toBe('running');
  });
});

describe('Lifecycle failures', () => {
  it('fail(code) reports STOPPED with the service-specific exit code and exits with it', () => {
    const { lc, clock, exit, logs, last } = setup();
    lc.start();
    lc.started();
    lc.fail(7, 'boom');
    expect(last()).toMatchObject({ state: 'stopped', exitCode: 7, checkPoint: 0, accepts: [] });
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(7);
    expect(logs.some((l) => l.level === 'error' && l.message === 'boom')).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('fail(0) still reports a non-zero code', () => {
    const { lc, exit, last } = setup();
    lc.start();
    lc.fail(0, 'crash');
    expect(last().exitCode).toBe(ExitCode.UncaughtException);
    expect(exit).toHaveBeenCalledWith(ExitCode.UncaughtException);
  });

  it('fail during stop-pending wins, once; the later handler completion reports nothing', async () => {
    const work = deferred();
    const { lc, reports, clock, exit } = setup({}, () => work.promise);
    lc.start();
    lc.started();
    const stopping = lc.stop('stop');
    lc.fail(ExitCode.StartFailed, 'crashed while stopping');
    lc.fail(9, 'again');
    const n = reports.length;
    expect(reports[n - 1]).toMatchObject({ state: 'stopped', exitCode: ExitCode.StartFailed });
    work.resolve();
    await stopping;
    clock.advance(60_000);
    expect(reports).toHaveLength(n);
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(ExitCode.StartFailed);
    expect(clock.pending).toBe(0);
  });

  it('appExited(code) reports STOPPED with that code and does not call exit', () => {
    const { lc, clock, exit, last, reports } = setup();
    lc.start();
    lc.started();
    lc.appExited(4);
    expect(last()).toMatchObject({ state: 'stopped', exitCode: 4 });
    expect(exit).not.toHaveBeenCalled();
    const n = reports.length;
    lc.fail(1, 'later');
    lc.appExited(0);
    clock.advance(10_000);
    expect(reports).toHaveLength(n);
    expect(exit).not.toHaveBeenCalled();
  });

  it('appExited during start-pending clears the checkpoint ticker', () => {
    const { lc, clock, reports } = setup();
    lc.start();
    lc.appExited(0);
    expect(clock.pending).toBe(0);
    const n = reports.length;
    clock.advance(5_000);
    expect(reports).toHaveLength(n);
  });

  it('nothing is reported after STOPPED', async () => {
    const { lc, clock, reports, last } = setup();
    lc.start();
    lc.started();
    await lc.stop('stop');
    expect(last().state).toBe('stopped');
    const n = reports.length;
    clock.advance(100_000);
    lc.started();
    lc.start();
    lc.fail(2, 'late');
    expect(lc.control('stop')).toBe(false);
    expect(reports).toHaveLength(n);
    expect(clock.pending).toBe(0);
  });
});

describe('Lifecycle with vi fake timers', () => {
  it('works with a Clock delegating to global timers', async () => {
    vi.useFakeTimers();
    try {
      const reports: ServiceStatus[] = [];
      const exit = vi.fn();
      const lc = new Lifecycle(
        {
          report: (s) => reports.push(s),
          runStopHandlers: () => new Promise<void>(() => {}),
          log: () => {},
          exit,
          clock: {
            setTimeout: (fn, ms) => setTimeout(fn, ms),
            clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
            setInterval: (fn, ms) => setInterval(fn, ms),
            clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
          },
        },
        { stopTimeoutMs: 3_000 },
      );
      lc.start();
      lc.started();
      lc.control('stop');
      await vi.advanceTimersByTimeAsync(3_000);
      expect(reports.at(-1)).toMatchObject({ state: 'stopped', exitCode: 0 });
      expect(exit).toHaveBeenCalledWith(0);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('Lifecycle stopping (the control thread\'s deadline)', () => {
  function withStopping(opts: Partial<LifecycleOptions> = {}, stopWork: (reason: StopReason) => Promise<void> = async () => {}) {
    const clock = new FakeClock();
    const order: string[] = [];
    const stopping = vi.fn<(timeoutMs: number, cause: StopReason) => void>(() => void order.push('stopping'));
    const exit = vi.fn<(code: number) => void>();
    const lc = new Lifecycle(
      {
        report: (s) => void order.push(`report ${s.state}`),
        runStopHandlers: (reason) => {
          order.push('stop work');
          return stopWork(reason);
        },
        log: () => {},
        exit,
        clock,
        stopping,
      },
      { stopTimeoutMs: 10_000, checkpointIntervalMs: 1_000, ...opts },
    );
    return { clock, order, stopping, exit, lc };
  }

  it('is called once per stop with the stop timeout and the reason, after STOP_PENDING and before the stop work', async () => {
    const work = deferred();
    const t = withStopping({}, () => work.promise);
    t.lc.start();
    t.lc.started();
    t.order.length = 0;
    expect(t.lc.control('stop')).toBe(true);
    expect(t.stopping).toHaveBeenCalledTimes(1);
    expect(t.stopping).toHaveBeenCalledWith(10_000, 'stop');
    expect(t.order).toEqual(['report stop-pending', 'stopping', 'stop work']);
    // A second stop (any cause) is a no-op: no second call.
    expect(t.lc.control('shutdown')).toBe(false);
    await t.lc.stop('preshutdown');
    t.clock.advance(3_000);
    work.resolve();
    await flush();
    expect(t.stopping).toHaveBeenCalledTimes(1);
    expect(t.exit).toHaveBeenCalledWith(0);
  });

  it('passes the effective stop timeout, asked when the stop begins (a reload may have changed it)', async () => {
    let timeoutMs = 20_000;
    const t = withStopping({ stopTimeoutMs: () => timeoutMs });
    t.lc.start();
    t.lc.started();
    timeoutMs = 7_500;
    await t.lc.stop('shutdown');
    expect(t.stopping.mock.calls).toEqual([[7_500, 'shutdown']]);
  });

  it('names each reason: stop, shutdown, preshutdown, console', async () => {
    for (const reason of ['stop', 'shutdown', 'preshutdown', 'console'] as const) {
      const t = withStopping({ stopTimeoutMs: 1_000 });
      t.lc.start();
      await t.lc.stop(reason);
      expect(t.stopping.mock.calls).toEqual([[1_000, reason]]);
    }
  });

  it('a stop while starting calls it too', () => {
    const t = withStopping();
    t.lc.start();
    expect(t.lc.control('stop')).toBe(true);
    expect(t.stopping).toHaveBeenCalledWith(10_000, 'stop');
  });

  it('is not called without a stop: failures, the app\'s own exit, controls refused after STOPPED', async () => {
    const failed = withStopping();
    failed.lc.start();
    failed.lc.started();
    failed.lc.fail(3, 'crashed');
    expect(failed.lc.control('stop')).toBe(false);
    await failed.lc.stop('stop');
    expect(failed.stopping).not.toHaveBeenCalled();

    const exited = withStopping();
    exited.lc.start();
    exited.lc.appExited(0);
    await exited.lc.stop('stop');
    expect(exited.stopping).not.toHaveBeenCalled();
  });
});
