/**
 * The exe's command line (DESIGN §2.2), parsed purely. The SCM starts the exe with `--service`
 * (the binPath svcpack registers), so service detection never guesses. Options are
 * `--flag value` or `--flag=value`; the install settings flags are the build's own
 * (settings/flags.ts), so one name works everywhere.
 */
import type { ExeConfig } from './exe-config';
import { CHILD_ARG } from './supervise/ipc';
import { SETTING_FLAGS, settingsInputFromFlags } from './settings/flags';
import { parseDuration, type SettingsInput } from './settings/resolve';
import { parseSince, SINCE_HINT, type LogSince } from './manage/log-since';

export const SERVICE_ARG = '--service';

export type ManageCommand =
  | { kind: 'install'; input: SettingsInput; force: boolean; passwordEnv?: string }
  | { kind: 'uninstall'; purge: boolean; timeoutMs?: number }
  | { kind: 'start' | 'stop' | 'restart'; timeoutMs?: number }
  | { kind: 'status'; json: boolean }
  | LogsCommand;

/** `logs`: `lines` absent means the default (50, or all since `since`). */
export interface LogsCommand {
  kind: 'logs';
  lines?: number;
  since?: LogSince;
  follow: boolean;
}

export type ExeCommand =
  /** Started by the SCM; `args` (the app's) follow the service argument. */
  | { kind: 'service'; args: string[] }
  /** The app's process in supervised mode, started by the supervisor. */
  | { kind: 'child'; args: string[] }
  | { kind: 'run' }
  | { kind: 'version' }
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string }
  | ManageCommand;

interface OptionSpec {
  /** false: a switch such as --force. */
  takesValue: boolean;
}

const TIMEOUT: Record<string, OptionSpec> = { '--timeout': { takesValue: true } };

/** The options each command accepts besides the settings flags. */
const COMMAND_OPTIONS: Record<ManageCommand['kind'], Record<string, OptionSpec>> = {
  install: { '--force': { takesValue: false }, '--password-env': { takesValue: true } },
  uninstall: { '--purge': { takesValue: false }, ...TIMEOUT },
  start: TIMEOUT,
  stop: TIMEOUT,
  restart: TIMEOUT,
  status: { '--json': { takesValue: false } },
  logs: { '--lines': { takesValue: true }, '--since': { takesValue: true }, '--follow': { takesValue: false } },
};

const SETTING_OPTIONS: Record<string, OptionSpec> = Object.fromEntries(SETTING_FLAGS.map((f) => [f.flag, { takesValue: true }]));

export function parseExeArgs(args: readonly string[]): ExeCommand {
  const [first, ...rest] = args;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h' || first === '/?') {
    return { kind: 'help' };
  }
  if (first === SERVICE_ARG) return { kind: 'service', args: rest };
  if (first === CHILD_ARG) return { kind: 'child', args: rest };
  const simple: Record<string, 'run' | 'version'> = { run: 'run', version: 'version', '--version': 'version' };
  const kind = simple[first];
  if (kind) {
    if (rest.length > 0) return { kind: 'usage-error', message: `'${first}' takes no arguments (got '${rest.join(' ')}')` };
    return { kind };
  }
  if (!(first in COMMAND_OPTIONS)) return { kind: 'usage-error', message: `unknown command '${first}'` };
  return parseManageCommand(first as ManageCommand['kind'], rest);
}

function parseManageCommand(command: ManageCommand['kind'], args: readonly string[]): ExeCommand {
  const specs = { ...COMMAND_OPTIONS[command], ...(command === 'install' ? SETTING_OPTIONS : {}) };
  const values = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = specs[flag];
    if (!spec) {
      const what = flag.startsWith('-') ? `unknown option '${flag}'` : `unexpected argument '${arg}'`;
      return { kind: 'usage-error', message: `${what} for '${command}'` };
    }
    let value = 'true';
    if (spec.takesValue) {
      if (eq > 0) value = arg.slice(eq + 1);
      else if (i + 1 < args.length) value = args[++i]!;
      else return { kind: 'usage-error', message: `option '${flag}' needs a value` };
    } else if (eq > 0) {
      return { kind: 'usage-error', message: `option '${flag}' takes no value` };
    }
    values.set(flag, [...(values.get(flag) ?? []), value]);
  }
  const last = (flag: string) => values.get(flag)?.at(-1);

  let timeoutMs: number | undefined;
  const timeout = last('--timeout');
  if (timeout !== undefined) {
    const ms = parseDuration(timeout);
    if (ms === null) return { kind: 'usage-error', message: `--timeout "${timeout}" is not a duration (e.g. 30s, 2m, 500ms)` };
    timeoutMs = ms;
  }
  switch (command) {
    case 'install': {
      const passwordEnv = last('--password-env');
      return {
        kind: 'install',
        input: settingsInputFromFlags(values),
        force: values.has('--force'),
        ...(passwordEnv !== undefined ? { passwordEnv } : {}),
      };
    }
    case 'uninstall':
      return { kind: 'uninstall', purge: values.has('--purge'), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
    case 'status':
      return { kind: 'status', json: values.has('--json') };
    case 'logs':
      return parseLogs(last('--lines'), last('--since'), values.has('--follow'));
    default:
      return { kind: command, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
  }
}

function parseLogs(lines: string | undefined, since: string | undefined, follow: boolean): LogsCommand | { kind: 'usage-error'; message: string } {
  if (lines !== undefined && !(/^\d+$/.test(lines) && Number.isSafeInteger(Number(lines)))) {
    return { kind: 'usage-error', message: `--lines "${lines}" is not a number of records (0 or more)` };
  }
  const sinceValue = since === undefined ? undefined : parseSince(since);
  if (sinceValue === null) return { kind: 'usage-error', message: `--since "${since}" is not a time: ${SINCE_HINT}` };
  return {
    kind: 'logs',
    ...(lines !== undefined ? { lines: Number(lines) } : {}),
    ...(sinceValue !== undefined ? { since: sinceValue } : {}),
    follow,
  };
}

export function versionText(cfg: ExeConfig, nodeVersion: string): string {
  return `${cfg.name} ${cfg.version} (svcpack ${cfg.svcpackVersion}, Node.js ${nodeVersion})\n`;
}

export function helpText(cfg: ExeConfig): string {
  const exe = `${cfg.name}.exe`;
  const settingLines = SETTING_FLAGS.map((f) => `    ${`${f.flag} <${f.valueName}>`.padEnd(38)} ${f.help}`);
  return [
    `${cfg.displayName} ${cfg.version}${cfg.description ? ` — ${cfg.description}` : ''}`,
    '',
    `Usage: ${exe} <command> [options]`,
    '',
    'Commands (install, uninstall, start, stop and restart need an administrator prompt):',
    '  install [settings]   register this exe as the service (fails if it exists)',
    '    --force                                update an existing installation: only the given settings change',
    '    --password-env <VAR>                   read the account password from this variable (else: prompt)',
    ...settingLines,
    '  uninstall            stop and remove the service',
    `    --purge                                also delete the data folder %ProgramData%\\${cfg.name}`,
    '    --timeout <duration>                   how long to wait for the service to stop first (default: stop timeout + 15s)',
    '  start | stop | restart   and wait for the service to get there',
    '    --timeout <duration>                   how long to wait (start: 60s; stop: stop timeout + 15s)',
    '  status [--json]      state, pid, start type, account, binary, versions, last exit code, working folder',
    '  logs                 print the service log (an administrator prompt: the log folder is readable by administrators)',
    '    --lines <N>                            the last N records (default: 50; with --since: all since then)',
    '    --since <time>                         records since a duration ago (10m, 2h, 1d) or a date/time (2026-12-01T14:30, local)',
    '    --follow                               then print new records as they are written, until Ctrl+C',
    `  run                  run in this console as the service would (in working folder ${cfg.settings.workingDir}); Ctrl+C stops it gracefully`,
    '  version              print the service name and version, svcpack and Node.js versions',
    '  help                 print this help',
    '',
    `Defaults baked in at build time: start type ${cfg.settings.startType}, account ${cfg.settings.account}, working folder ${cfg.settings.workingDir}.`,
    `The Service Control Manager starts "${exe}" ${SERVICE_ARG}.`,
    '',
  ].join('\n');
}
