/**
 * The task commands against a fake SCM (commands/fake-scm.ts) and a fake Task Scheduler: install
 * --as task, the service-or-task decision, status (text and JSON), start/stop, uninstall.
 */
import { describe, expect, it } from 'vitest';
import type { ManageCommand } from '../../../../runtime-shim/commands/command-line';
import { ManageError } from '../../../../runtime-shim/commands/context';
import { decideKind } from '../../../../runtime-shim/commands/task/installed-kind';
import { E_ACCESSDENIED, TaskSchedulerError, type StopEvents } from '../../../../runtime-shim/platform/scheduler-api';
import { formatTaskStatus, lastResultText, runTaskCommand, type TaskStatusReport } from '../../../../runtime-shim/commands/task/task-commands';
import { readTaskDefinition } from '../../../../runtime-shim/commands/task/task-xml';
import { thrown } from '../../../support/thrown';
import { EXE, FakeScm, failure, fakeContext } from '../fake-scm';
import { FakeScheduler, wineScheduler } from './fake-scheduler';

const NOW = new Date(2026, 11, 2, 9, 30, 0);
const installTask = (triggers: string[], input: Record<string, unknown> = {}, extra: Partial<Extract<ManageCommand, { kind: 'install' }>> = {}): ManageCommand => ({
  kind: 'install',
  input,
  runtime: {},
  force: false,
  task: { triggers },
  ...extra,
});

/** The stop events of running task processes: `exits` polls after the signal before the process ends (null: never). */
class FakeEvents implements StopEvents {
  running = false;
  exits: number | null = 2;
  signals = 0;
  private polls = 0;
  create(): { signaled(): boolean } {
    throw new Error('not used by the commands');
  }
  signal(): boolean {
    if (!this.running) return false;
    this.signals++;
    return true;
  }
  exists(): boolean {
    if (this.running && this.signals > 0 && this.exits !== null && ++this.polls > this.exits) this.running = false;
    return this.running;
  }
}

function setup(scheduler = new FakeScheduler()) {
  const ctx = fakeContext();
  const events = new FakeEvents();
  const run = (command: ManageCommand) => runTaskCommand(command, ctx, { tasks: () => scheduler, events: () => events, now: () => NOW });
  return { ctx, scheduler, events, run };
}

describe('install --as task', () => {
  it('registers the definition as LocalService (the baked virtual account is for services), creates the data folder', async () => {
    const { ctx, scheduler, run } = setup();
    expect(await run(installTask(['boot', 'every 15m'], { args: ['--port', '8080'] }))).toBe(0);
    const [reg] = scheduler.registrations;
    expect(reg!.name).toBe('MySvc');
    expect(reg!.as).toEqual({ user: 'NT AUTHORITY\\LOCAL SERVICE', logon: 5, password: null });
    const view = readTaskDefinition(reg!.xml);
    expect(view.triggers).toEqual(['boot', 'every 15m']);
    expect(view.command).toBe(`"${EXE}"`);
    expect(view.arguments).toBe('--task --port 8080');
    expect(view.workingDirectory).toBe('C:\\Program Files\\My Svc');
    expect(view.userId).toBe('S-1-5-19');
    expect(view.restartOnFailure).toEqual({ interval: 'PT1M', count: 3 });
    expect(reg!.xml).toContain('<StartBoundary>2026-12-02T09:30:00</StartBoundary>');
    expect(ctx.dirs.has('C:\\ProgramData\\MySvc')).toBe(true);
    expect((ctx.api as FakeScm).acls.get('C:\\ProgramData\\MySvc')).toBe('D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;S-1-5-19)');
    expect(ctx.lines[0]).toBe('MySvc: installed as scheduled task \\MySvc; triggers boot, every 15m; account LocalService');
    expect(ctx.lines[1]).toMatch(/account LocalService \(the exe's default NT SERVICE\\MySvc exists only for services\)/);
  });

  it('a user account: its password goes to the registration, never to the output', async () => {
    const { ctx, scheduler, run } = setup();
    ctx.env.TASK_PW = 's3cret';
    await run(installTask(['daily 02:30'], { account: '.\\alice' }, { passwordEnv: 'TASK_PW' }));
    expect(scheduler.registrations[0]!.as).toEqual({ user: '.\\alice', logon: 1, password: 's3cret' });
    expect(readTaskDefinition(scheduler.registrations[0]!.xml).logonType).toBe('Password');
    expect([...ctx.lines, ...ctx.warnings].join('\n')).not.toContain('s3cret');
    expect((ctx.api as FakeScm).acls.get('C:\\ProgramData\\MySvc')).toContain('S-1-5-21-1-2-3-1001');
  });

  it('usage errors exit 2: no trigger, a bad trigger, service-only settings, a virtual account', async () => {
    for (const [command, message] of [
      [installTask([]), 'a task needs a trigger'],
      [installTask(['hourly']), '"hourly" is not a trigger'],
      [installTask(['boot'], { startType: 'auto' }), '--start-type does not apply to a scheduled task'],
      [installTask(['boot'], { env: ['A=1'] }), '--env does not apply to a scheduled task'],
      [installTask(['boot'], { account: 'NT SERVICE\\MySvc' }), 'a scheduled task cannot run as the virtual account NT SERVICE\\MySvc'],
    ] as const) {
      const { run, scheduler } = setup();
      const err = await failure(run(command));
      expect(err.message).toBe(message);
      expect(err.exitCode).toBe(2);
      expect(scheduler.registrations).toEqual([]);
    }
  });

  it('refuses a name taken by a service, by another program\'s task, or already installed without --force', async () => {
    const a = setup();
    a.ctx.api.createService({}, { name: 'MySvc', displayName: 'x', startType: 3, binaryPath: `"${EXE}" --service`, dependencies: [], account: null, password: null });
    expect((await failure(a.run(installTask(['boot'])))).message).toBe('MySvc is installed as a service');

    const b = setup();
    b.scheduler.tasks.set('mysvc', '<Task><Actions><Exec><Command>C:\\tools\\backup.exe</Command></Exec></Actions></Task>');
    expect((await failure(b.run(installTask(['boot'])))).message).toBe('the scheduled task MySvc belongs to another program (C:\\tools\\backup.exe)');

    const c = setup();
    await c.run(installTask(['boot']));
    expect((await failure(c.run(installTask(['logon'])))).message).toBe('MySvc is already installed as a scheduled task');
    expect(await c.run(installTask(['logon'], {}, { force: true }))).toBe(0);
    expect(readTaskDefinition(c.scheduler.tasks.get('mysvc')!).triggers).toEqual(['logon']);
    expect(c.ctx.lines.at(-4)).toMatch(/^MySvc: updated as scheduled task/);
  });

  it('a refused registration removes the data folder it created and says why', async () => {
    const { ctx, scheduler, run } = setup();
    scheduler.failing.set('register', E_ACCESSDENIED);
    const err = await failure(run(installTask(['boot'])));
    expect(err.message).toBe('registering scheduled task MySvc: access denied (fake register, HRESULT 0x80070005)');
    expect(ctx.dirs.has('C:\\ProgramData\\MySvc')).toBe(false);
  });

  it('a plain install is left to the service commands, unless the name is a task', async () => {
    const { run, scheduler } = setup();
    expect(await run({ kind: 'install', input: {}, runtime: {}, force: false })).toBeNull();
    expect(scheduler.registrations).toEqual([]);
    await run(installTask(['boot']));
    expect((await failure(run({ kind: 'install', input: {}, runtime: {}, force: false }))).message).toBe('MySvc is installed as a scheduled task');
    scheduler.failing.set('definition', E_ACCESSDENIED);
    expect(await run({ kind: 'install', input: {}, runtime: {}, force: false })).toBeNull();
  });
});

describe('service or task', () => {
  it('decideKind', () => {
    expect(decideKind('MySvc', true, null)).toEqual({ kind: 'service' });
    expect(decideKind('MySvc', false, '<Task/>')).toEqual({ kind: 'task', xml: '<Task/>' });
    expect(decideKind('MySvc', false, null)).toEqual({ kind: 'none' });
    const both = thrown(ManageError, () => decideKind('MySvc', true, '<Task/>'));
    expect(both.message).toBe('MySvc is installed both as a service and as a scheduled task');
    expect(both.hint).toMatch(/sc\.exe delete MySvc.*schtasks \/Delete \/TN MySvc/);
    // A Task Scheduler failure does not get in the way of a service; without one it is reported.
    const failed = new TaskSchedulerError('x', E_ACCESSDENIED);
    expect(decideKind('MySvc', true, null, failed)).toEqual({ kind: 'service' });
    expect(thrown(TaskSchedulerError, () => decideKind('MySvc', false, null, failed))).toBe(failed);
  });

  it('service commands pass through when the name is a service or nothing', async () => {
    for (const kind of ['status', 'start', 'stop', 'restart'] as const) {
      const { run } = setup();
      expect(await run(kind === 'status' ? { kind, json: false } : { kind })).toBeNull();
    }
    const { run } = setup();
    expect(await run({ kind: 'uninstall', purge: false })).toBeNull();
  });

  it('without a task file Task Scheduler is not asked at all', async () => {
    const ctx = fakeContext();
    const deps = { tasks: () => { throw new Error('Task Scheduler asked'); }, events: () => new FakeEvents(), mayExist: () => false };
    expect(await runTaskCommand({ kind: 'status', json: false }, ctx, deps)).toBeNull();
    expect(await runTaskCommand({ kind: 'install', input: {}, runtime: {}, force: false }, ctx, deps)).toBeNull();
  });

  it('a name that is both is refused by every command', async () => {
    const { ctx, scheduler, run } = setup();
    ctx.api.createService({}, { name: 'MySvc', displayName: 'x', startType: 3, binaryPath: `"${EXE}" --service`, dependencies: [], account: null, password: null });
    scheduler.tasks.set('mysvc', '<Task/>');
    expect((await failure(run({ kind: 'status', json: true }))).message).toBe('MySvc is installed both as a service and as a scheduled task');
  });
});

describe('a task-installed exe', () => {
  it('status: state, runs, triggers read back, as text and JSON', async () => {
    const { ctx, run } = setup();
    await run(installTask(['boot', 'daily 03:00']));
    ctx.lines.length = 0;
    expect(await run({ kind: 'status', json: true })).toBe(0);
    const report = JSON.parse(ctx.lines.join('\n')) as TaskStatusReport;
    expect(report).toMatchObject({
      name: 'MySvc',
      kind: 'task',
      state: 'ready',
      lastRunTime: '',
      lastResult: 0x41303,
      nextRunTime: '2026-12-03T03:00:00',
      triggers: ['boot', 'daily 03:00'],
      account: 'S-1-5-19',
      command: `"${EXE}"`,
      arguments: '--task',
      executionTimeLimit: 'PT0S',
      restartOnFailure: { interval: 'PT1M', count: 3 },
      thisExe: true,
    });
    ctx.lines.length = 0;
    await run({ kind: 'status', json: false });
    const textOut = ctx.lines.join('\n');
    expect(textOut).toMatch(/^MySvc \(scheduled task \\MySvc\)/);
    expect(textOut).toMatch(/triggers\s+boot, daily 03:00/);
    expect(textOut).toMatch(/last run\s+never/);
    expect(textOut).toMatch(/last result\s+0x41303 \(has not run yet\)/);
    expect(textOut).toMatch(/time limit\s+none \(PT0S\)/);
    expect(textOut).toMatch(/on failure\s+restart every PT1M, up to 3 times/);
  });

  it('status under Wine: what it cannot tell reads unknown', () => {
    const report: TaskStatusReport = {
      name: 'MySvc', installed: true, kind: 'task', state: null, lastRunTime: null, lastResult: null, nextRunTime: null, triggers: [],
      account: null, command: null, arguments: null, workingDir: null, executionTimeLimit: 'PT0S', restartOnFailure: null,
      installedVersion: null, version: '1.4.0', thisExe: false, dataDir: 'C:\\ProgramData\\MySvc',
    };
    const out = formatTaskStatus(report);
    expect(out).toMatch(/state\s+unknown \(this Task Scheduler does not tell\)/);
    expect(out).toMatch(/triggers\s+\(none\)/);
    expect(out).toMatch(/command\s+\(not in the definition\)/);
    expect(out).not.toMatch(/installed from another file/);
    expect([0, 1, 0x41303, 0x8004131f, null].map(lastResultText)).toEqual(['0 (success)', '1', '0x41303 (has not run yet)', '0x8004131f', 'unknown']);
  });

  it('start runs it now; stop without a running svcpack process ends it through Task Scheduler; restart does both', async () => {
    const { ctx, scheduler, run } = setup();
    await run(installTask(['boot']));
    await run({ kind: 'start' });
    await run({ kind: 'stop' });
    await run({ kind: 'restart' });
    expect(scheduler.runs).toEqual(['MySvc', 'MySvc']);
    expect(scheduler.stops).toEqual(['MySvc', 'MySvc']);
    expect(ctx.lines).toContain('MySvc: scheduled task ended by Task Scheduler (its process is terminated: onStop handlers do not run)');
  });

  it('stop asks the running process through its stop event and waits for it to end', async () => {
    const { ctx, scheduler, events, run } = setup();
    await run(installTask(['boot']));
    events.running = true;
    ctx.lines.length = 0;
    expect(await run({ kind: 'stop' })).toBe(0);
    expect(events.signals).toBe(1);
    expect(scheduler.stops).toEqual([]);
    expect(ctx.lines).toEqual(["MySvc: asked the task's process to stop", 'MySvc: stopped after 0.2 s']);
  });

  it('a process that does not stop within the timeout is ended through Task Scheduler', async () => {
    const { ctx, scheduler, events, run } = setup();
    await run(installTask(['boot']));
    events.running = true;
    events.exits = null;
    await run({ kind: 'stop', timeoutMs: 1_000 });
    expect(scheduler.stops).toEqual(['MySvc']);
    expect(ctx.lines).toContain('MySvc: still running after 1.0 s; ending it');
  });

  it('stop waits for the stop timeout stored with the name, else the exe\'s own, plus 15 s; a store that cannot be read leaves the exe\'s own', async () => {
    /** A task whose process takes `stopMs` to stop after the signal, with `stored` stored as the stop timeout (the exe's own is 20 s). */
    const stopTaking = async (stopMs: number, stored?: string, unreadable = false) => {
      const t = setup();
      await t.run(installTask(['boot']));
      if (stored !== undefined) t.ctx.api.storedSettings.set('mysvc', { stopTimeout: stored });
      if (unreadable) {
        t.ctx.api.getStoredSettings = () => {
          throw new Error('access denied');
        };
      }
      t.events.running = true;
      t.events.exits = stopMs / 100;
      t.ctx.lines.length = 0;
      expect(await t.run({ kind: 'stop' })).toBe(0);
      return { lines: t.ctx.lines, ended: t.scheduler.stops.length > 0 };
    };
    expect(await stopTaking(45_000, '40s')).toEqual({ lines: ["MySvc: asked the task's process to stop", 'MySvc: stopped after 45.0 s'], ended: false });
    expect(await stopTaking(40_000)).toMatchObject({ lines: expect.arrayContaining(['MySvc: still running after 35.0 s; ending it']), ended: true });
    expect(await stopTaking(30_000)).toMatchObject({ lines: expect.arrayContaining(['MySvc: stopped after 30.0 s']), ended: false });
    expect(await stopTaking(25_000, '5s')).toMatchObject({ lines: expect.arrayContaining(['MySvc: still running after 20.0 s; ending it']), ended: true });
    expect(await stopTaking(40_000, '40s', true)).toMatchObject({ lines: expect.arrayContaining(['MySvc: still running after 35.0 s; ending it']), ended: true });
  });

  it('under Wine start and stop say clearly that they cannot work there', async () => {
    const { run } = setup(wineScheduler());
    await run(installTask(['boot']));
    const err = await failure(run({ kind: 'start' }));
    expect(err.message).toBe('running scheduled task MySvc: this Task Scheduler does not implement it (fake run, HRESULT 0x80004001)');
    expect(err.hint).toMatch(/Wine cannot run or end scheduled tasks/);
  });

  it('uninstall ends a running task, deletes it and keeps the data folder unless --purge', async () => {
    const { ctx, scheduler, run } = setup();
    await run(installTask(['boot']));
    scheduler.info.state = 'running';
    expect(await run({ kind: 'uninstall', purge: false })).toBe(0);
    expect(scheduler.stops).toEqual(['MySvc']);
    expect(scheduler.tasks.size).toBe(0);
    expect(ctx.lines).toContain('MySvc: removed scheduled task \\MySvc');
    expect(ctx.dirs.has('C:\\ProgramData\\MySvc')).toBe(true);
    await run(installTask(['boot']));
    await run({ kind: 'uninstall', purge: true });
    expect(ctx.dirs.has('C:\\ProgramData\\MySvc')).toBe(false);
  });

  it('uninstall works where the definition kept no action (Wine), refuses another program\'s task', async () => {
    const wine = setup(wineScheduler());
    await wine.run(installTask(['boot']));
    expect(await wine.run({ kind: 'uninstall', purge: false })).toBe(0);
    expect(wine.scheduler.tasks.size).toBe(0);

    const other = setup();
    other.scheduler.tasks.set('mysvc', '<Task><Actions><Exec><Command>"C:\\tools\\backup.exe"</Command></Exec></Actions></Task>');
    expect((await failure(other.run({ kind: 'uninstall', purge: false }))).message).toBe('the scheduled task MySvc belongs to another program (C:\\tools\\backup.exe)');
    expect(other.scheduler.tasks.size).toBe(1);
  });
});
