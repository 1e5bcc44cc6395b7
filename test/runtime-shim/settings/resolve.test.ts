import { describe, it, expect } from 'vitest';
import { settingsInputFromFlags } from '../../../runtime-shim/settings/flags';
import {
  formatDuration,
  MAX_DWORD,
  parseDuration,
  resolveSettings,
  SettingError,
  settingsToFlagPairs,
  settingsToFlags,
  type SettingsInput,
} from '../../../runtime-shim/settings/resolve';
import {
  defaultSettings,
  RECOVERY_ACTION_TYPES,
  SID_TYPES,
  START_TYPES,
  type Recovery,
  type ServiceSettings,
} from '../../../runtime-shim/settings/service-settings';
import { thrown } from '../../support/thrown';

const base = defaultSettings('MySvc', 'My Service', 'Does things');

const settingError = (input: SettingsInput, from: ServiceSettings = base): SettingError => thrown(SettingError, () => resolveSettings(input, from));

describe('durations', () => {
  it('parseDuration reads ms, s, m, h, d and bare integers (ms)', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('30S')).toBe(30_000);
  });

  it('parseDuration refuses anything else', () => {
    for (const text of ['', '1.5s', '-1', '1w', ' 1s', '1s ', 's', '1 s', '99999999999999999999d']) expect(parseDuration(text), text).toBeNull();
  });

  it('formatDuration uses the largest exact unit', () => {
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(1500)).toBe('1500ms');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(180_000)).toBe('3m');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(0)).toBe('0s');
    for (const ms of [0, 1, 999, 1000, 61_000, 86_400_000 * 3, MAX_DWORD]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});

describe('resolveSettings', () => {
  it('with no input returns a copy of base that shares nothing with it', () => {
    const withLists: ServiceSettings = { ...base, dependencies: ['A'], env: { K: 'V' }, args: ['x'] };
    const r = resolveSettings({}, withLists);
    expect(r).toEqual(withLists);
    expect(r.dependencies).not.toBe(withLists.dependencies);
    expect(r.env).not.toBe(withLists.env);
    expect(r.args).not.toBe(withLists.args);
    expect(r.recovery.actions).not.toBe(withLists.recovery.actions);
    expect(r.recovery.actions[0]).not.toBe(withLists.recovery.actions[0]);
  });

  it('applies every given key and keeps the others; undefined means not given', () => {
    const r = resolveSettings(
      {
        startType: 'Delayed-Auto',
        displayName: 'Shown',
        description: '',
        account: 'NetworkService',
        dependencies: ' Tcpip , +NetworkProvider ',
        recovery: 'restart/1s, run/1m, reboot, none/0',
        recoveryReset: '2h',
        recoveryCommand: 'C:\\tools\\notify.exe --svc MySvc',
        recoveryOnNonCrash: 'no',
        preshutdownTimeout: 60_000,
        sidType: 'restricted',
        env: ['PORT=8080', 'EMPTY=', 'EQ=a=b'],
        args: ['--port', '80'],
        workingDir: 'Data',
        allowControl: 'Users,S-1-5-32-547',
      },
      base,
    );
    expect(r).toEqual({
      startType: 'delayed-auto',
      displayName: 'Shown',
      description: '',
      account: 'NetworkService',
      dependencies: ['Tcpip', '+NetworkProvider'],
      recovery: {
        actions: [
          { action: 'restart', delayMs: 1000 },
          { action: 'run', delayMs: 60_000 },
          { action: 'reboot', delayMs: 0 },
          { action: 'none', delayMs: 0 },
        ],
        resetAfterMs: 7_200_000,
        command: 'C:\\tools\\notify.exe --svc MySvc',
        onNonCrashFailures: false,
      },
      preshutdownTimeoutMs: 60_000,
      sidType: 'restricted',
      env: { PORT: '8080', EMPTY: '', EQ: 'a=b' },
      args: ['--port', '80'],
      workingDir: 'data',
      allowControl: ['Users', 'S-1-5-32-547'],
    });
    expect(resolveSettings({ startType: undefined, account: undefined }, base)).toEqual(base);
  });

  it('env, dependencies and args replace the whole value; env also takes a record', () => {
    const from: ServiceSettings = { ...base, dependencies: ['A', 'B'], env: { A: '1', B: '2' }, args: ['a'] };
    const r = resolveSettings({ env: { C: '3' }, dependencies: ['C'], args: ['c'] }, from);
    expect(r.env).toEqual({ C: '3' });
    expect(r.dependencies).toEqual(['C']);
    expect(r.args).toEqual(['c']);
    expect(resolveSettings({ dependencies: '' }, from).dependencies).toEqual([]);
    expect(resolveSettings({ env: [] }, from).env).toEqual({});
  });

  it('recovery none means no actions; recoveryOnNonCrash takes booleans and true/false/yes/no', () => {
    expect(resolveSettings({ recovery: 'none' }, base).recovery.actions).toEqual([]);
    expect(resolveSettings({ recovery: 'NONE' }, base).recovery.actions).toEqual([]);
    expect(resolveSettings({ recovery: 'none/5s' }, base).recovery.actions).toEqual([{ action: 'none', delayMs: 5000 }]);
    for (const [value, expected] of [[true, true], [false, false], ['TRUE', true], ['yes', true], ['false', false], ['No', false]] as const) {
      expect(resolveSettings({ recoveryOnNonCrash: value }, base).recovery.onNonCrashFailures).toBe(expected);
    }
  });

  it('run actions need a command, given now or already in the base; an empty command removes it', () => {
    expect(resolveSettings({ recovery: 'run/1s', recoveryCommand: 'notify.cmd' }, base).recovery.command).toBe('notify.cmd');
    const withCommand = resolveSettings({ recoveryCommand: 'notify.cmd' }, base);
    expect(resolveSettings({ recovery: 'run/1s' }, withCommand).recovery.command).toBe('notify.cmd');
    expect(resolveSettings({ recoveryCommand: '' }, withCommand).recovery).not.toHaveProperty('command');

    const missing = settingError({ recovery: 'restart/1s,run/10s' });
    expect(missing.setting).toBe('recovery');
    expect(missing.message).toBe('a run recovery action needs a command, and there is none');
    expect(missing.hint).toContain('--recovery-command');
    const withRun = resolveSettings({ recovery: 'run/1s', recoveryCommand: 'x' }, base);
    expect(settingError({ recoveryCommand: '' }, withRun).setting).toBe('recoveryCommand');
  });

  it('durations are numbers of ms or duration strings, within DWORD limits; the reset period is whole seconds', () => {
    expect(resolveSettings({ preshutdownTimeout: '5m', recoveryReset: 3_600_000 }, base)).toMatchObject({
      preshutdownTimeoutMs: 300_000,
      recovery: { resetAfterMs: 3_600_000 },
    });
    expect(resolveSettings({ preshutdownTimeout: MAX_DWORD }, base).preshutdownTimeoutMs).toBe(MAX_DWORD);
    expect(resolveSettings({ recoveryReset: `${MAX_DWORD}s` }, base).recovery.resetAfterMs).toBe(MAX_DWORD * 1000);

    const tooLong = settingError({ preshutdownTimeout: MAX_DWORD + 1 });
    expect(tooLong).toMatchObject({ setting: 'preshutdownTimeout', message: 'the preshutdown timeout 4294967296ms is too long', hint: 'use at most 4294967295ms' });
    expect(settingError({ preshutdownTimeout: 'soon' })).toMatchObject({ setting: 'preshutdownTimeout', message: 'the preshutdown timeout "soon" is not a duration' });
    expect(settingError({ preshutdownTimeout: -1 }).message).toBe('the preshutdown timeout -1 is not a duration');
    expect(settingError({ preshutdownTimeout: 1.5 }).setting).toBe('preshutdownTimeout');
    expect(settingError({ recoveryReset: '1500ms' })).toMatchObject({ setting: 'recoveryReset', message: 'the recovery reset period 1500ms is not a whole number of seconds' });
    expect(settingError({ recoveryReset: `${MAX_DWORD + 1}s` }).message).toMatch(/too long/);
    expect(settingError({ recovery: `restart/${MAX_DWORD + 1}` })).toMatchObject({ setting: 'recovery', message: 'the delay of recovery action "restart/4294967296" is too long' });
  });

  it('refuses bad values with the setting, the value and the allowed ones', () => {
    expect(settingError({ startType: 'automatic' })).toMatchObject({
      setting: 'startType',
      message: '"automatic" is not a start type',
      hint: `use ${START_TYPES.slice(0, -1).join(', ')} or disabled`,
    });
    expect(settingError({ sidType: 'full' })).toMatchObject({ setting: 'sidType', message: '"full" is not a SID type', hint: `use ${SID_TYPES.slice(0, -1).join(', ')} or restricted` });
    expect(settingError({ recoveryOnNonCrash: 'maybe' })).toMatchObject({
      setting: 'recoveryOnNonCrash',
      message: '"maybe" is not true or false for recovery on non-crash failures',
      hint: 'use true, false, yes or no',
    });
    expect(settingError({ account: 'LocalSytem' })).toMatchObject({ setting: 'account', hint: expect.stringContaining('NT SERVICE\\<Name>') });
    expect(settingError({ account: '' }).message).toBe('the account is empty');
  });

  it('recovery must be type/delay actions or none', () => {
    for (const bad of ['', 'restart/1s,', 'retry/1s', 'restart/soon', 'restart/1s/2s', 'restart 1s']) {
      const e = settingError({ recovery: bad });
      expect(e.setting, bad).toBe('recovery');
      expect(e.hint).toContain('restart/1s');
    }
    expect(settingError({ recovery: 'restart/1s,retry/5s' }).message).toBe(`recovery action "retry/5s" is not one of ${RECOVERY_ACTION_TYPES.slice(0, -1).join(', ')} or none with a delay`);
  });

  it('display name 1-256 characters, description at most 1024, both on one line', () => {
    expect(resolveSettings({ displayName: 'x'.repeat(256), description: 'y'.repeat(1024) }, base).displayName).toHaveLength(256);
    expect(settingError({ displayName: '' })).toMatchObject({ setting: 'displayName', message: 'the display name is empty' });
    expect(settingError({ displayName: 'x'.repeat(257) }).message).toBe('the display name is 257 characters long');
    expect(settingError({ displayName: 'a\tb' }).message).toBe('display name "a\\x09b" contains a control character');
    expect(settingError({ description: 'y'.repeat(1025) })).toMatchObject({ setting: 'description', message: 'the description is 1025 characters long' });
    expect(settingError({ description: 'line1\nline2' }).message).toContain('control character');
  });

  it('dependencies: names, +groups, no / \\ , or duplicates', () => {
    expect(resolveSettings({ dependencies: ['Tcpip', '+Group', 'tcpip2'] }, base).dependencies).toEqual(['Tcpip', '+Group', 'tcpip2']);
    expect(settingError({ dependencies: 'A,,B' })).toMatchObject({ setting: 'dependencies', message: 'dependency "" has no name' });
    expect(settingError({ dependencies: ['+'] }).message).toBe('dependency "+" has no name');
    expect(settingError({ dependencies: ['a/b'] }).message).toMatch(/contains/);
    expect(settingError({ dependencies: ['+a\\b'] }).message).toMatch(/contains/);
    expect(settingError({ dependencies: ['a,b'] }).message).toMatch(/contains/);
    expect(settingError({ dependencies: 'Tcpip,TCPIP' })).toMatchObject({ message: 'dependency "TCPIP" is listed twice', hint: 'list each service or group once' });
  });

  it('env: KEY=value entries with valid, distinct names and no NUL', () => {
    expect(settingError({ env: ['NOEQUALS'] })).toMatchObject({ setting: 'env', message: 'environment entry "NOEQUALS" has no =' });
    expect(settingError({ env: ['=x'] }).message).toBe('environment variable name "" is not valid');
    expect(settingError({ env: [' A=x'] }).message).toBe('environment variable name " A" is not valid');
    expect(settingError({ env: { 'A=B': 'x' } }).message).toBe('environment variable name "A=B" is not valid');
    expect(settingError({ env: { 'A\0': 'x' } }).message).toBe('environment variable name "A\\x00" is not valid');
    expect(settingError({ env: ['A=x\0y'] }).message).toBe('the value of environment variable "A" contains a NUL character');
    expect(settingError({ env: ['Path=a', 'PATH=b'] }).message).toBe('environment variable "PATH" is given twice');
  });

  it('args: no empty argument, no NUL', () => {
    expect(settingError({ args: ['a', ''] })).toMatchObject({ setting: 'args', message: 'a service argument is empty' });
    expect(settingError({ args: ['a\0b'] }).message).toBe('service argument "a\\x00b" contains a NUL character');
  });

  it("workingDir: exe (the default) or data in any case, or an absolute Windows or POSIX path, kept as written", () => {
    expect(base.workingDir).toBe('exe');
    expect(resolveSettings({ workingDir: 'DATA' }, base).workingDir).toBe('data');
    expect(resolveSettings({ workingDir: 'Exe' }, { ...base, workingDir: 'data' }).workingDir).toBe('exe');
    for (const path of ['D:\\apps\\My Svc', 'c:\\', 'C:/apps/svc', '\\\\server\\share', '\\\\server\\share\\app dir\\', 'E:\\é 日\\x.y']) {
      expect(resolveSettings({ workingDir: path }, base).workingDir, path).toBe(path);
    }
    expect(resolveSettings({}, { ...base, workingDir: 'D:\\x' }).workingDir).toBe('D:\\x');
    // One build may make the Linux binary too: its paths are accepted here, refused where a Windows exe uses them.
    for (const path of ['/srv/my-svc', '/', '/opt/a b/c:d?*', '/var/lib/é']) {
      expect(resolveSettings({ workingDir: path }, base).workingDir, path).toBe(path);
    }
  });

  it('workingDir: refuses relative, drive-relative and malformed paths with one line naming the setting', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /^the working folder is empty$/],
      ['   ', /^the working folder is empty$/],
      ['app', /^working folder "app" is neither exe, data nor an absolute path$/],
      ['.\\app', /is neither exe, data nor an absolute path/],
      ['C:', /is neither exe, data nor an absolute path/],
      ['C:app', /is neither exe, data nor an absolute path/],
      ['\\\\server', /is neither exe, data nor an absolute path/],
      ['\\apps', /is neither exe, data nor an absolute path/],
      ['/srv/line\nbreak', /^working folder "\/srv\/line\\x0abreak" contains a control character$/],
      ['%ProgramData%\\MySvc', /is neither exe, data nor an absolute path/],
      ['data folder', /is neither exe, data nor an absolute path/],
      ['C:\\a|b', /contains < > : " \| \? \* or a control character/],
      ['C:\\a\\b:c', /contains < > : "/],
      ['C:\\what?', /contains/],
      ['C:\\line\nbreak', /contains/],
    ];
    for (const [value, message] of cases) {
      const err = settingError({ workingDir: value });
      expect(err.setting, value).toBe('workingDir');
      expect(err.message, value).toMatch(message);
      expect(err.hint, value).toMatch(/^[^\n]+$/);
    }
    expect(settingError({ workingDir: 'app' }).hint).toBe(
      "write exe (the executable's folder, the default), data (the service's data folder) or an absolute path such as D:\\apps\\MySvc or /srv/my-svc",
    );
  });

  it('allowControl: a comma-separated string or a list, none or empty for no one; errors name the setting', () => {
    expect(base.allowControl).toEqual([]);
    expect(resolveSettings({ allowControl: ' Users , CORP\\Help Desk ' }, base).allowControl).toEqual(['Users', 'CORP\\Help Desk']);
    expect(resolveSettings({ allowControl: ['S-1-5-32-545'] }, base).allowControl).toEqual(['S-1-5-32-545']);
    const from: ServiceSettings = { ...base, allowControl: ['Users'] };
    expect(resolveSettings({}, from).allowControl).toEqual(['Users']);
    for (const none of ['', 'none', 'NONE', ' none ']) expect(resolveSettings({ allowControl: none }, from).allowControl, none).toEqual([]);
    expect(resolveSettings({ allowControl: [] }, from).allowControl).toEqual([]);
    expect(settingError({ allowControl: 'Users,users' })).toMatchObject({
      setting: 'allowControl',
      message: 'account or group "users" is listed twice',
      hint: 'list each account or group once',
    });
    expect(settingError({ allowControl: 'Us:ers' })).toMatchObject({ setting: 'allowControl', hint: expect.stringMatching(/^list accounts or groups separated by commas/) });
  });

  it('does not modify base', () => {
    const from = defaultSettings('X');
    const copy = structuredClone(from);
    resolveSettings({ recovery: 'none', recoveryCommand: 'x', env: ['A=1'], dependencies: 'A', args: ['a'] }, from);
    expect(from).toEqual(copy);
  });
});

describe('settingsToFlags', () => {
  it('writes every setting explicitly, in flag order', () => {
    const s = resolveSettings({ dependencies: 'A,+G', env: ['K=V', 'K2=V2'], args: ['x'], allowControl: 'Users, CORP\\Ops' }, defaultSettings('X', 'X', 'Does X'));
    expect(settingsToFlags(s)).toEqual([
      '--start-type', 'auto',
      '--display-name', 'X',
      '--description', 'Does X',
      '--account', 'NT SERVICE\\X',
      '--dependencies', 'A,+G',
      '--recovery', 'restart/1s,restart/5s,restart/30s',
      '--recovery-reset', '1d',
      '--recovery-on-non-crash', 'true',
      '--preshutdown-timeout', '3m',
      '--sid-type', 'unrestricted',
      '--env', 'K=V',
      '--env', 'K2=V2',
      '--arg', 'x',
      '--working-dir', 'exe',
      '--allow-control', 'Users,CORP\\Ops',
    ]);
  });

  it('omits an empty description, dependencies, env, args, allow-control and recovery command; no actions is none', () => {
    const s = resolveSettings({ recovery: 'none' }, defaultSettings('X'));
    const flags = settingsToFlags(s);
    for (const flag of ['--description', '--dependencies', '--env', '--arg', '--recovery-command', '--allow-control']) expect(flags).not.toContain(flag);
    expect(flags.slice(flags.indexOf('--recovery'), flags.indexOf('--recovery') + 2)).toEqual(['--recovery', 'none']);
    const withCommand = resolveSettings({ recovery: 'run/10s', recoveryCommand: 'notify.cmd' }, s);
    expect(settingsToFlagPairs(withCommand)).toContainEqual(['--recovery-command', 'notify.cmd']);
    expect(settingsToFlagPairs(withCommand)).toContainEqual(['--recovery', 'run/10s']);
  });
});

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSettings(next: () => number): ServiceSettings {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const text = (min: number, max: number) =>
    Array.from({ length: min + Math.floor(next() * (max - min + 1)) }, () => pick([...'aZ9 %^&|<>!\'=,/\\é日+$@-'])).join('');
  const list = <T>(max: number, make: () => T): T[] => Array.from({ length: Math.floor(next() * (max + 1)) }, make);
  const duration = (maxUnits: number) => Math.min(MAX_DWORD, Math.floor(next() * maxUnits) * pick([1, 1000, 60_000, 3_600_000, 86_400_000]));
  const actions = list(4, () => ({ action: pick(RECOVERY_ACTION_TYPES), delayMs: duration(40) }));
  const hasRun = actions.some((a) => a.action === 'run');
  const envNames = [...new Set(list(3, () => pick(['PORT', 'DATA_DIR', 'Path', 'X1', 'é'])).map((n) => n.toUpperCase()))];
  return {
    startType: pick(START_TYPES),
    displayName: text(1, 30),
    description: pick(['', text(0, 50)]),
    account: pick(['LocalSystem', 'NT AUTHORITY\\LocalService', 'NetworkService', 'NT SERVICE\\MySvc', 'CORP\\svc', '.\\me', 'svc@corp.example', 'CORP\\gmsa$']),
    dependencies: [...new Set(list(3, () => pick(['Tcpip', '+NetworkProvider', 'Dnscache', 'my svc'])))],
    recovery: {
      actions,
      resetAfterMs: Math.floor(next() * 1e6) * 1000,
      ...(hasRun || next() < 0.3 ? { command: `${text(1, 20)} C:\\tools\\` } : {}),
      onNonCrashFailures: next() < 0.5,
    },
    preshutdownTimeoutMs: duration(100),
    sidType: pick(SID_TYPES),
    env: Object.fromEntries(envNames.map((n) => [n, pick(['', 'C:\\My Data\\', 'a=b', text(0, 10)])])),
    args: list(3, () => text(1, 10)),
    workingDir: pick(['exe', 'data', 'D:\\apps\\My Svc', '\\\\server\\share\\app', 'C:/x/', 'C:\\Program Files\\é 日']),
    allowControl: [...new Set(list(3, () => pick(['Users', 'BUILTIN\\Users', 'NT AUTHORITY\\Authenticated Users', 'CORP\\Help Desk', '.\\me', 'me@corp.example', 'S-1-5-32-545', 'Grüße'])))],
  };
}

const withoutCommand = ({ command, ...rest }: Recovery): Recovery => rest;

/** The flags as a tokenizer would hand them over: flag → values in order. */
function flagValues(flags: string[]): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (let i = 0; i < flags.length; i += 2) values.set(flags[i]!, [...(values.get(flags[i]!) ?? []), flags[i + 1]!]);
  return values;
}

describe('round trip: settingsToFlags → settingsInputFromFlags → resolveSettings', () => {
  it('gives the settings back against themselves, the defaults of another service, and random bases', () => {
    const next = random(20261122);
    for (let n = 0; n < 500; n++) {
      const s = randomSettings(next);
      const input = settingsInputFromFlags(flagValues(settingsToFlags(s)));
      // Settings left empty in s are omitted from the flags, so the base must have them empty too.
      const other = randomSettings(next);
      const emptiedLike = (b: ServiceSettings): ServiceSettings => ({
        ...b,
        description: s.description === '' ? '' : b.description,
        dependencies: s.dependencies.length === 0 ? [] : b.dependencies,
        env: Object.keys(s.env).length === 0 ? {} : b.env,
        args: s.args.length === 0 ? [] : b.args,
        allowControl: s.allowControl.length === 0 ? [] : b.allowControl,
        recovery: s.recovery.command === undefined ? withoutCommand(b.recovery) : b.recovery,
      });
      for (const from of [s, defaultSettings('Other', 'Other'), emptiedLike(other)]) {
        expect(resolveSettings(input, from), JSON.stringify({ s, from })).toEqual(s);
      }
    }
  });
});
