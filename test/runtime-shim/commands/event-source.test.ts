import { describe, expect, it } from 'vitest';
import { install } from '../../../runtime-shim/commands/install';
import { uninstall } from '../../../runtime-shim/commands/uninstall';
import { EXE, FakeScm, failure, fakeContext, BAKED_RUNTIME } from './fake-scm';

const fns = (api: FakeScm) => api.calls.map((c) => c.fn);

describe('install: the Event Log source', () => {
  it('a fresh install registers source <Name> with this exe as its message file, after creating the service', async () => {
    const ctx = fakeContext();
    await install(ctx, { input: {}, force: false });
    expect(ctx.api.callsTo('registerEventSource')).toEqual([['MySvc', EXE]]);
    expect(fns(ctx.api).indexOf('registerEventSource')).toBeGreaterThan(fns(ctx.api).indexOf('createService'));
    expect(ctx.api.eventSources.get('mysvc')).toBe(EXE);
  });

  it('with the Event Log off (eventLog false) nothing is registered', async () => {
    const ctx = fakeContext(new FakeScm(), { bakedRuntime: { ...BAKED_RUNTIME, logging: { ...BAKED_RUNTIME.logging, eventLog: false } } });
    await install(ctx, { input: {}, force: false });
    expect(ctx.api.callsTo('registerEventSource')).toEqual([]);
    expect(ctx.api.eventSources.size).toBe(0);
  });

  it('--force re-points the message file at the new exe', async () => {
    const ctx = fakeContext();
    await install(ctx, { input: {}, force: false });
    ctx.exePath = 'D:\\v2\\MySvc.exe';
    await install(ctx, { input: {}, force: true });
    expect(ctx.api.eventSources.get('mysvc')).toBe('D:\\v2\\MySvc.exe');
  });

  it('a fresh install rolled back removes the new source', async () => {
    const ctx = fakeContext();
    ctx.api.failNext.set('setFolderAcl', 5);
    await failure(install(ctx, { input: {}, force: false }));
    expect(ctx.api.services.size).toBe(0);
    expect(ctx.api.eventSources.size).toBe(0);
  });

  it('an update rolled back restores the previous message file', async () => {
    const ctx = fakeContext();
    await install(ctx, { input: {}, force: false });
    ctx.exePath = 'D:\\v2\\MySvc.exe';
    ctx.api.failNext.set('setFolderAcl', 5);
    await failure(install(ctx, { input: { account: 'LocalService' }, force: true }));
    expect(ctx.api.eventSources.get('mysvc')).toBe(EXE);
    expect(ctx.api.services.get('mysvc')!.config.binaryPath).toBe(`"${EXE}" --service`);
  });

  it('a failed registration rolls the install back', async () => {
    const ctx = fakeContext();
    ctx.api.failNext.set('registerEventSource', 5);
    const err = await failure(install(ctx, { input: {}, force: false }));
    expect(err.message).toMatch(/access denied/);
    expect(ctx.api.services.size).toBe(0);
  });

  it("leaves another program's source alone, with a warning", async () => {
    const ctx = fakeContext();
    ctx.api.eventSources.set('mysvc', '%SystemRoot%\\System32\\other.dll');
    const result = await install(ctx, { input: {}, force: false });
    expect(result.warnings).toEqual([
      "the Event Log source MySvc belongs to another program (%SystemRoot%\\System32\\other.dll); it was left alone, so Event Viewer may not show this service's event text",
    ]);
    expect(ctx.warnings).toEqual([`MySvc: warning: ${result.warnings[0]}`]);
    expect(ctx.lines.join('\n')).not.toContain('warning');
    expect(ctx.api.callsTo('registerEventSource')).toEqual([]);
    expect(ctx.api.eventSources.get('mysvc')).toBe('%SystemRoot%\\System32\\other.dll');
  });

  it('takes over a leftover source of the same service (any folder) or one without a message file', async () => {
    const ctx = fakeContext();
    ctx.api.eventSources.set('mysvc', 'C:\\old\\place\\mysvc.EXE');
    await install(ctx, { input: {}, force: false });
    expect(ctx.api.eventSources.get('mysvc')).toBe(EXE);

    const bare = fakeContext();
    bare.api.eventSources.set('mysvc', '');
    await install(bare, { input: {}, force: false });
    expect(bare.api.eventSources.get('mysvc')).toBe(EXE);
  });
});

describe('uninstall: the Event Log source', () => {
  it('is removed after the service is deleted', async () => {
    const ctx = fakeContext();
    await install(ctx, { input: {}, force: false });
    ctx.api.calls = [];
    expect(await uninstall(ctx, { purge: false })).toBe('removed');
    expect(ctx.api.callsTo('removeEventSource')).toEqual([['MySvc']]);
    expect(fns(ctx.api).indexOf('removeEventSource')).toBeGreaterThan(fns(ctx.api).indexOf('deleteService'));
    expect(ctx.api.eventSources.size).toBe(0);
  });

  it('not installed: a stale source is still removed; no source, nothing is called', async () => {
    const ctx = fakeContext();
    ctx.api.eventSources.set('mysvc', EXE);
    expect(await uninstall(ctx, { purge: false })).toBe('not-installed');
    expect(ctx.api.eventSources.size).toBe(0);

    ctx.api.calls = [];
    expect(await uninstall(ctx, { purge: false })).toBe('not-installed');
    expect(ctx.api.callsTo('removeEventSource')).toEqual([]);
  });

  it('is removed even when this exe has the Event Log off (an earlier build may have registered it)', async () => {
    const ctx = fakeContext(new FakeScm(), { bakedRuntime: { ...BAKED_RUNTIME, logging: { ...BAKED_RUNTIME.logging, eventLog: false } } });
    ctx.api.eventSources.set('mysvc', EXE);
    await uninstall(ctx, { purge: false });
    expect(ctx.api.eventSources.size).toBe(0);
  });

  it("keeps another program's source and says so", async () => {
    const ctx = fakeContext();
    ctx.api.eventSources.set('mysvc', 'C:\\Other\\other.dll');
    await uninstall(ctx, { purge: false });
    expect(ctx.api.eventSources.get('mysvc')).toBe('C:\\Other\\other.dll');
    // A warning: on stderr, not among the results on stdout.
    expect(ctx.warnings).toEqual(['MySvc: warning: kept the Event Log source MySvc: it belongs to another program (C:\\Other\\other.dll)']);
    expect(ctx.lines.join('\n')).not.toContain('Event Log source');
  });

  it('a failure to remove it is a warning: the service is removed all the same', async () => {
    const ctx = fakeContext();
    await install(ctx, { input: {}, force: false });
    ctx.api.failNext.set('removeEventSource', 5);
    expect(await uninstall(ctx, { purge: true })).toBe('removed');
    expect(ctx.api.services.size).toBe(0);
    expect(ctx.warnings).toEqual(['MySvc: warning: could not remove the Event Log source MySvc: removeEventSource failed with Win32 error 5']);
    expect(ctx.lines.join('\n')).not.toContain('warning');
    expect(ctx.dirs.has(ctx.dataDir)).toBe(false);
  });
});
