/** The modes that run without the service manager: `run` (console), the supervised child, an embedded module. */
import { CONFIG, NAME, testExe, type TestExe } from './exe';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { host } from '../../../runtime-shim/api';
import { startChildMode, type SupervisorLink } from '../../../runtime-shim/modes/child-mode';
import { startConsoleMode } from '../../../runtime-shim/modes/console-mode';
import { startModuleMode } from '../../../runtime-shim/modes/module-mode';
import { virtualPath, virtualUrl } from '../../../runtime-shim/embedded/manifest';
import { bakedSettings, setEffectiveSettings } from '../../../runtime-shim/settings/effective-settings';
import type { ToSupervisor } from '../../../runtime-shim/supervise/ipc';
import { ExitCalled, sandboxProcess, type ProcessSandbox } from './process-sandbox';

const imported = vi.hoisted(() => [] as string[]);
vi.mock('../../../runtime-shim/embedded/import-module', () => ({
  importByUrl: async (url: string) => {
    imported.push(url);
  },
}));

let sandbox: ProcessSandbox;
let exe: TestExe | null = null;
const savedDataDirEnv = process.env.SVCPACK_DATA_DIR;

beforeEach(() => {
  setEffectiveSettings(bakedSettings());
  delete process.env.SVCPACK_DATA_DIR;
});
afterEach(() => {
  sandbox.restore();
  exe?.platform.dispose();
  exe = null;
  if (savedDataDirEnv === undefined) delete process.env.SVCPACK_DATA_DIR;
  else process.env.SVCPACK_DATA_DIR = savedDataDirEnv;
});

const envDataDir = (t: TestExe) => path.join(t.platform.root, 'EnvProgramData', NAME);

describe('console mode (`run`)', () => {
  it('enters the baked working folder (creating the data folder) and loads no native code', () => {
    sandbox = sandboxProcess();
    exe = testExe();
    const session = startConsoleMode(exe);
    expect(process.cwd()).toBe(envDataDir(exe));
    expect(fs.statSync(envDataDir(exe)).isDirectory()).toBe(true);
    expect(exe.platform.dataDirAsks).toEqual(['environment']);
    expect(exe.platform.terminateAsked).toBe(0);
    expect(exe.platform.channels).toEqual([]);
    expect(session.lifecycle.current).toBe('start-pending');
    expect(host()).toMatchObject({ name: NAME, isService: false, mode: 'console', dataDir: envDataDir(exe) });
  });

  it('a cluster worker keeps the folder its primary started it in', () => {
    sandbox = sandboxProcess();
    exe = testExe();
    const before = process.cwd();
    startConsoleMode(exe, { enterWorkingDir: false });
    expect(process.cwd()).toBe(before);
  });

  it('a working folder that cannot be entered ends `run` with one line and exit code 1 before the app runs', () => {
    sandbox = sandboxProcess({ exitThrows: true });
    // A path of this platform's form that names no folder.
    const missing = process.platform === 'win32' ? 'D:\\apps\\missing' : '/nonexistent/svcpack/missing';
    exe = testExe({}, { settings: { ...CONFIG.settings, workingDir: missing } });
    expect(() => startConsoleMode(exe!)).toThrow(new ExitCalled(1));
    expect(sandbox.stderr.join('')).toBe(`MySvc: cannot start in working folder ${missing}: it does not exist — create it, or build with another --working-dir\n`);
  });

  it("a working folder of the other platform's form ends `run` in one line, entering nothing", () => {
    sandbox = sandboxProcess({ exitThrows: true });
    const [foreign, other, here] = process.platform === 'win32' ? ['/srv/app', 'Linux', 'Windows'] : ['D:\\apps', 'Windows', 'Linux'];
    exe = testExe({}, { settings: { ...CONFIG.settings, workingDir: foreign } });
    const before = process.cwd();
    expect(() => startConsoleMode(exe!)).toThrow(new ExitCalled(1));
    expect(process.cwd()).toBe(before);
    expect(sandbox.stderr.join('')).toMatch(new RegExp(`^MySvc: working folder "${foreign.replace(/\\/g, '\\\\')}" is a ${other} path; this is ${here} — give an absolute path such as \\S+, or build with another --working-dir\n$`));
  });

  it('Ctrl+C stops gracefully with exit code 0; a second one forces exit code 130', async () => {
    sandbox = sandboxProcess();
    exe = testExe();
    const session = startConsoleMode(exe);
    session.appLoaded();
    await vi.waitFor(() => expect(session.lifecycle.current).toBe('running'));
    sandbox.emitAdded('SIGINT', 'SIGINT');
    expect(session.lifecycle.current).toBe('stop-pending');
    sandbox.emitAdded('SIGINT', 'SIGINT');
    expect(sandbox.exits).toEqual([130]);
  });

  it('a console stop ends with exit code 0 once the stop work is done', async () => {
    sandbox = sandboxProcess();
    exe = testExe();
    const session = startConsoleMode(exe);
    session.appLoaded();
    await vi.waitFor(() => expect(session.lifecycle.current).toBe('running'));
    sandbox.emitAdded('SIGHUP', 'SIGHUP');
    await vi.waitFor(() => expect(sandbox.exits).toEqual([0]));
    expect(session.lifecycle.current).toBe('stopped');
  });
});

class FakeLink implements SupervisorLink {
  connected = true;
  sent: ToSupervisor[] = [];
  unrefed = false;
  private messageListeners: ((message: unknown) => void)[] = [];
  private disconnectListeners: (() => void)[] = [];
  send(message: ToSupervisor): void {
    this.sent.push(message);
  }
  onMessage(listener: (message: unknown) => void): void {
    this.messageListeners.push(listener);
  }
  onDisconnect(listener: () => void): void {
    this.disconnectListeners.push(listener);
  }
  unref(): void {
    this.unrefed = true;
  }
  deliver(message: unknown): void {
    for (const listener of this.messageListeners) listener(message);
  }
  disconnect(): void {
    this.connected = false;
    for (const listener of this.disconnectListeners) listener();
  }
}

describe('supervised child mode', () => {
  it('runs the app as the supervised service in the data folder the supervisor passed, and tells it when the app runs', async () => {
    sandbox = sandboxProcess();
    exe = testExe();
    process.env.SVCPACK_DATA_DIR = 'C:\\ProgramData\\MySvc';
    const link = new FakeLink();
    const session = startChildMode(exe, link);
    expect(host()).toMatchObject({ name: NAME, isService: true, mode: 'supervised', dataDir: 'C:\\ProgramData\\MySvc' });
    expect(exe.platform.dataDirAsks).toEqual([]);
    expect(link.unrefed).toBe(true);
    session.appLoaded();
    await vi.waitFor(() => expect(link.sent).toContainEqual({ type: 'running' }));
    // The supervisor logs starting/running itself: only what it cannot know crosses.
    expect(link.sent.filter((m) => m.type === 'log')).toEqual([]);
  });

  it('without a data folder from the supervisor, uses the environment\'s ProgramData', () => {
    sandbox = sandboxProcess();
    exe = testExe();
    startChildMode(exe, new FakeLink());
    expect(host()?.dataDir).toBe(envDataDir(exe));
    expect(exe.platform.dataDirAsks).toEqual(['environment']);
  });

  it("a 'stop' message runs the ordinary stop and exits 0; 'usage' answers with this process's figures", async () => {
    sandbox = sandboxProcess();
    exe = testExe();
    const link = new FakeLink();
    const session = startChildMode(exe, link);
    session.appLoaded();
    await vi.waitFor(() => expect(session.lifecycle.current).toBe('running'));
    link.deliver({ type: 'usage' });
    expect(link.sent.at(-1)).toMatchObject({ type: 'usage', sample: { pid: process.pid } });
    link.deliver({ type: 'stop', reason: 'stop' });
    await vi.waitFor(() => expect(sandbox.exits).toEqual([0]));
  });

  it('stops on its own when the supervisor is gone', async () => {
    sandbox = sandboxProcess();
    exe = testExe();
    const link = new FakeLink();
    const session = startChildMode(exe, link);
    session.appLoaded();
    await vi.waitFor(() => expect(session.lifecycle.current).toBe('running'));
    link.disconnect();
    await vi.waitFor(() => expect(sandbox.exits).toEqual([0]));
  });
});

describe('module mode (a fork child or spawned module)', () => {
  it("runs the embedded module as Node's main script, with the service's name and data folder and no lifecycle", () => {
    sandbox = sandboxProcess();
    exe = testExe();
    imported.length = 0;
    const held = startModuleMode(exe, 'lib/worker.js', ['--fast']);
    expect(held).toBeInstanceOf(Promise);
    expect(process.argv.slice(1)).toEqual([virtualPath('lib/worker.js'), '--fast']);
    expect(imported).toEqual([virtualUrl('lib/worker.js')]);
    expect(host()).toMatchObject({ name: NAME, isService: false, dataDir: envDataDir(exe) });
    expect(host()?.mode).toBeUndefined();
    expect(sandbox.added('beforeExit')).toBe(1);
    expect(sandbox.added('uncaughtException')).toBe(0);
  });
});
