/**
 * The Linux management commands (runtime-shim/platform/systemd/manage/) on a real systemd 257:
 * test/systemd/manage-app.ts is the executable's start with a fixed configuration and the real
 * systemd platform, run by the official Node.js binary behind a shell script (the "binary"). As
 * root it installs its unit, starts it (the real service mode behind the unit, READY=1), reports
 * its status with the live figures from /run/<name>/status.sock, stores a setting in the drop-in,
 * shows the journal, stops and uninstalls with --purge; as a user that is not root, the commands
 * that change the system are refused with one line, and status works without the live figures.
 * (The built ELF end to end, installed by its script: elf.test.ts.)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootWithNode, bundleForContainer, CONTAINER_KOFFI, SHARED_DIR, type RunResult, type SystemdContainer } from '../support/systemd';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NAME = 'svcpack-manage';
const UNIT = `${NAME}.service`;
const BINARY = `/opt/${NAME}/${NAME}`;
const KOFFI = CONTAINER_KOFFI;
const ALERT_URL = 'https://hooks.example.com/x?token=s3cret';
/** An --env value that carries a credential. */
const APP_TOKEN = 'tok3n-for-the-db';

describe('the Linux management commands on systemd 257', () => {
  let c: SystemdContainer;
  /** `<binary> args` as root. */
  const bin = (...args: string[]): Promise<RunResult> => c.exec(BINARY, args, { timeoutMs: 90_000 });
  /** `<binary> args` as the unprivileged user nobody. */
  const asNobody = (...args: string[]): Promise<RunResult> => c.exec('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', BINARY, ...args], { timeoutMs: 60_000 });
  const isActive = async (): Promise<string> => (await c.systemctl('is-active', UNIT)).stdout.trim();
  const show = async (...props: string[]): Promise<string> => (await c.systemctl('show', ...props.flatMap((p) => ['-p', p]), UNIT)).stdout;
  /** A command as the unprivileged user nobody. */
  const nobody = (cmd: string, ...args: string[]): Promise<RunResult> => c.exec('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', cmd, ...args], { timeoutMs: 60_000 });

  beforeAll(async () => {
    c = await bootWithNode();
    await bundleForContainer(path.join(repoRoot, 'test/systemd/manage-app.ts'), path.join(c.shared.host, 'manage.mjs'));
    // The "binary": what ExecStart= runs, exec'ing Node so that the main process stays the notifier.
    await c.writeFile(BINARY, `#!/bin/sh\nexec /usr/local/bin/node ${SHARED_DIR}/manage.mjs "$@"\n`, 0o755);
  });

  afterAll(async () => {
    await c?.shutdown();
  });

  test('help speaks Linux; a usage error points at it', async () => {
    const help = await asNobody('help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`Usage: ${NAME} <command> [options]\n`);
    expect(help.stdout).toContain(`systemd starts "${BINARY}" --service`);
    const wrong = await asNobody('instal');
    expect([wrong.stderr, wrong.code]).toEqual([`${NAME}: unknown command 'instal' — run "${NAME} help" for the commands\n`, 2]);
  });

  test('as a user that is not root: install is refused with one line, exit 1; nothing is written', async () => {
    const r = await asNobody('install');
    expect([r.stderr, r.code]).toEqual([`${NAME}: install needs root — run it with sudo\n`, 1]);
    expect((await c.exec('test', ['-e', `/etc/systemd/system/${UNIT}`])).code).toBe(1);
  });

  test('install writes the unit, reloads systemd and enables it', async () => {
    const r = await bin('install', '--stop-timeout', '10s', '--env', `APP_TOKEN=${APP_TOKEN}`);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`${NAME}: installed /etc/systemd/system/${UNIT} (ExecStart=${BINARY} --service); start type auto (enabled: starts at boot)`);
    expect((await c.systemctl('is-enabled', UNIT)).stdout.trim()).toBe('enabled');
    expect(await show('ExecStart', 'TimeoutStopUSec', 'RuntimeDirectory', 'DynamicUser')).toMatch(/TimeoutStopUSec=11s/);
    const again = await bin('install');
    expect([again.stderr.trim(), again.code]).toEqual([
      `${NAME}: service ${NAME} is already installed (${BINARY}) — run "sudo ${NAME} install --force" to update it to this executable and the given settings, or "sudo ${NAME} uninstall" first`,
      1,
    ]);
  });

  test('start waits for READY=1 from the real service mode behind the unit', async () => {
    const r = await bin('start');
    expect(r.code, `${r.stdout}${r.stderr}${await c.journalctl('-u', UNIT, '-o', 'cat')}`).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${NAME}: starting\\n${NAME}: running \\(pid \\d+\\) after \\d+\\.\\d s\\n$`));
    expect(await isActive()).toBe('active');
  });

  test('status --json: systemd\'s view and the live figures from the service\'s socket in /run/<name>', async () => {
    const r = await bin('status', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const mainPid = Number((await show('MainPID')).trim().split('=')[1]);
    expect(report).toMatchObject({ name: NAME, installed: true, state: 'RUNNING', pid: mainPid, startType: 'auto', thisExe: true, systemd: { activeState: 'active', subState: 'running', unitFileState: 'enabled' } });
    expect(report.live).toMatchObject({ name: NAME, mode: 'in-process', state: 'running', service: { pid: mainPid } });
    expect(report.live.logFile).toBe(`/var/log/${NAME}/${NAME}.log`);
    // Only root and the service's user reach the socket.
    const mode = await c.exec('stat', ['-c', '%a %U', `/run/${NAME}`]);
    expect(mode.stdout.trim()).toMatch(/^700 /);
  });

  test('as a user that is not root: status works without the live figures; stop is refused', async () => {
    const status = await asNobody('status', '--json');
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout);
    expect(report.state).toBe('RUNNING');
    expect(report.liveUnavailable).toBe(`live figures need root (the socket /run/${NAME}/status.sock is root's and the service's): run it with sudo`);
    const stop = await asNobody('stop');
    expect([stop.stderr, stop.code]).toEqual([`${NAME}: stop needs root — run it with sudo\n`, 1]);
    expect(await isActive()).toBe('active');
  });

  test('config set stores the value in the drop-in (a secret in the environment file); it reaches the service at the next start', async () => {
    const set = await bin('config', 'set', 'log-level', 'debug');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe(`${NAME}: log-level set: debug\n${NAME}: takes effect at the next start: run "sudo ${NAME} restart"\n`);
    expect((await c.exec('stat', ['-c', '%a', `/etc/systemd/system/${UNIT}.d/svcpack.conf`])).stdout.trim()).toBe('600');
    expect(await show('Environment')).toContain('SVCPACK_LOG_LEVEL=debug');
    const get = await bin('config', 'get', 'log-level');
    expect(get.stdout).toBe('debug\n');
    // A secret: in the environment file, which systemctl show does not print to anyone.
    const secret = await bin('config', 'set', 'alert-url', ALERT_URL);
    expect(secret.stdout).toContain(`${NAME}: alert-url set: https://hooks.example.com/x?***\n`);
    expect(await show('Environment', 'EnvironmentFiles')).not.toContain('s3cret');
    expect((await c.exec('stat', ['-c', '%a', `/etc/systemd/system/${UNIT}.d/svcpack.env`])).stdout.trim()).toBe('600');
    const restart = await bin('restart');
    expect(restart.code, restart.stderr).toBe(0);
    const log = await c.exec('cat', [`/var/log/${NAME}/${NAME}.log`]);
    expect(log.stdout).toContain(`SVCPACK_LOG_LEVEL=debug; SVCPACK_ALERT_URL is ${ALERT_URL.length} characters long`);
  });

  test('--env values: the service sees them, no other user does (systemctl show, the unit, config get)', async () => {
    const log = await c.exec('cat', [`/var/log/${NAME}/${NAME}.log`]);
    expect(log.stdout).toContain(`APP_TOKEN is ${APP_TOKEN.length} characters long`);
    const shown = await nobody('systemctl', 'show', '-p', 'Environment', '-p', 'EnvironmentFiles', UNIT);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`EnvironmentFiles=/etc/systemd/system/${UNIT}.d/svcpack.env`);
    expect(shown.stdout).not.toContain(APP_TOKEN);
    expect(shown.stdout).not.toContain('APP_TOKEN');
    const unit = await nobody('cat', `/etc/systemd/system/${UNIT}`);
    expect(unit.code).toBe(0);
    expect(unit.stdout).toContain('# The --env variables (APP_TOKEN) are in');
    expect(unit.stdout).not.toContain(APP_TOKEN);
    expect((await nobody('cat', `/etc/systemd/system/${UNIT}.d/svcpack.env`)).code).not.toBe(0);
    const get = await asNobody('config', 'get', 'env');
    expect([get.stdout, get.code]).toEqual(["'APP_TOKEN=***'\n", 0]);
    expect(get.stderr).toContain('readable by root only: they show as ***');
    expect((await bin('config', 'get', 'env')).stdout).toBe(`APP_TOKEN=${APP_TOKEN}\n`);
  });

  test('reload goes through SIGHUP and READY=1', async () => {
    const r = await bin('reload');
    expect(r.code, r.stderr).toBe(0);
    expect(await isActive()).toBe('active');
  });

  test('logs --lines 5 prints the last lines of the unit\'s journal', async () => {
    const r = await bin('logs', '--lines', '5');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines.length).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/m);
  });

  test('stop, then uninstall --purge removes the unit, the drop-in and the data folder', async () => {
    const stop = await bin('stop');
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(new RegExp(`${NAME}: stopped after \\d+\\.\\d s\\n$`));
    expect(await isActive()).toBe('inactive');
    expect((await show('Result')).trim()).toBe('Result=success');
    const un = await bin('uninstall', '--purge');
    expect(un.code, un.stderr).toBe(0);
    expect(un.stdout).toContain(`${NAME}: removed\n`);
    for (const gone of [`/etc/systemd/system/${UNIT}`, `/etc/systemd/system/${UNIT}.d/svcpack.env`, `/etc/systemd/system/${UNIT}.d`, `/var/lib/${NAME}`, `/var/lib/private/${NAME}`, `/var/log/${NAME}`]) {
      expect((await c.exec('test', ['-e', gone])).code, gone).toBe(1);
    }
    expect((await show('LoadState')).trim()).toBe('LoadState=not-found');
    const twice = await bin('uninstall');
    expect([twice.stdout, twice.code]).toEqual([`${NAME}: not installed\n`, 0]);
  });

  test('paths: a Windows log folder is refused (exit 2); a Linux --log-dir is opened with ReadWritePaths= and the service writes there', async () => {
    const windows = await bin('install', '--log-dir', 'C:\\logs');
    expect([windows.stderr, windows.code]).toEqual([
      `${NAME}: log folder "C:\\logs" is a Windows path; this is Linux — leave --log-dir out for /var/log/${NAME}, or give an absolute path such as /srv/logs/${NAME}\n`,
      2,
    ]);
    expect((await c.exec('test', ['-e', `/etc/systemd/system/${UNIT}`])).code).toBe(1);
    // A user of its own that owns the folder (a dynamic user could not write there).
    expect((await c.exec('useradd', ['--system', '--no-create-home', 'svclog'])).code).toBe(0);
    expect((await c.exec('install', ['-d', '-o', 'svclog', '-m', '0750', '/srv/svc-logs'])).code).toBe(0);
    const r = await bin('install', '--account', '.\\svclog', '--log-dir', '/srv/svc-logs', '--working-dir', '/srv');
    expect(r.code, r.stderr).toBe(0);
    const props = (await show('ReadWritePaths', 'LogsDirectory', 'WorkingDirectory', 'ProtectSystem')).trim().split('\n').sort();
    expect(props).toEqual(['LogsDirectory=', 'ProtectSystem=strict', 'ReadWritePaths=/srv/svc-logs', 'WorkingDirectory=/srv']);
    const start = await bin('start');
    expect(start.code, `${start.stderr}${await c.journalctl('-u', UNIT, '-o', 'cat')}`).toBe(0);
    const log = await c.exec('cat', [`/srv/svc-logs/${NAME}.log`]);
    expect(log.stdout).toContain('app running as uid');
    expect(log.stdout).toContain(' in /srv;');
    expect((await bin('stop')).code).toBe(0);
  });

  test("a Windows log folder that reaches the service anyway (an admin's own override, read after svcpack.conf) fails its start with the line in the journal", async () => {
    await c.writeFile(`/etc/systemd/system/${UNIT}.d/zz-override.conf`, '[Service]\nEnvironment="SVCPACK_LOG_DIR=C:\\\\logs"\n', 0o644);
    await c.systemctl('daemon-reload');
    const start = await bin('start');
    const journal = await c.journalctl('-u', UNIT, '-o', 'cat');
    expect(start.code, `${start.stdout}${start.stderr}`).not.toBe(0);
    expect(journal).toContain(`log folder "C:\\logs" is a Windows path; this is Linux — give an absolute path such as /var/log/${NAME}, with "${NAME} config set log-dir <folder>"`);
    // The service's own log (the data folder's, which exists whatever the unit says) has it too; no folder named C:\logs.
    expect((await c.exec('cat', [`/var/lib/${NAME}/logs/${NAME}.log`])).stdout).toContain('log folder "C:\\logs" is a Windows path');
    expect((await c.exec('sh', ['-c', 'ls -d /srv/C* /C* 2>/dev/null'])).stdout).toBe('');
    await c.exec('rm', ['-f', `/etc/systemd/system/${UNIT}.d/zz-override.conf`]);
    const un = await bin('uninstall');
    expect(un.code, un.stderr).toBe(0);
    expect(un.stdout).toContain(`${NAME}: removed\n`);
  });
});
