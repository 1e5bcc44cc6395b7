import { CONFIG, NAME, testExe, type TestExe } from './exe';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { beginServiceConnection, loadStoredSettings } from '../../../runtime-shim/host/service-host';
import { startServiceMode } from '../../../runtime-shim/modes/service-mode';
import { startExe } from '../../../runtime-shim/modes/start';
import { queryLiveStatus } from '../../../runtime-shim/status/status-client';
import { bakedSettings, effectiveSettings, setEffectiveSettings } from '../../../runtime-shim/settings/effective-settings';
import { ExitCalled, sandboxProcess, type ProcessSandbox } from './process-sandbox';

let sandbox: ProcessSandbox;
let exe: TestExe | null = null;

beforeEach(() => {
  setEffectiveSettings(bakedSettings());
});
afterEach(() => {
  sandbox.restore();
  exe?.platform.dispose();
  exe = null;
});

/** What boot does for `--service` up to the mode: connect, load the stored settings, start in-process. */
async function startService(t: TestExe) {
  const connection = beginServiceConnection(t);
  loadStoredSettings(t);
  return startServiceMode(t, connection);
}

const logOf = (t: TestExe) => fs.readFileSync(path.join(t.platform.root, 'ProgramData', NAME, 'logs', `${NAME}.log`), 'utf8');

describe('service mode (in-process), started by a fake SCM', () => {
  it('reports START_PENDING, RUNNING once the app loaded, and a stop STOP_PENDING then STOPPED with exit code 0, then exits 0', async () => {
    sandbox = sandboxProcess();
    exe = testExe();
    const result = await startService(exe);
    if (result.kind !== 'session') throw new Error('expected a session');
    const channel = exe.platform.channel;
    expect(channel.name).toBe(NAME);
    expect(channel.connected).toBe(true);
    expect(channel.states).toEqual(['start-pending']);
    // The in-process service holds the app's process tree in a job; its folder is the data folder.
    expect(exe.platform.contained).toBe(1);
    expect(process.cwd()).toBe(path.join(exe.platform.root, 'ProgramData', NAME));

    result.session.appLoaded();
    await vi.waitFor(() => expect(channel.last?.state).toBe('running'));
    expect(channel.last?.accepts).toContain('stop');

    channel.control('stop');
    await vi.waitFor(() => expect(sandbox.exits).toEqual([0]));
    expect(channel.states.slice(-2)).toEqual(['stop-pending', 'stopped']);
    expect(channel.last?.exitCode).toBe(0);
    // The off-thread deadline was armed with the stop timeout, and knows the log file.
    expect(channel.stops).toEqual([{ timeoutMs: CONFIG.stopTimeoutMs, cause: 'stop' }]);
    expect(channel.stopTimeouts.at(-1)).toBe(CONFIG.stopTimeoutMs);
    expect(channel.logFiles).toEqual([path.join(exe.platform.root, 'ProgramData', NAME, 'logs', `${NAME}.log`)]);
    expect(logOf(exe)).toMatch(/starting[\s\S]*running[\s\S]*stopping \(stop\)[\s\S]*stopped/);
  });

  it("serves the live status where the channel says (systemd: a Unix socket in the unit's RuntimeDirectory=)", async () => {
    sandbox = sandboxProcess();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-run-'));
    exe = testExe({ statusPath: path.join(dir, 'status.sock') });
    const result = await startService(exe);
    if (result.kind !== 'session') throw new Error('expected a session');
    result.session.appLoaded();
    const answer = await vi.waitFor(async () => {
      const r = await queryLiveStatus(path.join(dir, 'status.sock'), { timeoutMs: 1_000 });
      if (!r.ok) throw new Error(r.reason);
      return r.live;
    });
    expect(answer).toMatchObject({ name: NAME, mode: 'in-process', service: { pid: process.pid } });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('copies notable records to the system log and closes it as the process exits', async () => {
    sandbox = sandboxProcess();
    exe = testExe();
    const result = await startService(exe);
    if (result.kind !== 'session') throw new Error('expected a session');
    result.session.appLoaded();
    await vi.waitFor(() => expect(exe!.platform.channel.last?.state).toBe('running'));
    const [log] = exe.platform.systemLogs;
    expect(log?.name).toBe(NAME);
    expect(log?.records).toContainEqual({ level: 'info', source: 'lifecycle', message: 'running' });
    sandbox.emitAdded('exit', 0);
    expect(log?.closed).toBe(true);
  });

  it('an app that throws while loading is a failed start: STOPPED with exit code 3', async () => {
    sandbox = sandboxProcess();
    exe = testExe();
    const result = await startService(exe);
    if (result.kind !== 'session') throw new Error('expected a session');
    result.session.appFailed(new Error('boom at load'));
    await vi.waitFor(() => expect(sandbox.exits).toEqual([3]));
    expect(exe.platform.channel.last).toMatchObject({ state: 'stopped', exitCode: 3 });
    expect(logOf(exe)).toContain('start failed: Error: boom at load');
  });

  it('a stored working folder that cannot be entered fails the start with exit code 3 before the app runs', async () => {
    sandbox = sandboxProcess();
    exe = testExe();
    // A Windows path: on Linux it names no folder at all.
    const missing = 'D:\\apps\\no-such-folder';
    exe.platform.scm.setServiceWorkingDir(NAME, missing);
    const before = process.cwd();
    await startService(exe);
    await vi.waitFor(() => expect(sandbox.exits).toEqual([3]));
    expect(exe.platform.channel.states).toEqual(['start-pending', 'stopped']);
    expect(exe.platform.channel.last?.exitCode).toBe(3);
    expect(process.cwd()).toBe(before);
    expect(logOf(exe)).toContain(`cannot start in working folder ${missing}: it does not exist`);
  });

  it('takes the settings stored with the service over the baked ones, and re-reads them on a reload (PARAMCHANGE)', async () => {
    sandbox = sandboxProcess();
    exe = testExe();
    exe.platform.scm.setStoredSetting(NAME, 'stopTimeout', '7s');
    const result = await startService(exe);
    if (result.kind !== 'session') throw new Error('expected a session');
    expect(effectiveSettings().stopTimeoutMs).toBe(7_000);
    expect(exe.platform.channel.stopTimeouts.at(-1)).toBe(7_000);
    result.session.appLoaded();
    await vi.waitFor(() => expect(exe!.platform.channel.last?.state).toBe('running'));

    exe.platform.scm.setStoredSetting(NAME, 'stopTimeout', '9s');
    exe.platform.channel.control('paramchange');
    await vi.waitFor(() => expect(effectiveSettings().stopTimeoutMs).toBe(9_000));
    expect(exe.platform.channel.stopTimeouts.at(-1)).toBe(9_000);
  });

  it('with a channel whose controls are signals (systemd), a stop begun by SIGTERM reaches the app’s SIGTERM listener once', async () => {
    sandbox = sandboxProcess();
    exe = testExe();
    const connection = beginServiceConnection(exe);
    loadStoredSettings(exe);
    // What the systemd channel does: its own SIGTERM listener, named as such, takes the signal as a stop.
    const channel = exe.platform.channel;
    let begunBy: string | undefined;
    const channelListener = (): void => {
      begunBy = 'SIGTERM';
      channel.control('stop');
    };
    Object.assign(channel, { signalListeners: new Set([channelListener]), stopSignal: () => begunBy });
    process.on('SIGTERM', channelListener);
    const result = await startServiceMode(exe, connection);
    if (result.kind !== 'session') throw new Error('expected a session');
    let appHeard = 0;
    process.on('SIGTERM', () => (appHeard += 1));
    result.session.appLoaded();
    await vi.waitFor(() => expect(channel.last?.state).toBe('running'));

    // The app heard a signal, so the stop waits for its event loop to go quiet, which the test
    // runner's never does: a short stop timeout ends it.
    setEffectiveSettings({ ...effectiveSettings(), stopTimeoutMs: 300 });
    // A real SIGTERM: Node calls every listener, the channel's and the app's.
    sandbox.emitAdded('SIGTERM');
    await vi.waitFor(() => expect(sandbox.exits).toEqual([0]), { timeout: 5_000 });
    expect(appHeard).toBe(1);
    expect(channel.states.slice(-2)).toEqual(['stop-pending', 'stopped']);
  });

  it('runs on without a job object when none can be made, and says so in the log', async () => {
    sandbox = sandboxProcess();
    exe = testExe({ jobError: new Error('access denied') });
    const result = await startService(exe);
    expect(result.kind).toBe('session');
    expect(logOf(exe)).toContain("no job object for the service's processes (access denied): processes the app starts may outlive it");
  });
});

describe('--service not started by the SCM', () => {
  it('exits 2 with one line that points at "run"', async () => {
    sandbox = sandboxProcess({ exitThrows: true });
    exe = testExe({ connect: 'not-started-by-scm' });
    await expect(startExe(exe, { args: ['--service'], nodeStyle: null })).rejects.toEqual(new ExitCalled(2));
    expect(sandbox.stderr.join('')).toBe(
      `${NAME}: started with --service but not by the Service Control Manager (error 1063) — use "${NAME}.exe run" to run it in a console\n`,
    );
    // Nothing of the service was set up: no job, no log.
    expect(exe.platform.contained).toBe(0);
    expect(fs.existsSync(path.join(exe.platform.root, 'ProgramData'))).toBe(false);
  });

  it("a backend that manages services its own way says which manager it is (systemd)", async () => {
    sandbox = sandboxProcess({ exitThrows: true });
    const units = {
      run: () => Promise.resolve(0),
      notStartedByManager: (name: string, arg: string) => `started with ${arg} but not by systemd — start it with "systemctl start ${name}"`,
      helpWords: () => {
        throw new Error('not asked');
      },
    };
    exe = testExe({ connect: 'not-started-by-scm', units });
    await expect(startExe(exe, { args: ['--service'], nodeStyle: null })).rejects.toEqual(new ExitCalled(2));
    expect(sandbox.stderr.join('')).toBe(`${NAME}: started with --service but not by systemd — start it with "systemctl start ${NAME}"\n`);
  });

  it('the same when the stored settings ask for supervised mode', async () => {
    sandbox = sandboxProcess({ exitThrows: true });
    exe = testExe({ connect: 'not-started-by-scm' });
    exe.platform.scm.setStoredSetting(NAME, 'supervise', 'true');
    await expect(startExe(exe, { args: ['--service'], nodeStyle: null })).rejects.toEqual(new ExitCalled(2));
    expect(sandbox.stderr.join('')).toContain('not by the Service Control Manager (error 1063)');
    expect(exe.platform.jobs).toEqual([]);
  });
});

describe('--service through startExe', () => {
  it('connects before reading the stored settings and resolves to the in-process session', async () => {
    sandbox = sandboxProcess();
    exe = testExe();
    const session = await startExe(exe, { args: ['--service'], nodeStyle: null });
    expect(session.lifecycle.current).toBe('start-pending');
    expect(exe.platform.channels).toHaveLength(1);
    expect(exe.platform.dataDirAsks).toEqual(['system']);
  });
});
