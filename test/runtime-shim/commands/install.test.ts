import { describe, it, expect } from 'vitest';
import { install } from '../../../runtime-shim/commands/install';
import { uninstall } from '../../../runtime-shim/commands/uninstall';
import { serviceSid } from '../../../runtime-shim/settings/sid';
import { EXE, FakeScm, failure, fakeContext, WINE10_SCM } from './fake-scm';

describe('install', () => {
  it('registers the quoted exe path with the baked settings, env, data folder ACL', async () => {
    const ctx = fakeContext();
    ctx.baked = { ...ctx.baked, env: { PORT: '8080' }, args: ['--verbose'] };
    const result = await install(ctx, { input: {}, force: false });

    expect(result.action).toBe('installed');
    const [create] = ctx.api.callsTo('createService')[0] as [Record<string, unknown>];
    expect(create).toEqual({
      name: 'MySvc',
      displayName: 'My Service',
      startType: 2,
      binaryPath: `"${EXE}" --service --verbose`,
      dependencies: [],
      account: 'NT SERVICE\\MySvc',
      password: null,
    });
    expect(ctx.api.callsTo('changeConfig2').map(([info]) => (info as { level: string }).level)).toEqual([
      'description',
      'failure-actions',
      'failure-actions-flag',
      'delayed-auto-start',
      'sid-type',
      'preshutdown',
    ]);
    expect(ctx.api.env.get('mysvc')).toEqual(['PORT=8080']);
    expect(ctx.dirs.has('C:\\ProgramData\\MySvc')).toBe(true);
    expect(ctx.api.acls.get('C:\\ProgramData\\MySvc')).toBe(
      `D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;${serviceSid('MySvc')})`,
    );
    expect(ctx.api.callsTo('addAccountRight')).toEqual([]); // virtual accounts need no right
  });

  it('install flags override the baked settings', async () => {
    const ctx = fakeContext();
    ctx.api.services.set('tcpip', (await seed('Tcpip')).services.get('tcpip')!);
    await install(ctx, {
      input: { startType: 'manual', account: 'LocalService', dependencies: ['Tcpip', '+Net'], description: 'new', sidType: 'none' },
      force: false,
    });
    const svc = ctx.api.services.get('mysvc')!;
    expect(svc.config.startType).toBe(3);
    expect(svc.config.account).toBe('NT AUTHORITY\\LocalService');
    expect(svc.config.dependencies).toEqual(['Tcpip', '+Net']);
    expect(svc.config2.get('description')).toEqual({ level: 'description', description: 'new' });
    expect(ctx.api.acls.get('C:\\ProgramData\\MySvc')).toContain('(A;OICI;FA;;;S-1-5-19)');
  });

  it('a user account: looked up, password from --password-env, logon right granted once', async () => {
    const ctx = fakeContext(new FakeScm(), { env: { SVC_PW: 's3cret' } });
    await install(ctx, { input: { account: '.\\alice' }, force: false, passwordEnv: 'SVC_PW' });
    const svc = ctx.api.services.get('mysvc')!;
    expect(svc.config.account).toBe('.\\alice');
    expect(svc.password).toBe('s3cret');
    expect(ctx.api.callsTo('addAccountRight')).toEqual([['S-1-5-21-1-2-3-1001', 'SeServiceLogonRight']]);
    expect(ctx.lines.join('\n')).toContain('granted .\\alice the "Log on as a service" right');
    expect(ctx.lines.join('\n')).not.toContain('s3cret');
  });

  it('a user account without a password and no console is a usage error; nothing is created', async () => {
    const ctx = fakeContext();
    const err = await failure(install(ctx, { input: { account: '.\\alice' }, force: false, passwordEnv: 'NOPE' }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/needs a password and environment variable NOPE is not set/);
    expect(ctx.api.services.size).toBe(0);
  });

  it('prompts for the password when the variable is unset and there is a console', async () => {
    const ctx = fakeContext(new FakeScm(), { promptSecret: async () => 'typed' });
    await install(ctx, { input: { account: '.\\alice' }, force: false });
    expect(ctx.api.services.get('mysvc')!.password).toBe('typed');
  });

  it('a gMSA needs no password', async () => {
    const api = new FakeScm();
    api.accounts.set('corp\\svc-web$', { sid: 'S-1-5-21-7-7-7-2001', domain: 'CORP', use: 1 });
    const ctx = fakeContext(api);
    await install(ctx, { input: { account: 'CORP\\svc-web$' }, force: false });
    expect(api.services.get('mysvc')!.password).toBeNull();
    expect(api.callsTo('addAccountRight')).toEqual([['S-1-5-21-7-7-7-2001', 'SeServiceLogonRight']]);
  });

  it('fails clearly, before changing anything: no administrator rights, unknown account, missing dependency, foreign virtual account', async () => {
    let ctx = fakeContext(new FakeScm({ adminRights: false, elevationType: 'limited' }));
    let denied = await failure(install(ctx, { input: {}, force: false }));
    expect(denied.message).toBe('install needs administrator rights');
    expect(denied.hint).toBe('run "MySvc.exe install" from a command prompt opened with "Run as administrator"');
    expect(ctx.api.calls.map((c) => c.fn)).toEqual(['openManager']);

    ctx = fakeContext(new FakeScm({ adminRights: false, elevationType: 'default' }));
    denied = await failure(install(ctx, { input: {}, force: false }));
    expect(denied.hint).toMatch(/^sign in as an administrator and run "MySvc.exe install"/);

    ctx = fakeContext();
    expect((await failure(install(ctx, { input: { account: 'CORP\\nobody' }, force: false }))).message).toBe('account CORP\\nobody is unknown');

    ctx = fakeContext();
    const dep = await failure(install(ctx, { input: { dependencies: ['NoSuchSvc'] }, force: false }));
    expect(dep.message).toBe('dependency NoSuchSvc is not an installed service');

    ctx = fakeContext();
    const virt = await failure(install(ctx, { input: { account: 'NT SERVICE\\Other' }, force: false }));
    expect(virt.exitCode).toBe(2);
    expect(ctx.api.calls.filter((c) => c.fn === 'createService')).toEqual([]);
  });

  it('bad settings are usage errors (exit 2)', async () => {
    const err = await failure(install(fakeContext(), { input: { startType: 'sometimes' }, force: false }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/sometimes/);
  });

  it('rolls a fresh install back when a later step fails', async () => {
    const ctx = fakeContext();
    ctx.api.failNext.set('setFolderAcl', 5);
    const err = await failure(install(ctx, { input: {}, force: false }));
    expect(err.message).toMatch(/access denied/);
    expect(ctx.api.services.size).toBe(0);
    expect(ctx.dirs.size).toBe(0);
  });

  it('reports settings this SCM refuses (124) as warnings and still installs (Wine 10: flag and SID type)', async () => {
    const ctx = fakeContext(new FakeScm(WINE10_SCM));
    const result = await install(ctx, { input: { startType: 'delayed-auto', recovery: 'restart/2s' }, force: false });
    expect(result.warnings).toEqual([
      'this Service Control Manager cannot set recovery on non-crash failures (error 124); it was not applied',
      'this Service Control Manager cannot set the service SID type (error 124); it was not applied',
    ]);
    // Warnings go to stderr; stdout keeps only progress and results.
    expect(ctx.warnings).toEqual(result.warnings.map((w) => `MySvc: warning: ${w}`));
    expect(ctx.lines.join('\n')).not.toMatch(/warning|cannot set/);
    const svc = ctx.api.services.get('mysvc')!;
    expect(svc.config2.get('delayed-auto-start')).toEqual({ level: 'delayed-auto-start', delayed: true });
    // Failure actions are accepted (no warning) and dropped: the call was made, nothing is stored.
    expect(ctx.api.callsTo('changeConfig2').some(([info]) => (info as { level: string }).level === 'failure-actions')).toBe(true);
    expect(svc.config2.has('failure-actions')).toBe(false);

    // --force reads the stored delayed flag back: a delayed-auto service stays delayed-auto.
    const updated = await install(ctx, { input: { description: 'again' }, force: true });
    expect(updated.settings.startType).toBe('delayed-auto');
    expect(updated.warnings).toEqual([]);
  });

  it('an existing installation: refused without --force; --force changes only what is given', async () => {
    const ctx = fakeContext();
    await install(ctx, { input: { description: 'first', env: ['A=1'] }, force: false });
    const again = await failure(install(ctx, { input: {}, force: false }));
    expect(again.exitCode).toBe(1);
    expect(again.message).toMatch(/already installed/);
    expect(again.hint).toMatch(/install --force/);

    ctx.exePath = 'D:\\v2\\MySvc.exe';
    ctx.api.calls = [];
    const updated = await install(ctx, { input: { startType: 'manual' }, force: true });
    expect(updated.action).toBe('updated');
    const svc = ctx.api.services.get('mysvc')!;
    expect(svc.config.startType).toBe(3);
    expect(svc.config.binaryPath).toBe('"D:\\v2\\MySvc.exe" --service');
    expect(svc.config2.get('description')).toEqual({ level: 'description', description: 'first' });
    expect(ctx.api.env.get('mysvc')).toEqual(['A=1']);
    expect(ctx.api.callsTo('createService')).toEqual([]);
    expect(ctx.api.callsTo('changeConfig')).toEqual([[{ binaryPath: '"D:\\v2\\MySvc.exe" --service', startType: 3 }]]);
  });

  it('--force keeps the registered app args unless --arg is given', async () => {
    const ctx = fakeContext();
    await install(ctx, { input: { args: ['--port', '1'] }, force: false });
    await install(ctx, { input: {}, force: true });
    expect(ctx.api.services.get('mysvc')!.config.binaryPath).toBe(`"${EXE}" --service --port 1`);
    await install(ctx, { input: { args: ['x y'] }, force: true });
    expect(ctx.api.services.get('mysvc')!.config.binaryPath).toBe(`"${EXE}" --service "x y"`);
  });

  it('an update that fails midway restores the previous configuration', async () => {
    const ctx = fakeContext();
    await install(ctx, { input: { description: 'old' }, force: false });
    ctx.api.failNext.set('setServiceEnvironment', 5);
    await failure(install(ctx, { input: { description: 'new', startType: 'disabled', env: ['B=2'] }, force: true }));
    const svc = ctx.api.services.get('mysvc')!;
    expect(svc.config.startType).toBe(2);
    expect(svc.config2.get('description')).toEqual({ level: 'description', description: 'old' });
  });

  it('refuses a name registered by another program, even with --force', async () => {
    const ctx = fakeContext();
    ctx.api.createService({}, {
      name: 'MySvc',
      displayName: 'x',
      startType: 3,
      binaryPath: 'C:\\Windows\\system32\\svchost.exe -k netsvcs',
      dependencies: [],
      account: null,
      password: null,
    });
    const err = await failure(install(ctx, { input: {}, force: true }));
    expect(err.message).toBe('the service name MySvc is taken by another program (C:\\Windows\\system32\\svchost.exe)');
    expect(ctx.api.services.get('mysvc')!.config.binaryPath).toContain('svchost');
  });
});

describe('uninstall', () => {
  it('stops, deletes, keeps the data folder unless --purge; twice is fine', async () => {
    const ctx = fakeContext();
    await install(ctx, { input: {}, force: false });
    const handle = ctx.api.openService({}, 'MySvc', 0)!;
    ctx.api.startService(handle, []);
    ctx.api.close(handle);
    expect(await uninstall(ctx, { purge: false })).toBe('removed');
    expect(ctx.api.callsTo('control')).toEqual([[1]]);
    expect(ctx.api.services.size).toBe(0);
    expect(ctx.dirs.has(ctx.dataDir)).toBe(true);
    expect(ctx.lines.join('\n')).toMatch(/kept C:\\ProgramData\\MySvc/);

    expect(await uninstall(ctx, { purge: true })).toBe('not-installed');
    expect(ctx.dirs.has(ctx.dataDir)).toBe(false);
  });

  it('says when the SCM only marked the service for deletion (a handle is still open elsewhere)', async () => {
    const ctx = fakeContext();
    await install(ctx, { input: {}, force: false });
    ctx.api.openService({}, 'MySvc', 0); // someone else (services.msc) holds it open
    expect(await uninstall(ctx, { purge: false })).toBe('marked-for-deletion');
    expect(ctx.lines.join('\n')).toMatch(/marked for deletion; Windows removes it once/);
  });

  it("never removes another program's service", async () => {
    const ctx = fakeContext();
    ctx.api.createService({}, { name: 'MySvc', displayName: 'x', startType: 3, binaryPath: '"C:\\other\\thing.exe"', dependencies: [], account: null, password: null });
    const err = await failure(uninstall(ctx, { purge: false }));
    expect(err.message).toMatch(/belongs to another program/);
    expect(ctx.api.services.size).toBe(1);
  });
});

async function seed(name: string): Promise<FakeScm> {
  const api = new FakeScm();
  api.createService({}, { name, displayName: name, startType: 2, binaryPath: `C:\\Windows\\${name}.sys`, dependencies: [], account: null, password: null });
  return api;
}
