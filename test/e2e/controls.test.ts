/**
 * Controls for a running service under Wine's SCM, one in-process service built from
 * fixtures/controls (onReload/onPause/onContinue/onControl handlers that log their pid, and a
 * timer writing a debug record every 200 ms), all in one process lifetime:
 *
 * - `config set log-level debug` then `reload` (PARAMCHANGE): the debug records appear, the
 *   reload line names the change, onReload ran — in the same process (same pid, no restart);
 * - `rotate` (user control 128): the log continues in a fresh file, the old one is `<Name>.1.log`;
 * - `pause` / `continue`: `sc query` shows PAUSED, then RUNNING, and both handlers ran;
 * - `control 200` reaches onControl;
 * - `control 201` makes the app remove its handlers while RUNNING: the service reports the smaller
 *   accepted set, and `pause` fails with one line naming the missing handlers.
 *
 * What Wine 10's SCM does (seen here): it forwards PARAMCHANGE, PAUSE, CONTINUE and user codes to
 * HandlerEx and keeps the states and accepted controls the service reports; for a user code the
 * handler refuses (ERROR_CALL_NOT_IMPLEMENTED) ControlService still succeeds, so the service logs
 * the refusal itself.
 *
 * Supervised mode (the supervisor takes the controls, the app child runs the handlers over IPC)
 * passes the same way under Wine but costs another ~35 s (a second install and start of a
 * supervised service): it is covered by unit tests of its parts, not here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildFixture, e2eFile, readText, runExe, sc, waitForText, type BuiltFixture } from './wine';

const NAME = 'SvcpackE2ECtl';

const file = e2eFile({ services: [NAME], setup: () => buildFixture('controls', NAME, { stopTimeout: '5s' }) });

async function exe(built: BuiltFixture, ...args: string[]) {
  const r = await runExe(built.exe, args, { timeoutMs: 60_000, tag: args.slice(0, 2).join('-') });
  return { ...r, stderr: r.stderr.split('\n').filter((l) => l && !/Service Control Manager cannot set/.test(l)).join('\n') };
}

const RUNNING_PID = /controls fixture: running \(pid (\d+)\)/;

describe('controls sent to a running service', () => {
  test('reload, rotate, pause/continue and custom controls reach the same running app', async () => {
    const built = file.ctx;
    const logDir = path.dirname(built.logFile);
    const installed = await exe(built, 'install', '--start-type', 'manual');
    expect(installed.code, installed.stderr).toBe(0);
    expect((await exe(built, 'start')).code).toBe(0);
    const pid = (await waitForText(built.logFile, RUNNING_PID, 20_000)).match(RUNNING_PID)![1]!;
    expect(readText(built.logFile)).not.toMatch(/tick/); // info: no debug records yet

    // reload: a stored log level applies without a restart.
    const set = await exe(built, 'config', 'set', 'log-level', 'debug');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain(`"${NAME}.exe reload"`);
    const reloaded = await exe(built, 'reload');
    expect(reloaded.code, reloaded.stderr).toBe(0);
    await waitForText(built.logFile, new RegExp(`onReload ran \\(pid ${pid}\\)`), 10_000);
    const afterReload = await waitForText(built.logFile, /\[app\] controls fixture: tick \d+/, 10_000);
    expect(afterReload).toMatch(/\[lifecycle\] reload: log-level info → debug$/m);
    expect(afterReload.match(new RegExp(RUNNING_PID.source, 'g'))).toHaveLength(1); // never restarted

    // rotate: a fresh file, the old one renamed.
    expect(fs.readdirSync(logDir)).not.toContain(`${NAME}.1.log`);
    const rotated = await exe(built, 'rotate');
    expect(rotated.code, rotated.stderr).toBe(0);
    await waitForText(built.logFile, /log rotated on request/, 10_000);
    expect(readText(path.join(logDir, `${NAME}.1.log`))).toMatch(RUNNING_PID);
    expect(readText(built.logFile)).not.toMatch(RUNNING_PID);

    // pause / continue: the SCM shows the states the service reports.
    const paused = await exe(built, 'pause');
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toContain(`${NAME}: paused`);
    expect((await sc('query', NAME)).state).toBe('PAUSED');
    await waitForText(built.logFile, new RegExp(`onPause ran \\(pid ${pid}\\)`), 5_000);
    await waitForText(built.logFile, /tick \d+ \(paused\)/, 5_000);
    const resumed = await exe(built, 'continue');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await sc('query', NAME)).state).toBe('RUNNING');
    await waitForText(built.logFile, new RegExp(`onContinue ran \\(pid ${pid}\\)`), 5_000);

    // custom codes reach onControl; 201 makes the app drop its handlers.
    const custom = await exe(built, 'control', '200');
    expect(custom.code, custom.stderr).toBe(0);
    await waitForText(built.logFile, new RegExp(`onControl 200 \\(pid ${pid}\\)`), 5_000);
    expect((await exe(built, 'control', '201')).code).toBe(0);
    await waitForText(built.logFile, /handlers removed/, 5_000);

    // The smaller accepted set reached the SCM: pause is refused with one line.
    const refused = await exe(built, 'pause');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `${NAME}: ${NAME} does not accept pause: the app registered no service.onPause and service.onContinue handlers (both are needed) — register both in the app (import { service } from 'svcpack/runtime'), rebuild and reinstall`,
    );
    expect((await sc('query', NAME)).state).toBe('RUNNING');
    expect((await exe(built, 'stop')).code).toBe(0);
  }, 120_000);
});
