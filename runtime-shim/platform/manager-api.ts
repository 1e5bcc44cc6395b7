/**
 * The Win32 surface the management commands (install, uninstall, start, stop, restart, status)
 * need: the SCM, the service's registry key, its Event Log source, accounts and rights (LSA),
 * folder ACLs and file versions. Typed in Win32 terms but with plain JS values (strings, arrays,
 * string SIDs), so the commands above it can be tested on Linux with a fake. The koffi
 * implementation is `manager-bindings.ts` (the Event Log source: `eventlog-bindings.ts`); every
 * function there throws `Win32Error` when the call fails.
 */

import type { RuntimeKey } from '../settings/runtime-settings';

/** An open SC_HANDLE (opaque). Close it with `close`. */
export type ScHandle = object;

/** A failed Win32 call: which function, and GetLastError() (or the LSA status mapped to one). */
export class Win32Error extends Error {
  constructor(
    readonly fn: string,
    readonly code: number,
  ) {
    super(`${fn} failed with Win32 error ${code}`);
    this.name = 'Win32Error';
  }
}

// winerror.h codes the commands react to or explain.
export const ERROR_FILE_NOT_FOUND = 2;
export const ERROR_ACCESS_DENIED = 5;
export const ERROR_INVALID_PARAMETER = 87;
/** The pipe to the service process broke: it ended while it answered the request. */
export const ERROR_BROKEN_PIPE = 109;
export const ERROR_CALL_NOT_IMPLEMENTED = 120;
export const ERROR_INVALID_LEVEL = 124;
export const ERROR_DEPENDENT_SERVICES_RUNNING = 1051;
export const ERROR_INVALID_SERVICE_CONTROL = 1052;
export const ERROR_SERVICE_REQUEST_TIMEOUT = 1053;
export const ERROR_SERVICE_ALREADY_RUNNING = 1056;
export const ERROR_INVALID_SERVICE_ACCOUNT = 1057;
export const ERROR_SERVICE_DISABLED = 1058;
export const ERROR_SERVICE_DOES_NOT_EXIST = 1060;
export const ERROR_SERVICE_CANNOT_ACCEPT_CTRL = 1061;
export const ERROR_SERVICE_NOT_ACTIVE = 1062;
/** A service stopped with its own exit code (dwServiceSpecificExitCode). */
export const ERROR_SERVICE_SPECIFIC_ERROR = 1066;
export const ERROR_SERVICE_DEPENDENCY_FAIL = 1068;
export const ERROR_SERVICE_LOGON_FAILED = 1069;
export const ERROR_SERVICE_MARKED_FOR_DELETE = 1072;
export const ERROR_SERVICE_EXISTS = 1073;
export const ERROR_SERVICE_DEPENDENCY_DELETED = 1075;
export const ERROR_DUPLICATE_SERVICE_NAME = 1078;
export const ERROR_NONE_MAPPED = 1332;

// winsvc.h
export const SERVICE_WIN32_OWN_PROCESS = 0x10;
export const SERVICE_AUTO_START = 2;
export const SERVICE_DEMAND_START = 3;
export const SERVICE_DISABLED = 4;
export const SERVICE_ERROR_NORMAL = 1;

export const SERVICE_STOPPED = 1;
export const SERVICE_START_PENDING = 2;
export const SERVICE_STOP_PENDING = 3;
export const SERVICE_RUNNING = 4;
export const SERVICE_CONTINUE_PENDING = 5;
export const SERVICE_PAUSE_PENDING = 6;
export const SERVICE_PAUSED = 7;

export const SERVICE_CONTROL_STOP = 1;
export const SERVICE_CONTROL_PAUSE = 2;
export const SERVICE_CONTROL_CONTINUE = 3;
export const SERVICE_CONTROL_INTERROGATE = 4;
export const SERVICE_CONTROL_PARAMCHANGE = 6;

export const SC_ACTION_NONE = 0;
export const SC_ACTION_RESTART = 1;
export const SC_ACTION_REBOOT = 2;
export const SC_ACTION_RUN_COMMAND = 3;

export const SERVICE_SID_TYPE_NONE = 0;
export const SERVICE_SID_TYPE_UNRESTRICTED = 1;
export const SERVICE_SID_TYPE_RESTRICTED = 3;

/** Access rights for `openService`. */
export const SERVICE_QUERY_CONFIG = 0x0001;
export const SERVICE_CHANGE_CONFIG = 0x0002;
export const SERVICE_QUERY_STATUS = 0x0004;
export const SERVICE_START = 0x0010;
export const SERVICE_STOP = 0x0020;
export const SERVICE_PAUSE_CONTINUE = 0x0040;
export const SERVICE_INTERROGATE = 0x0080;
export const SERVICE_USER_DEFINED_CONTROL = 0x0100;
export const DELETE = 0x10000;
export const SERVICE_ALL_ACCESS = 0xf01ff;

/** Parameters of CreateServiceW (service type: own process; error control: normal). */
export interface CreateServiceParams {
  name: string;
  displayName: string;
  /** SERVICE_AUTO_START, SERVICE_DEMAND_START or SERVICE_DISABLED. */
  startType: number;
  /** The complete command line, exe path quoted. */
  binaryPath: string;
  /** Service names, and groups with a leading `+`. */
  dependencies: string[];
  /** lpServiceStartName: null for LocalSystem. */
  account: string | null;
  /** null: none (built-in, virtual and gMSA accounts). Never logged. */
  password: string | null;
}

/** ChangeServiceConfigW: `undefined` fields are left unchanged (SERVICE_NO_CHANGE / NULL). */
export type ChangeServiceParams = Partial<Omit<CreateServiceParams, 'name'>>;

/** One ChangeServiceConfig2W call. */
export type Config2 =
  | { level: 'description'; description: string }
  | {
      level: 'failure-actions';
      /** dwResetPeriod, seconds. */
      resetPeriodSec: number;
      /** lpCommand: null leaves it unchanged, '' deletes it. */
      command: string | null;
      /** SC_ACTION list: type SC_ACTION_*, delay in ms. */
      actions: { type: number; delayMs: number }[];
    }
  | { level: 'delayed-auto-start'; delayed: boolean }
  | { level: 'failure-actions-flag'; onNonCrashFailures: boolean }
  | { level: 'sid-type'; sidType: number }
  | { level: 'preshutdown'; timeoutMs: number };

export type Config2Level = Config2['level'];

/** QueryServiceConfigW, decoded. */
export interface ServiceConfigInfo {
  serviceType: number;
  startType: number;
  errorControl: number;
  binaryPath: string;
  loadOrderGroup: string;
  dependencies: string[];
  /** lpServiceStartName (LocalSystem shows as `LocalSystem`). */
  account: string;
  displayName: string;
}

/** QueryServiceStatusEx (SERVICE_STATUS_PROCESS), decoded. */
export interface ServiceStatusInfo {
  state: number;
  controlsAccepted: number;
  win32ExitCode: number;
  serviceExitCode: number;
  checkPoint: number;
  waitHint: number;
  /** 0 when not running. */
  pid: number;
}

export interface AccountInfo {
  /** String SID, e.g. S-1-5-21-…-1001. */
  sid: string;
  domain: string;
  /** SID_NAME_USE: 1 user, 2 group, 4 alias, 5 well-known group, … */
  use: number;
}

/**
 * The service's Event Log source: HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\<name>
 * (koffi implementation: eventlog-bindings.ts).
 */
export interface EventSourceRegistry {
  /** The source's `EventMessageFile`; '' when the key has no such value; null when there is no source. */
  eventSourceFile(name: string): string | null;
  /** Creates or updates the source: `EventMessageFile` (REG_EXPAND_SZ) and `TypesSupported` 7 (error, warning, information). */
  registerEventSource(name: string, messageFile: string): void;
  /** Deletes the source's key and anything under it; nothing to delete is not an error. */
  removeEventSource(name: string): void;
}

/**
 * The value that holds the `workingDir` setting. The runtime settings (settings/runtime-settings.ts)
 * are stored one REG_SZ value each, named by their key (`logLevel`), holding their flag's text.
 */
export const WORKING_DIR_VALUE = 'WorkingDirectory';
/**
 * The value that holds the `allowControl` setting as given (names or SID strings, joined with
 * commas, which account names cannot contain): for `status` and `install --force` to read back,
 * since the service's security descriptor holds only SIDs.
 */
export const ALLOW_CONTROL_VALUE = 'AllowControl';

/** HKLM-relative path of service `name`'s Parameters key. */
export function serviceParametersKey(name: string): string {
  if (name === '' || /[\\/]/.test(name)) throw new Error(`invalid service name: ${JSON.stringify(name)}`);
  return `SYSTEM\\CurrentControlSet\\Services\\${name}\\Parameters`;
}

/** Where service `name`'s stored settings are, as messages name it: `HKLM\SYSTEM\…\Parameters`. */
export function storedSettingsWhere(name: string): string {
  return `HKLM\\${serviceParametersKey(name)}`;
}

/**
 * What svcpack stores with the service besides what the SCM keeps: values under
 * HKLM\SYSTEM\CurrentControlSet\Services\<name>\Parameters (NSSM's place for the same), removed
 * with the service's key when it is deleted (koffi implementation: service-parameters.ts).
 */
export interface ServiceParameters {
  /** The `WorkingDirectory` value (the `workingDir` setting as given); null when there is none. */
  getServiceWorkingDir(name: string): string | null;
  /** Writes the `WorkingDirectory` value (REG_SZ), creating the Parameters key; null deletes it. */
  setServiceWorkingDir(name: string, value: string | null): void;
  /** The runtime settings stored with the service (settings/runtime-settings.ts): key → its flag's text. */
  getStoredSettings(name: string): Partial<Record<RuntimeKey, string>>;
  /** Stores one runtime setting (REG_SZ named by its key), creating the Parameters key; null deletes it. */
  setStoredSetting(name: string, key: RuntimeKey, value: string | null): void;
  /** The `AllowControl` value (the `allowControl` setting as given, comma-separated); null when there is none. */
  getServiceAllowControl(name: string): string[] | null;
  /** Writes the `AllowControl` value (REG_SZ, comma-separated), creating the Parameters key; [] deletes it. */
  setServiceAllowControl(name: string, accounts: readonly string[]): void;
}

/**
 * The service object's DACL, as SDDL (koffi implementation: service-security-bindings.ts). The
 * owner, group and SACL are neither read nor written.
 */
export interface ServiceSecurity {
  /** QueryServiceObjectSecurity(DACL_SECURITY_INFORMATION) as SDDL (`D:…`); the handle needs READ_CONTROL. */
  getServiceDacl(service: ScHandle): string;
  /**
   * SetServiceObjectSecurity(DACL_SECURITY_INFORMATION) from SDDL that has a `D:` part (without
   * one it throws before calling Windows: that would be a NULL DACL, full access for everyone);
   * the handle needs WRITE_DAC.
   */
  setServiceDacl(service: ScHandle, sddl: string): void;
}

/** TOKEN_ELEVATION_TYPE: TokenElevationTypeDefault 1, Full 2, Limited 3. */
export type ElevationType = 'default' | 'full' | 'limited';

export interface ScmApi extends EventSourceRegistry, ServiceParameters, ServiceSecurity {
  /**
   * This process's TokenElevationType: 'full' (an administrator's elevated token), 'limited' (the
   * filtered half of an administrator's split token: UAC, not elevated), 'default' (no split token:
   * UAC off, or not an administrator). Only chooses the wording of "needs administrator rights";
   * whether a command may run is decided by the access the SCM grants (commands/context.ts).
   */
  elevationType(): ElevationType;
  /** OpenSCManagerW; `write`: SC_MANAGER_ALL_ACCESS, else SC_MANAGER_CONNECT. */
  openManager(write: boolean): ScHandle;
  /** OpenServiceW; null when the service does not exist (1060). */
  openService(scm: ScHandle, name: string, access: number): ScHandle | null;
  createService(scm: ScHandle, params: CreateServiceParams): ScHandle;
  changeConfig(service: ScHandle, params: ChangeServiceParams): void;
  /** Throws Win32Error(ERROR_INVALID_LEVEL) where the SCM does not support the level (Wine). */
  changeConfig2(service: ScHandle, info: Config2): void;
  queryConfig(service: ScHandle): ServiceConfigInfo;
  /** QueryServiceConfig2W; null where the SCM does not support the level. */
  queryConfig2<L extends Config2Level>(service: ScHandle, level: L): Extract<Config2, { level: L }> | null;
  queryStatus(service: ScHandle): ServiceStatusInfo;
  startService(service: ScHandle, args: string[]): void;
  /** ControlService; returns the status it reports. */
  control(service: ScHandle, control: number): ServiceStatusInfo;
  deleteService(service: ScHandle): void;
  close(handle: ScHandle): void;

  /** The `Environment` REG_MULTI_SZ of HKLM\SYSTEM\CurrentControlSet\Services\<name>; null if absent. */
  getServiceEnvironment(name: string): string[] | null;
  /** Writes the `Environment` value (`KEY=value` entries); an empty list deletes it. */
  setServiceEnvironment(name: string, entries: string[]): void;

  /** LookupAccountNameW; null when the name is unknown (1332). */
  lookupAccount(name: string): AccountInfo | null;
  /** LsaEnumerateAccountRights; [] when the account has none. */
  accountRights(sid: string): string[];
  /** LsaAddAccountRights with one right, e.g. SeServiceLogonRight. */
  addAccountRight(sid: string, right: string): void;

  /** SetNamedSecurityInfoW(DACL) on a folder from an SDDL string (`D:P…`: protected). */
  setFolderAcl(path: string, sddl: string): void;
  /** The file's VS_FIXEDFILEINFO version `a.b.c.d`, or null when it has none or cannot be read. */
  fileVersion(path: string): string | null;
}
