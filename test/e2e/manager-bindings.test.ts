/**
 * The koffi bindings of the management API (runtime-shim/platform/windows/manager-bindings.ts) against Wine's
 * real advapi32/kernel32/version: a driver (test/e2e/drivers/manager-bindings.ts, bundled to CJS)
 * runs in the Windows node.exe, calls every `ScmApi` method and reports each result to a JSON
 * file; the tests assert on that report, and read what the SCM stored with `wine reg query`.
 *
 * What Wine 10 does differently from Windows is asserted as such (marked "Wine:"; each fact is in
 * docs/wine10-facts.md): ChangeServiceConfig2W levels 4 and 5 fail with ERROR_INVALID_LEVEL, level
 * 2 (failure actions) succeeds but stores nothing and cannot be queried; level 3 (delayed auto
 * start) is stored. QueryServiceConfigW returns no dependencies. LSA stores no rights.
 * SetNamedSecurityInfoW succeeds without persisting the DACL. Services run with the Wine user's
 * token whatever their account, and without their Environment value.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import * as M from '../../runtime-shim/platform/manager-api';
import { acquireRuntime } from '../../src/runtime/acquire';
import type { DriverConfig, DriverReport } from './drivers/manager-bindings';
import { bundleDriver, driverSteps, e2eFile, readVersionInfo, regQuery, repoRoot, runDriver, scratchDir, winPath } from './wine';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';

const RUNNABLE = 'SvcpackE2EMgrRun';
const CONFIGURED = 'SvcpackE2EMgrCfg';
/** The Node.js the exes embed by default (the tests read its runtime from svcpack's cache). */
const NODE_VERSION = DEFAULT_NODE_VERSION;
const PASSWORD = 'Svcpack-E2E-not-a-real-secret!';
const KOFFI_NODE = path.join(repoRoot, 'node_modules/koffi/build/koffi/win32_x64/koffi.node');

interface Ctx {
  nodeExe: string;
  /** Scratch folder (kept when a test fails): config.json, report.json, registry.json, driver.*.txt. */
  dir: string;
  driver: string;
}

const file = e2eFile<Ctx>({
  services: [CONFIGURED, RUNNABLE],
  setup: async () => {
    const runtime = await acquireRuntime({ version: NODE_VERSION });
    const dir = scratchDir('manager');
    const driver = path.join(dir, 'driver.cjs');
    await bundleDriver('manager-bindings', driver);
    return { nodeExe: runtime.targetExe, dir, driver };
  },
});

/** Runs the driver once (under Wine, output to files) and returns its report. */
type Report = DriverReport & { registry: Awaited<ReturnType<typeof regQuery>> };
let reportPromise: Promise<Report> | undefined;
function report(): Promise<Report> {
  reportPromise ??= runManagerDriver(file.ctx);
  return reportPromise;
}
const { ok, failure } = driverSteps(report);

async function runManagerDriver(ctx: Ctx): Promise<Report> {
  const config: Omit<DriverConfig, 'report'> = {
    koffi: winPath(KOFFI_NODE),
    serviceArgsFile: winPath(path.join(ctx.dir, 'service-args.json')),
    runnableCommand: `"${winPath(ctx.nodeExe)}" "${winPath(ctx.driver)}" --service "${winPath(path.join(ctx.dir, 'config.json'))}"`,
    runnable: RUNNABLE,
    configured: CONFIGURED,
    user: os.userInfo().username,
    password: PASSWORD,
    aclDir: `C:\\ProgramData\\SvcpackE2EAcl-${process.pid}`,
    noVersionFile: winPath(ctx.driver),
  };
  const t0 = performance.now();
  const parsed = await runDriver({ nodeExe: ctx.nodeExe, driver: ctx.driver, dir: ctx.dir, config, timeoutMs: 150_000 });
  console.log(`[e2e] manager driver ran in ${Math.round(performance.now() - t0)} ms (exit ${parsed.code})`);
  // What the SCM stored for the service the driver left in place (read before the per-test
  // cleanup deletes it): an independent check of what the bindings passed.
  const registry = await regQuery(`HKLM\\System\\CurrentControlSet\\Services\\${CONFIGURED}`);
  fs.writeFileSync(path.join(ctx.dir, 'registry.json'), JSON.stringify(registry, null, 2));
  return { ...parsed, registry };
}

// The first test to ask for the report runs the driver (≈1–15 s under Wine): every test may be it.
describe('manager bindings under Wine', { timeout: 180_000 }, () => {
  test('the driver ran every step, with the koffi module loaded through process.dlopen', async () => {
    const r = await report();
    expect(r.fatal).toBeUndefined();
    expect(r.done).toBe(true);
    // Unnamed structs: binding twice in one process works.
    expect(await ok('bindTwice')).toBe('function');
  });

  test('the password given to CreateServiceW appears nowhere in the report or the driver output', async () => {
    await report();
    for (const f of ['report.json', 'driver.stdout.txt', 'driver.stderr.txt']) {
      expect(fs.readFileSync(path.join(file.ctx.dir, f), 'utf8')).not.toContain(PASSWORD);
    }
  });

  test('elevationType, openManager, openService (missing → null), createService (duplicate → 1073)', async () => {
    // Wine 10 runs programs with an administrator's limited (UAC-filtered) token, yet its SCM
    // grants SC_MANAGER_ALL_ACCESS: install and uninstall ask the SCM, not the token.
    expect(await ok('elevationType')).toBe('limited');
    expect(await ok('openManagerRead')).toBe(true);
    expect(await ok('openServiceMissing')).toBeNull();
    await ok('createRunnable');
    await ok('createConfigured');
    expect(await failure('createDuplicate')).toMatchObject({ name: 'Win32Error', fn: 'CreateServiceW', code: M.ERROR_SERVICE_EXISTS });
  });

  test('queryConfig reads back what createService and changeConfig set', async () => {
    const ctx = file.ctx;
    const account = await ok('account');
    expect(account).toMatch(/^[^\\]+\\/);
    // Wine 10: QueryServiceConfigW still never returns dependencies (services.exe: "lpDependencies = NULL; /* TODO */");
    // what was stored is checked in the registry below.
    expect(await ok('queryConfig')).toEqual({
      serviceType: M.SERVICE_WIN32_OWN_PROCESS,
      startType: M.SERVICE_DEMAND_START,
      errorControl: M.SERVICE_ERROR_NORMAL,
      binaryPath: '"C:\\svcpack e2e\\configured.exe" --service',
      loadOrderGroup: '',
      dependencies: [],
      account,
      displayName: 'Svcpack E2E Manager Configured',
    });
    expect(await ok('queryConfigRunnable')).toMatchObject({
      binaryPath: `"${winPath(ctx.nodeExe)}" "${winPath(ctx.driver)}" --service "${winPath(path.join(ctx.dir, 'config.json'))}"`,
      account: 'LocalSystem', // account null → CreateServiceW(NULL) → LocalSystem
      displayName: 'Svcpack E2E Manager Runnable',
    });
    expect(await ok('queryStatusStopped')).toMatchObject({ state: M.SERVICE_STOPPED, pid: 0 });

    await ok('changeConfig');
    expect(await ok('queryConfigChanged')).toMatchObject({
      startType: M.SERVICE_DISABLED,
      binaryPath: '"C:\\svcpack e2e\\changed.exe" --service',
      displayName: 'Svcpack E2E Manager Configured (changed)',
      account, // undefined fields stay as they were (SERVICE_NO_CHANGE / NULL)
      errorControl: M.SERVICE_ERROR_NORMAL,
    });
    await ok('changeConfigLocalSystem');
    expect(await ok('queryConfigLocalSystem')).toMatchObject({ account: 'LocalSystem', startType: M.SERVICE_DISABLED });
    await ok('changeConfigNoDependencies');
    expect(await ok('queryConfigNoDependencies')).toMatchObject({ displayName: 'Svcpack E2E Manager Configured (changed)' });
    await ok('changeConfigFinal');

    // What the SCM stored, read independently.
    const reg = (await report()).registry;
    expect(reg?.ImagePath).toEqual({ type: 'REG_SZ', data: '"C:\\svcpack e2e\\changed.exe" --service' });
    expect(reg?.DisplayName?.data).toBe('Svcpack E2E Manager Configured (changed)');
    expect(reg?.Start?.data).toBe('0x4');
    expect(reg?.Type?.data).toBe('0x10');
    expect(reg?.ObjectName?.data).toBe('LocalSystem');
    // ['PlugPlay', '+SvcpackE2EGroup'] passed as a double-NUL-terminated list; '+' marks a group.
    expect(reg?.DependOnService).toEqual({ type: 'REG_MULTI_SZ', data: 'PlugPlay' });
    expect(reg?.DependOnGroup).toEqual({ type: 'REG_MULTI_SZ', data: 'SvcpackE2EGroup' });
  });

  test('changeConfig2/queryConfig2 at every level (Wine: 2 stores nothing, 4 and 5 → ERROR_INVALID_LEVEL)', async () => {
    const reg = (await report()).registry;
    await ok('change2:description');
    expect(await ok('query2:description')).toEqual({ level: 'description', description: 'svcpack e2e: manager bindings (ünïcode ✓)' });
    // (reg.exe's console output mangles non-ASCII; query2:description above read it back intact.)
    expect(reg?.Description?.data).toMatch(/^svcpack e2e: manager bindings \(/);

    // Wine 10 stores the delayed flag (services.exe writes DelayedAutoStart; Windows spells it
    // DelayedAutostart, and value names are case-insensitive) and reads it back.
    await ok('change2:delayed-auto-start');
    expect(await ok('query2:delayed-auto-start')).toEqual({ level: 'delayed-auto-start', delayed: true });
    await ok('change2:delayed-auto-start:off');
    expect(await ok('query2:delayed-auto-start:off')).toEqual({ level: 'delayed-auto-start', delayed: false });
    await ok('change2:delayed-auto-start:on');
    expect(reg?.DelayedAutoStart).toEqual({ type: 'REG_DWORD', data: '0x1' });

    await ok('change2:preshutdown');
    expect(await ok('query2:preshutdown')).toEqual({ level: 'preshutdown', timeoutMs: 180000 });
    expect(reg?.PreshutdownTimeout).toEqual({ type: 'REG_DWORD', data: `0x${(180000).toString(16)}` });

    // Wine 10: ChangeServiceConfig2W(SERVICE_CONFIG_FAILURE_ACTIONS) succeeds but stores nothing
    // (no FailureActions value); QueryServiceConfig2W of it fails with 124 → null.
    await ok('change2:failure-actions');
    expect(await ok('query2:failure-actions')).toBeNull();
    expect(reg?.FailureActions).toBeUndefined();
    expect(reg?.FailureCommand).toBeUndefined();

    // Wine 10: the failure-actions flag and the service SID type are refused (124), both ways.
    for (const level of ['failure-actions-flag', 'sid-type']) {
      expect(await failure(`change2:${level}`), level).toMatchObject({
        name: 'Win32Error',
        fn: 'ChangeServiceConfig2W',
        code: M.ERROR_INVALID_LEVEL,
      });
      expect(await ok(`query2:${level}`), level).toBeNull();
    }
    expect(reg?.FailureActionsOnNonCrashFailures).toBeUndefined();
    expect(reg?.ServiceSidType).toBeUndefined();
  });

  test("the Environment value: absent → set (REG_MULTI_SZ) → read back → deleted", async () => {
    expect(await ok('envInitial')).toBeNull();
    await ok('envSet');
    expect(await ok('envAfterSet')).toEqual(['FOO=bar', 'WITH_SPACE=a b', 'UNICODE=日本', 'EMPTY=']);
    await ok('envSetRunnable');
    await ok('envDelete');
    expect(await ok('envAfterDelete')).toBeNull();
    await ok('envDeleteAgain'); // deleting an absent value is not an error
    expect(await failure('envMissingService')).toMatchObject({ fn: 'RegOpenKeyExW', code: 2 });
    await ok('envFinal');
    expect((await report()).registry?.Environment).toEqual({ type: 'REG_MULTI_SZ', data: 'FINAL=1\\0SECOND=two words' });
  });

  test('what a started service gets (Wine: not its Environment value, not its account)', async () => {
    // envSetRunnable stored ONLY=one in the runnable service's Environment value before it was
    // started; Windows adds it to the service's environment. Wine 10's SCM does not.
    const served = (await ok('serviceArgs')) as { env: string | null; programData: string | null; identity: { sid: string; user: string } };
    expect(served.env).toBeNull();
    // The runnable service is configured as LocalSystem (Windows: token user S-1-5-18, SYSTEM).
    // Wine 10 runs it with the Wine user's token, the same as the driver's.
    const user = (await ok('lookupUser')) as M.AccountInfo;
    const driver = (await ok('driverIdentity')) as { sid: string; user: string; programData: string | null };
    expect(driver).toMatchObject({ sid: user.sid, user: os.userInfo().username });
    expect(served.identity).toEqual({ sid: user.sid, user: os.userInfo().username });
    // Wine 10 gives the service the same ProgramData as a program started from the console.
    expect(driver.programData).toBe('C:\\ProgramData');
    expect(served.programData).toBe('C:\\ProgramData');
  });

  test('lookupAccount, accountRights, addAccountRight (Wine: LSA keeps no rights)', async () => {
    expect(await ok('lookupLocalService')).toEqual({ sid: 'S-1-5-19', domain: 'NT AUTHORITY', use: 5 });
    expect(await ok('lookupNetworkService')).toEqual({ sid: 'S-1-5-20', domain: 'NT AUTHORITY', use: 5 });
    const user = (await ok('lookupUser')) as M.AccountInfo;
    expect(user).toMatchObject({ sid: expect.stringMatching(/^S-1-5-21(-\d+){4}$/), use: 1 });
    expect(user.domain).not.toBe('');
    expect(await ok('account')).toBe(`${user.domain}\\${os.userInfo().username}`);
    expect(await ok('lookupUnknown')).toBeNull();

    // Wine: LsaEnumerateAccountRights → STATUS_OBJECT_NAME_NOT_FOUND (no rights) even after LsaAddAccountRights succeeded.
    expect(await ok('rightsBefore')).toEqual([]);
    await ok('addRight');
    expect(await ok('rightsAfter')).toEqual([]);
    expect(await ok('rightsLocalService')).toEqual([]);
    expect(await failure('rightsMalformedSid')).toMatchObject({ name: 'Error', message: expect.stringMatching(/malformed SID/) });
  });

  test('setFolderAcl (Wine: succeeds, does not persist the DACL) and its failures', async () => {
    const before = await ok('aclBefore');
    await ok('setFolderAcl');
    // Wine 10: GetNamedSecurityInfoW afterwards still returns the folder's default DACL, not the
    // protected one set (on Windows it would read back as aclSddl).
    expect(await ok('aclAfter')).toBe(before);
    expect(await ok('aclAfter')).not.toBe(await ok('aclSddl'));
    expect(await failure('setFolderAclMissing')).toMatchObject({ name: 'Win32Error', fn: 'SetNamedSecurityInfoW', code: 3 });
    const bad = await failure('setFolderAclBadSddl');
    expect(bad).toMatchObject({ name: 'Win32Error', fn: 'ConvertStringSecurityDescriptorToSecurityDescriptorW' });
    expect(bad.code).toBeGreaterThan(0);
    // No D: part would be a NULL DACL (everyone full access): refused before SetNamedSecurityInfoW.
    expect(await failure('setFolderAclNoDacl')).toMatchObject({ name: 'Error', message: expect.stringMatching(/no DACL/) });
  });

  test("fileVersion reads node.exe's VS_FIXEDFILEINFO; null without one", async () => {
    const expected = readVersionInfo(file.ctx.nodeExe).fileVersion;
    expect(expected).toMatch(new RegExp(`^${NODE_VERSION.replaceAll('.', '\\.')}\\.\\d+$`));
    expect(await ok('fileVersionNode')).toBe(expected);
    expect(await ok('fileVersionNoResource')).toBeNull();
    expect(await ok('fileVersionMissing')).toBeNull();
  });

  test('startService with arguments → RUNNING → control(STOP) → STOPPED → deleteService', async () => {
    expect(await failure('controlNotActive')).toMatchObject({ fn: 'ControlService', code: M.ERROR_SERVICE_NOT_ACTIVE });
    await ok('startService');
    const running = (await ok('statusRunning')) as M.ServiceStatusInfo;
    expect(running).toMatchObject({ state: M.SERVICE_RUNNING, controlsAccepted: 1, win32ExitCode: 0 });
    const served = (await ok('serviceArgs')) as { args: string[]; pid: number };
    // ServiceMain got the service name then the StartServiceW arguments; its pid is the one reported.
    expect(served.args).toEqual([RUNNABLE, 'alpha', 'two words']);
    expect(running.pid).toBe(served.pid);
    expect(await failure('startAgain')).toMatchObject({ fn: 'StartServiceW', code: M.ERROR_SERVICE_ALREADY_RUNNING });
    // ControlService returns SERVICE_STATUS, which has no pid.
    expect(await ok('stopControl')).toMatchObject({ state: M.SERVICE_STOP_PENDING, pid: 0 });
    expect(await ok('statusStopped')).toMatchObject({ state: M.SERVICE_STOPPED, win32ExitCode: 0, pid: 0 });

    await ok('deleteRunnable');
    expect(await failure('deleteAgain')).toMatchObject({ fn: 'DeleteService', code: M.ERROR_SERVICE_MARKED_FOR_DELETE });
    await ok('closeHandles');
    expect(await ok('openDeleted')).toMatchObject({ gone: true });
    await ok('closeManager');
  });
});
