import { describe, it, expect } from 'vitest';
import { SERVICE_ARG, helpText, parseExeArgs, versionText } from '../../../runtime-shim/commands/command-line';
import { SETTING_FLAGS } from '../../../runtime-shim/settings/flags';
import type { ExeConfig } from '../../../runtime-shim/exe-config';
import { DEFAULT_LOGGING } from '../../../runtime-shim/settings/logging-settings';
import { defaultSettings } from '../../../runtime-shim/settings/service-settings';
import { DEFAULT_SUPERVISION } from '../../../runtime-shim/settings/supervision-settings';
import { DEFAULT_OPERATION } from '../../../runtime-shim/settings/operation-settings';

const cfg: ExeConfig = {
  name: 'MySvc',
  displayName: 'My Service',
  description: 'does things',
  version: '1.4.0',
  svcpackVersion: '0.1.0',
  stopTimeoutMs: 20_000,
  koffiSha256: 'ab'.repeat(32),
  settings: defaultSettings('MySvc', 'My Service'),
  logging: DEFAULT_LOGGING,
  supervision: DEFAULT_SUPERVISION,
  operation: DEFAULT_OPERATION,
};

describe('parseExeArgs', () => {
  it('no arguments, help, --help, -h and /? print help', () => {
    for (const args of [[], ['help'], ['--help'], ['-h'], ['/?']]) expect(parseExeArgs(args)).toEqual({ kind: 'help' });
  });

  it('recognises run, version and the service argument', () => {
    expect(parseExeArgs(['run'])).toEqual({ kind: 'run' });
    expect(parseExeArgs(['version'])).toEqual({ kind: 'version' });
    expect(parseExeArgs(['--version'])).toEqual({ kind: 'version' });
    expect(SERVICE_ARG).toBe('--service');
    expect(parseExeArgs(['--service'])).toEqual({ kind: 'service', args: [] });
    // What follows the service argument belongs to the app (install --arg puts it there).
    expect(parseExeArgs(['--service', '--port', '1'])).toEqual({ kind: 'service', args: ['--port', '1'] });
    expect(parseExeArgs(['--svcpack-supervised-child', 'x'])).toEqual({ kind: 'child', args: ['x'] });
  });

  it('unknown commands are usage errors naming the command', () => {
    const r = parseExeArgs(['frobnicate']);
    expect(r.kind).toBe('usage-error');
    expect(r.kind === 'usage-error' && r.message).toContain("'frobnicate'");
    expect(parseExeArgs(['RUN']).kind).toBe('usage-error');
    expect(parseExeArgs(['service']).kind).toBe('usage-error');
  });

  it('extra arguments are usage errors', () => {
    const r = parseExeArgs(['run', '--port', '80']);
    expect(r).toEqual({ kind: 'usage-error', message: expect.stringContaining("'--port 80'") });
    expect(parseExeArgs(['version', 'x']).kind).toBe('usage-error');
  });
});

describe('management commands', () => {
  it('install takes the settings flags, --force and --password-env, as --flag value or --flag=value', () => {
    expect(parseExeArgs(['install', '--start-type', 'manual', '--env=A=1', '--env', 'B=2', '--force', '--password-env', 'PW'])).toEqual({
      kind: 'install',
      input: { startType: 'manual', env: ['A=1', 'B=2'] },
      runtime: {},
      force: true,
      passwordEnv: 'PW',
    });
    expect(parseExeArgs(['install'])).toEqual({ kind: 'install', input: {}, runtime: {}, force: false });
    expect(parseExeArgs(['install', '--working-dir', 'C:\\apps\\My Svc'])).toEqual({ kind: 'install', input: { workingDir: 'C:\\apps\\My Svc' }, runtime: {}, force: false });
    expect(parseExeArgs(['install', '--working-dir=data', '--working-dir', 'exe'])).toEqual({ kind: 'install', input: { workingDir: 'exe' }, runtime: {}, force: false });
  });

  it('install also takes the runtime settings (logging, stop timeout, supervision, exit codes, hooks, alerts), each its last value', () => {
    expect(
      parseExeArgs(['install', '--log-level', 'warn', '--log-level=debug', '--stop-timeout', '45s', '--health-url', 'http://127.0.0.1:1/h', '--pre-start', 'cmd /c exit 0', '--success-exit-codes', '0,3']),
    ).toEqual({
      kind: 'install',
      input: {},
      runtime: { logLevel: 'debug', stopTimeout: '45s', healthUrl: 'http://127.0.0.1:1/h', preStart: 'cmd /c exit 0', successExitCodes: '0,3' },
      force: false,
    });
  });

  it('config get/set/reset/dump keep setting names and values as text', () => {
    expect(parseExeArgs(['config', 'get'])).toEqual({ kind: 'config', action: 'get', json: false });
    expect(parseExeArgs(['config', 'get', 'log-level', '--json'])).toEqual({ kind: 'config', action: 'get', name: 'log-level', json: true });
    expect(parseExeArgs(['config', 'set', 'env', 'A=1', 'B=2'])).toEqual({ kind: 'config', action: 'set', name: 'env', values: ['A=1', 'B=2'] });
    expect(parseExeArgs(['config', 'reset', 'log-level', 'stop-timeout'])).toEqual({ kind: 'config', action: 'reset', names: ['log-level', 'stop-timeout'] });
    expect(parseExeArgs(['config', 'dump'])).toEqual({ kind: 'config', action: 'dump' });
    for (const bad of [['config'], ['config', 'set', 'log-level'], ['config', 'reset'], ['config', 'dump', 'x'], ['config', 'get', 'a', 'b'], ['config', 'frob']]) {
      expect(parseExeArgs(bad).kind, bad.join(' ')).toBe('usage-error');
    }
  });

  it('uninstall, start, stop, restart and status take their own options', () => {
    expect(parseExeArgs(['uninstall', '--purge'])).toEqual({ kind: 'uninstall', purge: true });
    expect(parseExeArgs(['stop', '--timeout', '45s'])).toEqual({ kind: 'stop', timeoutMs: 45_000 });
    expect(parseExeArgs(['restart'])).toEqual({ kind: 'restart' });
    expect(parseExeArgs(['start', '--timeout=2m'])).toEqual({ kind: 'start', timeoutMs: 120_000 });
    expect(parseExeArgs(['status', '--json'])).toEqual({ kind: 'status', json: true });
  });

  it('bad options are usage errors naming the option and the command', () => {
    expect(parseExeArgs(['install', '--frob'])).toEqual({ kind: 'usage-error', message: "unknown option '--frob' for 'install'" });
    expect(parseExeArgs(['status', '--start-type', 'auto'])).toEqual({ kind: 'usage-error', message: "unknown option '--start-type' for 'status'" });
    expect(parseExeArgs(['install', '--account'])).toEqual({ kind: 'usage-error', message: "option '--account' needs a value" });
    expect(parseExeArgs(['start', '--timeout', 'soon']).kind).toBe('usage-error');
    expect(parseExeArgs(['stop', 'now'])).toEqual({ kind: 'usage-error', message: "unexpected argument 'now' for 'stop'" });
    expect(parseExeArgs(['uninstall', '--purge=yes'])).toEqual({ kind: 'usage-error', message: "option '--purge' takes no value" });
  });
});

describe('logs', () => {
  it('takes --lines, --since (a duration or a date/time) and --follow', () => {
    expect(parseExeArgs(['logs'])).toEqual({ kind: 'logs', follow: false });
    expect(parseExeArgs(['logs', '--lines', '200', '--follow'])).toEqual({ kind: 'logs', lines: 200, follow: true });
    expect(parseExeArgs(['logs', '--lines=0'])).toEqual({ kind: 'logs', lines: 0, follow: false });
    expect(parseExeArgs(['logs', '--since', '10m'])).toEqual({ kind: 'logs', since: { agoMs: 600_000 }, follow: false });
    expect(parseExeArgs(['logs', '--since=2026-12-01T14:30:00Z', '--lines', '5'])).toEqual({
      kind: 'logs',
      lines: 5,
      since: { atMs: Date.parse('2026-12-01T14:30:00Z') },
      follow: false,
    });
  });

  it('bad values are usage errors saying what is expected', () => {
    for (const lines of ['-1', 'ten', '1.5', '', '99999999999999999999']) {
      expect(parseExeArgs(['logs', '--lines', lines])).toEqual({ kind: 'usage-error', message: `--lines "${lines}" is not a number of records (0 or more)` });
    }
    for (const since of ['yesterday', '2026-13-01', '10 min']) {
      expect(parseExeArgs(['logs', '--since', since])).toEqual({
        kind: 'usage-error',
        message: `--since "${since}" is not a time: write a duration back from now (10m, 2h, 1d) or a date/time (2026-12-01, 2026-12-01T14:30, 2026-12-01T14:30:00Z)`,
      });
    }
    expect(parseExeArgs(['logs', '--lines'])).toEqual({ kind: 'usage-error', message: "option '--lines' needs a value" });
    expect(parseExeArgs(['logs', '--follow=yes'])).toEqual({ kind: 'usage-error', message: "option '--follow' takes no value" });
    expect(parseExeArgs(['logs', '--tail', '5'])).toEqual({ kind: 'usage-error', message: "unknown option '--tail' for 'logs'" });
    expect(parseExeArgs(['logs', 'app'])).toEqual({ kind: 'usage-error', message: "unexpected argument 'app' for 'logs'" });
  });
});

describe('helpText', () => {
  const text = helpText(cfg);
  it('names the commands and the service argument', () => {
    expect(text).toMatch(/^\s+run\s/m);
    expect(text).toMatch(/^\s+version\s/m);
    expect(text).toMatch(/^\s+help\s/m);
    expect(text).toContain('"MySvc.exe" --service');
    expect(text).toContain('Usage: MySvc.exe <command>');
  });
  it('starts with display name, version and description', () => {
    expect(text.split('\n')[0]).toBe('My Service 1.4.0 — does things');
    expect(helpText({ ...cfg, description: '' }).split('\n')[0]).toBe('My Service 1.4.0');
  });
  it('lists the management commands and every install settings flag', () => {
    for (const command of ['install', 'uninstall', 'start | stop | restart', 'status', 'logs']) expect(text).toMatch(new RegExp(`^  ${command.replace(/\|/g, '\\|')} `, 'm'));
    for (const flag of SETTING_FLAGS) expect(text).toContain(`    ${flag.flag} <${flag.valueName}>`);
    expect(text).toContain('--force');
    expect(text).toContain('--purge');
    expect(text).toMatch(/^ {2}logs .*\n {4}--lines <N> .*\n {4}--since <time> .*\n {4}--follow /m);
    // Every command that takes --timeout says so under it (uninstall's was missing).
    expect(text).toMatch(/--purge .*\n {4}--timeout <duration> /);
    expect(text).toContain('start type auto, account NT SERVICE\\MySvc, working folder exe');
    expect(text).toMatch(/^ {4}--working-dir <dir> +folder the app starts in: exe \(the executable's folder\), data \(the data folder\) or an absolute path \(D:\\apps\\MySvc, \/srv\/my-svc\)$/m);
    expect(text).toMatch(/^ {2}run .*\(in working folder exe\)/m);
  });
});

describe('versionText', () => {
  it('is "<name> <version> (svcpack <v>, Node.js <v>)" and one line', () => {
    expect(versionText(cfg, 'v22.22.2')).toBe('MySvc 1.4.0 (svcpack 0.1.0, Node.js v22.22.2)\n');
  });
});

describe('parseExeArgs: controls for the running service', () => {
  it('reload and rotate take no arguments', () => {
    expect(parseExeArgs(['reload'])).toEqual({ kind: 'reload' });
    expect(parseExeArgs(['rotate'])).toEqual({ kind: 'rotate' });
    expect(parseExeArgs(['reload', 'now'])).toEqual({ kind: 'usage-error', message: "unexpected argument 'now' for 'reload'" });
    expect(parseExeArgs(['rotate', '--force'])).toEqual({ kind: 'usage-error', message: "unknown option '--force' for 'rotate'" });
  });

  it('pause and continue take --timeout', () => {
    expect(parseExeArgs(['pause'])).toEqual({ kind: 'pause' });
    expect(parseExeArgs(['continue', '--timeout', '5s'])).toEqual({ kind: 'continue', timeoutMs: 5_000 });
    expect(parseExeArgs(['pause', '--timeout=soon'])).toMatchObject({ kind: 'usage-error' });
  });

  it('control takes one code from 128 to 255; anything else is a usage error', () => {
    expect(parseExeArgs(['control', '200'])).toEqual({ kind: 'control', code: 200 });
    expect(parseExeArgs(['control', '128'])).toEqual({ kind: 'control', code: 128 });
    expect(parseExeArgs(['control', '255'])).toEqual({ kind: 'control', code: 255 });
    const range = "a control code is 128-255 (128 rotates the log; 129-255 reach the app's service.onControl)";
    for (const bad of ['127', '256', '300', '0x80', '1e2', '-1', '', 'abc']) {
      expect(parseExeArgs(['control', bad])).toEqual({ kind: 'usage-error', message: `'${bad}' is not a control code: ${range}` });
    }
    expect(parseExeArgs(['control'])).toEqual({ kind: 'usage-error', message: `'control' takes one code (${range})` });
    expect(parseExeArgs(['control', '200', '201'])).toEqual({ kind: 'usage-error', message: `'control' takes one code (${range})` });
  });

  it('help lists them', () => {
    for (const line of [/^ {2}reload {2,}/m, /^ {2}rotate {2,}.*control code 128/m, /^ {2}pause \| continue {2,}/m, /^ {2}control <code> {2,}send control code 129-255 .*\(128 = rotate\)/m]) {
      expect(helpText(cfg)).toMatch(line);
    }
  });
});
