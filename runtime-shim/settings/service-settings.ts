/**
 * The service settings: what the SCM is told about the service. One name per setting
 * everywhere: build flag `--start-type`, config/API key `startType`, exe flag `--start-type`.
 * `svcpack build` bakes a complete `ServiceSettings` into the exe (its install defaults); the
 * exe's `install` overrides them from its own flags. Pure data; no Win32 here.
 */

export type StartType = 'auto' | 'delayed-auto' | 'manual' | 'disabled';
export const START_TYPES: readonly StartType[] = ['auto', 'delayed-auto', 'manual', 'disabled'];

/** SERVICE_SID_INFO: whether the service's process token carries its own SID `NT SERVICE\<Name>`. */
export type SidType = 'none' | 'unrestricted' | 'restricted';
export const SID_TYPES: readonly SidType[] = ['none', 'unrestricted', 'restricted'];

export type RecoveryActionType = 'restart' | 'run' | 'reboot' | 'none';
export const RECOVERY_ACTION_TYPES: readonly RecoveryActionType[] = ['restart', 'run', 'reboot', 'none'];

/** One SCM failure action: what to do after the n-th failure, after `delayMs`. */
export interface RecoveryAction {
  action: RecoveryActionType;
  delayMs: number;
}

export interface Recovery {
  /** First, second, subsequent failures (the last one repeats). Empty: no recovery. */
  actions: RecoveryAction[];
  /** Failure count resets after this long without failures, in ms (SCM stores whole seconds). */
  resetAfterMs: number;
  /** Command line for `run` actions. */
  command?: string;
  /**
   * Also act when the service stops itself with a non-zero exit code (svcpack reports crashes
   * that way), not only when its process dies without reporting STOPPED. Default true: without
   * it, svcpack's reported crashes would never trigger recovery.
   */
  onNonCrashFailures: boolean;
}

export interface ServiceSettings {
  startType: StartType;
  displayName: string;
  description: string;
  /**
   * The account the service runs as, as written by the user: `LocalSystem`, `LocalService`,
   * `NetworkService`, `NT SERVICE\<Name>` (virtual account), `DOMAIN\user` / `.\user` /
   * `user@domain` (needs a password), `DOMAIN\name$` (gMSA, no password).
   */
  account: string;
  /** Services this one needs; a group is written with a leading `+` (SC_GROUP_IDENTIFIER). */
  dependencies: string[];
  recovery: Recovery;
  /** How long the SCM waits for this service at preshutdown, in ms. */
  preshutdownTimeoutMs: number;
  sidType: SidType;
  /** Environment variables the SCM gives the service process (registry value `Environment`). */
  env: Record<string, string>;
  /** Extra arguments after `--service` on the service's command line. */
  args: string[];
  /**
   * The folder the app starts in (its `process.cwd()`): `exe` (the exe's folder), `data` (the
   * data folder `%ProgramData%\<Name>`, `service.dataDir`) or an absolute Windows path. Stored
   * with the service (see platform/windows/service-parameters.ts) and entered by the shim before the app's
   * first line (working-dir.ts).
   */
  workingDir: string;
  /**
   * Accounts and groups (names as given, or `S-1-…` SID strings) that may query, start, stop,
   * pause/continue and send controls to the service without administrator rights: install adds an
   * allow entry for each to the service's default security descriptor (commands/service-security.ts).
   * Empty: the Windows default, only administrators and SYSTEM may start and stop it.
   */
  allowControl: string[];
}

/** The named choices of `workingDir`; anything else is an absolute Windows path. */
export type WorkingDirChoice = 'exe' | 'data';
export const WORKING_DIR_CHOICES: readonly WorkingDirChoice[] = ['exe', 'data'];
/** Where the app starts unless told otherwise: the exe's folder, as NSSM and WinSW do. */
export const DEFAULT_WORKING_DIR: WorkingDirChoice = 'exe';

/** The virtual account of service `name`: its own SID, no password, least privilege. */
export const virtualAccount = (name: string): string => `NT SERVICE\\${name}`;

export const DEFAULT_RECOVERY: Recovery = {
  actions: [
    { action: 'restart', delayMs: 1_000 },
    { action: 'restart', delayMs: 5_000 },
    { action: 'restart', delayMs: 30_000 },
  ],
  resetAfterMs: 86_400_000,
  onNonCrashFailures: true,
};

/** Windows' own default preshutdown timeout (3 minutes). */
export const DEFAULT_PRESHUTDOWN_TIMEOUT_MS = 180_000;

/** The defaults for service `name` before any build flag or package.json value applies. */
export function defaultSettings(name: string, displayName = name, description = ''): ServiceSettings {
  return {
    startType: 'auto',
    displayName,
    description,
    account: virtualAccount(name),
    dependencies: [],
    recovery: { ...DEFAULT_RECOVERY, actions: DEFAULT_RECOVERY.actions.map((a) => ({ ...a })) },
    preshutdownTimeoutMs: DEFAULT_PRESHUTDOWN_TIMEOUT_MS,
    sidType: 'unrestricted',
    env: {},
    args: [],
    workingDir: DEFAULT_WORKING_DIR,
    allowControl: [],
  };
}
