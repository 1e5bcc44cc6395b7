/**
 * Service settings as users give them (build flags, API options, the exe's install flags) →
 * validated `ServiceSettings`, and back to flags. Pure; bundled into the exe.
 *
 * Value syntax:
 * - durations: a number of milliseconds, or a string `500ms`, `30s`, `5m`, `2h`, `1d`, or a bare
 *   integer string (milliseconds);
 * - recovery: comma-separated `type/delay` actions (`restart/1s,restart/5s,run/30s,reboot/1m,none/0s`;
 *   a missing delay is 0), or the single word `none` for no actions;
 * - dependencies: a list, or one comma-separated string; a load-order group is written `+Group`;
 * - env: a record, or a list of `KEY=value`;
 * - workingDir: `exe`, `data` (any case), or an absolute path: Windows (`D:\apps\MySvc`,
 *   `\\server\share\app`) or POSIX (`/srv/my-svc`); the running system refuses the other's form;
 * - allowControl: a list, or one comma-separated string of account/group names or SID strings;
 *   `none` or `''` for no one (settings/allow-control.ts).
 *
 * Limits: display name 1-256 characters (the SCM's), description at most 1024, delays and the
 * preshutdown timeout at most 2^32-1 ms, the recovery reset period whole seconds up to 2^32-1 s
 * (all DWORDs), the account at most 256 characters.
 */
import { accountProblem, ACCOUNT_FORMS } from './account';
import { AllowControlProblem, parseAllowControl } from './allow-control';
import { settingFlag, SETTING_FLAGS } from './flags';
import type { LoggingInput } from './logging-resolve';
import type { OperationInput } from './operation-settings';
import { absolutePathFlavour } from './path-form';
import { hasControl, quoted } from './quoted';
import type { SupervisionInput } from './supervision-settings';
import {
  RECOVERY_ACTION_TYPES,
  SID_TYPES,
  START_TYPES,
  WORKING_DIR_CHOICES,
  type Recovery,
  type RecoveryAction,
  type ServiceSettings,
  type SidType,
  type StartType,
} from './service-settings';

/** Every key optional; values as a user gives them. */
export interface SettingsInput {
  startType?: string;
  displayName?: string;
  description?: string;
  account?: string;
  /** A list, or one comma-separated string (`''`: none). */
  dependencies?: string[] | string;
  /** `restart/1s,restart/5s,run/30s` or `none`. */
  recovery?: string;
  /** A duration; whole seconds. */
  recoveryReset?: string | number;
  /** `''` removes the command. */
  recoveryCommand?: string;
  /** true/false, or 'true'/'false'/'yes'/'no'. */
  recoveryOnNonCrash?: boolean | string;
  /** A duration. */
  preshutdownTimeout?: string | number;
  sidType?: string;
  /** Replaces the whole environment: a record, or `KEY=value` entries. */
  env?: Record<string, string> | string[];
  /** Replaces the whole list. */
  args?: string[];
  /** `exe`, `data` or an absolute Windows or POSIX path. */
  workingDir?: string;
  /** Accounts, groups or SIDs: a list, or one comma-separated string (`''` or `none`: no one). */
  allowControl?: string[] | string;
}

/** The key of a service, logging, supervision or operation setting, or the stop timeout. */
export type SettingKey = keyof SettingsInput | keyof LoggingInput | keyof SupervisionInput | keyof OperationInput | 'stopTimeout';

/** A setting with a bad value: which setting (its key), what is wrong, how to fix it. */
export class SettingError extends Error {
  override readonly name = 'SettingError';
  constructor(
    readonly setting: SettingKey,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** The largest DWORD: the SCM's limit for delays and timeouts (ms) and the reset period (s). */
export const MAX_DWORD = 0xffff_ffff;
const MAX_DISPLAY_NAME_LENGTH = 256;
const MAX_DESCRIPTION_LENGTH = 1024;

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const DURATION = /^(\d+)(ms|s|m|h|d)?$/i;
const DURATION_HINT = 'write a duration such as 500ms, 30s, 5m, 2h or 1d (a bare number is milliseconds)';

/** Milliseconds of `text` (`500ms`, `30s`, `5m`, `2h`, `1d`, or a bare integer = ms); null if it is not a duration. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[(match[2]?.toLowerCase() ?? 'ms') as Unit];
  return Number.isSafeInteger(ms) ? ms : null;
}

/** `ms` in the largest unit that expresses it exactly: 86400000 → `1d`, 1500 → `1500ms`, 0 → `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const unit = (Object.keys(UNIT_MS) as Unit[]).find((u) => ms % UNIT_MS[u] === 0) ?? 'ms';
  return `${ms / UNIT_MS[unit]}${unit}`;
}

/**
 * `base` with every key given in `input` validated and applied; keys not given (or undefined)
 * keep base's values. Throws `SettingError` on the first bad value. Does not modify `base`.
 */
export function resolveSettings(input: SettingsInput, base: ServiceSettings): ServiceSettings {
  return {
    startType: input.startType === undefined ? base.startType : oneOf<StartType>('startType', 'start type', input.startType, START_TYPES),
    displayName: input.displayName === undefined ? base.displayName : displayName(input.displayName),
    description: input.description === undefined ? base.description : description(input.description),
    account: input.account === undefined ? base.account : account(input.account),
    dependencies: input.dependencies === undefined ? [...base.dependencies] : dependencies(input.dependencies),
    recovery: recovery(input, base.recovery),
    preshutdownTimeoutMs: input.preshutdownTimeout === undefined ? base.preshutdownTimeoutMs : preshutdownTimeout(input.preshutdownTimeout),
    sidType: input.sidType === undefined ? base.sidType : oneOf<SidType>('sidType', 'SID type', input.sidType, SID_TYPES),
    env: input.env === undefined ? { ...base.env } : environment(input.env),
    args: input.args === undefined ? [...base.args] : args(input.args),
    workingDir: input.workingDir === undefined ? base.workingDir : workingDirSetting(input.workingDir),
    allowControl: input.allowControl === undefined ? [...base.allowControl] : allowControl(input.allowControl),
  };
}

/**
 * The flag/value pairs that reproduce `s`, in `SETTING_FLAGS` order. Every setting is explicit
 * except an empty description, recovery command, dependency list, env, args or allowControl: those are omitted,
 * since Windows PowerShell 5.1 drops empty arguments and a repeatable flag cannot say "none".
 * Resolving the pairs against `s`, or against any base that has those same settings empty too,
 * gives back `s`.
 */
export function settingsToFlagPairs(s: ServiceSettings): Array<[flag: string, value: string]> {
  const values: { [K in keyof Required<SettingsInput>]: string[] } = {
    startType: [s.startType],
    displayName: [s.displayName],
    description: s.description === '' ? [] : [s.description],
    account: [s.account],
    dependencies: s.dependencies.length === 0 ? [] : [s.dependencies.join(',')],
    recovery: [formatRecovery(s.recovery.actions)],
    recoveryReset: [formatDuration(s.recovery.resetAfterMs)],
    recoveryCommand: s.recovery.command === undefined ? [] : [s.recovery.command],
    recoveryOnNonCrash: [String(s.recovery.onNonCrashFailures)],
    preshutdownTimeout: [formatDuration(s.preshutdownTimeoutMs)],
    sidType: [s.sidType],
    env: Object.entries(s.env).map(([key, value]) => `${key}=${value}`),
    args: s.args,
    workingDir: [s.workingDir],
    allowControl: s.allowControl.length === 0 ? [] : [s.allowControl.join(',')],
  };
  return SETTING_FLAGS.flatMap(({ key, flag }) => values[key].map((value): [string, string] => [flag, value]));
}

/** `settingsToFlagPairs`, flattened: the exe install argv for `s`. */
export function settingsToFlags(s: ServiceSettings): string[] {
  return settingsToFlagPairs(s).flat();
}

/** `value` (any case) as one of `allowed`; else a SettingError naming `what` and listing them. */
export function oneOf<T extends string>(setting: SettingKey, what: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value.toLowerCase());
  if (found === undefined) throw new SettingError(setting, `${quoted(value)} is not a ${what}`, `use ${listOf(allowed)}`);
  return found;
}

const listOf = (items: readonly string[]): string => `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;

function displayName(value: string): string {
  const hint = `use 1-${MAX_DISPLAY_NAME_LENGTH} characters on one line`;
  if (value.length === 0) throw new SettingError('displayName', 'the display name is empty', hint);
  if (value.length > MAX_DISPLAY_NAME_LENGTH) throw new SettingError('displayName', `the display name is ${value.length} characters long`, hint);
  if (hasControl(value)) throw new SettingError('displayName', `display name ${quoted(value)} contains a control character`, hint);
  return value;
}

function description(value: string): string {
  const hint = `use at most ${MAX_DESCRIPTION_LENGTH} characters on one line`;
  if (value.length > MAX_DESCRIPTION_LENGTH) throw new SettingError('description', `the description is ${value.length} characters long`, hint);
  if (hasControl(value)) throw new SettingError('description', `description ${quoted(value)} contains a control character`, hint);
  return value;
}

function account(value: string): string {
  const problem = accountProblem(value);
  if (problem) throw new SettingError('account', problem, ACCOUNT_FORMS);
  return value;
}

function dependencies(value: string[] | string): string[] {
  const names = typeof value === 'string' ? (value.trim() === '' ? [] : value.split(',')) : value;
  const hint = 'list service names separated by commas, a load-order group as +Group';
  const seen = new Set<string>();
  return names.map((raw) => {
    const name = raw.trim();
    const bare = name.startsWith('+') ? name.slice(1) : name;
    if (bare === '') throw new SettingError('dependencies', `dependency ${quoted(raw)} has no name`, hint);
    if (/[/\\,]/.test(bare) || hasControl(bare)) throw new SettingError('dependencies', `dependency ${quoted(name)} contains / \\ , or a control character`, hint);
    if (seen.has(name.toLowerCase())) throw new SettingError('dependencies', `dependency ${quoted(name)} is listed twice`, 'list each service or group once');
    seen.add(name.toLowerCase());
    return name;
  });
}

function allowControl(value: string[] | string): string[] {
  try {
    return parseAllowControl(value);
  } catch (err) {
    if (err instanceof AllowControlProblem) throw new SettingError('allowControl', err.message, err.hint);
    throw err;
  }
}

function recovery(input: SettingsInput, base: Recovery): Recovery {
  const result: Recovery = { ...base, actions: base.actions.map((a) => ({ ...a })) };
  if (input.recovery !== undefined) result.actions = parseRecovery(input.recovery);
  if (input.recoveryReset !== undefined) result.resetAfterMs = resetPeriod(input.recoveryReset);
  if (input.recoveryCommand !== undefined) {
    delete result.command;
    if (input.recoveryCommand !== '') result.command = recoveryCommand(input.recoveryCommand);
  }
  if (input.recoveryOnNonCrash !== undefined) result.onNonCrashFailures = booleanSetting('recoveryOnNonCrash', 'recovery on non-crash failures', input.recoveryOnNonCrash);
  if (result.actions.some((a) => a.action === 'run') && result.command === undefined) {
    throw new SettingError(
      input.recovery !== undefined ? 'recovery' : 'recoveryCommand',
      'a run recovery action needs a command, and there is none',
      `pass ${settingFlag('recoveryCommand').flag} "<command line>", or use restart, reboot or none actions`,
    );
  }
  return result;
}

function parseRecovery(text: string): RecoveryAction[] {
  const hint = 'write actions like restart/1s,restart/5s,run/30s,reboot/1m (restart, run, reboot or none, then a delay), or none';
  if (text.trim().toLowerCase() === 'none') return [];
  return text.split(',').map((raw) => {
    const item = raw.trim();
    const [type = '', delay = '0', ...extra] = item.split('/');
    const action = RECOVERY_ACTION_TYPES.find((t) => t === type.toLowerCase());
    const delayMs = parseDuration(delay);
    if (action === undefined || delayMs === null || extra.length > 0) {
      throw new SettingError('recovery', `recovery action ${quoted(item)} is not one of restart, run, reboot or none with a delay`, hint);
    }
    if (delayMs > MAX_DWORD) throw new SettingError('recovery', `the delay of recovery action ${quoted(item)} is too long`, `use at most ${formatDuration(MAX_DWORD)}`);
    return { action, delayMs };
  });
}

function formatRecovery(actions: readonly RecoveryAction[]): string {
  return actions.length === 0 ? 'none' : actions.map((a) => `${a.action}/${formatDuration(a.delayMs)}`).join(',');
}

function resetPeriod(value: string | number): number {
  const ms = durationSetting('recoveryReset', 'the recovery reset period', value, MAX_DWORD * 1000);
  if (ms % 1000 !== 0) {
    throw new SettingError('recoveryReset', `the recovery reset period ${formatDuration(ms)} is not a whole number of seconds`, 'the SCM counts it in seconds: write it in s, m, h or d');
  }
  return ms;
}

function recoveryCommand(value: string): string {
  if (hasControl(value)) throw new SettingError('recoveryCommand', `recovery command ${quoted(value)} contains a control character`, 'write the command on one line');
  return value;
}

function preshutdownTimeout(value: string | number): number {
  return durationSetting('preshutdownTimeout', 'the preshutdown timeout', value, MAX_DWORD);
}

/** A duration (number: ms; string: see parseDuration) from 0 to `maxMs`. */
function durationSetting(setting: keyof SettingsInput, what: string, value: string | number, maxMs: number): number {
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (ms === null || !Number.isSafeInteger(ms) || ms < 0) {
    throw new SettingError(setting, `${what} ${typeof value === 'number' ? value : quoted(value)} is not a duration`, DURATION_HINT);
  }
  if (ms > maxMs) throw new SettingError(setting, `${what} ${formatDuration(ms)} is too long`, `use at most ${formatDuration(maxMs)}`);
  return ms;
}

/** true/false, or (any case) 'true'/'false'/'yes'/'no'; else a SettingError naming `what`. */
export function booleanSetting(setting: SettingKey, what: string, value: boolean | string): boolean {
  if (typeof value === 'boolean') return value;
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === 'yes') return true;
  if (lower === 'false' || lower === 'no') return false;
  throw new SettingError(setting, `${quoted(value)} is not true or false for ${what}`, 'use true, false, yes or no');
}

function environment(value: Record<string, string> | string[]): Record<string, string> {
  const hint = 'write KEY=value with a name that is not empty, has no = and does not start with a space';
  const entries: Array<[string, string]> = Array.isArray(value)
    ? value.map((entry) => {
        const eq = entry.indexOf('=');
        if (eq < 0) throw new SettingError('env', `environment entry ${quoted(entry)} has no =`, hint);
        return [entry.slice(0, eq), entry.slice(eq + 1)];
      })
    : Object.entries(value);
  const env: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [key, val] of entries) {
    if (key === '' || key.includes('=') || key.includes('\0') || /^\s/.test(key)) {
      throw new SettingError('env', `environment variable name ${quoted(key)} is not valid`, hint);
    }
    if (val.includes('\0')) throw new SettingError('env', `the value of environment variable ${quoted(key)} contains a NUL character`, 'remove it');
    // Windows environment names are case-insensitive: PATH and Path are one variable.
    if (seen.has(key.toUpperCase())) throw new SettingError('env', `environment variable ${quoted(key)} is given twice`, 'give each variable once');
    seen.add(key.toUpperCase());
    env[key] = val;
  }
  return env;
}

function args(value: string[]): string[] {
  for (const arg of value) {
    // An empty argument cannot be passed through Windows PowerShell 5.1 (it drops it).
    if (arg === '') throw new SettingError('args', 'a service argument is empty', 'remove it');
    if (arg.includes('\0')) throw new SettingError('args', `service argument ${quoted(arg)} contains a NUL character`, 'remove it');
  }
  return [...value];
}

const WORKING_DIR_HINT =
  "write exe (the executable's folder, the default), data (the service's data folder) or an absolute path such as D:\\apps\\MySvc or /srv/my-svc";

/**
 * A `workingDir` value: `exe` or `data` (any case, returned lower-case), or an absolute path of
 * either platform (one build may make both, and the build cannot know where it will run): a
 * Windows drive path `D:\apps` or UNC path `\\server\share\app`, without the characters Windows
 * forbids in paths, or a POSIX path `/srv/app` without control characters. Throws SettingError
 * otherwise. Which platform's form the running system takes is checked where the value is used
 * (settings/path-form.ts foreignPath: install, the service's start, `run`). Exported for the
 * service, which checks the value stored with it the same way.
 */
export function workingDirSetting(value: string): string {
  const choice = WORKING_DIR_CHOICES.find((c) => c === value.toLowerCase());
  if (choice !== undefined) return choice;
  if (value.trim() === '') throw new SettingError('workingDir', 'the working folder is empty', WORKING_DIR_HINT);
  if (absolutePathFlavour(value) === 'posix') {
    if (hasControl(value)) throw new SettingError('workingDir', `working folder ${quoted(value)} contains a control character`, 'write the path on one line');
    return value;
  }
  if (/[\u0000-\u001f\u007f<>"|?*]/.test(value) || value.indexOf(':', 2) >= 0) {
    throw new SettingError('workingDir', `working folder ${quoted(value)} contains < > : " | ? * or a control character`, 'Windows paths cannot contain them (a colon only after the drive letter)');
  }
  if (absolutePathFlavour(value) !== 'windows') {
    throw new SettingError('workingDir', `working folder ${quoted(value)} is neither exe, data nor an absolute path`, WORKING_DIR_HINT);
  }
  return value;
}
