/**
 * Driver for test/e2e/manager-bindings.test.ts, bundled to CJS and run by the Windows node.exe
 * under Wine. Two modes:
 *
 * - `driver.cjs <config.json>`: calls every `ScmApi` method through the real koffi bindings and
 *   records each step's result (value, or error with Win32 function and code) in a JSON report,
 *   rewritten after every step so a crash still leaves what happened before it.
 * - `driver.cjs --service <config.json>`: a minimal service (the `runnable` one the first mode
 *   starts and stops): records the arguments ServiceMain received, runs until told to stop.
 *
 * The `configured` service is left in place for the test to inspect through `wine reg query`.
 *
 * node.exe under Wine cannot write to a Linux pipe, so everything goes to files.
 */
import fs from 'node:fs';
import * as A from '../../../runtime-shim/scm/advapi32';
import * as M from '../../../runtime-shim/scm/manager-api';
import { bindManager } from '../../../runtime-shim/scm/manager-bindings';
import type { Koffi } from '../../../runtime-shim/scm/native-module';

export interface DriverConfig {
  /** Windows path of koffi's win32_x64 koffi.node. */
  koffi: string;
  /** Windows path of the JSON report. */
  report: string;
  /** Where the service mode records its ServiceMain arguments. */
  serviceArgsFile: string;
  /** Command line of the runnable service (node.exe driver.cjs --service config.json). */
  runnableCommand: string;
  /** Service names: one started and stopped, one only configured. */
  runnable: string;
  configured: string;
  /** The Wine user (the Unix user name). */
  user: string;
  /** Dummy password for the configured service (must never show in errors). */
  password: string;
  /** A folder under C:\ProgramData for setFolderAcl. */
  aclDir: string;
  /** A file without VERSIONINFO. */
  noVersionFile: string;
}

export type StepResult =
  | { ok: true; value: unknown }
  | { ok: false; error: { name: string; message: string; fn?: string; code?: number } };

export interface DriverReport {
  steps: Record<string, StepResult>;
  done: boolean;
  fatal?: string;
}

function loadKoffi(file: string): Koffi {
  const mod = { exports: {} as Koffi };
  process.dlopen(mod, file);
  return mod.exports;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function manage(cfg: DriverConfig): Promise<void> {
  const report: DriverReport = { steps: {}, done: false };
  const save = () => fs.writeFileSync(cfg.report, JSON.stringify(report, null, 2));
  async function step<T>(name: string, run: () => T | Promise<T>): Promise<T | undefined> {
    try {
      const value = await run();
      report.steps[name] = { ok: true, value: value === undefined ? null : value };
      return value;
    } catch (err) {
      const e = err as Error & { fn?: string; code?: number };
      report.steps[name] = { ok: false, error: { name: e.name, message: e.message, fn: e.fn, code: e.code } };
      return undefined;
    } finally {
      save();
    }
  }

  try {
    const api = bindManager(loadKoffi(cfg.koffi));
    // bindManager declares only unnamed structs: a second call in the same process must work.
    await step('bindTwice', () => typeof bindManager(loadKoffi(cfg.koffi)).openManager);

    await step('isElevated', () => api.isElevated());
    await step('openManagerRead', () => {
      api.close(api.openManager(false));
      return true;
    });
    const scm = api.openManager(true);

    // Leftovers of an interrupted run.
    for (const name of [cfg.configured, cfg.runnable]) {
      const h = api.openService(scm, name, M.SERVICE_ALL_ACCESS);
      if (h) {
        try {
          api.control(h, M.SERVICE_CONTROL_STOP);
        } catch {
          // not running
        }
        api.deleteService(h);
        api.close(h);
      }
    }

    await step('openServiceMissing', () => api.openService(scm, 'SvcpackE2ENoSuchService', M.SERVICE_QUERY_STATUS));

    // Accounts.
    await step('lookupLocalService', () => api.lookupAccount('LocalService'));
    await step('lookupNetworkService', () => api.lookupAccount('NetworkService'));
    const user = await step('lookupUser', () => api.lookupAccount(cfg.user));
    await step('lookupUnknown', () => api.lookupAccount('SvcpackNoSuchUser42'));

    // A service that can run (this driver in --service mode), and one that is only configured.
    const runnable = await step('createRunnable', () =>
      api.createService(scm, {
        name: cfg.runnable,
        displayName: 'Svcpack E2E Manager Runnable',
        startType: M.SERVICE_DEMAND_START,
        binaryPath: cfg.runnableCommand,
        dependencies: [],
        account: null,
        password: null,
      }),
    );
    const account = user ? `${user.domain}\\${cfg.user}` : `.\\${cfg.user}`;
    const configuredParams: M.CreateServiceParams = {
      name: cfg.configured,
      displayName: 'Svcpack E2E Manager Configured',
      startType: M.SERVICE_DEMAND_START,
      binaryPath: '"C:\\svcpack e2e\\configured.exe" --service',
      dependencies: [cfg.runnable, 'PlugPlay'],
      account,
      password: cfg.password,
    };
    const configured = await step('createConfigured', () => api.createService(scm, configuredParams));
    await step('createDuplicate', () => api.createService(scm, configuredParams));
    if (!runnable || !configured) throw new Error('could not create the test services');
    report.steps.account = { ok: true, value: account };

    await step('queryConfig', () => api.queryConfig(configured));
    await step('queryConfigRunnable', () => api.queryConfig(runnable));
    await step('queryStatusStopped', () => api.queryStatus(configured));

    await step('changeConfig', () =>
      api.changeConfig(configured, {
        displayName: 'Svcpack E2E Manager Configured (changed)',
        startType: M.SERVICE_DISABLED,
        binaryPath: '"C:\\svcpack e2e\\changed.exe" --service',
        dependencies: ['PlugPlay'],
      }),
    );
    await step('queryConfigChanged', () => api.queryConfig(configured));
    await step('changeConfigLocalSystem', () => api.changeConfig(configured, { account: null, password: null }));
    await step('queryConfigLocalSystem', () => api.queryConfig(configured));
    await step('changeConfigNoDependencies', () => api.changeConfig(configured, { dependencies: [] }));
    await step('queryConfigNoDependencies', () => api.queryConfig(configured));

    // ChangeServiceConfig2W / QueryServiceConfig2W, every level.
    const config2: M.Config2[] = [
      { level: 'description', description: 'svcpack e2e: manager bindings (ünïcode ✓)' },
      {
        level: 'failure-actions',
        resetPeriodSec: 86400,
        command: null,
        actions: [
          { type: M.SC_ACTION_RESTART, delayMs: 5000 },
          { type: M.SC_ACTION_RESTART, delayMs: 10000 },
          { type: M.SC_ACTION_NONE, delayMs: 0 },
        ],
      },
      { level: 'delayed-auto-start', delayed: true },
      { level: 'failure-actions-flag', onNonCrashFailures: true },
      { level: 'sid-type', sidType: M.SERVICE_SID_TYPE_UNRESTRICTED },
      { level: 'preshutdown', timeoutMs: 180000 },
    ];
    for (const info of config2) {
      await step(`change2:${info.level}`, () => api.changeConfig2(configured, info));
      await step(`query2:${info.level}`, () => api.queryConfig2(configured, info.level));
    }

    // The service's Environment registry value.
    await step('envInitial', () => api.getServiceEnvironment(cfg.configured));
    await step('envSet', () => api.setServiceEnvironment(cfg.configured, ['FOO=bar', 'WITH_SPACE=a b', 'UNICODE=日本', 'EMPTY=']));
    await step('envAfterSet', () => api.getServiceEnvironment(cfg.configured));
    await step('envSetRunnable', () => api.setServiceEnvironment(cfg.runnable, ['ONLY=one']));
    await step('envDelete', () => api.setServiceEnvironment(cfg.configured, []));
    await step('envAfterDelete', () => api.getServiceEnvironment(cfg.configured));
    await step('envDeleteAgain', () => api.setServiceEnvironment(cfg.configured, []));
    await step('envMissingService', () => api.getServiceEnvironment('SvcpackE2ENoSuchService'));

    // LSA account rights.
    if (user) {
      await step('rightsBefore', () => api.accountRights(user.sid));
      await step('addRight', () => api.addAccountRight(user.sid, 'SeServiceLogonRight'));
      await step('rightsAfter', () => api.accountRights(user.sid));
    }
    await step('rightsLocalService', () => api.accountRights('S-1-5-19'));
    await step('rightsMalformedSid', () => api.accountRights('S-1-nope'));

    // Folder ACLs.
    fs.mkdirSync(cfg.aclDir, { recursive: true });
    const sddl = `D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)${user ? `(A;OICI;FA;;;${user.sid})` : ''}`;
    await step('setFolderAcl', () => api.setFolderAcl(cfg.aclDir, sddl));
    await step('setFolderAclMissing', () => api.setFolderAcl(`${cfg.aclDir}\\no\\such\\folder`, sddl));
    await step('setFolderAclBadSddl', () => api.setFolderAcl(cfg.aclDir, 'D:P(this is not SDDL'));
    await step('setFolderAclNoDacl', () => api.setFolderAcl(cfg.aclDir, 'O:BA'));
    fs.rmSync(cfg.aclDir, { recursive: true, force: true });

    // File versions.
    await step('fileVersionNode', () => api.fileVersion(process.execPath));
    await step('fileVersionNoResource', () => api.fileVersion(cfg.noVersionFile));
    await step('fileVersionMissing', () => api.fileVersion('C:\\svcpack-no-such-file.exe'));

    // Start with arguments, wait for RUNNING, stop, wait for STOPPED.
    await step('controlNotActive', () => api.control(runnable, M.SERVICE_CONTROL_STOP));
    await step('startService', () => api.startService(runnable, ['alpha', 'two words']));
    await step('statusRunning', async () => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const s = api.queryStatus(runnable);
        if (s.state === M.SERVICE_RUNNING || Date.now() > deadline) return s;
        await sleep(100);
      }
    });
    await step('startAgain', () => api.startService(runnable, []));
    await step('stopControl', () => api.control(runnable, M.SERVICE_CONTROL_STOP));
    await step('statusStopped', async () => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const s = api.queryStatus(runnable);
        if (s.state === M.SERVICE_STOPPED || Date.now() > deadline) return s;
        await sleep(100);
      }
    });
    await step('serviceArgs', () => JSON.parse(fs.readFileSync(cfg.serviceArgsFile, 'utf8')) as unknown);

    // The configured service stays for the test to read its registry key (then the test deletes
    // it); the runnable one is deleted here, and gone once its handles are closed.
    await step('envFinal', () => api.setServiceEnvironment(cfg.configured, ['FINAL=1', 'SECOND=two words']));
    await step('changeConfigFinal', () => api.changeConfig(configured, { dependencies: ['PlugPlay', '+SvcpackE2EGroup'] }));
    await step('deleteRunnable', () => api.deleteService(runnable));
    await step('deleteAgain', () => api.deleteService(runnable));
    await step('closeHandles', () => {
      api.close(configured);
      api.close(runnable);
    });
    // The SCM removes a deleted service once no handle refers to it any more.
    await step('openDeleted', async () => {
      const t0 = Date.now();
      for (;;) {
        const h = api.openService(scm, cfg.runnable, M.SERVICE_QUERY_STATUS);
        if (!h) return { gone: true, ms: Date.now() - t0 };
        api.close(h);
        if (Date.now() - t0 > 10_000) return { gone: false, ms: Date.now() - t0 };
        await sleep(100);
      }
    });
    await step('closeManager', () => api.close(scm));
    report.done = true;
  } catch (err) {
    report.fatal = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  save();
}

function serve(cfg: DriverConfig): void {
  const koffi = loadKoffi(cfg.koffi);
  const api = A.bindAdvapi32(koffi);
  let handle: unknown = null;
  const status = (state: number, accepted: number): A.ServiceStatusStruct => ({
    dwServiceType: A.SERVICE_WIN32_OWN_PROCESS,
    dwCurrentState: state,
    dwControlsAccepted: accepted,
    dwWin32ExitCode: 0,
    dwServiceSpecificExitCode: 0,
    dwCheckPoint: 0,
    dwWaitHint: 0,
  });
  // Exceptions must not escape koffi callbacks (they hang the process): catch everything.
  api.startDispatcher(
    cfg.runnable,
    (argc, argv) => {
      try {
        // argv is LPWSTR[argc]: decode it as an array (decode(argv, 'str16', n) reads one string).
        const args = argc > 0 ? (koffi.decode(argv, koffi.array('str16', argc, 'Array')) as string[]) : [];
        fs.writeFileSync(cfg.serviceArgsFile, JSON.stringify({ args, pid: process.pid, env: process.env.ONLY ?? null }));
        handle = api.registerHandler(cfg.runnable, (control) => {
          try {
            // Report STOPPED only after the handler has returned: once STOPPED, the dispatcher
            // returns and the process exits, possibly before the SCM got the handler's answer.
            if (control === A.SERVICE_CONTROL_STOP) {
              api.setStatus(handle, status(A.SERVICE_STOP_PENDING, 0));
              setTimeout(() => api.setStatus(handle, status(A.SERVICE_STOPPED, 0)), 200);
            }
          } catch {
            // nothing to do
          }
          return A.NO_ERROR;
        });
        api.setStatus(handle, status(A.SERVICE_RUNNING, A.SERVICE_ACCEPT_STOP));
      } catch (err) {
        fs.writeFileSync(cfg.serviceArgsFile, JSON.stringify({ error: String(err) }));
      }
    },
    (ok) => process.exit(ok ? 0 : 1),
  );
}

const [first, second] = process.argv.slice(2);
if (first === '--service' && second) serve(JSON.parse(fs.readFileSync(second, 'utf8')) as DriverConfig);
else if (first) void manage(JSON.parse(fs.readFileSync(first, 'utf8')) as DriverConfig);
