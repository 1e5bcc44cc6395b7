/**
 * `install`, `uninstall` and `config` on Linux (platform/systemd/manage/) against a fake systemd and
 * a temporary unit folder: what is written, in which order systemctl is asked, and that a failure
 * leaves the files as they were.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExeArgs, type ManageCommand } from '../../../../../runtime-shim/commands/command-line';
import { ManageError } from '../../../../../runtime-shim/commands/context';
import { systemdUnits } from '../../../../../runtime-shim/platform/systemd/manage/manager';
import { EXE, harness, NAME, UNIT, type Harness } from './fake-systemd';

function command(line: string): ManageCommand {
  const parsed = parseExeArgs(line.split(' ').filter(Boolean));
  if (parsed.kind === 'usage-error' || parsed.kind === 'help' || parsed.kind === 'version' || parsed.kind === 'run' || parsed.kind === 'service' || parsed.kind === 'task' || parsed.kind === 'child') {
    throw new Error(`not a management command: ${line}`);
  }
  return parsed;
}

const run = (h: Harness, line: string | ManageCommand): Promise<number> => systemdUnits(h.deps).run(typeof line === 'string' ? command(line) : line, h.config);

async function failure(h: Harness, line: string | ManageCommand): Promise<ManageError> {
  try {
    await run(h, line);
  } catch (err) {
    if (err instanceof ManageError) return err;
    throw err;
  }
  throw new Error('it did not fail');
}

const mode = (file: string): number => fs.statSync(file).mode & 0o777;

describe('install', () => {
  it('writes the unit (ExecStart= this executable --service), reloads systemd and enables it for start type auto', async () => {
    const h = harness();
    expect(await run(h, 'install --arg --port --arg 8080')).toBe(0);
    const text = fs.readFileSync(h.unitFile, 'utf8');
    expect(text).toContain(`ExecStart=${EXE} --service --port 8080\n`);
    expect(text).toContain('DynamicUser=yes\n');
    expect(text).toContain(`RuntimeDirectory=${NAME}\nRuntimeDirectoryMode=0700\n`);
    expect(text).toMatch(/^# svcpack-install: \{"binary":"\/opt\/mysvc\/MySvc","settings":\{/m);
    expect(mode(h.unitFile)).toBe(0o644);
    expect(fs.existsSync(path.dirname(h.dropIn))).toBe(false);
    expect(h.systemd.verbs()).toEqual(['daemon-reload', `enable ${UNIT}`]);
    expect(h.out[0]).toBe(
      `${NAME}: installed ${h.unitFile} (ExecStart=${EXE} --service …); start type auto (enabled: starts at boot), account a dynamic user of its own (DynamicUser=yes)`,
    );
    expect(h.out.at(-1)).toBe(`${NAME}: data folder /var/lib/${NAME} (made by systemd at the first start); start it with "sudo MySvc start"`);
    // Nothing but the two files: no temporary file left behind.
    expect(fs.readdirSync(h.unitDir)).toEqual([UNIT]);
  });

  it('stores the runtime flags in the drop-in, readable by root only', async () => {
    const h = harness();
    await run(h, 'install --log-level debug --stop-timeout 45s');
    const text = fs.readFileSync(h.dropIn, 'utf8');
    expect(text).toContain('Environment=SVCPACK_LOG_LEVEL=debug\n');
    expect(text).toContain('Environment=SVCPACK_STOP_TIMEOUT=45s\n');
    expect(text).toContain('TimeoutStopSec=46s\n');
    expect(text).toContain('# svcpack-stored: {"logLevel":"debug","stopTimeout":"45s"}\n');
    expect(mode(h.dropIn)).toBe(0o600);
    expect(h.out).toContain(`${NAME}: stored 2 runtime settings in ${h.dropIn}`);
  });

  it('manual: installed, not enabled; disabled: also refused by systemctl start', async () => {
    const manual = harness();
    await run(manual, 'install --start-type manual');
    expect(manual.systemd.verbs()).toEqual(['daemon-reload', `disable ${UNIT}`]);
    expect(fs.readFileSync(manual.unitFile, 'utf8')).not.toContain('RefuseManualStart');
    const disabled = harness();
    await run(disabled, 'install --start-type disabled');
    expect(fs.readFileSync(disabled.unitFile, 'utf8')).toContain('RefuseManualStart=yes\n');
    expect(disabled.out[0]).toContain('start type disabled (disabled: not started at boot, refused by systemctl start)');
    const start = await failure(disabled, 'start');
    expect([start.message, start.hint]).toEqual([`starting ${NAME}: the service is disabled`, 'enable it with "sudo MySvc install --force --start-type manual" (or auto)']);
  });

  it('--account .\\user runs it as that user; --dependencies become After= and Requires=', async () => {
    const h = harness();
    await run(h, { kind: 'install', input: { account: '.\\svc', dependencies: 'postgresql,network-online.target' }, runtime: {}, force: false });
    const text = fs.readFileSync(h.unitFile, 'utf8');
    expect(text).toContain('User=svc\n');
    expect(text).not.toContain('DynamicUser');
    expect(text).toContain('After=network.target postgresql.service network-online.target\nRequires=postgresql.service network-online.target\n');
    expect(h.out[0]).toContain('account user svc');
  });

  it('refuses an installed service without --force, as on Windows; --force changes only the given settings', async () => {
    const h = harness();
    await run(h, 'install --start-type manual --log-level debug');
    const refused = await failure(h, 'install');
    expect([refused.message, refused.hint, refused.exitCode]).toEqual([
      `service ${NAME} is already installed (${EXE})`,
      'run "sudo MySvc install --force" to update it to this executable and the given settings, or "sudo MySvc uninstall" first',
      1,
    ]);
    await run(h, 'install --force --description updated');
    const text = fs.readFileSync(h.unitFile, 'utf8');
    expect(text).toContain('# updated\n');
    // The start type given before stays: still disabled, not enabled.
    expect(h.systemd.enabled).toBe(false);
    expect(text).toContain('"startType":"manual"');
    // So does the stored runtime setting.
    expect(fs.readFileSync(h.dropIn, 'utf8')).toContain('SVCPACK_LOG_LEVEL=debug');
    expect(h.out.at(-3)).toMatch(new RegExp(`^${NAME}: updated `));
  });

  it('never touches a unit svcpack did not write', async () => {
    const h = harness();
    fs.writeFileSync(h.unitFile, '[Service]\nExecStart=/usr/bin/other\n');
    const err = await failure(h, 'install --force');
    expect(err.message).toBe(`the unit ${UNIT} is taken by another program (${h.unitFile} was not written by svcpack)`);
    expect(fs.readFileSync(h.unitFile, 'utf8')).toBe('[Service]\nExecStart=/usr/bin/other\n');
    const un = await failure(h, 'uninstall');
    expect(un.message).toBe(`the unit ${UNIT} belongs to another program (${h.unitFile} was not written by svcpack)`);
    expect(h.systemd.verbs()).toEqual([]);
  });

  it('a failed daemon-reload removes what a fresh install wrote', async () => {
    const h = harness();
    h.systemd.fail.set('daemon-reload', 'Failed to reload daemon: Access denied');
    const err = await failure(h, 'install --log-level debug');
    expect(err.message).toBe(`installing ${NAME}: systemctl daemon-reload: Failed to reload daemon: Access denied`);
    expect(fs.readdirSync(h.unitDir)).toEqual([]);
  });

  it('a failed enable puts an updated unit and drop-in back as they were', async () => {
    const h = harness();
    await run(h, 'install --log-level debug');
    const before = [fs.readFileSync(h.unitFile, 'utf8'), fs.readFileSync(h.dropIn, 'utf8')];
    h.systemd.fail.set('enable', 'Failed to enable unit: Read-only file system');
    const err = await failure(h, 'install --force --description other --log-level warn');
    expect(err.message).toBe(`updating ${NAME}: systemctl enable: Failed to enable unit: Read-only file system`);
    expect([fs.readFileSync(h.unitFile, 'utf8'), fs.readFileSync(h.dropIn, 'utf8')]).toEqual(before);
    expect(h.systemd.verbs().slice(-2)).toEqual([`enable ${UNIT}`, 'daemon-reload']);
  });

  it('refuses settings with no Linux form before writing anything (exit 2)', async () => {
    const h = harness();
    const err = await failure(h, { kind: 'install', input: { account: 'CORP\\alice' }, runtime: {}, force: false });
    expect([err.message, err.exitCode]).toEqual(['account "CORP\\alice" is a Windows domain account', 2]);
    const badName = harness({ config: { name: 'My Svc' } });
    const named = await failure(badName, 'install');
    expect([named.message, named.exitCode]).toEqual(['the service name "My Svc" contains a space, which a systemd unit name cannot hold', 2]);
    expect(fs.readdirSync(h.unitDir)).toEqual([]);
  });

  it('scheduled tasks are Windows-only (exit 2)', async () => {
    const h = harness();
    const err = await failure(h, 'install --as task --trigger boot');
    expect([err.message, err.exitCode]).toEqual(['scheduled tasks (install --as task) are Windows-only', 2]);
  });
});

describe('uninstall', () => {
  it('stops, disables, removes the unit and its drop-in folder, reloads and resets; keeps the data folder', async () => {
    const h = harness();
    await run(h, 'install --log-level debug');
    await run(h, 'start');
    h.systemd.calls.length = 0;
    h.out.length = 0;
    expect(await run(h, 'uninstall')).toBe(0);
    expect(h.systemd.verbs()).toEqual([`stop ${UNIT}`, `disable ${UNIT}`, 'daemon-reload', `reset-failed ${UNIT}`]);
    expect(fs.readdirSync(h.unitDir)).toEqual([]);
    expect(h.out).toEqual([`${NAME}: stopping`, `${NAME}: stopped after 0.3 s`, `${NAME}: removed`]);
  });

  it('--purge has systemd clean the unit\'s folders while it is still loaded', async () => {
    const h = harness();
    await run(h, 'install');
    h.systemd.calls.length = 0;
    await run(h, 'uninstall --purge');
    expect(h.systemd.verbs()).toEqual([`clean --what=state --what=logs --what=cache --what=runtime ${UNIT}`, `disable ${UNIT}`, 'daemon-reload', `reset-failed ${UNIT}`]);
    expect(h.out.at(-1)).toBe(`${NAME}: removed /var/lib/${NAME}, /var/log/${NAME} and /var/cache/${NAME}`);
  });

  it('is not an error when nothing is installed', async () => {
    const h = harness();
    expect(await run(h, 'uninstall')).toBe(0);
    expect(h.out).toEqual([`${NAME}: not installed`]);
  });
});

describe('config', () => {
  it('set stores a runtime setting in the drop-in, reloads systemd, and says it applies at the next start', async () => {
    const h = harness();
    await run(h, 'install');
    await run(h, 'start');
    h.systemd.calls.length = 0;
    h.out.length = 0;
    await run(h, 'config set log-level debug');
    expect(fs.readFileSync(h.dropIn, 'utf8')).toContain('Environment=SVCPACK_LOG_LEVEL=debug\n');
    expect(h.systemd.verbs()).toEqual(['daemon-reload']);
    expect(h.out).toEqual([`${NAME}: log-level set: debug`, `${NAME}: takes effect at the next start: run "sudo MySvc restart"`]);
    await run(h, 'config get log-level');
    expect(h.out.at(-1)).toBe('debug');
    await run(h, 'config reset log-level');
    // Nothing stored: no drop-in (and no empty folder).
    expect(fs.readdirSync(h.unitDir)).toEqual([UNIT]);
  });

  it('a secret (alert-url) goes to the environment file beside the drop-in, root\'s only, not to an Environment= line', async () => {
    const h = harness();
    await run(h, 'install');
    await run(h, 'config set alert-url https://hooks.example.com/x?token=s3cret');
    const env = path.join(path.dirname(h.dropIn), 'svcpack.env');
    expect(fs.readFileSync(env, 'utf8')).toContain('SVCPACK_ALERT_URL="https://hooks.example.com/x?token=s3cret"\n');
    expect(mode(env)).toBe(0o600);
    const dropIn = fs.readFileSync(h.dropIn, 'utf8');
    expect(dropIn).toContain(`EnvironmentFile=${env}\n`);
    expect(dropIn.split('\n').filter((l) => !l.startsWith('#')).join('\n')).not.toContain('s3cret');
    // Shown redacted.
    expect(h.out.at(-2)).toBe(`${NAME}: alert-url set: https://hooks.example.com/x?***`);
    await run(h, 'config reset alert-url');
    expect(fs.readdirSync(h.unitDir)).toEqual([UNIT]);
  });

  it('set checks the value first (exit 2) and changes nothing', async () => {
    const h = harness();
    await run(h, 'install');
    h.systemd.calls.length = 0;
    const err = await failure(h, 'config set log-level loud');
    expect(err.exitCode).toBe(2);
    expect(h.systemd.verbs()).toEqual([]);
    expect(fs.existsSync(h.dropIn)).toBe(false);
  });

  it('a failed daemon-reload puts the old drop-in back', async () => {
    const h = harness();
    await run(h, 'install --log-level warn');
    const before = fs.readFileSync(h.dropIn, 'utf8');
    h.systemd.fail.set('daemon-reload', 'Failed to reload daemon: Connection timed out');
    await failure(h, 'config set log-level debug');
    expect(fs.readFileSync(h.dropIn, 'utf8')).toBe(before);
  });

  it('set of a service setting rewrites the unit through install (start type: enable or disable now)', async () => {
    const h = harness();
    await run(h, 'install');
    expect(h.systemd.enabled).toBe(true);
    h.out.length = 0;
    await run(h, 'config set start-type manual');
    expect(h.systemd.enabled).toBe(false);
    expect(h.out).toEqual([`${NAME}: start-type set: manual`, `${NAME}: systemd applies it now (systemctl disable)`]);
    // The executable recorded at install stays.
    expect(fs.readFileSync(h.unitFile, 'utf8')).toContain(`ExecStart=${EXE} --service`);
  });

  it('get --json lists every setting with its source; dump is the install line that recreates it', async () => {
    const h = harness();
    await run(h, { kind: 'install', input: { startType: 'manual', args: ['--port', "it's 8"] }, runtime: { logLevel: 'debug' }, force: false });
    h.out.length = 0;
    await run(h, 'config get --json');
    const rows = JSON.parse(h.out[0]!) as { name: string; value: string; source: string; appliesOn: string }[];
    expect(rows.find((r) => r.name === 'start-type')).toEqual({ name: 'start-type', value: 'manual', source: 'service', appliesOn: 'now' });
    expect(rows.find((r) => r.name === 'log-level')).toEqual({ name: 'log-level', value: 'debug', source: 'stored', appliesOn: 'restart' });
    await run(h, 'config dump');
    expect(h.out.at(-1)).toBe(`${EXE} install --start-type manual --arg --port --arg 'it'\\''s 8' --log-level debug`);
  });

  it('without root: changes are refused; reading shows the stored values as the executable\'s own, with a warning', async () => {
    const root = harness();
    await run(root, 'install --log-level debug');
    const user = harness({ isRoot: false });
    Object.assign(user.deps, { unitDir: root.unitDir, runner: root.systemd });
    fs.chmodSync(root.dropIn, 0o000);
    const err = await failure(user, 'config set log-level info');
    expect(`${err.message} — ${err.hint}`).toBe('config set needs root — run it with sudo');
    if (process.getuid?.() !== 0) {
      await run(user, 'config get log-level');
      expect(user.warnings[0]).toContain('is readable by root only');
    }
  });
});

describe('where the executable may be', () => {
  it('refuses a binary the sandbox hides from the service (under /home or /tmp), unless it runs as root', async () => {
    for (const [exePath, why] of [
      ['/home/alice/MySvc', 'under /home, which the unit hides from the service (ProtectHome=yes)'],
      ['/tmp/build/MySvc', 'under /tmp, which the unit hides from the service (PrivateTmp=yes)'],
    ] as const) {
      const h = harness();
      Object.assign(h.deps, { exePath });
      const err = await failure(h, 'install');
      expect([err.message, err.hint, err.exitCode]).toEqual([
        `the binary ${exePath} is ${why}, so systemd could not start it`,
        'copy it to a folder such as /opt/<name>/ or /usr/local/bin and run install from there',
        2,
      ]);
      expect(fs.readdirSync(h.unitDir)).toEqual([]);
    }
    const root = harness();
    Object.assign(root.deps, { exePath: '/root/MySvc' });
    expect(await run(root, { kind: 'install', input: { account: 'LocalSystem' }, runtime: {}, force: false })).toBe(0);
  });
});
