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

export const SERVICE_ARG = '--service';
/** The argument a scheduled task starts the exe with (`install --as task`). */
export const TASK_ARG = '--task';

export type ManageCommand =
  | { kind: 'install'; input: SettingsInput; force: boolean; passwordEnv?: string; task?: { triggers: string[] } }
  | { kind: 'uninstall'; purge: boolean; timeoutMs?: number }
  | { kind: 'start' | 'stop' | 'restart'; timeoutMs?: number }
  | { kind: 'status'; json: boolean };

export type ExeCommand =
  /** Started by the SCM; `args` (the app's) follow the service argument. */
  | { kind: 'service'; args: string[] }
  /** Started by Task Scheduler (`install --as task`); `args` (the app's) follow the task argument. */
  | { kind: 'task'; args: string[] }
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
  install: {
    '--force': { takesValue: false },
    '--password-env': { takesValue: true },
    '--as': { takesValue: true },
    '--trigger': { takesValue: true },
  },
  uninstall: { '--purge': { takesValue: false }, ...TIMEOUT },
  start: TIMEOUT,
  stop: TIMEOUT,
  restart: TIMEOUT,
  status: { '--json': { takesValue: false } },
};

const SETTING_OPTIONS: Record<string, OptionSpec> = Object.fromEntries(SETTING_FLAGS.map((f) => [f.flag, { takesValue: true }]));

export function parseExeArgs(args: readonly string[]): ExeCommand {
  const [first, ...rest] = args;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h' || first === '/?') {
    return { kind: 'help' };
  }
  if (first === SERVICE_ARG) return { kind: 'service', args: rest };
  if (first === TASK_ARG) return { kind: 'task', args: rest };
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
      // `--trigger daily 03:00` unquoted: the time arrives as an argument of its own.
      if (!arg.startsWith('-') && i >= 2 && args[i - 2] === '--trigger') {
        return { kind: 'usage-error', message: `unexpected argument '${arg}' for '${command}': put a two-word trigger in quotes, e.g. --trigger "${args[i - 1]} ${arg}"` };
      }
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
      const as = last('--as') ?? 'service';
      if (as !== 'service' && as !== 'task') return { kind: 'usage-error', message: `--as "${as}" is neither service nor task` };
      const triggers = values.get('--trigger') ?? [];
      if (as === 'service' && triggers.length > 0) return { kind: 'usage-error', message: '--trigger needs --as task (a service starts by its --start-type)' };
      return {
        kind: 'install',
        input: settingsInputFromFlags(values),
        force: values.has('--force'),
        ...(passwordEnv !== undefined ? { passwordEnv } : {}),
        // Present only with --as task: a service install reads exactly as before.
        ...(as === 'task' ? { task: { triggers } } : {}),
      };
    }
    case 'uninstall':
      return { kind: 'uninstall', purge: values.has('--purge'), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
    case 'status':
      return { kind: 'status', json: values.has('--json') };
    default:
      return { kind: command, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
  }
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
    '    --as service|task                      register a service (default) or a scheduled task',
    '    --trigger <trigger>                    with --as task, when it runs: boot, logon, "daily 03:00" or "every 15m" (repeatable)',
    ...settingLines,
    '  uninstall            stop and remove the service',
    `    --purge                                also delete the data folder %ProgramData%\\${cfg.name}`,
    '    --timeout <duration>                   how long to wait for the service to stop first (default: stop timeout + 15s)',
    '  start | stop | restart   and wait for the service to get there (a task: run it now / end it)',
    '    --timeout <duration>                   how long to wait (start: 60s; stop: stop timeout + 15s)',
    '  status [--json]      state, pid, start type, account, binary, versions, last exit code, working folder',
    `  run                  run in this console as the service would (in working folder ${cfg.settings.workingDir}); Ctrl+C stops it gracefully`,
    '  version              print the service name and version, svcpack and Node.js versions',
    '  help                 print this help',
    '',
    `Defaults baked in at build time: start type ${cfg.settings.startType}, account ${cfg.settings.account}, working folder ${cfg.settings.workingDir}.`,
    `The Service Control Manager starts "${exe}" ${SERVICE_ARG}.`,
    '',
  ].join('\n');
}
