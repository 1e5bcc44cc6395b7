/**
 * runtime-shim/settings/path-form.ts: which platform an absolute path is written for, and the one
 * line that refuses a path of the other platform's form where the value is used.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { absolutePathFlavour, foreignPath, hostFlavour, pathOf } from '../../../runtime-shim/settings/path-form';

describe('path forms', () => {
  it('tells Windows paths (drive, UNC with either slash) from POSIX ones; relative ones are neither', () => {
    for (const p of ['C:\\logs', 'd:/logs', '\\\\server\\share', '//server/share/x']) expect(absolutePathFlavour(p), p).toBe('windows');
    for (const p of ['/', '/var/log/my-svc', '/srv/a b']) expect(absolutePathFlavour(p), p).toBe('posix');
    for (const p of ['logs', 'C:logs', '\\logs', '//server', '.\\x', '']) expect(absolutePathFlavour(p), p).toBeNull();
  });

  it('the host flavour follows process.platform (Wine reports win32)', () => {
    expect(hostFlavour('win32')).toBe('windows');
    expect(hostFlavour('linux')).toBe('posix');
    expect(pathOf('windows')).toBe(path.win32);
    expect(pathOf('posix')).toBe(path.posix);
  });

  it("refuses the other platform's form in one line with an example of this one's", () => {
    const linux = foreignPath('log folder', 'C:\\logs', 'posix', 'my-svc');
    expect(`${linux!.message} — ${linux!.hint}`).toBe('log folder "C:\\logs" is a Windows path; this is Linux — give an absolute path such as /var/log/my-svc');
    const windows = foreignPath('working folder', '/srv/app', 'windows', 'MySvc');
    expect(`${windows!.message} — ${windows!.hint}`).toBe('working folder "/srv/app" is a Linux path; this is Windows — give an absolute path such as D:\\apps\\MySvc');
    expect(foreignPath('log folder', '/var/log/x', 'posix')).toBeNull();
    expect(foreignPath('log folder', 'D:\\logs', 'windows')).toBeNull();
    expect(foreignPath('working folder', 'exe', 'posix')).toBeNull();
  });
});
