/**
 * The working folder (`--working-dir`) in the management commands, against the fake SCM: what
 * `install` stores with the service (Parameters\WorkingDirectory), `--force` updates and their
 * rollback, the warning for a folder that does not exist (stderr), and what `status` reports.
 */
import { describe, expect, it } from 'vitest';
import { install } from '../../../runtime-shim/commands/install';
import { formatStatus, status } from '../../../runtime-shim/commands/status';
import { uninstall } from '../../../runtime-shim/commands/uninstall';
import { failure, fakeContext } from './fake-scm';

describe('install: the working folder', () => {
  it('stores the baked setting with a fresh service, the default (exe) included', async () => {
    const ctx = fakeContext();
    const result = await install(ctx, { input: {}, force: false });
    expect(result.settings.workingDir).toBe('exe');
    expect(ctx.api.callsTo('setServiceWorkingDir')).toEqual([['MySvc', 'exe']]);
    expect(ctx.api.workingDirs.get('mysvc')).toBe('exe');
    expect(ctx.warnings).toEqual([]);
  });

  it('--working-dir overrides the baked setting: data, a path (any case for the choices)', async () => {
    const ctx = fakeContext();
    ctx.baked = { ...ctx.baked, workingDir: 'data' };
    await install(ctx, { input: {}, force: false });
    expect(ctx.api.workingDirs.get('mysvc')).toBe('data');
    await uninstall(ctx, { purge: false });
    expect(ctx.api.workingDirs.size).toBe(0); // goes with the service's key

    ctx.dirs.add('D:\\apps\\My Svc');
    await install(ctx, { input: { workingDir: 'D:\\apps\\My Svc' }, force: false });
    expect(ctx.api.workingDirs.get('mysvc')).toBe('D:\\apps\\My Svc');
    expect(ctx.warnings).toEqual([]);
    await uninstall(ctx, { purge: false });

    await install(ctx, { input: { workingDir: 'EXE' }, force: false });
    expect(ctx.api.workingDirs.get('mysvc')).toBe('exe');
  });

  it('a bad value is a usage error (exit 2) and nothing is created', async () => {
    for (const bad of ['relative\\dir', 'C:', 'C:\\a|b', '', '/srv/app']) {
      const ctx = fakeContext();
      const err = await failure(install(ctx, { input: { workingDir: bad }, force: false }));
      expect(err.exitCode, bad).toBe(2);
      expect(err.message, bad).toMatch(/working folder/);
      expect(ctx.api.services.size).toBe(0);
      expect(ctx.api.workingDirs.size).toBe(0);
    }
  });

  it("a Linux path (one build may bake it for its Linux binary) is refused in one line, exit 2: given, or baked into a fresh install", async () => {
    let ctx = fakeContext();
    let err = await failure(install(ctx, { input: { workingDir: '/srv/app' }, force: false }));
    expect([err.exitCode, `${err.message} — ${err.hint}`]).toEqual([2, 'working folder "/srv/app" is a Linux path; this is Windows — give an absolute path such as D:\\apps\\MySvc with --working-dir']);
    ctx = fakeContext();
    ctx.baked = { ...ctx.baked, workingDir: '/srv/app' };
    err = await failure(install(ctx, { input: {}, force: false }));
    expect([err.exitCode, err.message]).toEqual([2, 'working folder "/srv/app" is a Linux path; this is Windows']);
    expect(ctx.api.services.size).toBe(0);
    // Given a Windows one, the baked Linux path does not matter.
    await install(ctx, { input: { workingDir: 'exe' }, force: false });
    expect(ctx.api.workingDirs.get('mysvc')).toBe('exe');

    ctx = fakeContext();
    ctx.bakedRuntime = { ...ctx.bakedRuntime, logging: { ...ctx.bakedRuntime.logging, logDir: '/var/log/app' } };
    err = await failure(install(ctx, { input: {}, force: false }));
    expect([err.exitCode, `${err.message} — ${err.hint}`]).toEqual([2, 'log folder "/var/log/app" is a Linux path; this is Windows — give an absolute path such as D:\\logs\\MySvc with --log-dir']);
    expect(ctx.api.services.size).toBe(0);
    await install(ctx, { input: {}, runtime: { logDir: 'D:\\logs' }, force: false });
    expect(ctx.api.services.size).toBe(1);
    err = await failure(install(ctx, { input: {}, runtime: { logDir: '/var/log/app' }, force: true }));
    expect(err.exitCode).toBe(2);
  });

  it('a folder that does not exist: installed, with a warning on stderr (not stdout)', async () => {
    const ctx = fakeContext();
    const result = await install(ctx, { input: { workingDir: 'E:\\later' }, force: false });
    expect(result.action).toBe('installed');
    expect(result.warnings).toEqual(['the working folder E:\\later does not exist; the service will not start until it does']);
    expect(ctx.warnings).toEqual(['MySvc: warning: the working folder E:\\later does not exist; the service will not start until it does']);
    expect(ctx.lines.join('\n')).not.toContain('E:\\later');
    expect(ctx.api.workingDirs.get('mysvc')).toBe('E:\\later');
  });

  it('--force changes the stored folder only when --working-dir is given', async () => {
    const ctx = fakeContext();
    await install(ctx, { input: { workingDir: 'data' }, force: false });
    ctx.api.calls = [];
    const kept = await install(ctx, { input: { startType: 'manual' }, force: true });
    expect(kept.settings.workingDir).toBe('data'); // read back from the service
    expect(ctx.api.callsTo('setServiceWorkingDir')).toEqual([]);

    const changed = await install(ctx, { input: { workingDir: 'exe' }, force: true });
    expect(changed.settings.workingDir).toBe('exe');
    expect(ctx.api.workingDirs.get('mysvc')).toBe('exe');
  });

  it('--force on a service that has none stored (registered by other means) adds it only when given', async () => {
    const ctx = fakeContext();
    await install(ctx, { input: {}, force: false });
    ctx.api.workingDirs.clear();
    await install(ctx, { input: { description: 'x' }, force: true });
    expect(ctx.api.workingDirs.size).toBe(0);
    await install(ctx, { input: { workingDir: 'data' }, force: true });
    expect(ctx.api.workingDirs.get('mysvc')).toBe('data');
  });

  it('an update that fails after setting it restores the previous value (or none)', async () => {
    const ctx = fakeContext();
    await install(ctx, { input: { workingDir: 'data' }, force: false });
    ctx.api.failNext.set('setFolderAcl', 5);
    await failure(install(ctx, { input: { workingDir: 'exe', account: 'LocalService' }, force: true }));
    expect(ctx.api.workingDirs.get('mysvc')).toBe('data');

    ctx.api.workingDirs.clear();
    ctx.api.failNext.set('setFolderAcl', 5);
    await failure(install(ctx, { input: { workingDir: 'exe', account: 'LocalService' }, force: true }));
    expect(ctx.api.workingDirs.has('mysvc')).toBe(false);
  });

  it('a fresh install that fails after storing it leaves nothing behind', async () => {
    const ctx = fakeContext();
    ctx.api.failNext.set('setFolderAcl', 5);
    await failure(install(ctx, { input: { workingDir: 'data' }, force: false }));
    expect(ctx.api.services.size).toBe(0);
    expect(ctx.api.workingDirs.size).toBe(0);
  });

  it('a failing undo step is reported on stderr', async () => {
    const ctx = fakeContext();
    ctx.api.failNext.set('setFolderAcl', 5);
    ctx.api.failNext.set('deleteService', 5);
    await failure(install(ctx, { input: {}, force: false }));
    expect(ctx.warnings).toEqual(['MySvc: could not undo creating service MySvc: deleteService failed with Win32 error 5']);
    expect(ctx.lines).toEqual([]);
  });
});

describe('status: the working folder', () => {
  it('the stored setting and the folder it names (the installed exe’s folder for exe)', async () => {
    const ctx = fakeContext();
    await install(ctx, { input: {}, force: false });
    let report = await status(ctx);
    expect(report).toMatchObject({ workingDirSetting: 'exe', workingDir: 'C:\\Program Files\\My Svc' });
    expect(formatStatus(report, '--service')).toMatch(/^ {2}working dir +C:\\Program Files\\My Svc \(the exe's folder\)$/m);

    // Another copy of the exe asks: the folder is still the installed exe's.
    const other = fakeContext(ctx.api, { exePath: 'D:\\copy\\MySvc.exe' });
    expect((await status(other)).workingDir).toBe('C:\\Program Files\\My Svc');

    await install(ctx, { input: { workingDir: 'data' }, force: true });
    report = await status(ctx);
    expect(report).toMatchObject({ workingDirSetting: 'data', workingDir: 'C:\\ProgramData\\MySvc' });
    expect(formatStatus(report, '--service')).toMatch(/working dir +C:\\ProgramData\\MySvc \(the data folder\)$/m);

    ctx.dirs.add('D:\\apps');
    await install(ctx, { input: { workingDir: 'D:\\apps' }, force: true });
    report = await status(ctx);
    expect(report).toMatchObject({ workingDirSetting: 'D:\\apps', workingDir: 'D:\\apps' });
    expect(formatStatus(report, '--service')).toMatch(/working dir +D:\\apps$/m);
  });

  it('none stored: this exe’s baked setting (what the service falls back to); not installed: no row', async () => {
    const ctx = fakeContext();
    ctx.baked = { ...ctx.baked, workingDir: 'data' };
    expect(formatStatus(await status(ctx), '--service')).not.toMatch(/working dir/);
    await install(ctx, { input: {}, force: false });
    ctx.api.workingDirs.clear();
    expect(await status(ctx)).toMatchObject({ workingDirSetting: 'data', workingDir: ctx.dataDir });
  });
});
