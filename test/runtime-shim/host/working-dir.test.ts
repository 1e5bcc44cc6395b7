/**
 * runtime-shim/host/working-dir.ts: which folder the `workingDir` setting names, entering it (with a
 * fake chdir, so Windows paths and failures can be played on Linux), and the one-line messages
 * for a service (stored setting, else baked) and for `run`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeWorkingDir,
  enterServiceWorkingDir,
  enterWorkingDir,
  enterWorkingDirSetting,
  runFixHint,
  serviceFixHint,
  workingFolder,
  type ServiceWorkingDirInput,
} from '../../../runtime-shim/host/working-dir';

const places = { exePath: 'C:\\Program Files\\My Svc\\MySvc.exe', dataDir: 'C:\\ProgramData\\MySvc', flavour: 'windows' as const };

/**
 * A chdir that records the folder, or fails with `code` (as Node's chdir does: an ErrnoException),
 * and a mkdir that records the folder, or fails with `mkdirCode`.
 */
function fakeChdir(code?: string, mkdirCode?: string) {
  const entered: string[] = [];
  const created: string[] = [];
  const fail = (c: string, what: string) => Object.assign(new Error(`${c}: ${what}`), { code: c });
  return {
    entered,
    created,
    chdir(dir: string) {
      if (code) throw fail(code, `chdir ${dir}`);
      entered.push(dir);
    },
    mkdir(dir: string) {
      if (mkdirCode) throw fail(mkdirCode, `mkdir ${dir}`);
      created.push(dir);
    },
  };
}

describe('workingFolder / describeWorkingDir', () => {
  it("exe is the exe's folder, data the data folder, anything else the path itself", () => {
    expect(workingFolder('exe', places)).toBe('C:\\Program Files\\My Svc');
    expect(workingFolder('exe', { ...places, exePath: 'Z:\\tmp\\x\\Svc.exe' })).toBe('Z:\\tmp\\x');
    expect(workingFolder('exe', { ...places, exePath: '\\\\server\\share\\Svc.exe' })).toBe('\\\\server\\share\\');
    expect(workingFolder('data', places)).toBe('C:\\ProgramData\\MySvc');
    expect(workingFolder('D:\\apps', places)).toBe('D:\\apps');
    expect(describeWorkingDir('exe', places)).toBe("C:\\Program Files\\My Svc (the exe's folder)");
    expect(describeWorkingDir('data', places)).toBe('C:\\ProgramData\\MySvc (the data folder)');
    expect(describeWorkingDir('D:\\apps', places)).toBe('D:\\apps');
  });
});

describe('enterWorkingDir', () => {
  it('enters the folder: null', () => {
    const fake = fakeChdir();
    expect(enterWorkingDir('D:\\apps', { chdir: fake.chdir, mkdir: fake.mkdir })).toBeNull();
    expect(fake.entered).toEqual(['D:\\apps']);
    expect(fake.created).toEqual([]); // only with create
  });

  it('says why it could not, in words, with the error code', () => {
    const cases: Array<[string, string]> = [
      ['ENOENT', 'it does not exist'],
      ['ENOTDIR', 'it is not a folder'],
      ['EACCES', 'access is denied'],
      ['EPERM', 'access is denied'],
      ['EIO', 'EIO'],
    ];
    for (const [code, text] of cases) {
      expect(enterWorkingDir('D:\\x', { shown: 'D:\\x (shown)', chdir: fakeChdir(code).chdir })).toEqual({ message: `cannot start in working folder D:\\x (shown): ${text}`, code });
    }
    const odd = () => {
      throw new Error('odd');
    };
    expect(enterWorkingDir('D:\\x', { chdir: odd })).toEqual({ message: 'cannot start in working folder D:\\x: odd', code: undefined });
  });

  it('enterWorkingDirSetting creates the data folder (as service.dataDir does), never another one', () => {
    let fake = fakeChdir();
    expect(enterWorkingDirSetting('data', places, fake)).toBeNull();
    expect(fake.created).toEqual(['C:\\ProgramData\\MySvc']);
    expect(fake.entered).toEqual(['C:\\ProgramData\\MySvc']);
    for (const setting of ['exe', 'D:\\apps']) {
      fake = fakeChdir('ENOENT');
      expect(enterWorkingDirSetting(setting, places, fake)?.code).toBe('ENOENT');
      expect(fake.created).toEqual([]);
    }
    // It could not be made, so it is missing: the reason it could not be made.
    fake = fakeChdir('ENOENT', 'EPERM');
    expect(enterWorkingDirSetting('data', places, fake)).toEqual({ message: 'cannot start in working folder C:\\ProgramData\\MySvc (the data folder): access is denied', code: 'EPERM' });
    // A file is in the way: Windows' chdir says ENOTDIR; Wine's says ENOENT, and mkdir EEXIST.
    const notAFolder = { message: 'cannot start in working folder C:\\ProgramData\\MySvc (the data folder): it is not a folder', code: 'ENOTDIR' };
    expect(enterWorkingDirSetting('data', places, fakeChdir('ENOTDIR', 'EEXIST'))).toEqual(notAFolder);
    expect(enterWorkingDirSetting('data', places, fakeChdir('ENOENT', 'EEXIST'))).toEqual(notAFolder);
    // Not the data folder (nothing is created): the path is looked at.
    expect(enterWorkingDirSetting('D:\\x', places, { ...fakeChdir('ENOENT'), isNonFolder: () => true })).toEqual({
      message: 'cannot start in working folder D:\\x: it is not a folder',
      code: 'ENOTDIR',
    });
    expect(enterWorkingDirSetting('D:\\x', places, { ...fakeChdir('ENOENT'), isNonFolder: () => false })?.code).toBe('ENOENT');
    // mkdir refused but the folder is there after all (a race, or no right to create but to enter): entered.
    fake = fakeChdir(undefined, 'EPERM');
    expect(enterWorkingDirSetting('data', places, fake)).toBeNull();
    expect(fake.entered).toEqual(['C:\\ProgramData\\MySvc']);
    fake = fakeChdir('ENOENT');
    expect(enterWorkingDirSetting('exe', places, fake)?.message).toBe("cannot start in working folder C:\\Program Files\\My Svc (the exe's folder): it does not exist");
  });

  it('really changes the process folder by default', () => {
    const before = process.cwd();
    try {
      expect(enterWorkingDir('/')).toBeNull();
      expect(process.cwd()).toBe('/');
      expect(enterWorkingDir('/no/such/svcpack/folder')).toMatchObject({ code: 'ENOENT', message: 'cannot start in working folder /no/such/svcpack/folder: it does not exist' });
      const aFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-wd-')), 'file');
      fs.writeFileSync(aFile, '');
      expect(enterWorkingDir(aFile)).toMatchObject({ code: 'ENOTDIR', message: `cannot start in working folder ${aFile}: it is not a folder` });
      fs.rmSync(path.dirname(aFile), { recursive: true });
      expect(process.cwd()).toBe('/');
    } finally {
      process.chdir(before);
    }
  });

  it('hints: the service changes it with install --force; run with a rebuild', () => {
    const missing = { message: 'm', code: 'ENOENT' };
    const denied = { message: 'm', code: 'EACCES' };
    expect(serviceFixHint('MySvc', missing, 'windows')).toBe('create it, or change it with "MySvc.exe install --force --working-dir <exe|data|folder>"');
    expect(serviceFixHint('MySvc', denied)).toMatch(/^give the service's account access to it, or change it with/);
    expect(runFixHint(missing)).toBe('create it, or build with another --working-dir');
    expect(runFixHint(denied)).toBe('run it from an account that can open that folder, or build with another --working-dir');
    const file = { message: 'm', code: 'ENOTDIR' };
    expect(runFixHint(file)).toBe('replace the file of that name with a folder, or build with another --working-dir');
    expect(serviceFixHint('MySvc', file, 'windows')).toMatch(/^replace the file of that name with a folder, or change it with "MySvc\.exe install --force/);
  });
});

describe('enterServiceWorkingDir', () => {
  const input = (over: Partial<ServiceWorkingDirInput> = {}): ServiceWorkingDirInput => ({
    name: 'MySvc',
    stored: null,
    storedAt: 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MySvc\\Parameters, value WorkingDirectory',
    baked: 'exe',
    places,
    // Never the real mkdir: these are Windows paths.
    mkdir: () => {},
    ...over,
  });

  it('the setting stored with the service wins; none stored: the baked one', () => {
    let fake = fakeChdir();
    expect(enterServiceWorkingDir(input({ stored: 'data', chdir: fake.chdir, mkdir: fake.mkdir }))).toEqual({
      folder: 'C:\\ProgramData\\MySvc',
      shown: 'C:\\ProgramData\\MySvc (the data folder)',
    });
    expect(fake.created).toEqual(['C:\\ProgramData\\MySvc']); // a service registered with sc.exe may not have it yet
    expect(fake.entered).toEqual(['C:\\ProgramData\\MySvc']);

    fake = fakeChdir();
    expect(enterServiceWorkingDir(input({ stored: 'D:\\apps', baked: 'data', chdir: fake.chdir }))).toMatchObject({ folder: 'D:\\apps' });
    fake = fakeChdir();
    expect(enterServiceWorkingDir(input({ stored: 'EXE', baked: 'data', chdir: fake.chdir }))).toMatchObject({ folder: 'C:\\Program Files\\My Svc' });
    fake = fakeChdir();
    expect(enterServiceWorkingDir(input({ stored: null, baked: 'data', chdir: fake.chdir }))).toMatchObject({ folder: 'C:\\ProgramData\\MySvc' });
  });

  it('a folder that cannot be entered: one line, what and how to fix', () => {
    const r = enterServiceWorkingDir(input({ stored: 'D:\\gone', chdir: fakeChdir('ENOENT').chdir }));
    expect(r).toEqual({
      problem: 'cannot start in working folder D:\\gone: it does not exist — create it, or change it with "MySvc.exe install --force --working-dir <exe|data|folder>"',
    });
  });

  it('a stored value that is not valid (edited by hand) fails the start without entering anything', () => {
    const fake = fakeChdir();
    const r = enterServiceWorkingDir(input({ stored: 'relative\\dir', chdir: fake.chdir }));
    expect(fake.entered).toEqual([]);
    expect('problem' in r && r.problem).toMatch(
      /^the working folder stored with the service \(HKLM\\SYSTEM\\CurrentControlSet\\Services\\MySvc\\Parameters, value WorkingDirectory\) is not valid: working folder "relative\\dir" is neither exe, data nor an absolute path — write exe .*, with "MySvc.exe install --force --working-dir <exe\|data\|folder>"$/,
    );
    expect('problem' in r && r.problem.split('\n')).toHaveLength(1);
  });
});

describe('paths of the platform it runs on', () => {
  const linux = { exePath: '/opt/my-svc/my-svc', dataDir: '/var/lib/my-svc', flavour: 'posix' as const };

  it("on Linux the exe's folder is path.posix's dirname and an absolute POSIX path is entered as is", () => {
    expect(workingFolder('exe', linux)).toBe('/opt/my-svc');
    expect(describeWorkingDir('exe', linux)).toBe("/opt/my-svc (the exe's folder)");
    expect(workingFolder('data', linux)).toBe('/var/lib/my-svc');
    const fake = fakeChdir();
    expect(enterWorkingDirSetting('/srv/my-svc', linux, fake)).toBeNull();
    expect(fake.entered).toEqual(['/srv/my-svc']);
  });

  it('the flavour defaults to the platform this process runs on', () => {
    const here = process.platform === 'win32' ? { exePath: 'C:\\svc\\MySvc.exe', dir: 'C:\\svc' } : { exePath: '/opt/svc/MySvc', dir: '/opt/svc' };
    expect(workingFolder('exe', { exePath: here.exePath, dataDir: 'x' })).toBe(here.dir);
  });

  it("a path of the other platform's form is refused in one line, without entering anything", () => {
    const fake = fakeChdir();
    expect(enterWorkingDirSetting('D:\\apps', linux, fake)).toEqual({
      message: 'working folder "D:\\apps" is a Windows path; this is Linux',
      code: 'FOREIGN',
      hint: 'give an absolute path such as /srv/my-svc',
    });
    expect(enterWorkingDirSetting('/srv/my-svc', places, fake)).toMatchObject({ message: 'working folder "/srv/my-svc" is a Linux path; this is Windows', code: 'FOREIGN' });
    expect(fake.entered).toEqual([]);
  });

  it('the service fails its start with that line and the fix; run says to rebuild', () => {
    const r = enterServiceWorkingDir({ name: 'my-svc', stored: null, storedAt: 'the unit', baked: 'D:\\apps', places: linux, chdir: fakeChdir().chdir });
    expect(r).toEqual({
      problem: 'working folder "D:\\apps" is a Windows path; this is Linux — give an absolute path such as /srv/my-svc, or change it with "my-svc install --force --working-dir <exe|data|folder>"',
    });
    const w = enterServiceWorkingDir({ name: 'MySvc', stored: '/srv/app', storedAt: 'the registry', baked: 'exe', places, chdir: fakeChdir().chdir });
    expect('problem' in w && w.problem).toBe(
      'working folder "/srv/app" is a Linux path; this is Windows — give an absolute path such as D:\\apps\\my-svc, or change it with "MySvc.exe install --force --working-dir <exe|data|folder>"',
    );
    const problem = enterWorkingDirSetting('D:\\apps', linux, fakeChdir())!;
    expect(runFixHint(problem)).toBe('give an absolute path such as /srv/my-svc, or build with another --working-dir');
  });
});
