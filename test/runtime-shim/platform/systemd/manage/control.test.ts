/**
 * `start`, `stop`, `restart`, `reload`, `status`, `logs` and the Windows-only commands on Linux
 * (platform/systemd/manage/) against a fake systemd; and the dispatch from commands/run.ts through
 * the systemd platform's `serviceUnits`: one line `<name>: <what> — <how>`, exit codes as on Windows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { helpText, type ManageCommand } from '../../../../../runtime-shim/commands/command-line';
import { ManageError } from '../../../../../runtime-shim/commands/context';
import { runManageCommand } from '../../../../../runtime-shim/commands/run';
import { journalArgs } from '../../../../../runtime-shim/platform/systemd/manage/logs';
import { systemdUnits } from '../../../../../runtime-shim/platform/systemd/manage/manager';
import { parseShow, stateName } from '../../../../../runtime-shim/platform/systemd/manage/systemctl';
import { systemdPlatform } from '../../../../../runtime-shim/platform/systemd/systemd-platform';
import type { LiveStatus } from '../../../../../runtime-shim/status/status-report';
import { captureOutput } from '../../../../support/capture-output';
import { EXE, harness, NAME, UNIT, type Harness } from './fake-systemd';

const run = (h: Harness, command: ManageCommand): Promise<number> => systemdUnits(h.deps).run(command, h.config);
const install = (h: Harness, input = {}): Promise<number> => run(h, { kind: 'install', input, runtime: {}, force: false });

async function failure(h: Harness, command: ManageCommand): Promise<ManageError> {
  try {
    await run(h, command);
  } catch (err) {
    if (err instanceof ManageError) return err;
    throw err;
  }
  throw new Error('it did not fail');
}

describe('start, stop, restart', () => {
  it('start waits for systemctl start (READY=1) and says the pid and how long it took', async () => {
    const h = harness();
    await install(h);
    h.out.length = 0;
    expect(await run(h, { kind: 'start' })).toBe(0);
    expect(h.out).toEqual([`${NAME}: starting`, `${NAME}: running (pid 4242) after 0.3 s`]);
    expect(h.systemd.calls.at(-2)).toEqual(['systemctl', '--no-ask-password', 'start', UNIT]);
    await run(h, { kind: 'start' });
    expect(h.out.at(-1)).toBe(`${NAME}: already running (pid 4242)`);
  });

  it('a service that ends while starting: its result and exit status, and where to look', async () => {
    const h = harness();
    await install(h);
    h.systemd.startFails = 3;
    const err = await failure(h, { kind: 'start' });
    expect(err.message).toBe(`${NAME} stopped while starting (result exit-code, exit status 3): Job for ${UNIT} failed because the control process exited with error code.`);
    expect(err.hint).toBe('see "MySvc logs", or run "MySvc run" to watch it start in a console');
  });

  it('a start that outlasts --timeout fails with the state it is still in (exit 1)', async () => {
    const h = harness();
    await install(h);
    h.systemd.hang.add('start');
    h.systemd.active = 'activating';
    const err = await failure(h, { kind: 'start', timeoutMs: 5_000 });
    expect([err.message, err.exitCode]).toEqual([`${NAME} did not reach RUNNING within 5.0 s (still START_PENDING)`, 1]);
    expect(h.systemd.calls.find((c) => c[2] === 'start')).toEqual(['systemctl', '--no-ask-password', 'start', UNIT]);
  });

  it('stop of a stopped service is not an error; restart stops and starts', async () => {
    const h = harness();
    await install(h);
    h.out.length = 0;
    await run(h, { kind: 'stop' });
    expect(h.out).toEqual([`${NAME}: already stopped`]);
    await run(h, { kind: 'restart' });
    expect(h.systemd.verbs().slice(-1)).toEqual([`start ${UNIT}`]);
    expect(h.out.at(-1)).toMatch(/running \(pid 4242\)/);
    await run(h, { kind: 'stop' });
    expect(h.out.slice(-2)).toEqual([`${NAME}: stopping`, `${NAME}: stopped after 0.3 s`]);
  });

  it('commands need the unit installed', async () => {
    const h = harness();
    const err = await failure(h, { kind: 'start' });
    expect(`${err.message} — ${err.hint}`).toBe(`service ${NAME} is not installed — install it first with "sudo MySvc install"`);
  });
});

describe('reload', () => {
  it('asks systemctl reload of a running service; refuses a stopped one', async () => {
    const h = harness();
    await install(h);
    const err = await failure(h, { kind: 'reload' });
    expect(`${err.message} — ${err.hint}`).toBe(`${NAME} is not running, so it cannot take reload — start it with "sudo MySvc start"`);
    await run(h, { kind: 'start' });
    await run(h, { kind: 'reload' });
    expect(h.systemd.verbs().at(-1)).toBe(`reload ${UNIT}`);
    expect(h.out.at(-1)).toBe(`${NAME}: reloaded; the app's onReload handlers run now (settings changed with "config set" apply at the next start: "sudo MySvc restart")`);
  });
});

describe('status', () => {
  const live = (pid: number): LiveStatus => ({
    protocol: 1,
    name: NAME,
    mode: 'in-process',
    state: 'running',
    service: { pid, startedAt: '2026-12-07T16:50:00.000Z', uptimeMs: 5000, rssBytes: 50 << 20, heapUsedBytes: 10 << 20, cpuSeconds: 0.5, cpuPercent: 10 },
    lastError: null,
    logFile: `/var/lib/${NAME}/logs/${NAME}.log`,
  });

  it('not installed is a status, not an error', async () => {
    const h = harness();
    await run(h, { kind: 'status', json: true });
    expect(JSON.parse(h.out[0]!)).toEqual({ name: NAME, version: '1.4.0', dataDir: `/var/lib/${NAME}`, installed: false });
  });

  it('--json: the Windows report\'s fields that mean the same, systemd\'s view, and the live figures from the socket in /run/<name>', async () => {
    const h = harness();
    await install(h);
    await run(h, { kind: 'start' });
    h.live.result = { ok: true, live: live(4242) };
    h.out.length = 0;
    await run(h, { kind: 'status', json: true });
    const report = JSON.parse(h.out[0]!);
    expect(h.live.asked).toEqual([`/run/${NAME}/status.sock`]);
    expect(report).toMatchObject({
      name: NAME,
      installed: true,
      state: 'RUNNING',
      pid: 4242,
      startType: 'auto',
      account: `NT SERVICE\\${NAME}`,
      binaryPath: `${EXE} --service`,
      thisExe: true,
      dataDir: `/var/lib/${NAME}`,
      workingDir: '/opt/mysvc',
      systemd: { unitFile: path.join(h.unitDir, UNIT), activeState: 'active', subState: 'running', result: 'success', restarts: 0, unitFileState: 'enabled', uptimeMs: 5000 },
      live: { service: { pid: 4242 } },
    });
    expect(report).not.toHaveProperty('lastExitCode');
    expect(report).not.toHaveProperty('allowControl');
    await run(h, { kind: 'status', json: false });
    expect(h.out[1]).toMatch(/\n  state +RUNNING \(pid 4242\) — systemd: active \(running\)\n/);
    expect(h.out[1]).toMatch(/\n  memory +service 50\.0 MiB \(heap 10\.0 MiB\)\n/);
    expect(h.out[1]).toMatch(/\n  last exit +\(none since it started\)\n/);
    expect(h.out[1]).toMatch(/\n  running for +5\.0 s \(since Mon 2026-12-07 16:50:00 UTC\)\n/);
  });

  it('answers from another process are refused; without root the live figures are left out with the reason', async () => {
    const h = harness();
    await install(h);
    await run(h, { kind: 'start' });
    h.live.result = { ok: true, live: live(999) };
    await run(h, { kind: 'status', json: true });
    expect(JSON.parse(h.out.at(-1)!).liveUnavailable).toBe('the status socket is served by process 999, not by the service (pid 4242)');
    const user = harness({ isRoot: false });
    Object.assign(user.deps, { unitDir: h.unitDir, runner: h.systemd });
    await run(user, { kind: 'status', json: true });
    expect(JSON.parse(user.out[0]!).liveUnavailable).toBe(`live figures need root (the socket /run/${NAME}/status.sock is root's and the service's): run it with sudo`);
  });

  it('maps systemd\'s active states to the Windows state names', () => {
    const states = ['active', 'reloading', 'activating', 'deactivating', 'inactive', 'failed'].map((activeState) => stateName({ activeState }));
    expect(states).toEqual(['RUNNING', 'RUNNING', 'START_PENDING', 'STOP_PENDING', 'STOPPED', 'STOPPED']);
    expect(parseShow('ExecMainCode=2\nExecMainStatus=9\nMainPID=12\n')).toMatchObject({ execMainCode: 'killed', execMainStatus: 9, mainPid: 12 });
  });
});

describe('logs', () => {
  it('reads the journal with journalctl -u, --lines as -n, --since as @seconds, --follow as -f', async () => {
    const h = harness();
    await install(h);
    expect(await run(h, { kind: 'logs', follow: false })).toBe(0);
    expect(h.systemd.attachedCalls).toEqual([['journalctl', '-u', UNIT, '--no-pager', '-o', 'short-iso', '-n', '50']]);
    expect(journalArgs(UNIT, { kind: 'logs', lines: 5, follow: true }, 0)).toEqual(['-u', UNIT, '--no-pager', '-o', 'short-iso', '-n', '5', '-f']);
    expect(journalArgs(UNIT, { kind: 'logs', since: { agoMs: 600_000 }, follow: false }, 1_800_000_000_000)).toEqual([
      '-u', UNIT, '--no-pager', '-o', 'short-iso', '-n', 'all', '--since', '@1799999400',
    ]);
  });

  it('reads the rotating log files (<data folder>/logs) when the service does not log to the journal', async () => {
    const h = harness();
    const dataDir = fs.mkdtempSync(path.join(h.unitDir, 'data-'));
    fs.mkdirSync(path.join(dataDir, 'logs'));
    fs.writeFileSync(path.join(dataDir, 'logs', `${NAME}.log`), '2026-12-07T16:50:00.000Z info  [app] one\n2026-12-07T16:50:01.000Z debug [app] two\n');
    const written: Buffer[] = [];
    const io = { write: (b: Buffer) => (written.push(b), Promise.resolve()), signal: new AbortController().signal, now: () => Date.now(), sleep: () => Promise.resolve(), fs };
    Object.assign(h.deps, { dataDir, logsIo: io });
    await run(h, { kind: 'install', input: {}, runtime: { eventLog: 'false' }, force: false });
    expect(await run(h, { kind: 'logs', lines: 1, follow: false })).toBe(0);
    expect(Buffer.concat(written).toString()).toBe('2026-12-07T16:50:01.000Z debug [app] two\n');
    expect(h.systemd.attachedCalls).toEqual([]);
  });
});

describe('what systemd has no form of', () => {
  it('pause, continue, control and rotate are Windows-only (exit 2)', async () => {
    const h = harness();
    for (const [command, line] of [
      [{ kind: 'pause' }, 'pause is Windows-only — systemd has no pause: use "sudo MySvc stop" and "sudo MySvc start"'],
      [{ kind: 'continue' }, 'continue is Windows-only — systemd has no pause: use "sudo MySvc stop" and "sudo MySvc start"'],
      [{ kind: 'control', code: 200 }, 'control codes are Windows-only — systemd has no user-defined controls: use "reload" (SIGHUP, the app\'s onReload)'],
      [{ kind: 'rotate' }, 'rotate is Windows-only — on Linux the log file rotates by size (--log-rotate), and the journal by journald'],
    ] as const) {
      const err = await failure(h, command as ManageCommand);
      expect([`${err.message} — ${err.hint}`, err.exitCode]).toEqual([line, 2]);
    }
  });
});

describe('commands/run.ts hands the command to the systemd platform', () => {
  const output = captureOutput();

  it('without root: one line "<name>: <command> needs root — run it with sudo", exit 1', async () => {
    const h = harness({ isRoot: false });
    const platform = systemdPlatform({ koffiSha256: '' }, { env: {}, manage: h.deps });
    for (const kind of ['install', 'uninstall', 'start', 'stop', 'restart', 'reload'] as const) {
      output.stderr = '';
      const command = (kind === 'install' ? { kind, input: {}, runtime: {}, force: false } : kind === 'uninstall' ? { kind, purge: false } : { kind }) as ManageCommand;
      // The SCM-shaped context is never made: the platform's serviceManager() would throw.
      expect(await runManageCommand(command, { config: h.config, platform }, () => { throw new Error('the Windows context was asked for'); })).toBe(1);
      expect(output.stderr).toBe(`${NAME}: ${kind} needs root — run it with sudo\n`);
    }
    expect(h.systemd.calls).toEqual([]);
  });

  it('a Windows-only command: one line, exit 2', async () => {
    const h = harness();
    const platform = systemdPlatform({ koffiSha256: '' }, { env: {}, manage: h.deps });
    expect(await runManageCommand({ kind: 'pause' }, { config: h.config, platform })).toBe(2);
    expect(output.stderr).toBe(`${NAME}: pause is Windows-only — systemd has no pause: use "sudo MySvc stop" and "sudo MySvc start"\n`);
  });

  it('the --service line of a process systemd did not start names systemd', () => {
    const units = systemdPlatform({ koffiSha256: '' }, { env: {} }).serviceUnits!();
    expect(units.notStartedByManager(NAME, '--service')).toBe(
      `started with --service but not by systemd (neither NOTIFY_SOCKET nor INVOCATION_ID is set) — start it with "systemctl start ${NAME}", or use "${NAME} run" to run it in a console`,
    );
  });
});

describe('a failed unit', () => {
  it('start forgets the failed state (and the start-limit counter) first', async () => {
    const h = harness();
    await install(h);
    h.systemd.active = 'failed';
    h.systemd.result = 'start-limit-hit';
    await run(h, { kind: 'start' });
    expect(h.systemd.verbs().slice(-2)).toEqual([`reset-failed ${UNIT}`, `start ${UNIT}`]);
  });

  it('a drop-in edited by hand (no svcpack-stored line) is not overwritten', async () => {
    const h = harness();
    await install(h);
    fs.mkdirSync(path.dirname(h.dropIn), { recursive: true });
    fs.writeFileSync(h.dropIn, '[Service]\nEnvironment=SVCPACK_LOG_LEVEL=debug\n');
    const err = await failure(h, { kind: 'config', action: 'set', name: 'log-level', values: ['warn'] });
    expect(`${err.message} — ${err.hint}`).toBe(
      `cannot read the stored settings: ${h.dropIn} has no svcpack-stored line (edited by hand?) — move your changes to "systemctl edit ${UNIT}" and remove ${h.dropIn}, then store the settings again`,
    );
    expect(fs.readFileSync(h.dropIn, 'utf8')).toBe('[Service]\nEnvironment=SVCPACK_LOG_LEVEL=debug\n');
  });
});

describe('help on Linux', () => {
  it('names the executable without .exe, root instead of an administrator prompt, and leaves out what is Windows-only', () => {
    const h = harness();
    const words = systemdUnits(h.deps).helpWords(h.config);
    const text = helpText(h.config, words);
    expect(text).toContain('Usage: MySvc <command> [options]\n');
    expect(text).toContain('Commands (install, uninstall, start, stop, restart, reload and config set/reset need root: run them with sudo):\n');
    expect(text).toContain(`--purge                                also delete the folders systemd made for it: /var/lib/${NAME} (data and log files), /var/log/${NAME}, /var/cache/${NAME}\n`);
    for (const gone of ['--password-env', '--trigger', '\n  rotate ', '\n  pause | continue', '\n  control <code>', '.exe', 'administrator prompt']) expect(text).not.toContain(gone);
    expect(text.trimEnd().split('\n').at(-1)).toBe(`systemd starts "${EXE}" --service (ExecStart= of /etc/systemd/system/${UNIT}, written by install).`);
  });
});
