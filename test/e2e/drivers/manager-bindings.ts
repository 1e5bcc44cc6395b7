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
import os from 'node:os';
import * as A from '../../../runtime-shim/platform/windows/advapi32';
import * as M from '../../../runtime-shim/platform/manager-api';
import { bindManager } from '../../../runtime-shim/platform/windows/manager-bindings';
import { loadKoffi, StepRecorder, type StepReport } from './step-report';

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

export type DriverReport = StepReport;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads, independently of the bindings under test, what Windows (here: Wine) really stored or
 * really gave this process: a folder's DACL as SDDL, and the account this process runs as.
 */
function probes(koffi: ReturnType<typeof loadKoffi>) {
  const advapi = koffi.load('advapi32.dll');
  const kernel = koffi.load('kernel32.dll');
  const LocalFree = kernel.func('void * __stdcall LocalFree(void *mem)');
  const GetCurrentProcess = kernel.func('void * __stdcall GetCurrentProcess()');
  const CloseHandle = kernel.func('int __stdcall CloseHandle(void *h)');
  const GetNamedSecurityInfoW = advapi.func(
    'uint32 __stdcall GetNamedSecurityInfoW(str16 name, int objectType, uint32 info, _Out_ void **owner, _Out_ void **group, _Out_ void **dacl, _Out_ void **sacl, _Out_ void **sd)',
  );
  const ConvertSecurityDescriptorToStringSecurityDescriptorW = advapi.func(
    'int __stdcall ConvertSecurityDescriptorToStringSecurityDescriptorW(void *sd, uint32 revision, uint32 info, _Out_ void **sddl, _Out_ uint32 *length)',
  );
  const OpenProcessToken = advapi.func('int __stdcall OpenProcessToken(void *process, uint32 access, _Out_ void **token)');
  const GetTokenInformation = advapi.func('int __stdcall GetTokenInformation(void *token, int infoClass, void *info, uint32 size, _Out_ uint32 *returned)');
  const ConvertSidToStringSidW = advapi.func('int __stdcall ConvertSidToStringSidW(void *sid, _Out_ void **text)');
  const SE_FILE_OBJECT = 1;
  const DACL_SECURITY_INFORMATION = 4;
  const TOKEN_QUERY = 8;
  const TokenUser = 1;
  /** Takes a LocalAlloc'ed UTF-16 string, frees it. */
  const take = (p: unknown): string => {
    try {
      return koffi.decode(p, 'char16_t', -1) as string;
    } finally {
      LocalFree(p);
    }
  };
  return {
    /** The folder's DACL (GetNamedSecurityInfoW) as SDDL. */
    folderDacl(path: string): string {
      const sd: [unknown] = [null];
      const code = GetNamedSecurityInfoW(path, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, [null], [null], [null], [null], sd) as number;
      if (code !== 0) throw new Error(`GetNamedSecurityInfoW failed with Win32 error ${code}`);
      try {
        const text: [unknown] = [null];
        if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(sd[0], 1, DACL_SECURITY_INFORMATION, text, [0])) {
          throw new Error('ConvertSecurityDescriptorToStringSecurityDescriptorW failed');
        }
        return take(text[0]);
      } finally {
        LocalFree(sd[0]);
      }
    },
    /** The SID of this process's token user (S-1-5-18 for a LocalSystem service on Windows). */
    tokenUserSid(): string {
      const token: [unknown] = [null];
      if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, token)) throw new Error('OpenProcessToken failed');
      try {
        const info = Buffer.alloc(256);
        if (!GetTokenInformation(token[0], TokenUser, info, info.length, [0])) throw new Error('GetTokenInformation failed');
        // TOKEN_USER = { SID_AND_ATTRIBUTES User = { PSID Sid; DWORD Attributes } }: Sid points into `info`.
        const text: [unknown] = [null];
        if (!ConvertSidToStringSidW(koffi.decode(info, 'void *'), text)) throw new Error('ConvertSidToStringSidW failed');
        return take(text[0]);
      } finally {
        CloseHandle(token[0]);
      }
    },
  };
}

async function manage(cfg: DriverConfig): Promise<void> {
  const rec = new StepRecorder(cfg.report);
  await rec.run(async () => {
    const api = bindManager(loadKoffi(cfg.koffi));
    const probe = probes(loadKoffi(cfg.koffi));
    // bindManager declares only unnamed structs: a second call in the same process must work.
    await rec.stepAsync('bindTwice', () => typeof bindManager(loadKoffi(cfg.koffi)).openManager);

    await rec.stepAsync('elevationType', () => api.elevationType());
    await rec.stepAsync('openManagerRead', () => {
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

    await rec.stepAsync('openServiceMissing', () => api.openService(scm, 'SvcpackE2ENoSuchService', M.SERVICE_QUERY_STATUS));

    // Accounts.
    await rec.stepAsync('lookupLocalService', () => api.lookupAccount('LocalService'));
    await rec.stepAsync('lookupNetworkService', () => api.lookupAccount('NetworkService'));
    const user = await rec.stepAsync('lookupUser', () => api.lookupAccount(cfg.user));
    await rec.stepAsync('lookupUnknown', () => api.lookupAccount('SvcpackNoSuchUser42'));

    // A service that can run (this driver in --service mode), and one that is only configured.
    const runnable = await rec.stepAsync('createRunnable', () =>
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
    const configured = await rec.stepAsync('createConfigured', () => api.createService(scm, configuredParams));
    await rec.stepAsync('createDuplicate', () => api.createService(scm, configuredParams));
    if (!runnable || !configured) throw new Error('could not create the test services');
    rec.note('account', account);

    await rec.stepAsync('queryConfig', () => api.queryConfig(configured));
    await rec.stepAsync('queryConfigRunnable', () => api.queryConfig(runnable));
    await rec.stepAsync('queryStatusStopped', () => api.queryStatus(configured));

    await rec.stepAsync('changeConfig', () =>
      api.changeConfig(configured, {
        displayName: 'Svcpack E2E Manager Configured (changed)',
        startType: M.SERVICE_DISABLED,
        binaryPath: '"C:\\svcpack e2e\\changed.exe" --service',
        dependencies: ['PlugPlay'],
      }),
    );
    await rec.stepAsync('queryConfigChanged', () => api.queryConfig(configured));
    await rec.stepAsync('changeConfigLocalSystem', () => api.changeConfig(configured, { account: null, password: null }));
    await rec.stepAsync('queryConfigLocalSystem', () => api.queryConfig(configured));
    await rec.stepAsync('changeConfigNoDependencies', () => api.changeConfig(configured, { dependencies: [] }));
    await rec.stepAsync('queryConfigNoDependencies', () => api.queryConfig(configured));

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
      await rec.stepAsync(`change2:${info.level}`, () => api.changeConfig2(configured, info));
      await rec.stepAsync(`query2:${info.level}`, () => api.queryConfig2(configured, info.level));
    }
    // The delayed flag off and on again: what is read back follows what was set.
    await rec.stepAsync('change2:delayed-auto-start:off', () => api.changeConfig2(configured, { level: 'delayed-auto-start', delayed: false }));
    await rec.stepAsync('query2:delayed-auto-start:off', () => api.queryConfig2(configured, 'delayed-auto-start'));
    await rec.stepAsync('change2:delayed-auto-start:on', () => api.changeConfig2(configured, { level: 'delayed-auto-start', delayed: true }));

    // The service's Environment registry value.
    await rec.stepAsync('envInitial', () => api.getServiceEnvironment(cfg.configured));
    await rec.stepAsync('envSet', () => api.setServiceEnvironment(cfg.configured, ['FOO=bar', 'WITH_SPACE=a b', 'UNICODE=日本', 'EMPTY=']));
    await rec.stepAsync('envAfterSet', () => api.getServiceEnvironment(cfg.configured));
    await rec.stepAsync('envSetRunnable', () => api.setServiceEnvironment(cfg.runnable, ['ONLY=one']));
    await rec.stepAsync('envDelete', () => api.setServiceEnvironment(cfg.configured, []));
    await rec.stepAsync('envAfterDelete', () => api.getServiceEnvironment(cfg.configured));
    await rec.stepAsync('envDeleteAgain', () => api.setServiceEnvironment(cfg.configured, []));
    await rec.stepAsync('envMissingService', () => api.getServiceEnvironment('SvcpackE2ENoSuchService'));

    // LSA account rights.
    if (user) {
      await rec.stepAsync('rightsBefore', () => api.accountRights(user.sid));
      await rec.stepAsync('addRight', () => api.addAccountRight(user.sid, 'SeServiceLogonRight'));
      await rec.stepAsync('rightsAfter', () => api.accountRights(user.sid));
    }
    await rec.stepAsync('rightsLocalService', () => api.accountRights('S-1-5-19'));
    await rec.stepAsync('rightsMalformedSid', () => api.accountRights('S-1-nope'));

    // Folder ACLs.
    fs.mkdirSync(cfg.aclDir, { recursive: true });
    const sddl = `D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)${user ? `(A;OICI;FA;;;${user.sid})` : ''}`;
    await rec.stepAsync('aclBefore', () => probe.folderDacl(cfg.aclDir));
    await rec.stepAsync('setFolderAcl', () => api.setFolderAcl(cfg.aclDir, sddl));
    rec.note('aclSddl', sddl);
    await rec.stepAsync('aclAfter', () => probe.folderDacl(cfg.aclDir));
    await rec.stepAsync('setFolderAclMissing', () => api.setFolderAcl(`${cfg.aclDir}\\no\\such\\folder`, sddl));
    await rec.stepAsync('setFolderAclBadSddl', () => api.setFolderAcl(cfg.aclDir, 'D:P(this is not SDDL'));
    await rec.stepAsync('setFolderAclNoDacl', () => api.setFolderAcl(cfg.aclDir, 'O:BA'));
    fs.rmSync(cfg.aclDir, { recursive: true, force: true });

    // The driver's own account, to compare with the service's.
    await rec.stepAsync('driverIdentity', () => ({ sid: probe.tokenUserSid(), user: os.userInfo().username, programData: process.env.ProgramData ?? null }));

    // File versions.
    await rec.stepAsync('fileVersionNode', () => api.fileVersion(process.execPath));
    await rec.stepAsync('fileVersionNoResource', () => api.fileVersion(cfg.noVersionFile));
    await rec.stepAsync('fileVersionMissing', () => api.fileVersion('C:\\svcpack-no-such-file.exe'));

    // Start with arguments, wait for RUNNING, stop, wait for STOPPED.
    await rec.stepAsync('controlNotActive', () => api.control(runnable, M.SERVICE_CONTROL_STOP));
    await rec.stepAsync('startService', () => api.startService(runnable, ['alpha', 'two words']));
    /** The runnable service's status once it is in `state`, or the last one seen after `timeoutMs`. */
    const waitForStatus = async (state: number, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = api.queryStatus(runnable);
        if (s.state === state || Date.now() > deadline) return s;
        await sleep(100);
      }
    };
    await rec.stepAsync('statusRunning', () => waitForStatus(M.SERVICE_RUNNING, 60_000));
    await rec.stepAsync('startAgain', () => api.startService(runnable, []));
    await rec.stepAsync('stopControl', () => api.control(runnable, M.SERVICE_CONTROL_STOP));
    await rec.stepAsync('statusStopped', () => waitForStatus(M.SERVICE_STOPPED, 30_000));
    await rec.stepAsync('serviceArgs', () => JSON.parse(fs.readFileSync(cfg.serviceArgsFile, 'utf8')) as unknown);

    // The configured service stays for the test to read its registry key (then the test deletes
    // it); the runnable one is deleted here, and gone once its handles are closed.
    await rec.stepAsync('envFinal', () => api.setServiceEnvironment(cfg.configured, ['FINAL=1', 'SECOND=two words']));
    await rec.stepAsync('changeConfigFinal', () => api.changeConfig(configured, { dependencies: ['PlugPlay', '+SvcpackE2EGroup'] }));
    await rec.stepAsync('deleteRunnable', () => api.deleteService(runnable));
    await rec.stepAsync('deleteAgain', () => api.deleteService(runnable));
    await rec.stepAsync('closeHandles', () => {
      api.close(configured);
      api.close(runnable);
    });
    // The SCM removes a deleted service once no handle refers to it any more.
    await rec.stepAsync('openDeleted', async () => {
      const t0 = Date.now();
      for (;;) {
        const h = api.openService(scm, cfg.runnable, M.SERVICE_QUERY_STATUS);
        if (!h) return { gone: true, ms: Date.now() - t0 };
        api.close(h);
        if (Date.now() - t0 > 10_000) return { gone: false, ms: Date.now() - t0 };
        await sleep(100);
      }
    });
    await rec.stepAsync('closeManager', () => api.close(scm));
  });
}

function serve(cfg: DriverConfig): void {
  const koffi = loadKoffi(cfg.koffi);
  const api = A.bindAdvapi32(koffi);
  const probe = probes(koffi);
  let handle: A.StatusHandle = 0;
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
        // What the SCM gave the process: the Environment value set before the start (ONLY=one),
        // and the account it runs as (LocalSystem on Windows: S-1-5-18, user SYSTEM).
        let identity: unknown;
        try {
          identity = { sid: probe.tokenUserSid(), user: os.userInfo().username };
        } catch (err) {
          identity = { error: String(err) };
        }
        fs.writeFileSync(
          cfg.serviceArgsFile,
          JSON.stringify({ args, pid: process.pid, env: process.env.ONLY ?? null, programData: process.env.ProgramData ?? null, identity }),
        );
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
        }) ?? 0;
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
