import { describe, it, expect } from 'vitest';
import { SvcpackError } from '../../src/errors';
import { STOP_WAIT_SECONDS, checkScriptSafe, generateScripts, type ScriptInput } from '../../src/emit/scripts';

const input: ScriptInput = {
  name: 'MySvc',
  displayName: 'My Service',
  description: 'Does useful things',
  exeFile: 'MySvc.exe',
  serviceArg: '--service',
};
const gen = (o: Partial<ScriptInput> = {}) => generateScripts({ ...input, ...o });

describe('generateScripts', () => {
  it('emits the four scripts with CRLF line endings only', () => {
    const s = gen();
    expect(Object.keys(s).sort()).toEqual(['install.cmd', 'install.ps1', 'uninstall.cmd', 'uninstall.ps1']);
    for (const text of Object.values(s)) {
      expect(text.endsWith('\r\n')).toBe(true);
      expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    }
  });

  describe('install.cmd', () => {
    const cmd = gen()['install.cmd'];
    const lines = cmd.split('\r\n');

    it('locates the exe next to the script', () => {
      expect(cmd).toContain('set "EXE=%~dp0MySvc.exe"');
    });

    it('creates the service with a quoted binary path plus the service argument, demand start, display name', () => {
      const create = lines.find((l) => l.startsWith('sc.exe create '));
      expect(create).toBe('sc.exe create "MySvc" binPath= "\\"%EXE%\\" --service" DisplayName= "My Service" start= demand');
    });

    it('sets the description, then starts the service, stopping at the first failure', () => {
      const iDesc = lines.findIndex((l) => l.startsWith('sc.exe description "MySvc" "Does useful things"'));
      const iStart = lines.findIndex((l) => l.startsWith('sc.exe start "MySvc"'));
      const iCreate = lines.findIndex((l) => l.startsWith('sc.exe create'));
      expect(iCreate).toBeGreaterThan(0);
      expect(iDesc).toBeGreaterThan(iCreate);
      expect(iStart).toBeGreaterThan(iDesc);
      for (const i of [iCreate, iDesc, iStart]) expect(lines[i + 1]).toMatch(/^if errorlevel 1 \(.*exit \/b 1\)$/);
      expect(lines.filter(Boolean).at(-1)).toBe('exit /b 0');
    });

    it('omits the description step when there is none', () => {
      expect(gen({ description: '' })['install.cmd']).not.toContain('sc.exe description');
    });

    it('doubles % in names and paths', () => {
      const s = gen({ name: 'A%PATH%B', displayName: '100% up', description: '50%', exeFile: 'a%b.exe' })['install.cmd'];
      expect(s).toContain('sc.exe create "A%%PATH%%B"');
      expect(s).toContain('DisplayName= "100%% up"');
      expect(s).toContain('sc.exe description "A%%PATH%%B" "50%%"');
      expect(s).toContain('set "EXE=%~dp0a%%b.exe"');
    });
  });

  describe('install.ps1', () => {
    const ps = gen()['install.ps1'];
    it('uses New-Service with the quoted exe path and the service argument, Manual start', () => {
      expect(ps).toContain("$name = 'MySvc'");
      expect(ps).toContain("$exe = Join-Path $PSScriptRoot 'MySvc.exe'");
      const line = ps.split('\r\n').find((l) => l.startsWith('New-Service '));
      expect(line).toBeDefined();
      expect(line).toContain(`-BinaryPathName ('"' + $exe + '" --service')`);
      expect(line).toContain("-DisplayName 'My Service'");
      expect(line).toContain("-Description 'Does useful things'");
      expect(line).toContain('-StartupType Manual');
      expect(ps).toContain('Start-Service -Name $name');
      expect(ps).toContain("$ErrorActionPreference = 'Stop'");
    });
    it("escapes single quotes by doubling them", () => {
      const s = gen({ name: "O'Svc", displayName: "Bob's Service", description: "it's" })['install.ps1'];
      expect(s).toContain("$name = 'O''Svc'");
      expect(s).toContain("-DisplayName 'Bob''s Service'");
      expect(s).toContain("-Description 'it''s'");
    });
    it('omits -Description when empty', () => {
      expect(gen({ description: '' })['install.ps1']).not.toContain('-Description');
    });
  });

  describe('uninstall scripts', () => {
    it('uninstall.cmd stops, waits for STOPPED (bounded), then deletes', () => {
      const s = gen()['uninstall.cmd'];
      const iStop = s.indexOf('sc.exe stop "MySvc"');
      const iWait = s.indexOf('find "STOPPED"');
      const iDelete = s.indexOf('sc.exe delete "MySvc"');
      expect(iStop).toBeGreaterThan(0);
      expect(iWait).toBeGreaterThan(iStop);
      expect(iDelete).toBeGreaterThan(iWait);
      expect(s).toContain(`if %WAITED% geq ${STOP_WAIT_SECONDS} (`);
      expect(s).toContain('is not installed& exit /b 0');
    });
    it('uninstall.ps1 stops, waits for Stopped, then deletes', () => {
      const s = gen()['uninstall.ps1'];
      const iStop = s.indexOf('Stop-Service -Name $name -Force');
      const iWait = s.indexOf(`$svc.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(${STOP_WAIT_SECONDS}))`);
      const iDelete = s.indexOf('& sc.exe delete $name');
      expect(iStop).toBeGreaterThan(0);
      expect(iWait).toBeGreaterThan(iStop);
      expect(iDelete).toBeGreaterThan(iWait);
      expect(s).toContain('$LASTEXITCODE -ne 0');
    });
  });

  it('a double quote or line break in any field is a usage error naming the field', () => {
    const cases: Array<[Partial<ScriptInput>, string]> = [
      [{ displayName: 'My "Best" Service' }, 'the display name'],
      [{ name: 'a"b' }, 'the service name'],
      [{ description: 'line1\nline2' }, 'the description'],
    ];
    for (const [o, field] of cases) {
      let err: unknown;
      try {
        gen(o);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SvcpackError);
      const e = err as SvcpackError;
      expect(e.code).toBe('USAGE');
      expect(e.exitCode).toBe(2);
      expect(e.message).toContain(field);
      expect(e.message).not.toMatch(/[\r\n]/);
    }
  });

  it('checkScriptSafe accepts ordinary text', () => {
    expect(() => checkScriptSafe('x', "it's 100% fine & <ok>")).not.toThrow();
  });
});
