import { describe, it, expect } from 'vitest';
import { defaultStopTimeoutMs, POLL_MS, restartService, startService, STOP_MARGIN_MS, stopService } from '../../../runtime-shim/commands/control';
import { install } from '../../../runtime-shim/commands/install';
import { uninstall } from '../../../runtime-shim/commands/uninstall';
import { ERROR_ACCESS_DENIED, ERROR_BROKEN_PIPE, SERVICE_RUNNING, SERVICE_STOPPED, Win32Error } from '../../../runtime-shim/platform/manager-api';
import { formatStatus, status } from '../../../runtime-shim/commands/status';
import { FakeScm, failure, fakeContext, type FakeContext } from './fake-scm';

async function installed(api = new FakeScm()): Promise<FakeContext> {
  const ctx = fakeContext(api);
  await install(ctx, { input: {}, force: false });
  ctx.lines.length = 0;
  return ctx;
}

describe('start / stop / restart', () => {
  it('start waits for RUNNING and reports progress; starting again is not an error', async () => {
    const ctx = await installed();
    const st = await startService(ctx);
    expect(st.state).toBe(4);
    expect(ctx.lines).toEqual(['MySvc: starting', 'MySvc: START_PENDING (checkpoint 1)', 'MySvc: START_PENDING (checkpoint 2)', 'MySvc: running (pid 4000) after 0.2 s']);
    ctx.lines.length = 0;
    await startService(ctx);
    expect(ctx.lines).toEqual(['MySvc: already running (pid 4000)']);
    expect(ctx.api.callsTo('startService')).toHaveLength(1);
  });

  it('stop waits for STOPPED; stopping again is not an error', async () => {
    const ctx = await installed();
    await startService(ctx);
    ctx.lines.length = 0;
    expect((await stopService(ctx)).state).toBe(1);
    expect(ctx.lines.at(-1)).toMatch(/^MySvc: stopped after 0\.2 s$/);
    ctx.lines.length = 0;
    await stopService(ctx);
    expect(ctx.lines).toEqual(['MySvc: already stopped']);
  });

  it('a stop whose answer is lost as the service ends (error 109) still waits for STOPPED and succeeds', async () => {
    const ctx = await installed(new FakeScm({ stopAnswer: ERROR_BROKEN_PIPE }));
    await startService(ctx);
    ctx.lines.length = 0;
    expect((await stopService(ctx)).state).toBe(SERVICE_STOPPED);
    expect(ctx.lines.at(-1)).toMatch(/^MySvc: stopped after 0\.2 s$/);
  });

  it('a stop refused otherwise fails with one line naming the error', async () => {
    const ctx = await installed(new FakeScm({ stopAnswer: ERROR_ACCESS_DENIED }));
    await startService(ctx);
    const err = await failure(stopService(ctx));
    expect(err.message).toMatch(/stopping MySvc/);
  });

  it('restart stops then starts (a new pid)', async () => {
    const ctx = await installed();
    await startService(ctx);
    const st = await restartService(ctx);
    expect(st.pid).toBe(4001);
    expect(ctx.api.callsTo('control')).toEqual([[1]]);
  });

  it('a start that does not finish in time fails with the state it is stuck in', async () => {
    const ctx = await installed(new FakeScm({ startOutcome: 'hangs' }));
    const err = await failure(startService(ctx, 2_000));
    expect(err.message).toBe('MySvc did not reach RUNNING within 2.0 s (still START_PENDING)');
  });

  it('a service that stops while starting names the exit code and the log', async () => {
    const ctx = await installed(new FakeScm({ startOutcome: 'fails' }));
    const err = await failure(startService(ctx));
    expect(err.message).toBe('MySvc stopped while starting (exit code 1066, service exit code 3)');
    expect(err.hint).toMatch(/C:\\ProgramData\\MySvc\\logs/);
  });

  it('start of a service that is not installed says how to install it', async () => {
    const err = await failure(startService(fakeContext()));
    expect(err.message).toBe('service MySvc is not installed');
    expect(err.hint).toMatch(/MySvc\.exe install/);
  });
});

describe('status', () => {
  it('reports a missing service as not installed', async () => {
    const report = await status(fakeContext());
    expect(report).toEqual({ name: 'MySvc', installed: false, version: '1.4.0', dataDir: 'C:\\ProgramData\\MySvc' });
    expect(formatStatus(report, '--service')).toBe('MySvc: not installed (this exe is version 1.4.0)\n');
  });

  it('reports state, pid, start type, account, binary, versions and the last exit code', async () => {
    const ctx = await installed();
    await startService(ctx);
    const report = await status(ctx);
    expect(report).toMatchObject({
      installed: true,
      state: 'RUNNING',
      pid: 4000,
      startType: 'auto',
      account: 'NT SERVICE\\MySvc',
      binaryPath: '"C:\\Program Files\\My Svc\\MySvc.exe" --service',
      installedVersion: '1.4.0.0',
      version: '1.4.0',
      thisExe: true,
      lastExitCode: { win32: 0, service: 0 },
    });
    const text = formatStatus(report, '--service');
    expect(text).toMatch(/state +RUNNING \(pid 4000\)/);
    expect(text).toMatch(/version +installed 1\.4\.0\.0, this exe 1\.4\.0\n/);
  });
});

describe('how long stop, restart and uninstall wait: the stop timeout the service runs with, plus the margin', () => {
  /**
   * An installed, running service whose next stop takes `stopMs` (the fake clock: one poll per
   * 100 ms), with `stored` stored as its stop timeout. The exe's own is BAKED_RUNTIME's 20 s.
   */
  async function runningService(stopMs: number, stored?: string): Promise<FakeContext> {
    const api = new FakeScm();
    const ctx = await installed(api);
    if (stored !== undefined) api.storedSettings.set('mysvc', { stopTimeout: stored });
    await startService(ctx);
    api.opts.pendingPolls = stopMs / POLL_MS;
    ctx.lines.length = 0;
    return ctx;
  }
  const unreadableStore = (ctx: FakeContext): void => {
    ctx.api.getStoredSettings = () => {
      throw new Win32Error('RegOpenKeyExW', ERROR_ACCESS_DENIED);
    };
  };
  const gaveUpAfter = async (p: Promise<unknown>): Promise<string> => (await failure(p)).message;

  it('nothing stored: the exe\'s own stop timeout + 15 s', async () => {
    expect(defaultStopTimeoutMs(await runningService(0))).toBe(20_000 + STOP_MARGIN_MS);
    expect((await stopService(await runningService(34_000))).state).toBe(SERVICE_STOPPED);
    expect(await gaveUpAfter(stopService(await runningService(40_000)))).toBe('MySvc did not reach STOPPED within 35.0 s (still STOP_PENDING)');
  });

  it('a stored stop timeout longer than the exe\'s: stop waits for it (a 45 s stop succeeds)', async () => {
    const ctx = await runningService(45_000, '40s');
    expect((await stopService(ctx)).state).toBe(SERVICE_STOPPED);
    expect(ctx.lines.at(-1)).toBe('MySvc: stopped after 45.0 s');
    expect(await gaveUpAfter(stopService(await runningService(60_000, '40s')))).toBe('MySvc did not reach STOPPED within 55.0 s (still STOP_PENDING)');
  });

  it('a stored stop timeout shorter than the exe\'s: stop gives up sooner (the service forces its stop by then)', async () => {
    expect(await gaveUpAfter(stopService(await runningService(25_000, '5s')))).toBe('MySvc did not reach STOPPED within 20.0 s (still STOP_PENDING)');
  });

  it('a stored value that is not valid counts as none, as in the service', async () => {
    expect(await gaveUpAfter(stopService(await runningService(40_000, 'soon')))).toBe('MySvc did not reach STOPPED within 35.0 s (still STOP_PENDING)');
  });

  it('a store that cannot be read: the exe\'s own, and the stop still works', async () => {
    const ctx = await runningService(10_000, '40s');
    unreadableStore(ctx);
    expect(defaultStopTimeoutMs(ctx)).toBe(20_000 + STOP_MARGIN_MS);
    expect((await stopService(ctx)).state).toBe(SERVICE_STOPPED);
    const slow = await runningService(40_000, '40s');
    unreadableStore(slow);
    expect(await gaveUpAfter(stopService(slow))).toBe('MySvc did not reach STOPPED within 35.0 s (still STOP_PENDING)');
  });

  it('restart and uninstall wait the same; --timeout still wins', async () => {
    const restarted = await runningService(45_000, '40s');
    expect((await restartService(restarted)).state).toBe(SERVICE_RUNNING);
    const removed = await runningService(45_000, '40s');
    expect(await uninstall(removed, { purge: false })).toBe('removed');
    expect(removed.lines).toContain('MySvc: stopped after 45.0 s');
    expect(await gaveUpAfter(stopService(await runningService(45_000, '40s'), 10_000))).toBe('MySvc did not reach STOPPED within 10.0 s (still STOP_PENDING)');
    expect(await gaveUpAfter(restartService(await runningService(45_000, '40s'), 10_000))).toBe('MySvc did not reach STOPPED within 10.0 s (still STOP_PENDING)');
  });
});
