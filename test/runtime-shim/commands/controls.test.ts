/** `reload`, `rotate`, `pause`, `continue`, `control <code>` against the fake SCM. */
import { describe, it, expect } from 'vitest';
import { sendControl } from '../../../runtime-shim/commands/controls';
import { startService } from '../../../runtime-shim/commands/control';
import { install } from '../../../runtime-shim/commands/install';
import { FakeScm, failure, fakeContext, type FakeContext } from './fake-scm';

/** Installed and RUNNING, accepting `accepted` (SERVICE_ACCEPT_* flags). */
async function running(accepted: number): Promise<FakeContext> {
  const ctx = fakeContext(new FakeScm());
  await install(ctx, { input: {}, force: false });
  await startService(ctx);
  ctx.api.services.get('mysvc')!.status.controlsAccepted = accepted;
  ctx.lines.length = 0;
  ctx.api.calls.length = 0;
  return ctx;
}

const STOP_SHUTDOWN_PARAMCHANGE = 0x1 | 0x4 | 0x8;
const WITH_PAUSE = STOP_SHUTDOWN_PARAMCHANGE | 0x2;

describe('controls', () => {
  it('reload sends PARAMCHANGE with only SERVICE_PAUSE_CONTINUE and SERVICE_QUERY_STATUS rights', async () => {
    const ctx = await running(STOP_SHUTDOWN_PARAMCHANGE);
    await sendControl(ctx, { kind: 'reload' });
    expect(ctx.api.callsTo('openService')).toEqual([['MySvc', 0x40 | 0x4]]);
    expect(ctx.api.callsTo('control')).toEqual([[6]]);
    expect(ctx.lines).toEqual(['MySvc: reload sent; the service logs what changed under C:\\ProgramData\\MySvc\\logs']);
  });

  it('rotate and control <code> send user codes with SERVICE_USER_DEFINED_CONTROL', async () => {
    const ctx = await running(STOP_SHUTDOWN_PARAMCHANGE);
    await sendControl(ctx, { kind: 'rotate' });
    await sendControl(ctx, { kind: 'control', code: 200 });
    await sendControl(ctx, { kind: 'control', code: 128 });
    expect(ctx.api.callsTo('openService')).toEqual([
      ['MySvc', 0x100 | 0x4],
      ['MySvc', 0x100 | 0x4],
      ['MySvc', 0x100 | 0x4],
    ]);
    expect(ctx.api.callsTo('control')).toEqual([[128], [200], [128]]);
    expect(ctx.lines).toEqual(["MySvc: rotate sent; the log under C:\\ProgramData\\MySvc\\logs starts a new file", "MySvc: control 200 sent", "MySvc: control 128 sent"]);
  });

  it('pause waits for PAUSED, continue for RUNNING; pausing a paused service is not an error', async () => {
    const ctx = await running(WITH_PAUSE);
    expect((await sendControl(ctx, { kind: 'pause' })).state).toBe(7);
    expect(ctx.lines).toEqual(['MySvc: PAUSE_PENDING (checkpoint 1)', 'MySvc: PAUSE_PENDING (checkpoint 2)', 'MySvc: paused']);
    ctx.lines.length = 0;
    await sendControl(ctx, { kind: 'pause' });
    expect(ctx.lines).toEqual(['MySvc: already paused']);
    ctx.lines.length = 0;
    expect((await sendControl(ctx, { kind: 'continue' })).state).toBe(4);
    expect(ctx.lines.at(-1)).toBe('MySvc: running');
    ctx.lines.length = 0;
    await sendControl(ctx, { kind: 'continue' });
    expect(ctx.lines).toEqual(['MySvc: already running']);
    expect(ctx.api.callsTo('control')).toEqual([[2], [3]]);
    expect(ctx.api.callsTo('openService').every(([, access]) => access === (0x40 | 0x4))).toBe(true);
  });

  it('pause without the app\'s handlers: one line naming them, nothing sent', async () => {
    const ctx = await running(STOP_SHUTDOWN_PARAMCHANGE);
    const err = await failure(sendControl(ctx, { kind: 'pause' }));
    expect(err.message).toBe('MySvc does not accept pause: the app registered no service.onPause and service.onContinue handlers (both are needed)');
    expect(err.hint).toBe("register both in the app (import { service } from 'svcpack/runtime'), rebuild and reinstall");
    expect(err.exitCode).toBe(1);
    expect(ctx.api.callsTo('control')).toEqual([]);
  });

  it('a refused control (1061, 1052 or the handler\'s 120) says why', async () => {
    for (const code of [1061, 1052, 120]) {
      const ctx = await running(STOP_SHUTDOWN_PARAMCHANGE);
      ctx.api.failNext.set('control', code);
      const err = await failure(sendControl(ctx, { kind: 'control', code: 201 }));
      expect(err.message).toBe('MySvc does not accept control 201: the app registered no service.onControl handler');
    }
    const ctx = await running(0x1);
    ctx.api.failNext.set('control', 1061);
    const err = await failure(sendControl(ctx, { kind: 'reload' }));
    expect(err.message).toBe('MySvc does not accept reload: the running process does not take it (an exe from an older svcpack?)');
    expect(err.hint).toBe('restart it with "MySvc.exe restart"');
  });

  it('not installed, not running, pending, access denied', async () => {
    const none = fakeContext(new FakeScm());
    expect((await failure(sendControl(none, { kind: 'reload' }))).message).toBe('service MySvc is not installed');

    const stopped = fakeContext(new FakeScm());
    await install(stopped, { input: {}, force: false });
    const notRunning = await failure(sendControl(stopped, { kind: 'rotate' }));
    expect(`${notRunning.message} — ${notRunning.hint}`).toBe('MySvc is not running, so it cannot take rotate — start it with "MySvc.exe start"');

    const racing = await running(WITH_PAUSE);
    racing.api.failNext.set('control', 1062);
    expect((await failure(sendControl(racing, { kind: 'reload' }))).message).toBe('MySvc is not running, so it cannot take reload');

    const starting = await running(WITH_PAUSE);
    Object.assign(starting.api.services.get('mysvc')!, { pendingPolls: 5 }).status.state = 2;
    const pending = await failure(sendControl(starting, { kind: 'control', code: 200 }));
    expect(pending.message).toBe('MySvc is START_PENDING and cannot take control 200 now');

    const denied = await running(WITH_PAUSE);
    denied.api.failNext.set('openService', 5);
    const err = await failure(sendControl(denied, { kind: 'pause' }));
    expect(err.message).toBe('opening service MySvc: access denied');
    expect(err.hint).toBe('run "MySvc.exe pause" from a command prompt opened with "Run as administrator"');
  });
});
