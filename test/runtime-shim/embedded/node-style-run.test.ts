/**
 * nodeStyleRun: a command line in Node's shape (what fork, cluster and code spawning
 * process.execPath like `node` pass) is told apart from the exe's own commands, and runs an
 * embedded module, runs the app as a cluster worker, or is refused in one line.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_ARG } from '../../../runtime-shim/commands/command-line';
import type { EmbedManifest } from '../../../runtime-shim/embedded/manifest';
import { nodeStyleRun, type NodeStyleContext } from '../../../runtime-shim/embedded/node-style-run';
import { CHILD_ARG } from '../../../runtime-shim/supervise/ipc';

const EXE = 'C:\\svc\\App.exe';
const manifest: EmbedManifest = {
  modules: { 'src/job.ts': 'module-1', 'src/print-args.ts': 'module-2' },
  files: {},
  bundlerPaths: {},
};

/** As boot.ts calls it, on win32 paths; an IPC channel unless told otherwise. */
function run(args: string[], hasIpc = true) {
  const ctx: NodeStyleContext = {
    manifest,
    exePath: EXE,
    cwd: 'C:\\Windows\\System32',
    hasIpc,
    exeFlags: new Set([SERVICE_ARG, CHILD_ARG, '--help', '-h', '--version']),
    pathApi: path.win32,
  };
  return nodeStyleRun(args, ctx);
}

describe('the exe’s own command lines are not Node-style (null)', () => {
  it.each([
    [[]],
    [['install', '--name', 'x']],
    [['run']],
    [['run', 'C:\\data\\in.json']],
    [[SERVICE_ARG]],
    [[CHILD_ARG]],
    [['help']],
    [['/?']],
    [['--help']],
    [['--version']],
    [['status']],
  ])('%j', (args) => {
    expect(run(args)).toBeNull();
  });
});

describe('embedded modules', () => {
  it("a fork child: the parent's execArgv, the module's virtual path, its arguments", () => {
    expect(run(['--enable-source-maps', `${EXE}\\src\\job.ts`, 'a1'])).toEqual({ kind: 'module', rel: 'src/job.ts', args: ['a1'] });
  });

  it('a module spawned like `node print-args.ts a b`, by path or by a relative name', () => {
    expect(run([`${EXE}\\src\\print-args.ts`, 'a', 'b'], false)).toEqual({ kind: 'module', rel: 'src/print-args.ts', args: ['a', 'b'] });
    expect(run(['print-args.ts', '--flag'], false)).toEqual({ kind: 'module', rel: 'src/print-args.ts', args: ['--flag'] });
  });
});

describe('cluster workers (the module is the exe itself)', () => {
  it('with IPC: a cluster worker, with the arguments after the exe', () => {
    expect(run([EXE])).toEqual({ kind: 'cluster-worker', args: [] });
    expect(run(['--enable-source-maps', EXE, SERVICE_ARG, 'x'])).toEqual({ kind: 'cluster-worker', args: [SERVICE_ARG, 'x'] });
    expect(run(['c:\\SVC\\app.exe'])).toEqual({ kind: 'cluster-worker', args: [] });
  });

  it('without IPC: refused', () => {
    const r = run([EXE], false);
    expect(r?.kind).toBe('refused');
    expect(r).toMatchObject({ message: expect.stringContaining('is this exe itself') });
  });
});

describe('refused', () => {
  const message = (args: string[]) => {
    const r = run(args, false);
    expect(r?.kind).toBe('refused');
    return r?.kind === 'refused' ? r.message : '';
  };

  it('Node options alone', () => {
    expect(message(['--inspect'])).toMatch(/is a Node\.js option; this exe does not take Node\.js options/);
    expect(message(['--eval=process.exit(0)'])).toMatch(/Node\.js option/);
  });

  it('code to evaluate: -e, -p, --eval, --print', () => {
    for (const flag of ['-e', '-p', '--eval', '--print']) expect(message([flag, 'process.exit(0)'])).toMatch(/Node\.js option/);
    expect(message(['-e', "require('./x.js')"])).toMatch(/Node\.js option/);
  });

  it('a path inside the exe that was not embedded', () => {
    expect(message([`${EXE}\\src\\not-embedded.js`])).toBe(
      `cannot run ${EXE}\\src\\not-embedded.js: ${EXE}\\src\\not-embedded.js was not embedded in this exe — the exe runs only modules its build embedded (found from new Worker/fork calls and paths relative to a module)`,
    );
    expect(message(['--enable-source-maps', `${EXE}\\src\\gone.ts`])).toMatch(/src\\gone\.ts was not embedded in this exe/);
  });

  it('a path outside the exe', () => {
    expect(message(['D:\\tools\\job.js'])).toMatch(/^cannot run D:\\tools\\job\.js: D:\\tools\\job\.js is not one of this exe's embedded modules/);
    expect(message(['--enable-source-maps', 'D:\\tools\\job.js'])).toMatch(/asks for Node\.js options or a script/);
  });
});
