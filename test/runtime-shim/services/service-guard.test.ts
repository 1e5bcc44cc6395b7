import { describe, expect, test } from 'vitest';
import { ServiceGuard, type ServiceGuardSettings } from '../../../runtime-shim/services/service-guard';
import { exitCodeOf, stoppedWithError, type ServiceStatus } from '../../../runtime-shim/services/status';

const SETTINGS: ServiceGuardSettings = { debounceMs: 300, initialDelayMs: 500, factor: 2, maxDelayMs: 3_000, healthyAfterMs: 60_000, maxRestarts: 3, windowMs: 60_000 };

const running: ServiceStatus = { name: 'Web', state: 'running', pid: 7, win32ExitCode: 0, serviceExitCode: 0 };
const stopPending: ServiceStatus = { ...running, state: 'stop-pending' };
const stoppedClean: ServiceStatus = { name: 'Web', state: 'stopped', pid: null, win32ExitCode: 0, serviceExitCode: 0 };
const crashed: ServiceStatus = { ...stoppedClean, win32ExitCode: 1066, serviceExitCode: 1 };
const died: ServiceStatus = { ...stoppedClean, win32ExitCode: 1067 };
const neverStarted: ServiceStatus = { ...stoppedClean, win32ExitCode: 1077 };

describe('stoppedWithError / exitCodeOf', () => {
  test('a non-zero exit code is an error; a clean stop, a never-started service and 1066 with code 0 are not', () => {
    expect(stoppedWithError(crashed)).toBe(true);
    expect(stoppedWithError(died)).toBe(true);
    expect(stoppedWithError(stoppedClean)).toBe(false);
    expect(stoppedWithError(neverStarted)).toBe(false);
    expect(stoppedWithError({ ...crashed, serviceExitCode: 0 })).toBe(false);
    expect(stoppedWithError({ ...running, win32ExitCode: 1066 })).toBe(false);
    expect(exitCodeOf(crashed)).toBe(1);
    expect(exitCodeOf(died)).toBe(1067);
  });
});

describe('ServiceGuard', () => {
  test('a deliberate stop (through STOP_PENDING, exit code 0) is left alone', () => {
    const g = new ServiceGuard(SETTINGS);
    expect(g.onStatus(0, running)).toEqual({ type: 'none' });
    expect(g.onStatus(10, stopPending)).toEqual({ type: 'none' });
    expect(g.onStatus(20, stoppedClean)).toEqual({ type: 'deliberate-stop' });
    expect(g.onStatus(0, neverStarted)).toEqual({ type: 'deliberate-stop' });
  });

  test('crashes are restarted after debounce + a doubling delay, then given up; later crashes are ignored', () => {
    const g = new ServiceGuard(SETTINGS);
    const actions = [];
    for (let i = 0; i < 4; i++) {
      g.onStatus(i * 1000, running);
      actions.push(g.onStatus(i * 1000 + 500, crashed));
      g.restartDone();
    }
    actions.push(g.onStatus(5_000, { ...crashed, serviceExitCode: 2 }));
    expect(actions).toEqual([
      { type: 'restart', delayMs: 800, attempt: 1, exitCode: 1 },
      { type: 'restart', delayMs: 1300, attempt: 2, exitCode: 1 },
      { type: 'restart', delayMs: 2300, attempt: 3, exitCode: 1 },
      { type: 'give-up', exitCode: 1, reason: 'it crashed 4 times within 60 s (at most 3 restarts allowed)' },
      { type: 'none' },
    ]);
  });

  test('the delay never exceeds maxDelayMs (plus the debounce)', () => {
    const g = new ServiceGuard({ ...SETTINGS, maxRestarts: 10, maxDelayMs: 1_500 });
    const delays = [];
    for (let i = 0; i < 5; i++) {
      const a = g.onStatus(i, died);
      if (a.type === 'restart') delays.push(a.delayMs);
    }
    expect(delays).toEqual([800, 1300, 1800, 1800, 1800]);
  });

  test('a run longer than healthyAfterMs starts the delay over', () => {
    const g = new ServiceGuard(SETTINGS);
    g.onStatus(0, running);
    expect(g.onStatus(100, crashed)).toMatchObject({ delayMs: 800 });
    g.onStatus(1_000, running);
    expect(g.onStatus(1_100, crashed)).toMatchObject({ delayMs: 1300 });
    g.onStatus(2_000, running);
    expect(g.onStatus(70_000, crashed)).toMatchObject({ delayMs: 800 });
  });

  test('running again while a restart is pending cancels it; after a give-up, running again guards it again', () => {
    const g = new ServiceGuard({ ...SETTINGS, maxRestarts: 1 });
    expect(g.onStatus(0, crashed).type).toBe('restart');
    expect(g.onStatus(100, running)).toEqual({ type: 'cancel-restart' });
    expect(g.onStatus(200, running)).toEqual({ type: 'none' });
    expect(g.onStatus(300, crashed).type).toBe('give-up');
    expect(g.gaveUp).toBe(true);
    g.onStatus(400, running);
    expect(g.gaveUp).toBe(false);
    expect(g.onStatus(70_000, crashed).type).toBe('restart');
  });

  test('a clean stop while a restart is pending cancels the crash handling', () => {
    const g = new ServiceGuard(SETTINGS);
    expect(g.onStatus(0, crashed).type).toBe('restart');
    expect(g.onStatus(10, stoppedClean)).toEqual({ type: 'deliberate-stop' });
    expect(g.onStatus(20, running)).toEqual({ type: 'none' });
  });

  test('a deleted service is let go: its pending restart is cancelled, later statuses change nothing', () => {
    const g = new ServiceGuard(SETTINGS);
    expect(g.onStatus(0, crashed).type).toBe('restart');
    expect(g.deleted).toBe(false);
    expect(g.onDeleted()).toEqual({ type: 'deleted', restartCancelled: true });
    expect(g.deleted).toBe(true);
    expect(g.onStatus(10, crashed)).toEqual({ type: 'none' });
    expect(g.onStatus(20, running)).toEqual({ type: 'none' });
    expect(g.onStatus(30, stoppedClean)).toEqual({ type: 'none' });
    expect(g.onDeleted()).toEqual({ type: 'deleted', restartCancelled: false });

    const quiet = new ServiceGuard(SETTINGS);
    quiet.onStatus(0, running);
    quiet.onStatus(10, stoppedClean);
    expect(quiet.onDeleted()).toEqual({ type: 'deleted', restartCancelled: false });
  });
});
