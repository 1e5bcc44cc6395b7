/**
 * `install` with runtime settings and `config get/set/reset/dump`, against the fake SCM: what is
 * stored under the service's Parameters key, what the SCM is told, what each command prints, and
 * that bad input changes nothing (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { configCommand, splitArgs } from '../../../runtime-shim/commands/config';
import { install } from '../../../runtime-shim/commands/install';
import { formatStatus, status } from '../../../runtime-shim/commands/status';
import { SERVICE_RUNNING } from '../../../runtime-shim/platform/manager-api';
import { EXE, failure, fakeContext, type FakeContext } from './fake-scm';

async function installed(runtime = {}, input = {}): Promise<FakeContext> {
  const ctx = fakeContext();
  await install(ctx, { input, runtime, force: false });
  ctx.lines.length = 0;
  ctx.api.calls = [];
  return ctx;
}

const running = (ctx: FakeContext): void => {
  ctx.api.services.get('mysvc')!.status.state = SERVICE_RUNNING;
};

describe('install with runtime settings', () => {
  it('stores each given one under Parameters as its flag text, nothing else', async () => {
    const ctx = await installed({ logLevel: 'DEBUG', stopTimeout: '90000', logRotate: '5mb' });
    expect(ctx.api.storedSettings.get('mysvc')).toEqual({ logLevel: 'debug', stopTimeout: '90s', logRotate: '5MB' });
  });

  it('checks them before changing anything: a bad one is a usage error and no service is created', async () => {
    const ctx = fakeContext();
    const err = await failure(install(ctx, { input: {}, runtime: { healthUrl: 'http://127.0.0.1:1/h' }, force: false }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/supervised mode/);
    expect(ctx.api.services.size).toBe(0);
    expect(ctx.api.storedSettings.size).toBe(0);
  });

  it('--force checks against what is already stored and keeps what it is not given', async () => {
    const ctx = await installed({ supervise: 'true' });
    await install(ctx, { input: {}, runtime: { healthUrl: 'http://127.0.0.1:1/h' }, force: true });
    expect(ctx.api.storedSettings.get('mysvc')).toEqual({ supervise: 'true', healthUrl: 'http://127.0.0.1:1/h' });
  });

  it('registers the Event Log source when the stored or given setting turns it on', async () => {
    const ctx = fakeContext();
    ctx.bakedRuntime = { ...ctx.bakedRuntime, logging: { ...ctx.bakedRuntime.logging, eventLog: false } };
    await install(ctx, { input: {}, runtime: { eventLog: 'true' }, force: false });
    expect(ctx.api.eventSources.get('mysvc')).toBe(EXE);
  });
});

describe('config get', () => {
  it('lists every setting with its value and where it comes from', async () => {
    const ctx = await installed({ logLevel: 'warn' }, { startType: 'manual' });
    await configCommand(ctx, { action: 'get', json: true });
    const rows = JSON.parse(ctx.lines.join('\n')) as { name: string; value: string; source: string; appliesOn: string }[];
    const row = (name: string) => rows.find((r) => r.name === name);
    expect(row('log-level')).toEqual({ name: 'log-level', value: 'warn', source: 'stored', appliesOn: 'reload' });
    expect(row('stop-timeout')).toEqual({ name: 'stop-timeout', value: '20s', source: 'baked', appliesOn: 'reload' });
    expect(row('supervise')).toMatchObject({ value: 'false', source: 'baked', appliesOn: 'restart' });
    expect(row('start-type')).toEqual({ name: 'start-type', value: 'manual', source: 'service', appliesOn: 'now' });
    expect(row('account')).toMatchObject({ value: 'NT SERVICE\\MySvc', source: 'baked', appliesOn: 'restart' });
    expect(row('alert-url')).toMatchObject({ value: 'none' });

    ctx.lines.length = 0;
    await configCommand(ctx, { action: 'get', json: false });
    expect(ctx.lines.join('\n')).toMatch(/ {2}log-level +warn +\[stored\]/);
    expect(ctx.lines.join('\n')).toMatch(/ {2}stop-timeout +20s$/m);
  });

  it('prints one value alone, by flag or key, secrets redacted', async () => {
    const ctx = await installed({ alertUrl: 'https://hooks.example.com/alerts?token=s3cret' });
    await configCommand(ctx, { action: 'get', name: 'logLevel', json: false });
    await configCommand(ctx, { action: 'get', name: '--alert-url', json: false });
    expect(ctx.lines).toEqual(['info', 'https://hooks.example.com/alerts?***']);
  });

  it('fails in one line for an unknown setting (exit 2) or a service that is not installed', async () => {
    const ctx = await installed();
    expect((await failure(configCommand(ctx, { action: 'get', name: 'log-colour', json: false }))).exitCode).toBe(2);
    const none = fakeContext();
    const err = await failure(configCommand(none, { action: 'get', json: false }));
    expect(err.message).toBe('service MySvc is not installed');
  });
});

describe('config set and reset', () => {
  it('stores a runtime setting and says the running service applies it on reload', async () => {
    const ctx = await installed();
    running(ctx);
    await configCommand(ctx, { action: 'set', name: 'log-level', values: ['debug'] });
    expect(ctx.api.storedSettings.get('mysvc')).toEqual({ logLevel: 'debug' });
    expect(ctx.lines).toEqual(['MySvc: log-level set: debug', 'MySvc: the running service applies it on "MySvc.exe reload" (or at its next start)']);
  });

  it('says when a setting needs a restart, and when the service is stopped', async () => {
    const ctx = await installed();
    running(ctx);
    await configCommand(ctx, { action: 'set', name: 'supervise', values: ['yes'] });
    expect(ctx.lines.at(-1)).toBe('MySvc: takes effect at the next start: run "MySvc.exe restart"');
    ctx.api.services.get('mysvc')!.status.state = 1;
    await configCommand(ctx, { action: 'set', name: 'stop-timeout', values: ['1m'] });
    expect(ctx.lines.slice(-2)).toEqual(['MySvc: stop-timeout set: 1m', 'MySvc: the service is not running; it applies this when it starts']);
    expect(ctx.api.storedSettings.get('mysvc')).toEqual({ supervise: 'true', stopTimeout: '1m' });
  });

  it('checks the value against the other settings first: a bad one stores nothing (exit 2)', async () => {
    const ctx = await installed();
    for (const [name, value] of [['log-level', 'loud'], ['health-url', 'http://127.0.0.1:1/h'], ['stop-timeout', 'soon']] as const) {
      const err = await failure(configCommand(ctx, { action: 'set', name, values: [value] }));
      expect(err.exitCode, name).toBe(2);
    }
    expect((await failure(configCommand(ctx, { action: 'set', name: 'log-level', values: ['debug', 'info'] }))).message).toMatch(/takes one value/);
    expect(ctx.api.callsTo('setStoredSetting')).toEqual([]);
  });

  it('a Linux log folder is refused in one line (exit 2); a Windows one is stored', async () => {
    const ctx = await installed();
    const err = await failure(configCommand(ctx, { action: 'set', name: 'log-dir', values: ['/var/log/my-svc'] }));
    expect([err.exitCode, `${err.message} — ${err.hint}`]).toEqual([2, 'log folder "/var/log/my-svc" is a Linux path; this is Windows — give an absolute path such as D:\\logs\\MySvc']);
    expect(ctx.api.callsTo('setStoredSetting')).toEqual([]);
    await configCommand(ctx, { action: 'set', name: 'log-dir', values: ['D:\\logs\\MySvc'] });
    expect(ctx.api.storedSettings.get('mysvc')).toEqual({ logDir: 'D:\\logs\\MySvc' });
  });

  it('reset deletes the stored value: the exe\'s own applies again', async () => {
    const ctx = await installed({ logLevel: 'warn', logKeep: '9' });
    await configCommand(ctx, { action: 'reset', names: ['log-level', 'logKeep'] });
    expect(ctx.api.storedSettings.get('mysvc')).toEqual({});
    expect(ctx.lines.filter((l) => l.includes('reset'))).toEqual(["MySvc: log-level reset to the exe's own value: info", "MySvc: log-keep reset to the exe's own value: 5"]);
  });

  it('changes a service setting through the SCM and keeps the registered exe, even from another copy of the exe', async () => {
    const ctx = await installed();
    const registered = ctx.api.services.get('mysvc')!.config.binaryPath;
    ctx.exePath = 'D:\\download\\MySvc.exe';
    await configCommand(ctx, { action: 'set', name: 'start-type', values: ['manual'] });
    await configCommand(ctx, { action: 'set', name: 'env', values: ['A=1', 'B=two words'] });
    const service = ctx.api.services.get('mysvc')!;
    expect(service.config.binaryPath).toBe(registered);
    expect(service.config.startType).toBe(3);
    expect(ctx.api.env.get('mysvc')).toEqual(['A=1', 'B=two words']);
    expect(ctx.lines).toContain('MySvc: start-type set: manual');
    expect(ctx.lines).toContain('MySvc: env set: A=1 "B=two words"');

    await configCommand(ctx, { action: 'reset', names: ['start-type', 'env'] });
    expect(service.config.startType).toBe(2);
    expect(ctx.api.env.has('mysvc')).toBe(false);
  });

  it('fails for a service that is not installed, creating nothing', async () => {
    const ctx = fakeContext();
    expect((await failure(configCommand(ctx, { action: 'set', name: 'start-type', values: ['manual'] }))).message).toBe('service MySvc is not installed');
    expect((await failure(configCommand(ctx, { action: 'set', name: 'log-level', values: ['debug'] }))).message).toBe('service MySvc is not installed');
    expect(ctx.api.services.size).toBe(0);
  });
});

describe('config dump', () => {
  it('prints the install line with every value that differs from the exe\'s own, secrets redacted', async () => {
    const ctx = await installed({ logLevel: 'debug', stopTimeout: '20s', alertUrl: 'https://h.example.com/a?k=s3cret' }, { startType: 'manual', args: ['port=8080', 'two words'], env: ['A=1'] });
    await configCommand(ctx, { action: 'dump' });
    expect(ctx.lines).toEqual([
      `"${EXE}" install --start-type manual --env A=1 --arg port=8080 --arg "two words" --log-level debug --alert-url https://h.example.com/a?***`,
    ]);
  });

  it('is the bare install line for a service installed with the defaults', async () => {
    const ctx = await installed();
    await configCommand(ctx, { action: 'dump' });
    expect(ctx.lines).toEqual([`"${EXE}" install`]);
  });
});

describe('splitArgs', () => {
  it('reads a command-line tail as CommandLineToArgvW does', () => {
    expect(splitArgs('port=1 "two words" "a\\"b" c\\\\d ""')).toEqual(['port=1', 'two words', 'a"b', 'c\\\\d', '']);
  });
});

describe('status', () => {
  it('shows the settings that differ from the exe\'s own and where each comes from', async () => {
    const ctx = await installed({ logLevel: 'debug' }, { startType: 'manual' });
    const report = await status(ctx);
    expect(report.settings?.find((r) => r.name === 'log-level')).toMatchObject({ value: 'debug', source: 'stored' });
    expect(formatStatus(report, '--service')).toMatch(/settings +start-type=manual \[service\], log-level=debug \[stored\]/);
    const plain = await installed();
    expect(formatStatus(await status(plain), '--service')).toMatch(/settings +the exe's own \(see config get\)/);
  });
});

describe('stored settings that cannot be read, or are not valid', () => {
  const UNREADABLE = "MySvc: warning: could not read the settings stored with the service (HKLM\\SYSTEM\\CurrentControlSet\\Services\\MySvc\\Parameters: access denied); using the exe's own";

  it('status, config get and config dump still work: the exe\'s own values, with a warning saying why', async () => {
    const ctx = await installed({ logLevel: 'debug', stopTimeout: '40s' });
    ctx.api.getStoredSettings = () => {
      throw new Error('access denied');
    };
    const report = await status(ctx);
    expect(report.settings?.filter((r) => r.source === 'stored')).toEqual([]);
    expect(report.settings?.find((r) => r.name === 'stop-timeout')).toMatchObject({ value: '20s', source: 'baked' });
    await configCommand(ctx, { action: 'get', name: 'stop-timeout', json: false });
    await configCommand(ctx, { action: 'dump' });
    expect(ctx.lines).toEqual(['20s', `"${EXE}" install`]);
    expect(ctx.warnings).toEqual([UNREADABLE, UNREADABLE, UNREADABLE]);
  });

  it('a stored value that is not valid shows as the exe\'s own, with the service\'s own problem line', async () => {
    const ctx = await installed();
    ctx.api.storedSettings.set('mysvc', { stopTimeout: 'soon' });
    await configCommand(ctx, { action: 'get', name: 'stop-timeout', json: false });
    expect(ctx.lines).toEqual(['20s']);
    expect(ctx.warnings).toEqual([expect.stringMatching(/^MySvc: warning: the stored --stop-timeout value "soon" is not valid .*; using 20s$/)]);
  });
});
