/**
 * The exe manages itself under Wine's SCM: `install` with non-default settings, then
 * what the SCM stored (read back from the service's registry key), `start`, `status --json`,
 * `restart`, `stop`, `install` again (refused, then `--force`), errors, `uninstall`; and the
 * emitted install.cmd/uninstall.cmd run by Wine's cmd.
 *
 * Wine 10's SCM (docs/wine10-facts.md) stores the delayed-auto-start flag (DelayedAutoStart in the
 * service key), checked here; it keeps no failure actions (ChangeServiceConfig2W succeeds and
 * stores nothing), failure-actions flag or service SID type (both ERROR_INVALID_LEVEL, which
 * `install` reports as warnings): here the test checks they are absent from the key, and the
 * structures passed are checked in test/runtime-shim/commands/*.test.ts. Wine 10 also runs every
 * service as the Wine user whatever the account, gives it no Environment value and does not keep
 * folder ACLs. Wine 10 runs programs with a limited (UAC-filtered) token but its SCM grants full
 * access, so `install` runs here because it asks the SCM, not the token.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import {
  besidesWineScmWarnings,
  buildFixture,
  dataDirOf,
  e2eFile,
  ensurePortFree,
  regQuery,
  removeService,
  requireWine,
  runExe,
  sc,
  waitForHttp,
  wineEnv,
  winPath,
  type BuiltFixture,
} from './wine';

const NAME = 'SvcpackE2EManage';
const PORT = 8080; // hello-http's default: Wine 10 still gives services no custom environment (docs/wine10-facts.md)
const BUILD = {
  displayName: 'Svcpack E2E Manage',
  description: 'svcpack e2e: the exe manages itself',
  stopTimeout: 5_000,
};

/** Wine's user is the Linux user running the tests. */
const user = os.userInfo().username;

const file = e2eFile({ services: [NAME], setup: () => buildFixture('hello-http', NAME, BUILD) });

/** The service's registry values, or null if it has no key. */
const serviceKey = (name: string) => regQuery(`HKLM\\System\\CurrentControlSet\\Services\\${name}`);

/**
 * Runs a .cmd script with Wine's cmd, its output going to files: the exe it calls inherits cmd's
 * stdout, and node.exe under Wine cannot write to a Linux pipe (docs/wine10-facts.md).
 */
async function runCmd(script: string): Promise<{ code: number; stdout: string }> {
  const out = `${script}.out.txt`;
  const fd = fs.openSync(out, 'w');
  try {
    const child = spawn(requireWine(), ['cmd', '/c', winPath(script)], { env: wineEnv(), stdio: ['ignore', fd, fd] });
    const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? -1)));
    return { code, stdout: fs.readFileSync(out, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

async function exe(built: BuiltFixture, ...args: string[]) {
  return runExe(built.exe, args, { timeoutMs: 60_000, env: { SVCPACK_E2E_PASSWORD: 'not-a-real-password' } });
}

describe('MySvc.exe install / start / status / restart / stop / uninstall', () => {
  let built: BuiltFixture;
  beforeEach(async () => {
    built = file.ctx;
    await removeService(NAME);
  });

  test('install with non-default settings stores them in the SCM', async () => {
    const r = await exe(
      built,
      'install',
      '--start-type', 'delayed-auto',
      '--display-name', 'Managed By Itself',
      '--description', 'set at install time',
      '--account', 'LocalService',
      '--dependencies', 'RpcSs,+NetworkProvider',
      '--env', 'PORT=8080',
      '--env', 'MODE=e2e test',
      '--arg', '--flag',
      '--arg', 'two words',
      '--preshutdown-timeout', '2m',
      '--recovery', 'restart/2s,reboot/1m',
      '--recovery-reset', '2h',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/installed/);
    // Wine 10's SCM refuses these two (ERROR_INVALID_LEVEL): reported as warnings, not failures,
    // on stderr (stdout keeps the results). It accepts the delayed flag and the recovery actions,
    // so neither is warned about.
    expect(r.stderr.trimEnd().split(/\r?\n/)).toEqual([
      `${NAME}: warning: this Service Control Manager cannot set recovery on non-crash failures (error 124); it was not applied`,
      `${NAME}: warning: this Service Control Manager cannot set the service SID type (error 124); it was not applied`,
    ]);
    expect(r.stdout).not.toMatch(/warning/);

    const key = await serviceKey(NAME);
    expect(key).not.toBeNull();
    expect(key!.ImagePath!.data).toBe(`"${winPath(built.exe)}" --service --flag "two words"`);
    // delayed-auto = SERVICE_AUTO_START plus the delayed flag, which Wine 10 stores.
    expect(key!.Start!.data).toBe('0x2');
    expect(key!.DelayedAutoStart).toEqual({ type: 'REG_DWORD', data: '0x1' });
    expect(key!.Type!.data).toBe('0x10');
    expect(key!.DisplayName!.data).toBe('Managed By Itself');
    expect(key!.Description!.data).toBe('set at install time');
    expect(key!.ObjectName!.data).toBe('NT AUTHORITY\\LocalService');
    expect(key!.DependOnService!.data).toMatch(/^RpcSs/);
    expect(key!.DependOnGroup!.data).toMatch(/^NetworkProvider/);
    expect(key!.Environment!.type).toBe('REG_MULTI_SZ');
    expect(key!.Environment!.data).toMatch(/MODE=e2e test.*PORT=8080/);
    expect(key!.PreshutdownTimeout!.data).toBe('0x1d4c0'); // 120 000 ms
    // Wine 10 accepted --recovery/--recovery-reset but stored nothing; the flag and SID type were refused.
    expect(key!.FailureActions).toBeUndefined();
    expect(key!.FailureActionsOnNonCrashFailures).toBeUndefined();
    expect(key!.ServiceSidType).toBeUndefined();
    expect(fs.statSync(dataDirOf(NAME)).isDirectory()).toBe(true);

    const status = JSON.parse((await exe(built, 'status', '--json')).stdout);
    expect(status).toMatchObject({
      name: NAME,
      installed: true,
      state: 'STOPPED',
      startType: 'delayed-auto', // read back through QueryServiceConfig2W
      account: 'NT AUTHORITY\\LocalService',
      displayName: 'Managed By Itself',
      description: 'set at install time',
      binaryPath: `"${winPath(built.exe)}" --service --flag "two words"`,
      installedVersion: '1.2.3.0', // fixtures/hello-http/package.json
      thisExe: true,
    });
  });

  test('start, status --json, restart, stop: each waits for its state; repeats are not errors', async () => {
    await ensurePortFree(PORT);
    expect((await exe(built, 'install', '--start-type', 'manual')).code).toBe(0);

    const started = await exe(built, 'start');
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/running \(pid \d+\) after \d+\.\d s/);
    expect(await waitForHttp(`http://127.0.0.1:${PORT}/`, 10_000)).toBe('ok');
    expect((await sc('query', NAME)).state).toBe('RUNNING');
    // The service and its commands agree on the data folder (found through the known-folder API;
    // Wine 10 also gives services ProgramData=C:\ProgramData, as the manager-bindings test checks).
    expect(fs.readFileSync(built.logFile, 'utf8')).toMatch(/\[lifecycle\] running/);

    const status = JSON.parse((await exe(built, 'status', '--json')).stdout);
    expect(status.state).toBe('RUNNING');
    expect(status.startType).toBe('manual');
    expect(status.pid).toBeGreaterThan(0);

    const again = await exe(built, 'start');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already running/);

    const restarted = await exe(built, 'restart');
    expect(restarted.code).toBe(0);
    expect(restarted.stdout).toMatch(/stopped after/);
    const pid2 = JSON.parse((await exe(built, 'status', '--json')).stdout).pid;
    expect(pid2).toBeGreaterThan(0);
    expect(pid2).not.toBe(status.pid);
    expect(await waitForHttp(`http://127.0.0.1:${PORT}/`, 10_000)).toBe('ok');

    const stopped = await exe(built, 'stop');
    expect(stopped.code).toBe(0);
    expect((await sc('query', NAME)).state).toBe('STOPPED');
    expect((await exe(built, 'stop')).stdout).toMatch(/already stopped/);

    const text = (await exe(built, 'status')).stdout;
    expect(text).toMatch(/state +STOPPED/);
    expect(text).toMatch(/last exit +exit code 0/);
  });

  test('install twice fails cleanly; --force updates only the given settings', async () => {
    expect((await exe(built, 'install', '--start-type', 'delayed-auto', '--env', 'KEEP=me', '--description', 'first')).code).toBe(0);
    expect((await serviceKey(NAME))!.DelayedAutoStart!.data).toBe('0x1');
    const twice = await exe(built, 'install');
    expect(twice.code).toBe(1);
    expect(twice.stderr.trim().split('\n')).toHaveLength(1);
    expect(twice.stderr).toMatch(new RegExp(`^${NAME}: service ${NAME} is already installed .* — run "${NAME}.exe install --force"`));

    const forced = await exe(built, 'install', '--force', '--start-type', 'auto', '--description', 'second');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/updated/);
    const key = (await serviceKey(NAME))!;
    // delayed-auto → auto: the start type stays SERVICE_AUTO_START, the delayed flag is cleared
    // (Wine 10 then removes the DelayedAutoStart value rather than writing 0).
    expect(key.Start!.data).toBe('0x2');
    expect(key.DelayedAutoStart).toBeUndefined();
    expect(JSON.parse((await exe(built, 'status', '--json')).stdout).startType).toBe('auto');
    expect(key.Description!.data).toBe('second');
    expect(key.Environment!.data).toMatch(/KEEP=me/);
    expect(key.ObjectName!.data).toBe(`NT SERVICE\\${NAME}`);
  });

  test('a user account: looked up, password from --password-env, never printed', async () => {
    const r = await exe(built, 'install', '--account', `.\\${user}`, '--password-env', 'SVCPACK_E2E_PASSWORD');
    expect(besidesWineScmWarnings(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('not-a-real-password');
    expect((await serviceKey(NAME))!.ObjectName!.data).toBe(`.\\${user}`);
  });

  test('errors: one line, exit 1 (2 for bad flags), nothing left behind', async () => {
    const cases: [string[], number, RegExp][] = [
      [['install', '--account', '.\\svcpack-no-such-user'], 1, /account \.\\svcpack-no-such-user is unknown — /],
      [['install', '--dependencies', 'SvcpackNoSuchDependency'], 1, /dependency SvcpackNoSuchDependency is not an installed service — /],
      [['install', '--start-type', 'sometimes'], 2, /sometimes.* — /],
      [['install', '--account', `.\\${user}`], 2, /needs a password/],
      [['install', '--bogus'], 2, /unknown option '--bogus' for 'install'/],
      [['start'], 1, new RegExp(`service ${NAME} is not installed — run "${NAME}.exe install"`)],
    ];
    for (const [args, code, pattern] of cases) {
      const r = await exe(built, ...args);
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(await serviceKey(NAME)).toBeNull();
    }
  });

  test('uninstall stops and removes the service, keeps the data folder unless --purge; twice is fine', async () => {
    await ensurePortFree(PORT);
    expect((await exe(built, 'install', '--start-type', 'manual')).code).toBe(0);
    expect((await exe(built, 'start')).code).toBe(0);
    fs.mkdirSync(path.join(dataDirOf(NAME), 'state'), { recursive: true });

    const removed = await exe(built, 'uninstall');
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/stopped after[\s\S]*removed[\s\S]*kept/);
    expect(await serviceKey(NAME)).toBeNull();
    expect(fs.existsSync(path.join(dataDirOf(NAME), 'state'))).toBe(true);

    const purged = await exe(built, 'uninstall', '--purge');
    expect(purged.code).toBe(0);
    expect(purged.stdout).toMatch(/not installed/);
    expect(fs.existsSync(dataDirOf(NAME))).toBe(false);
  });
});

describe('emitted scripts under Wine cmd', () => {
  test('install.cmd installs with the baked settings and starts; again updates; uninstall.cmd removes', async () => {
    const built = file.ctx;
    await removeService(NAME);
    await ensurePortFree(PORT);
    const cmd = (script: string) => runCmd(path.join(built.outDir, script));

    const first = await cmd('install.cmd');
    expect(first.stdout).toMatch(/install\.cmd: service .* installed and started/);
    expect(first.code).toBe(0);
    expect((await sc('query', NAME)).state).toBe('RUNNING');
    const key = (await serviceKey(NAME))!;
    expect(key.ImagePath!.data).toBe(`"${winPath(built.exe)}" --service`);
    expect(key.Start!.data).toBe('0x2'); // the baked default: auto, not delayed (Wine 10 writes no DelayedAutoStart for 0)
    expect(key.DelayedAutoStart).toBeUndefined();
    expect(key.ObjectName!.data).toBe(`NT SERVICE\\${NAME}`);
    expect(key.Description!.data).toBe(BUILD.description);

    const second = await cmd('install.cmd');
    expect(second.code).toBe(0);
    expect((await sc('query', NAME)).state).toBe('RUNNING');

    const removed = await cmd('uninstall.cmd');
    expect(removed.code).toBe(0);
    expect(await serviceKey(NAME)).toBeNull();
    expect((await cmd('uninstall.cmd')).code).toBe(0);
  });
});
