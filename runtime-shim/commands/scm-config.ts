/**
 * Service settings → the structures handed to the Win32 service API (pure). What `install`
 * passes to CreateServiceW, ChangeServiceConfigW and ChangeServiceConfig2W is decided here, so it
 * is unit-tested even where Wine's SCM ignores a setting.
 */
import { classifyAccount } from '../settings/account';
import type { RecoveryActionType, ServiceSettings, SidType, StartType } from '../settings/service-settings';
import {
  SC_ACTION_NONE,
  SC_ACTION_REBOOT,
  SC_ACTION_RESTART,
  SC_ACTION_RUN_COMMAND,
  SERVICE_AUTO_START,
  SERVICE_DEMAND_START,
  SERVICE_DISABLED,
  SERVICE_SID_TYPE_NONE,
  SERVICE_SID_TYPE_RESTRICTED,
  SERVICE_SID_TYPE_UNRESTRICTED,
  type Config2,
  type CreateServiceParams,
} from '../platform/manager-api';

/**
 * Quotes one argument for a Windows command line the way CommandLineToArgvW reads it back:
 * plain when it has no space, tab or quote; otherwise in quotes, with backslashes before a quote
 * (or the closing quote) doubled and quotes escaped.
 */
export function quoteArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    if (ch === '"') {
      out += '\\'.repeat(backslashes * 2 + 1) + '"';
    } else {
      out += '\\'.repeat(backslashes) + ch;
    }
    backslashes = 0;
  }
  return `${out}${'\\'.repeat(backslashes * 2)}"`;
}

/** The app's args as a command-line tail ('' when none). */
export function argsText(args: readonly string[]): string {
  return args.map(quoteArg).join(' ');
}

/**
 * The service's command line: the exe path, ALWAYS in quotes (an unquoted path with spaces is
 * the classic privilege-escalation hole), then the service argument, then `tail` (the app's
 * args, already quoted: see argsText). Throws if the path holds a quote (Windows paths cannot).
 */
export function binaryPath(exePath: string, serviceArg: string, tail: string): string {
  if (exePath.includes('"')) throw new Error(`the exe path ${exePath} contains a double quote`);
  return [`"${exePath}"`, serviceArg, tail].filter((part) => part !== '').join(' ');
}

/** The exe path of a registered command line (quoted or not). */
export function imagePathExe(commandLine: string): string {
  const line = commandLine.trim();
  const quoted = /^"([^"]*)"/.exec(line);
  if (quoted) return quoted[1]!;
  const exe = /^(.*?\.exe)(\s|$)/i.exec(line);
  return exe ? exe[1]! : line;
}

/** True when `file` (a path) names `<name>.exe`, in any folder, case-insensitively. */
export function isServiceExe(file: string, name: string): boolean {
  const base = file.slice(Math.max(file.lastIndexOf('\\'), file.lastIndexOf('/')) + 1);
  return base.toLowerCase() === `${name}.exe`.toLowerCase();
}

/** What follows `<exe> <serviceArg>` on a registered command line ('' when nothing). */
export function argsTail(commandLine: string, serviceArg: string): string {
  const line = commandLine.trim();
  const exe = imagePathExe(line);
  let rest = (line.startsWith('"') ? line.slice(exe.length + 2) : line.slice(exe.length)).trimStart();
  if (rest === serviceArg || rest.startsWith(`${serviceArg} `)) rest = rest.slice(serviceArg.length).trimStart();
  return rest;
}

export function startTypeCode(startType: StartType): number {
  switch (startType) {
    case 'auto':
    case 'delayed-auto':
      return SERVICE_AUTO_START;
    case 'manual':
      return SERVICE_DEMAND_START;
    case 'disabled':
      return SERVICE_DISABLED;
  }
}

/** The start type name of an SCM start type (0 boot and 1 system are drivers' start types). */
export function startTypeName(code: number, delayed: boolean): StartType | 'boot' | 'system' | `unknown (${number})` {
  switch (code) {
    case 0:
      return 'boot';
    case 1:
      return 'system';
    case SERVICE_AUTO_START:
      return delayed ? 'delayed-auto' : 'auto';
    case SERVICE_DEMAND_START:
      return 'manual';
    case SERVICE_DISABLED:
      return 'disabled';
    default:
      return `unknown (${code})`;
  }
}

const SID_TYPE_CODES = {
  none: SERVICE_SID_TYPE_NONE,
  unrestricted: SERVICE_SID_TYPE_UNRESTRICTED,
  restricted: SERVICE_SID_TYPE_RESTRICTED,
} as const satisfies Record<SidType, number>;

/** The SID type of a SERVICE_SID_INFO code (an unknown code reads as none). */
export function sidTypeName(code: number): SidType {
  return nameOf(SID_TYPE_CODES, code) ?? 'none';
}

/** The key of `codes` whose value is `code`. */
function nameOf<K extends string>(codes: Readonly<Record<K, number>>, code: number): K | undefined {
  return (Object.keys(codes) as K[]).find((key) => codes[key] === code);
}

/** CreateServiceW's parameters. `password` only for accounts that need one. */
export function createParams(
  name: string,
  settings: ServiceSettings,
  commandLine: string,
  password: string | null,
): CreateServiceParams {
  return {
    name,
    displayName: settings.displayName,
    startType: startTypeCode(settings.startType),
    binaryPath: commandLine,
    dependencies: [...settings.dependencies],
    account: classifyAccount(settings.account, name).startName,
    password,
  };
}

const SC_ACTION_CODES = {
  none: SC_ACTION_NONE,
  restart: SC_ACTION_RESTART,
  reboot: SC_ACTION_REBOOT,
  run: SC_ACTION_RUN_COMMAND,
} as const satisfies Record<RecoveryActionType, number>;

/** The recovery action of an SC_ACTION type (an unknown type reads as none). */
export function recoveryActionName(code: number): RecoveryActionType {
  return nameOf(SC_ACTION_CODES, code) ?? 'none';
}

/** The ChangeServiceConfig2W calls for a setting (those CreateServiceW cannot take). */
export const config2For = {
  description: (s: ServiceSettings): Config2 => ({ level: 'description', description: s.description }),
  delayedAutoStart: (s: ServiceSettings): Config2 => ({ level: 'delayed-auto-start', delayed: s.startType === 'delayed-auto' }),
  failureActions: (s: ServiceSettings): Config2 => ({
    level: 'failure-actions',
    resetPeriodSec: Math.floor(s.recovery.resetAfterMs / 1000),
    // '' deletes a command a previous install set; a `run` action always comes with one.
    command: s.recovery.command ?? '',
    actions: s.recovery.actions.map((a) => ({ type: SC_ACTION_CODES[a.action], delayMs: a.delayMs })),
  }),
  failureActionsFlag: (s: ServiceSettings): Config2 => ({ level: 'failure-actions-flag', onNonCrashFailures: s.recovery.onNonCrashFailures }),
  sidType: (s: ServiceSettings): Config2 => ({ level: 'sid-type', sidType: SID_TYPE_CODES[s.sidType] }),
  preshutdown: (s: ServiceSettings): Config2 => ({ level: 'preshutdown', timeoutMs: s.preshutdownTimeoutMs }),
};

/** Every ChangeServiceConfig2W call a fresh install makes, in order. */
export function allConfig2(s: ServiceSettings): Config2[] {
  return [
    config2For.description(s),
    config2For.failureActions(s),
    config2For.failureActionsFlag(s),
    config2For.delayedAutoStart(s),
    config2For.sidType(s),
    config2For.preshutdown(s),
  ];
}

/** The service key's `Environment` REG_MULTI_SZ entries, sorted by name for stable output. */
export function environmentEntries(env: Readonly<Record<string, string>>): string[] {
  return Object.keys(env)
    .sort()
    .map((key) => `${key}=${env[key]}`);
}
