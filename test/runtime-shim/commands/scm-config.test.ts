import { describe, it, expect } from 'vitest';
import {
  allConfig2,
  argsTail,
  argsText,
  binaryPath,
  createParams,
  environmentEntries,
  imagePathExe,
  quoteArg,
  recoveryActionName,
  sidTypeName,
  startTypeCode,
  startTypeName,
} from '../../../runtime-shim/commands/scm-config';
import { dataDirFor, dataDirGrantee, dataDirSddl, programData } from '../../../runtime-shim/commands/data-dir';
import { defaultSettings, type ServiceSettings } from '../../../runtime-shim/settings/service-settings';

const settings = (patch: Partial<ServiceSettings> = {}): ServiceSettings => ({ ...defaultSettings('MySvc', 'My Service', 'does things'), ...patch });

describe('command line', () => {
  it('always quotes the exe path, then the service argument and the quoted app args', () => {
    expect(binaryPath('C:\\Program Files\\My Svc\\MySvc.exe', '--service', '')).toBe('"C:\\Program Files\\My Svc\\MySvc.exe" --service');
    expect(binaryPath('C:\\svc\\MySvc.exe', '--service', '')).toBe('"C:\\svc\\MySvc.exe" --service');
    expect(binaryPath('C:\\svc\\MySvc.exe', '--service', argsText(['--port', '8080', 'two words']))).toBe(
      '"C:\\svc\\MySvc.exe" --service --port 8080 "two words"',
    );
  });

  it('quotes args the way CommandLineToArgvW reads them back', () => {
    expect(quoteArg('plain')).toBe('plain');
    expect(quoteArg('')).toBe('""');
    expect(quoteArg('a b')).toBe('"a b"');
    expect(quoteArg('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteArg('C:\\dir with space\\')).toBe('"C:\\dir with space\\\\"');
    expect(quoteArg('a\\"b')).toBe('"a\\\\\\"b"');
  });

  it('reads the exe and the args back from a registered command line', () => {
    expect(imagePathExe('"C:\\Program Files\\x\\MySvc.exe" --service')).toBe('C:\\Program Files\\x\\MySvc.exe');
    expect(imagePathExe('C:\\svc\\MySvc.exe --service')).toBe('C:\\svc\\MySvc.exe');
    expect(argsTail('"C:\\a b\\MySvc.exe" --service --port 1 "x y"', '--service')).toBe('--port 1 "x y"');
    expect(argsTail('"C:\\a b\\MySvc.exe" --service', '--service')).toBe('');
    expect(argsTail('C:\\svc\\other.exe -k netsvcs', '--service')).toBe('-k netsvcs');
  });
});

describe('CreateServiceW parameters', () => {
  it('maps start types, the account and dependencies (groups keep their +)', () => {
    expect(startTypeCode('auto')).toBe(2);
    expect(startTypeCode('delayed-auto')).toBe(2);
    expect(startTypeCode('manual')).toBe(3);
    expect(startTypeCode('disabled')).toBe(4);
    expect(startTypeName(2, true)).toBe('delayed-auto');
    expect(startTypeName(2, false)).toBe('auto');
    expect(startTypeName(3, false)).toBe('manual');

    const p = createParams('MySvc', settings({ dependencies: ['Tcpip', '+NetworkProvider'] }), '"C:\\x\\MySvc.exe" --service', null);
    expect(p).toEqual({
      name: 'MySvc',
      displayName: 'My Service',
      startType: 2,
      binaryPath: '"C:\\x\\MySvc.exe" --service',
      dependencies: ['Tcpip', '+NetworkProvider'],
      account: 'NT SERVICE\\MySvc',
      password: null,
    });
    expect(createParams('MySvc', settings({ account: 'LocalSystem' }), 'x', null).account).toBeNull();
    expect(createParams('MySvc', settings({ account: 'LocalService' }), 'x', null).account).toBe('NT AUTHORITY\\LocalService');
  });
});

describe('ChangeServiceConfig2W structures', () => {
  it('a fresh install sets description, failure actions and flag, delayed start, SID type, preshutdown', () => {
    const infos = allConfig2(settings({ startType: 'delayed-auto', preshutdownTimeoutMs: 60_000 }));
    expect(infos).toEqual([
      { level: 'description', description: 'does things' },
      {
        level: 'failure-actions',
        resetPeriodSec: 86_400,
        command: '',
        actions: [
          { type: 1, delayMs: 1_000 },
          { type: 1, delayMs: 5_000 },
          { type: 1, delayMs: 30_000 },
        ],
      },
      { level: 'failure-actions-flag', onNonCrashFailures: true },
      { level: 'delayed-auto-start', delayed: true },
      { level: 'sid-type', sidType: 1 },
      { level: 'preshutdown', timeoutMs: 60_000 },
    ]);
  });

  it('maps run and reboot actions and the command', () => {
    const [, failure] = allConfig2(
      settings({
        recovery: {
          actions: [
            { action: 'run', delayMs: 0 },
            { action: 'reboot', delayMs: 60_000 },
            { action: 'none', delayMs: 0 },
          ],
          resetAfterMs: 3_600_000,
          command: 'C:\\tools\\notify.cmd',
          onNonCrashFailures: false,
        },
        sidType: 'restricted',
      }),
    );
    expect(failure).toEqual({
      level: 'failure-actions',
      resetPeriodSec: 3600,
      command: 'C:\\tools\\notify.cmd',
      actions: [
        { type: 3, delayMs: 0 },
        { type: 2, delayMs: 60_000 },
        { type: 0, delayMs: 0 },
      ],
    });
  });

  it('reads SID types and recovery action types back (an unknown code reads as none)', () => {
    expect([0, 1, 2, 3].map((code) => sidTypeName(code))).toEqual(['none', 'unrestricted', 'none', 'restricted']);
    expect([0, 1, 2, 3, 9].map((code) => recoveryActionName(code))).toEqual(['none', 'restart', 'reboot', 'run', 'none']);
  });

  it('writes the environment as sorted KEY=value entries', () => {
    expect(environmentEntries({ PORT: '8080', A_MODE: 'x=y' })).toEqual(['A_MODE=x=y', 'PORT=8080']);
  });
});

describe('data folder', () => {
  it('lives under ProgramData, from the known-folder API first, else the environment', () => {
    expect(dataDirFor('MySvc', 'D:\\PD\\')).toBe('D:\\PD\\MySvc');
    expect(programData(() => 'C:\\ProgramData', { ProgramData: 'C:\\users\\Public' })).toBe('C:\\ProgramData');
    const broken = () => {
      throw new Error('no shell32');
    };
    expect(programData(broken, { ProgramData: 'D:\\PD' })).toBe('D:\\PD');
    expect(programData(null, { SystemDrive: 'E:' })).toBe('E:\\ProgramData');
    expect(programData(null, {})).toBe('C:\\ProgramData');
  });

  it('grants SYSTEM, Administrators and the service SID only, nothing inherited', () => {
    const sid = dataDirGrantee('MySvc', settings(), () => 'unused');
    expect(sid).toMatch(/^S-1-5-80-\d+-\d+-\d+-\d+-\d+$/);
    expect(dataDirSddl(sid)).toBe(`D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;${sid})`);
    expect(dataDirSddl(null)).toBe('D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)');
  });

  it('without a service SID grants the account itself', () => {
    expect(dataDirGrantee('MySvc', settings({ sidType: 'none', account: 'LocalService' }), () => 'x')).toBe('S-1-5-19');
    expect(dataDirGrantee('MySvc', settings({ sidType: 'none', account: 'LocalSystem' }), () => 'x')).toBeNull();
    expect(dataDirGrantee('MySvc', settings({ sidType: 'none', account: '.\\alice' }), () => 'S-1-5-21-9')).toBe('S-1-5-21-9');
  });
});
