/**
 * The restart sequence of `--watch --restart` (src/watch/restart.ts) against a fake machine: an
 * SCM of one service whose exe commands (`status --json`, `stop`, `start`) and file copies are
 * recorded, in order, so each case checks what was done and when (before or after the commit).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceRestarter, type HostRunResult, type ServiceHost } from '../../src/watch/restart';

interface FakeService {
  installed: boolean;
  /** The exe the SCM runs (local path), registered as `"<exe>" --service`. */
  exe?: string;
  state: 'RUNNING' | 'STOPPED';
}

let dir: string;
let outputExe: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-restart-'));
  outputExe = path.join(dir, 'MySvc.exe');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A host whose SCM holds `service`; `log` gets `<exe basename> <args>` and `copy a → b`, in order. */
function fakeHost(service: FakeService, opts: { fail?: Partial<Record<'stop' | 'start' | 'status' | 'copy', string>> } = {}) {
  const log: string[] = [];
  const host: ServiceHost = {
    async run(exe, args): Promise<HostRunResult> {
      log.push(`${path.relative(dir, exe)} ${args.join(' ')}`);
      const verb = args[0] as 'stop' | 'start' | 'status';
      if (opts.fail?.[verb]) return { code: 1, stdout: '', stderr: `MySvc.exe: ${opts.fail[verb]}\n` };
      if (verb === 'status') {
        const report = service.installed ? { name: 'MySvc', installed: true, state: service.state, binaryPath: `"${service.exe}" --service` } : { name: 'MySvc', installed: false };
        return { code: 0, stdout: `${JSON.stringify(report)}\n`, stderr: '' };
      }
      service.state = verb === 'stop' ? 'STOPPED' : 'RUNNING';
      return { code: 0, stdout: '', stderr: '' };
    },
    async copy(from, to) {
      log.push(`copy ${path.relative(dir, from)} → ${path.relative(dir, to)}`);
      if (opts.fail?.copy) throw new Error(opts.fail.copy);
      fs.copyFileSync(from, to);
    },
    localPath: (p) => p,
    samePath: (a, b) => path.resolve(a) === path.resolve(b),
  };
  return { host, log };
}

/** What build() does around its hook: beforeCommit, then the new exe moved into place. */
async function rebuild(restarter: ServiceRestarter, content = 'new exe'): Promise<void> {
  await restarter.beforeCommit();
  fs.writeFileSync(outputExe, content);
}

describe('ServiceRestarter', () => {
  it('a service running the output exe: stopped BEFORE the commit (Windows locks a running exe), started after', async () => {
    fs.writeFileSync(outputExe, 'old exe');
    const service: FakeService = { installed: true, exe: outputExe, state: 'RUNNING' };
    const { host, log } = fakeHost(service);
    const restarter = new ServiceRestarter('MySvc', outputExe, host);
    await restarter.beforeCommit();
    expect(log).toEqual(['MySvc.exe status --json', 'MySvc.exe stop']);
    expect(service.state).toBe('STOPPED');
    fs.writeFileSync(outputExe, 'new exe'); // the commit
    const outcome = await restarter.afterBuild();
    expect(outcome).toMatchObject({ kind: 'restarted' });
    expect(outcome.kind === 'restarted' && outcome.copiedTo).toBeFalsy();
    expect(log).toEqual(['MySvc.exe status --json', 'MySvc.exe stop', 'MySvc.exe start']);
    expect(service.state).toBe('RUNNING');
  });

  it('a service installed elsewhere (an MSI under Program Files): stopped, the new exe copied over its exe, started', async () => {
    fs.writeFileSync(outputExe, 'old exe');
    const installed = path.join(dir, 'ProgramFiles', 'MySvc.exe');
    fs.mkdirSync(path.dirname(installed));
    fs.writeFileSync(installed, 'installed exe');
    const service: FakeService = { installed: true, exe: installed, state: 'RUNNING' };
    const { host, log } = fakeHost(service);
    const restarter = new ServiceRestarter('MySvc', outputExe, host);
    await rebuild(restarter);
    const outcome = await restarter.afterBuild();
    expect(outcome).toMatchObject({ kind: 'restarted', copiedTo: installed });
    // Nothing stopped before the commit: the output exe is not the one running.
    expect(log).toEqual(['MySvc.exe status --json', 'ProgramFiles/MySvc.exe stop', 'copy MySvc.exe → ProgramFiles/MySvc.exe', 'ProgramFiles/MySvc.exe start']);
    expect(fs.readFileSync(installed, 'utf8')).toBe('new exe');
  });

  it('the first build (no output exe yet): asks the new exe after the commit, then restarts', async () => {
    const service: FakeService = { installed: true, exe: outputExe, state: 'STOPPED' };
    const { host, log } = fakeHost(service);
    const restarter = new ServiceRestarter('MySvc', outputExe, host);
    await rebuild(restarter);
    expect(await restarter.afterBuild()).toMatchObject({ kind: 'restarted' });
    expect(log).toEqual(['MySvc.exe status --json', 'MySvc.exe stop', 'MySvc.exe start']);
  });

  it('not installed: nothing stopped or started', async () => {
    fs.writeFileSync(outputExe, 'old exe');
    const { host, log } = fakeHost({ installed: false, state: 'STOPPED' });
    const restarter = new ServiceRestarter('MySvc', outputExe, host);
    await rebuild(restarter);
    expect(await restarter.afterBuild()).toEqual({ kind: 'not-installed' });
    expect(log).toEqual(['MySvc.exe status --json']);
  });

  it('a stop that fails before the commit fails the build (the old exe stays) with the exe\'s own message', async () => {
    fs.writeFileSync(outputExe, 'old exe');
    const { host } = fakeHost({ installed: true, exe: outputExe, state: 'RUNNING' }, { fail: { stop: 'Access is denied. (error 5)' } });
    const restarter = new ServiceRestarter('MySvc', outputExe, host);
    const err = await restarter.beforeCommit().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'SERVICE_RESTART_FAILED', message: 'cannot stop MySvc: Access is denied. (error 5)', exitCode: 1 });
    expect((err as { hint: string }).hint).toMatch(/elevated prompt/);
    // Nothing was stopped: nothing to start again.
    expect(await restarter.afterFailure()).toBeUndefined();
  });

  it('a build that fails after the service was stopped starts it again on the old exe', async () => {
    fs.writeFileSync(outputExe, 'old exe');
    const service: FakeService = { installed: true, exe: outputExe, state: 'RUNNING' };
    const { host, log } = fakeHost(service);
    const restarter = new ServiceRestarter('MySvc', outputExe, host);
    await restarter.beforeCommit();
    expect(await restarter.afterFailure()).toMatchObject({ kind: 'restarted' });
    expect(log).toEqual(['MySvc.exe status --json', 'MySvc.exe stop', 'MySvc.exe start']);
    expect(service.state).toBe('RUNNING');
    expect(fs.readFileSync(outputExe, 'utf8')).toBe('old exe');
  });

  it('a start or copy that fails is an outcome, never a throw', async () => {
    fs.writeFileSync(outputExe, 'old exe');
    const { host } = fakeHost({ installed: true, exe: outputExe, state: 'RUNNING' }, { fail: { start: 'the service did not start: exit code 3' } });
    const restarter = new ServiceRestarter('MySvc', outputExe, host);
    await rebuild(restarter);
    expect(await restarter.afterBuild()).toMatchObject({ kind: 'failed', message: 'cannot start MySvc: the service did not start: exit code 3' });

    const installed = path.join(dir, 'other.exe');
    fs.writeFileSync(installed, 'x');
    const copyFails = fakeHost({ installed: true, exe: installed, state: 'RUNNING' }, { fail: { copy: 'EPERM: operation not permitted' } });
    const second = new ServiceRestarter('MySvc', outputExe, copyFails.host);
    await rebuild(second);
    const outcome = await second.afterBuild();
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringMatching(/^cannot replace .*other\.exe with the new exe: EPERM/) });
  });

  it('a status that is not JSON is a failure naming the exe', async () => {
    fs.writeFileSync(outputExe, 'old exe');
    const host: ServiceHost = { ...fakeHost({ installed: false, state: 'STOPPED' }).host, run: async () => ({ code: 1, stdout: '', stderr: 'bad things\n' }) };
    const restarter = new ServiceRestarter('MySvc', outputExe, host);
    await expect(restarter.beforeCommit()).rejects.toMatchObject({ code: 'SERVICE_RESTART_FAILED', message: 'MySvc.exe status --json did not print a status (exit 1): bad things' });
  });

  it('a Wine-style SCM path (Z:\\…) is compared as the host maps it', async () => {
    fs.writeFileSync(outputExe, 'old exe');
    const service: FakeService = { installed: true, exe: `Z:${outputExe.split('/').join('\\')}`, state: 'RUNNING' };
    const fake = fakeHost(service);
    const host: ServiceHost = { ...fake.host, localPath: (p) => p.replace(/^Z:/, '').split('\\').join('/') };
    const restarter = new ServiceRestarter('MySvc', outputExe, host);
    await restarter.beforeCommit();
    expect(fake.log).toEqual(['MySvc.exe status --json', 'MySvc.exe stop']);
  });
});
