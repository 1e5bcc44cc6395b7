import { CONFIG, NAME, testExe, type TestExe } from './exe';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { host } from '../../../runtime-shim/api';
import { startTaskMode } from '../../../runtime-shim/modes/task-mode';
import { bakedSettings, setEffectiveSettings } from '../../../runtime-shim/settings/effective-settings';
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

const logFile = (t: TestExe) => path.join(t.platform.root, 'ProgramData', NAME, 'logs', `${NAME}.log`);

describe('task mode (started by Task Scheduler)', () => {
  it("logs to the service's log file in the system's data folder, holds its processes in a job and starts the stop channel", () => {
    exe = testExe();
    const before = process.cwd();
    const session = startTaskMode(exe);
    expect(exe.platform.dataDirAsks).toEqual(['system']);
    expect(host()).toMatchObject({ name: NAME, isService: false, mode: 'task' });
    expect(session.lifecycle.current).toBe('start-pending');
    // Task Scheduler already entered the task's folder: nothing changes it here.
    expect(process.cwd()).toBe(before);
    expect(exe.platform.contained).toBe(1);
    const [channel] = exe.platform.taskChannels;
    expect(channel?.events).not.toBeNull();
    expect(channel?.stopTimeouts).toEqual([CONFIG.stopTimeoutMs]);
    expect(channel?.logFiles).toEqual([logFile(exe)]);
    // stdout is the log's.
    process.stdout.write('hello from the app\n');
    expect(fs.readFileSync(logFile(exe), 'utf8')).toMatch(/started by Task Scheduler in .+[\s\S]*\[stdout\] hello from the app/);
  });

  it('`<exe> stop` (the stop channel) runs the ordinary stop, arms the deadline and exits 0', async () => {
    exe = testExe();
    const session = startTaskMode(exe);
    session.appLoaded();
    await vi.waitFor(() => expect(session.lifecycle.current).toBe('running'));
    const channel = exe.platform.taskChannels[0]!;
    channel.events!.stop();
    await vi.waitFor(() => expect(sandbox.exits).toEqual([0]));
    expect(channel.stops).toEqual([{ timeoutMs: CONFIG.stopTimeoutMs, cause: 'stop' }]);
  });

  it('Ctrl+Break sent to the task stops it the same way', async () => {
    exe = testExe();
    const session = startTaskMode(exe);
    session.appLoaded();
    await vi.waitFor(() => expect(session.lifecycle.current).toBe('running'));
    sandbox.emitAdded('SIGBREAK', 'SIGBREAK');
    await vi.waitFor(() => expect(sandbox.exits).toEqual([0]));
  });

  it('runs on without a stop channel or a job, saying what that costs', () => {
    exe = testExe({ taskChannelError: new Error('no worker'), jobError: new Error('denied') });
    startTaskMode(exe);
    const log = fs.readFileSync(logFile(exe), 'utf8');
    expect(log).toContain("no job object for the task's processes (denied): processes the app starts may outlive it");
    expect(log).toContain(`no control thread (no worker): "${NAME}.exe stop" can only end this process, and stops are not bounded`);
  });

  it("the channel's warnings go to the log", () => {
    exe = testExe();
    startTaskMode(exe);
    exe.platform.taskChannels[0]!.events!.warning('the stop event could not be created');
    expect(fs.readFileSync(logFile(exe), 'utf8')).toContain('warn  [lifecycle] the stop event could not be created');
  });
});
