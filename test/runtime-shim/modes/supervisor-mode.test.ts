import { NAME, testExe, type TestExe } from './exe';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { beginServiceConnection, loadStoredSettings } from '../../../runtime-shim/host/service-host';
import { startSupervisorMode } from '../../../runtime-shim/modes/supervisor-mode';
import type { StopReason } from '../../../runtime-shim/lifecycle/lifecycle';
import { bakedSettings, setEffectiveSettings, SETTINGS_ENV } from '../../../runtime-shim/settings/effective-settings';
import type { AppProcess, AppProcessOptions } from '../../../runtime-shim/supervise/app-process';
import type { ChildEvent } from '../../../runtime-shim/supervise/supervisor';
import { sandboxProcess, type ProcessSandbox } from './process-sandbox';

let sandbox: ProcessSandbox;
let exe: TestExe | null = null;

beforeEach(() => {
  setEffectiveSettings(bakedSettings());
  sandbox = sandboxProcess();
});
afterEach(() => {
  sandbox.restore();
  exe?.platform.dispose();
  exe = null;
});

/** The app's child processes the supervisor started, each ending when asked to stop. */
class FakeApps {
  started: { opts: AppProcessOptions; onEvent: (event: ChildEvent) => void; stops: StopReason[] }[] = [];
  readonly spawn = (opts: AppProcessOptions, onEvent: (event: ChildEvent) => void): AppProcess => {
    const app = { opts, onEvent, stops: [] as StopReason[] };
    this.started.push(app);
    return {
      pid: 4000 + this.started.length,
      requestStop: (reason) => {
        app.stops.push(reason);
        setImmediate(() => onEvent({ type: 'exit', code: 0 }));
      },
      killTree: () => onEvent({ type: 'exit', code: 1 }),
      usage: async () => null,
      control: async () => {},
    };
  };
}

async function startSupervisor(t: TestExe, apps: FakeApps) {
  t.platform.scm.setStoredSetting(NAME, 'supervise', 'true');
  const connection = beginServiceConnection(t);
  loadStoredSettings(t);
  return startSupervisorMode(t, connection, apps.spawn);
}

const dataDir = (t: TestExe) => path.join(t.platform.root, 'ProgramData', NAME);

describe('supervised service mode, started by a fake SCM', () => {
  it('starts the app in a child process in a job of its own, reports RUNNING when the child does, and a stop STOPPED with exit code 0', async () => {
    exe = testExe();
    const apps = new FakeApps();
    expect(await startSupervisor(exe, apps)).toEqual({ kind: 'supervising' });
    const channel = exe.platform.channel;
    expect(channel.states).toEqual(['start-pending']);
    // The supervisor does not contain itself: the app's tree has a job of its own.
    expect(exe.platform.contained).toBe(0);
    expect(exe.platform.jobs).toHaveLength(1);

    expect(apps.started).toHaveLength(1);
    const [app] = apps.started;
    expect(app!.opts.exePath).toBe(process.execPath);
    expect(app!.opts.job).toBe(exe.platform.jobs[0]);
    expect(app!.opts.cwd).toBe(dataDir(exe));
    expect(app!.opts.env.SVCPACK_DATA_DIR).toBe(dataDir(exe));
    expect(JSON.parse(app!.opts.env[SETTINGS_ENV]!)).toMatchObject({ supervision: { supervise: true } });

    app!.onEvent({ type: 'running' });
    await vi.waitFor(() => expect(channel.last?.state).toBe('running'));

    channel.control('stop');
    await vi.waitFor(() => expect(sandbox.exits).toEqual([0]));
    expect(app!.stops).toEqual(['stop']);
    expect(channel.states.slice(-2)).toEqual(['stop-pending', 'stopped']);
    expect(channel.last?.exitCode).toBe(0);
    const log = fs.readFileSync(path.join(dataDir(exe), 'logs', `${NAME}.log`), 'utf8');
    expect(log).toContain('[supervisor]');
  });

  it('still supervises without a job object, with a warning that stopping cannot end what the app started', async () => {
    exe = testExe({ jobError: new Error('no jobs here') });
    const apps = new FakeApps();
    await startSupervisor(exe, apps);
    expect(apps.started[0]?.opts.job).toBeNull();
    const log = fs.readFileSync(path.join(dataDir(exe), 'logs', `${NAME}.log`), 'utf8');
    expect(log).toContain('no job object (no jobs here): stopping the app cannot end processes it started');
  });

  it('a working folder that cannot be entered: START_PENDING then STOPPED with exit code 3, and no app is started', async () => {
    exe = testExe();
    exe.platform.scm.setServiceWorkingDir(NAME, 'D:\\apps\\no-such-folder');
    const apps = new FakeApps();
    await startSupervisor(exe, apps);
    await vi.waitFor(() => expect(sandbox.exits).toEqual([3]));
    expect(apps.started).toEqual([]);
    expect(exe.platform.channel.states).toEqual(['start-pending', 'stopped']);
    expect(exe.platform.channel.last?.exitCode).toBe(3);
  });
});
