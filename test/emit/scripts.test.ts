import { describe, it, expect } from 'vitest';
import { resolveSettings, settingsToFlags, type SettingsInput } from '../../runtime-shim/settings/resolve';
import { defaultSettings, type ServiceSettings } from '../../runtime-shim/settings/service-settings';
import { SvcpackError } from '../../src/errors';
import { PASSWORD_ENV, checkScriptSafe, generateScripts } from '../../src/emit/scripts';

const settingsFor = (input: SettingsInput = {}, name = 'MySvc'): ServiceSettings =>
  resolveSettings(input, defaultSettings(name, 'My Service', 'Does useful things'));
const gen = (input: SettingsInput = {}, name = 'MySvc', exeFile = `${name}.exe`) => generateScripts({ name, exeFile, settings: settingsFor(input, name) });
const lf = (text: string) => text.replace(/\r\n/g, '\n');

const EXE_PATH = 'C:\\Program Files (x86)\\R&D 100%\\MySvc.exe';

/**
 * What the exe receives from the install line of install.cmd: joins `^` continuations, expands
 * `%%` and `%EXE%` as cmd.exe does in a batch file, refuses cmd.exe operators outside quotes, then
 * splits the command line with the Microsoft C runtime rules the exe's argv comes from.
 */
function cmdInstallArgv(cmd: string): string[] {
  const lines = lf(cmd).split('\n');
  const start = lines.findIndex((l) => l.startsWith('"%EXE%" install '));
  expect(start).toBeGreaterThan(0);
  let line = '';
  for (let i = start; ; i++) {
    const text = lines[i]!;
    if (!text.endsWith(' ^')) {
      line += text;
      break;
    }
    line += text.slice(0, -1);
  }
  const expanded = line.replace(/%%|%([^%]+)%/g, (m, name: string | undefined) => (m === '%%' ? '%' : name === 'EXE' ? EXE_PATH : m));
  expect(line.split('"').filter((_, i) => i % 2 === 0).join(' '), 'cmd.exe operators outside quotes').not.toMatch(/[&|<>^()%!]/);
  return windowsArgv(expanded);
}

/** CommandLineToArgvW / MSVC rules: backslashes are literal unless before a quote; 2n+1 backslashes + quote = n backslashes + literal quote. */
function windowsArgv(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let arg = '';
    let quoted = false;
    while (i < line.length && (quoted || (line[i] !== ' ' && line[i] !== '\t'))) {
      if (line[i] === '\\') {
        let n = 0;
        while (line[i] === '\\') (n++, i++);
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) (arg += '"', i++);
        } else arg += '\\'.repeat(n);
      } else if (line[i] === '"') {
        quoted = !quoted;
        i++;
      } else arg += line[i++];
    }
    args.push(arg);
  }
  return args;
}

/** The strings of install.ps1's `$flags = @( … )` array literal of single-quoted strings. */
function psFlags(ps: string): string[] {
  const body = /\n\$flags = @\(\n([\s\S]*?)\n\)\n/.exec(lf(ps))?.[1];
  expect(body).toBeDefined();
  return [...body!.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'"));
}

describe('generateScripts', () => {
  it('emits the four scripts with CRLF line endings only; the .ps1 files start with a UTF-8 BOM', () => {
    const s = gen();
    expect(Object.keys(s).sort()).toEqual(['install.cmd', 'install.ps1', 'uninstall.cmd', 'uninstall.ps1']);
    for (const text of Object.values(s)) {
      expect(text.endsWith('\r\n')).toBe(true);
      expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    }
    expect(s['install.ps1'].startsWith('\uFEFF# ')).toBe(true);
    expect(s['uninstall.ps1'].startsWith('\uFEFF# ')).toBe(true);
    expect(s['install.cmd'].startsWith('@echo off\r\n')).toBe(true);
  });

  describe('install.cmd', () => {
    const cmd = lf(gen()['install.cmd']);
    const lines = cmd.split('\n');
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));

    it('says what it does and that it is safe to run again, in comments', () => {
      expect(cmd).toMatch(/^@echo off\nrem Installs the Windows service "MySvc" with the settings below and starts it/);
      expect(cmd).toContain('Safe to run again: an installed service is updated to these settings.');
      expect(cmd).toContain('setlocal EnableExtensions DisableDelayedExpansion');
    });

    it('checks for elevation first (net session, then fltmc), before touching the exe or the SCM', () => {
      const iNet = at('net session >nul 2>&1');
      const iFltmc = at('fltmc >nul 2>&1');
      expect(iNet).toBeGreaterThan(0);
      expect(iFltmc).toBeGreaterThan(iNet);
      expect(lines[iNet + 1]).toBe('if not errorlevel 1 goto :elevated');
      expect(lines[iFltmc + 1]).toBe('if not errorlevel 1 goto :elevated');
      expect(lines[iFltmc + 2]).toBe('echo install.cmd: run this script as administrator (right-click, Run as administrator)');
      expect(lines[iFltmc + 3]).toBe('exit /b 1');
      for (const later of ['if not exist "%EXE%"', 'sc.exe query', '"%EXE%"']) expect(at(later)).toBeGreaterThan(iFltmc);
    });

    it('locates the exe next to the script and fails clearly without it', () => {
      expect(cmd).toContain('set "EXE=%~dp0MySvc.exe"');
      expect(cmd).toContain('if not exist "%EXE%" (\n  echo install.cmd: "%EXE%" not found - keep this script next to the exe\n  exit /b 1\n)');
    });

    it('remembers whether the service existed, then runs the exe install --force with every setting, one per line', () => {
      const iQuery = at('sc.exe query "%SERVICE%" >nul 2>&1');
      const iInstall = at('"%EXE%" install --force ^');
      expect(cmd).toContain('set "SERVICE=MySvc"');
      expect(iQuery).toBeGreaterThan(0);
      expect(lines[iQuery + 1]).toBe('if not errorlevel 1 set "EXISTED=yes"');
      expect(iInstall).toBeGreaterThan(iQuery);
      expect(lines.slice(iInstall + 1, iInstall + 4)).toEqual(['  --start-type "auto" ^', '  --display-name "My Service" ^', '  --description "Does useful things" ^']);
      expect(cmdInstallArgv(cmd)).toEqual([EXE_PATH, 'install', '--force', ...settingsToFlags(settingsFor())]);
    });

    it('stops at a failed install; a failed start removes only a service the script created', () => {
      const iInstallEnd = lines.findIndex((l, i) => i > at('"%EXE%" install') && !l.endsWith('^'));
      expect(lines.slice(iInstallEnd + 1, iInstallEnd + 5)).toEqual([
        'if errorlevel 1 (',
        '  echo install.cmd: installing service "%SERVICE%" failed - see the message above',
        '  exit /b 1',
        ')',
      ]);
      const iStart = at('"%EXE%" start');
      expect(iStart).toBeGreaterThan(iInstallEnd);
      expect(lines[iStart + 1]).toBe('if not errorlevel 1 goto :started');
      expect(lines[iStart + 2]).toBe('if "%EXISTED%"=="yes" (');
      const iRollback = at('"%EXE%" uninstall');
      expect(iRollback).toBeGreaterThan(iStart);
      expect(lines[iRollback - 1]).toBe('echo install.cmd: service "%SERVICE%" did not start - removing it again');
      expect(lines[iRollback + 1]).toBe('exit /b 1');
      expect(cmd).toContain(':started\necho install.cmd: service "%SERVICE%" installed and started\nexit /b 0\n');
    });

    it('passes awkward values through cmd.exe unchanged: % ^ & | < > ( ) ! \' spaces and trailing backslashes', () => {
      const input: SettingsInput = {
        displayName: '100% R&D <fast> | (x) ^caret^ !bang! it\'s',
        description: 'C:\\Program Files\\App\\',
        recovery: 'run/10s',
        recoveryCommand: 'C:\\tools\\notify.cmd %SERVICE% & exit\\\\',
        env: ['PATH_EXTRA=C:\\My Data\\', 'PCT=%PATH%', 'EMPTY='],
        args: ['--flag=a b', 'ends\\'],
      };
      const s = gen(input, 'A%PATH%B&C', 'a%b.exe')['install.cmd'];
      expect(s).toContain('set "SERVICE=A%%PATH%%B&C"');
      expect(s).toContain('set "EXE=%~dp0a%%b.exe"');
      expect(s).toContain('  --display-name "100%% R&D <fast> | (x) ^caret^ !bang! it\'s" ^');
      expect(s).toContain('  --env "PATH_EXTRA=C:\\My Data\\\\" ^');
      expect(cmdInstallArgv(s)).toEqual([EXE_PATH, 'install', '--force', ...settingsToFlags(settingsFor(input, 'A%PATH%B&C'))]);
    });

    it('switches cmd.exe to UTF-8 only when a value needs it', () => {
      expect(cmd).not.toContain('chcp');
      const s = lf(gen({ displayName: 'Überwachung 日本' })['install.cmd']);
      expect(s.indexOf('chcp 65001 >nul')).toBeGreaterThan(0);
      expect(s.indexOf('chcp 65001 >nul')).toBeLessThan(s.indexOf('setlocal'));
    });

    it('asks the exe to read a user account password from SVCPACK_SERVICE_PASSWORD, never writing one', () => {
      expect(cmd).not.toContain('--password-env');
      for (const account of ['CORP\\svc', '.\\me', 'svc@corp.example']) {
        const s = gen({ account })['install.cmd'];
        expect(cmdInstallArgv(s).slice(-2)).toEqual(['--password-env', PASSWORD_ENV]);
        expect(s).toContain(`rem The account needs a password: set ${PASSWORD_ENV} first, or type it when asked.`);
      }
      for (const account of ['LocalSystem', 'NetworkService', 'CORP\\gmsa$', 'NT SERVICE\\MySvc']) expect(gen({ account })['install.cmd']).not.toContain('--password-env');
    });
  });

  describe('uninstall.cmd', () => {
    const cmd = lf(gen()['uninstall.cmd']);
    const at = (text: string) => cmd.indexOf(text);

    it('checks elevation, exits 0 when the service is not installed, else runs the exe uninstall', () => {
      expect(at('net session >nul 2>&1')).toBeGreaterThan(0);
      expect(at('fltmc >nul 2>&1')).toBeGreaterThan(at('net session'));
      expect(at('echo uninstall.cmd: run this script as administrator')).toBeGreaterThan(at('fltmc'));
      expect(at('sc.exe query "%SERVICE%" >nul 2>&1')).toBeGreaterThan(at('fltmc'));
      expect(cmd).toContain('if errorlevel 1 (\n  echo uninstall.cmd: service "%SERVICE%" is not installed\n  exit /b 0\n)');
      expect(at('if not exist "%EXE%"')).toBeGreaterThan(at('is not installed'));
      expect(cmd).toContain('"%EXE%" uninstall\nif errorlevel 1 (\n  echo uninstall.cmd: removing service "%SERVICE%" failed - see the message above\n  exit /b 1\n)');
      expect(cmd).toContain('echo uninstall.cmd: service "%SERVICE%" removed\nexit /b 0\n');
    });

    it('says the data folder is kept unless --purge is added', () => {
      expect(cmd).toContain('Its data folder %ProgramData%\\MySvc is kept');
      expect(cmd).toContain('add --purge after "uninstall" below to delete it too.');
    });
  });

  describe('install.ps1', () => {
    const ps = lf(gen()['install.ps1']);

    it('stops on errors, checks elevation, finds the exe next to the script', () => {
      expect(ps).toContain("$ErrorActionPreference = 'Stop'");
      expect(ps).toContain("$name = 'MySvc'");
      expect(ps).toContain("$exe = Join-Path $PSScriptRoot 'MySvc.exe'");
      expect(ps).toContain(
        '$elevated = ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)',
      );
      expect(ps.indexOf('if (-not $elevated) { Fail')).toBeLessThan(ps.indexOf('sc.exe query'));
      expect(ps).toContain('if (-not (Test-Path -LiteralPath $exe)) { Fail');
    });

    it('passes every setting from an array of single-quoted strings, checking $LASTEXITCODE after each call', () => {
      expect(psFlags(ps)).toEqual(settingsToFlags(settingsFor()));
      expect(ps).toContain("  '--start-type', 'auto'\n");
      const iInstall = ps.indexOf('& $exe install --force @flags\nif ($LASTEXITCODE -ne 0) { Fail "installing service $name failed');
      const iStart = ps.indexOf('& $exe start\nif ($LASTEXITCODE -ne 0) {');
      expect(iInstall).toBeGreaterThan(0);
      expect(iStart).toBeGreaterThan(iInstall);
      expect(ps).toContain('Write-Host "install.ps1: service $name installed and started"');
    });

    it('a failed start removes only a service the script created', () => {
      expect(ps).toContain('$null = & sc.exe query $name\n$installed = $LASTEXITCODE -eq 0\n');
      expect(ps).toMatch(
        /& \$exe start\nif \(\$LASTEXITCODE -ne 0\) \{\n(?:  #.*\n)?  if \(\$installed\) \{ Fail .*\}\n  Write-Host "install\.ps1: service \$name did not start - removing it again"\n  & \$exe uninstall\n  exit 1\n\}/,
      );
    });

    it('doubles single quotes; keeps % $ ` and backslashes literal', () => {
      const input: SettingsInput = { displayName: "Bob's $HOME `n 100%", env: ['DIR=C:\\My Data\\'] };
      const s = gen(input, "O'Svc")['install.ps1'];
      expect(s).toContain("$name = 'O''Svc'");
      expect(s).toContain("  '--display-name', 'Bob''s $HOME `n 100%'");
      expect(psFlags(s)).toEqual(settingsToFlags(settingsFor(input, "O'Svc")));
    });

    it('doubles trailing backslashes of spaced arguments only under Windows PowerShell 5.1', () => {
      expect(ps).toContain("if ($PSVersionTable.PSVersion.Major -lt 6) { $flags = @($flags | ForEach-Object { if ($_ -match '\\s') { $_ -replace '(\\\\+)$', '$1$1' } else { $_ } }) }");
    });

    it('adds --password-env for user accounts', () => {
      const s = gen({ account: 'CORP\\svc' })['install.ps1'];
      expect(psFlags(s).slice(-2)).toEqual(['--password-env', PASSWORD_ENV]);
      expect(s).toContain(`# The account needs a password: set $env:${PASSWORD_ENV} first, or type it when asked.`);
      expect(ps).not.toContain('--password-env');
    });
  });

  describe('uninstall.ps1', () => {
    const ps = lf(gen()['uninstall.ps1']);
    it('checks elevation, exits 0 when not installed, else runs the exe uninstall and checks its exit code', () => {
      expect(ps).toContain("$ErrorActionPreference = 'Stop'");
      expect(ps.indexOf('if (-not $elevated) { Fail')).toBeGreaterThan(0);
      expect(ps).toContain('if (-not $installed) { Write-Host "uninstall.ps1: service $name is not installed"; exit 0 }');
      expect(ps).toContain('& $exe uninstall\nif ($LASTEXITCODE -ne 0) { Fail "removing service $name failed - see the message above" }');
      expect(ps).toContain('Write-Host "uninstall.ps1: service $name removed"');
      expect(ps).toContain('add --purge after "uninstall" below');
    });
  });

  it('a value with a double quote, line break or NUL is a usage error naming the field', () => {
    const base = settingsFor();
    const cases: Array<[Partial<ServiceSettings>, string, string?]> = [
      [{ displayName: 'My "Best" Service' }, '--display-name'],
      [{ env: { A: 'line1\nline2' } }, '--env'],
      [{ args: ['a\0b'] }, '--arg'],
      [{ recovery: { ...base.recovery, command: '"C:\\x y\\n.exe"' } }, '--recovery-command'],
      [{}, 'the service name', 'a"b'],
    ];
    for (const [override, field, name = 'MySvc'] of cases) {
      let err: unknown;
      try {
        generateScripts({ name, exeFile: 'MySvc.exe', settings: { ...base, ...override } });
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(SvcpackError);
      const e = err as SvcpackError;
      expect(e.code).toBe('USAGE');
      expect(e.exitCode).toBe(2);
      expect(e.message.startsWith(field)).toBe(true);
      expect(e.message).not.toMatch(/[\r\n\0]/);
    }
  });

  it('checkScriptSafe accepts ordinary text', () => {
    expect(() => checkScriptSafe('x', "it's 100% fine & <ok> ^ | (x) \\")).not.toThrow();
  });
});
