/** boot's dispatch (modes/start.ts): what each command line starts, with a fake platform. */
import { NAME, testExe, type TestExe } from './exe';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { host } from '../../../runtime-shim/api';
import { startExe } from '../../../runtime-shim/modes/start';
import { bakedSettings, setEffectiveSettings } from '../../../runtime-shim/settings/effective-settings';
import { ExitCalled, sandboxProcess, type ProcessSandbox } from './process-sandbox';

let sandbox: ProcessSandbox;
let exe: TestExe;

beforeEach(() => {
  setEffectiveSettings(bakedSettings());
  sandbox = sandboxProcess({ exitThrows: true });
  exe = testExe();
});
afterEach(() => {
  sandbox.restore();
  exe.platform.dispose();
});

const run = (...args: string[]) => startExe(exe, { args, nodeStyle: null });

describe('startExe: the commands that end the process', () => {
  it('help and version print to stdout and exit 0 without touching the platform', async () => {
    await expect(run('help')).rejects.toEqual(new ExitCalled(0));
    expect(sandbox.stdout.join('')).toContain(`Usage: ${NAME}.exe <command>`);
    sandbox.stdout.length = 0;
    await expect(run('version')).rejects.toEqual(new ExitCalled(0));
    expect(sandbox.stdout.join('')).toContain('1.4.0');
    expect(exe.platform.dataDirAsks).toEqual([]);
  });

  it('a usage error is one line on stderr and exit code 2', async () => {
    await expect(run('frobnicate')).rejects.toEqual(new ExitCalled(2));
    expect(sandbox.stderr.join('')).toBe(`${NAME}: unknown command 'frobnicate' — run "${NAME}.exe help" for the commands\n`);
  });

  it("a Node-style line the exe refuses is one line on stderr and exit code 2", async () => {
    await expect(startExe(exe, { args: ['x.js'], nodeStyle: { kind: 'refused', message: 'no such module x.js' } })).rejects.toEqual(new ExitCalled(2));
    expect(sandbox.stderr.join('')).toBe(`${NAME}: no such module x.js\n`);
  });
});

describe('startExe: management commands go to the platform\'s service manager', () => {
  it('`install` creates the service through it and exits 0', async () => {
    await expect(run('install')).rejects.toEqual(new ExitCalled(0));
    const service = exe.platform.scm.services.get(NAME.toLowerCase());
    expect(service).toBeDefined();
    // The data folder is the one the platform names for the system, created with its access rules.
    const dataDir = path.join(exe.platform.root, 'ProgramData', NAME);
    expect(exe.platform.dataDirAsks).toContain('system');
    expect(fs.statSync(dataDir).isDirectory()).toBe(true);
    expect(exe.platform.scm.acls.get(dataDir)).toMatch(/^D:PAI\(A;OICI;FA;;;SY\)\(A;OICI;FA;;;BA\)/);
    expect(sandbox.stdout.join('')).toContain(`${NAME}: data folder ${dataDir}`);
  });

  it('`start` of a service that is not installed fails in one line with exit code 1', async () => {
    await expect(run('start')).rejects.toEqual(new ExitCalled(1));
    const err = sandbox.stderr.join('');
    expect(err.split('\n').filter(Boolean)).toHaveLength(1);
    expect(err).toMatch(new RegExp(`^${NAME}: .+ — .+\\n$`));
  });

  it('`install --as task` registers the task with the platform\'s task scheduler', async () => {
    await expect(run('install', '--as', 'task', '--trigger', 'boot')).rejects.toEqual(new ExitCalled(0));
    expect(exe.platform.scheduler.registrations.map((r) => r.name)).toEqual([NAME]);
    expect(exe.platform.scm.services.size).toBe(0);
  });
});

describe('startExe: the modes that run the app', () => {
  it('`run` starts console mode', async () => {
    const session = await run('run');
    expect(session.lifecycle.current).toBe('start-pending');
    expect(host()?.mode).toBe('console');
  });

  it('a cluster worker runs the app in console mode, without the primary\'s --service', async () => {
    const before = process.cwd();
    const session = await startExe(exe, { args: [], nodeStyle: { kind: 'cluster-worker', args: ['--service', 'a'] } });
    expect(session.lifecycle.current).toBe('start-pending');
    expect(host()?.mode).toBe('console');
    expect(process.argv.slice(2)).toEqual(['a']);
    expect(process.cwd()).toBe(before);
    expect(exe.platform.channels).toEqual([]);
  });

  it('`--task` starts task mode', async () => {
    await run('--task');
    expect(host()?.mode).toBe('task');
    expect(exe.platform.taskChannels).toHaveLength(1);
  });
});
