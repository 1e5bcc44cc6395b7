/**
 * `install --allow-control` against the fake SCM: names looked up before anything changes, the
 * service's DACL set (default + one entry per SID) and the names stored, rollback restoring both,
 * `status` showing them; and what the fake's access check then lets a non-administrator do with
 * start, stop and status (the rights control.ts and status.ts ask for must be within what the
 * entry grants).
 */
import { describe, expect, it } from 'vitest';
import { startService, stopService } from '../../../runtime-shim/commands/control';
import { install } from '../../../runtime-shim/commands/install';
import { CONTROL_RIGHTS, DEFAULT_SERVICE_DACL } from '../../../runtime-shim/commands/service-security';
import { formatStatus, status } from '../../../runtime-shim/commands/status';
import { FakeScm, failure, fakeContext, type FakeContext } from './fake-scm';

const USERS = 'S-1-5-32-545';
const HELPDESK = 'S-1-5-21-9-9-9-1200';
const ALICE = 'S-1-5-21-1-2-3-1001';
const ace = (sid: string) => `(A;;${CONTROL_RIGHTS};;;${sid})`;

function context(api = new FakeScm()): FakeContext {
  api.accounts.set('users', { sid: USERS, domain: 'BUILTIN', use: 4 });
  api.accounts.set('corp\\helpdesk', { sid: HELPDESK, domain: 'CORP', use: 2 });
  api.accounts.set('corp', { sid: 'S-1-5-21-9-9-9', domain: 'CORP', use: 3 });
  return fakeContext(api);
}

const fns = (ctx: FakeContext) => ctx.api.calls.map((c) => c.fn);

describe('install --allow-control', () => {
  it('a fresh install: looks the names up, sets the default DACL plus one entry per SID, stores the names as given', async () => {
    const ctx = context();
    const result = await install(ctx, { input: { allowControl: 'Users, CORP\\HelpDesk, .\\alice, s-1-5-32-547' }, force: false });
    const svc = ctx.api.services.get('mysvc')!;
    expect(svc.dacl).toBe(`${DEFAULT_SERVICE_DACL}${ace(USERS)}${ace(HELPDESK)}${ace(ALICE)}${ace('S-1-5-32-547')}`);
    expect(ctx.api.allowControls.get('mysvc')).toBe('Users,CORP\\HelpDesk,.\\alice,s-1-5-32-547');
    expect(result.settings.allowControl).toEqual(['Users', 'CORP\\HelpDesk', '.\\alice', 's-1-5-32-547']);
    // After the service exists, before anything outside it (Event Log source, data folder).
    const order = fns(ctx);
    expect(order.indexOf('createService')).toBeLessThan(order.indexOf('setServiceDacl'));
    expect(order.indexOf('setServiceDacl')).toBeLessThan(order.indexOf('registerEventSource'));
    expect(order).not.toContain('getServiceDacl'); // nothing to restore on a new service
    expect(ctx.lines).toContain('MySvc: Users, CORP\\HelpDesk, .\\alice, s-1-5-32-547 may query, start and stop it without administrator rights');
  });

  it('a baked list applies at a fresh install without the flag', async () => {
    const ctx = context();
    ctx.baked = { ...ctx.baked, allowControl: ['Users'] };
    await install(ctx, { input: {}, force: false });
    expect(ctx.api.services.get('mysvc')!.dacl).toBe(`${DEFAULT_SERVICE_DACL}${ace(USERS)}`);
  });

  it('no list on a fresh install: the SCM default stays, nothing is written or printed', async () => {
    const ctx = context();
    await install(ctx, { input: {}, force: false });
    expect(fns(ctx)).not.toContain('setServiceDacl');
    expect(fns(ctx)).not.toContain('setServiceAllowControl');
    expect(ctx.api.services.get('mysvc')!.dacl).toBe(DEFAULT_SERVICE_DACL);
    expect(ctx.lines.join('\n')).not.toMatch(/administrator/);
  });

  it('an unknown name is a usage error (exit 2) before anything changes', async () => {
    const ctx = context();
    const err = await failure(install(ctx, { input: { allowControl: 'Users,CORP\\Nobody' }, force: false }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('cannot allow CORP\\Nobody to control the service: no such account or group');
    expect(err.hint).toMatch(/S-1-5-32-545 for Users on a Windows in any language/);
    expect(fns(ctx).filter((fn) => fn !== 'openManager' && fn !== 'openService')).toEqual([]);
    expect(ctx.api.services.size).toBe(0);
  });

  it('a name that is not a user, group or computer (a domain) is a usage error', async () => {
    const ctx = context();
    const err = await failure(install(ctx, { input: { allowControl: 'CORP' }, force: false }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('cannot allow CORP to control the service: it is not a user, group or computer account (SID type 3)');
    expect(ctx.api.services.size).toBe(0);
  });

  it('a bad entry is a usage error naming it', async () => {
    const err = await failure(install(context(), { input: { allowControl: 'Users;Admins' }, force: false }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/^account or group "Users;Admins" contains one of/);
  });

  it('a fresh install whose DACL cannot be set is deleted again', async () => {
    const ctx = context();
    ctx.api.failNext.set('setServiceDacl', 5);
    const err = await failure(install(ctx, { input: { allowControl: 'Users' }, force: false }));
    expect(err.message).toMatch(/access denied/);
    expect(ctx.api.services.size).toBe(0);
    expect(ctx.api.allowControls.size).toBe(0);
  });

  it('--force with a list replaces the previous one: DACL rebuilt from the default, not added to', async () => {
    const ctx = context();
    await install(ctx, { input: { allowControl: 'Users' }, force: false });
    const updated = await install(ctx, { input: { allowControl: 'CORP\\HelpDesk' }, force: true });
    expect(ctx.api.services.get('mysvc')!.dacl).toBe(`${DEFAULT_SERVICE_DACL}${ace(HELPDESK)}`);
    expect(ctx.api.allowControls.get('mysvc')).toBe('CORP\\HelpDesk');
    expect(updated.settings.allowControl).toEqual(['CORP\\HelpDesk']);
  });

  it('--force without --allow-control leaves the DACL and the stored list alone, and reports the stored list', async () => {
    const ctx = context();
    await install(ctx, { input: { allowControl: 'Users' }, force: false });
    ctx.api.calls = [];
    const updated = await install(ctx, { input: { description: 'new' }, force: true });
    expect(fns(ctx)).not.toContain('setServiceDacl');
    expect(fns(ctx)).not.toContain('setServiceAllowControl');
    expect(ctx.api.services.get('mysvc')!.dacl).toBe(`${DEFAULT_SERVICE_DACL}${ace(USERS)}`);
    expect(updated.settings.allowControl).toEqual(['Users']);
  });

  it('--force --allow-control none (or an empty value) restores the default DACL and removes the stored list', async () => {
    for (const none of ['none', '']) {
      const ctx = context();
      await install(ctx, { input: { allowControl: 'Users' }, force: false });
      ctx.lines.length = 0;
      await install(ctx, { input: { allowControl: none }, force: true });
      expect(ctx.api.services.get('mysvc')!.dacl, none).toBe(DEFAULT_SERVICE_DACL);
      expect(ctx.api.allowControls.has('mysvc'), none).toBe(false);
      expect(ctx.lines, none).toContain('MySvc: only administrators may start and stop it (the Windows default)');
    }
  });

  it('an update that fails after the DACL was set restores the previous DACL and stored list', async () => {
    const ctx = context();
    await install(ctx, { input: { allowControl: 'Users' }, force: false });
    const before = ctx.api.services.get('mysvc')!.dacl;
    ctx.lines.length = 0;
    ctx.api.failNext.set('registerEventSource', 5);
    await failure(install(ctx, { input: { allowControl: 'CORP\\HelpDesk,.\\alice' }, force: true }));
    expect(ctx.api.services.get('mysvc')!.dacl).toBe(before);
    expect(ctx.api.allowControls.get('mysvc')).toBe('Users');
    expect(ctx.api.callsTo('setServiceDacl').at(-1)).toEqual([before]);
    expect(ctx.lines.join('\n')).not.toMatch(/may query, start and stop/);
  });

  it('an update of a service without a stored list restores "none stored" on rollback', async () => {
    const ctx = context();
    await install(ctx, { input: {}, force: false });
    ctx.api.failNext.set('registerEventSource', 5);
    await failure(install(ctx, { input: { allowControl: 'Users' }, force: true }));
    expect(ctx.api.services.get('mysvc')!.dacl).toBe(DEFAULT_SERVICE_DACL);
    expect(ctx.api.allowControls.has('mysvc')).toBe(false);
  });
});

describe('status shows who may control the service', () => {
  it('the stored names, in the report and the text', async () => {
    const ctx = context();
    await install(ctx, { input: { allowControl: 'Users,CORP\\HelpDesk' }, force: false });
    const report = await status(ctx);
    expect(report.allowControl).toEqual(['Users', 'CORP\\HelpDesk']);
    expect(formatStatus(report, '--service')).toMatch(/^ {2}allowed to control +Users, CORP\\HelpDesk$/m);
  });

  it('none stored: administrators only', async () => {
    const ctx = context();
    await install(ctx, { input: {}, force: false });
    const report = await status(ctx);
    expect(report.allowControl).toEqual([]);
    expect(formatStatus(report, '--service')).toMatch(/^ {2}allowed to control +administrators only$/m);
  });
});

describe('a non-administrator in an allowed group', () => {
  /** Installed by an administrator with `input`; then driven by a member of Users (and Interactive). */
  async function asUser(input: { allowControl?: string }): Promise<FakeContext> {
    const ctx = context();
    await install(ctx, { input, force: false });
    ctx.api.opts.caller = [ALICE, USERS, 'S-1-5-4'];
    ctx.lines.length = 0;
    return ctx;
  }

  it('may start, stop and query the service: the commands ask only for rights the entry grants', async () => {
    const ctx = await asUser({ allowControl: 'Users' });
    expect((await startService(ctx)).state).toBe(4);
    expect((await status(ctx)).state).toBe('RUNNING');
    expect((await stopService(ctx)).state).toBe(1);
  });

  it('without it: start and stop are denied with how to get allowed; status still works (interactive users may query)', async () => {
    const ctx = await asUser({});
    const denied = await failure(startService(ctx));
    expect(denied.message).toBe('opening service MySvc: access denied');
    expect(denied.hint).toBe(
      'run "MySvc.exe start" from a command prompt opened with "Run as administrator", or have an administrator allow your account or group: "MySvc.exe install --force --allow-control <account or group>"',
    );
    expect((await failure(stopService(ctx))).hint).toMatch(/^run "MySvc\.exe stop" .* --allow-control <account or group>"$/);
    expect((await status(ctx)).installed).toBe(true);
  });

  it('install stays administrators only', async () => {
    const ctx = await asUser({ allowControl: 'Users' });
    const err = await failure(install(ctx, { input: { allowControl: 'none' }, force: true }));
    expect(err.message).toBe('install needs administrator rights');
    expect(ctx.api.services.get('mysvc')!.dacl).toBe(`${DEFAULT_SERVICE_DACL}${ace(USERS)}`);
  });
});
