/**
 * The exe's command line (docs/architecture.md, Boot: what the process is), parsed purely. The SCM
 * starts the exe with `--service` (the binPath svcpack registers), so service detection never
 * guesses. Options are `--flag value` or `--flag=value`; the install settings flags are the build's
 * own (settings/flags.ts), so one name works everywhere.
 */
import type { ExeConfig } from '../exe-config';
import { CHILD_ARG } from '../supervise/ipc';
import { SETTING_FLAGS, settingsInputFromFlags } from '../settings/flags';
import { parseDuration } from '../settings/resolve';
import { parseSince, SINCE_HINT } from './log-since';
import type { ConfigAction, HelpWords, LogsCommand, ManageCommand } from '../platform/manage-command';

export type { ConfigAction, ControlCommand, HelpWords, LogsCommand, ManageCommand } from '../platform/manage-command';
import { RUNTIME_SETTINGS, runtimeOf, runtimeValues, shownValue, type RuntimeInput } from '../settings/runtime-settings';

/** The runtime settings given as flags (`--log-level debug`): each its last value, as text. */
function runtimeInputFromFlags(values: ReadonlyMap<string, string[]>): RuntimeInput {
  const input: Record<string, string> = {};
  for (const { key, flag } of RUNTIME_SETTINGS) {
    const given = values.get(flag);
    if (given?.length) input[key] = given[given.length - 1]!;
  }
  return input as RuntimeInput;
}

export const SERVICE_ARG = '--service';
/** The argument a scheduled task starts the exe with (`install --as task`). */
export const TASK_ARG = '--task';

/** The user-defined control codes `control` sends: 128 (rotate, the service's own) to 255. */
export const CONTROL_CODE_MIN = 128;
export const CONTROL_CODE_MAX = 255;

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
const COMMAND_OPTIONS: Record<Exclude<ManageCommand['kind'], 'config' | 'control'>, Record<string, OptionSpec>> = {
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
  logs: { '--lines': { takesValue: true }, '--since': { takesValue: true }, '--follow': { takesValue: false } },
  reload: {},
  rotate: {},
  pause: TIMEOUT,
  continue: TIMEOUT,
};

const SETTING_OPTIONS: Record<string, OptionSpec> = Object.fromEntries(
  [...SETTING_FLAGS, ...RUNTIME_SETTINGS].map((f) => [f.flag, { takesValue: true }]),
);

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
  if (first === 'config') return parseConfigCommand(rest);
  if (first === 'control') return parseControlCommand(rest);
  if (!(first in COMMAND_OPTIONS)) return { kind: 'usage-error', message: `unknown command '${first}'` };
  return parseManageCommand(first as keyof typeof COMMAND_OPTIONS, rest);
}

const CONFIG_USAGE = "use 'config get [setting]', 'config set <setting> <value>', 'config reset <setting>' or 'config dump'";

/** `config …`: setting names and values stay text here; commands/config.ts checks them. */
function parseConfigCommand(args: readonly string[]): ExeCommand {
  const [action, ...rest] = args;
  const usage = (message: string): ExeCommand => ({ kind: 'usage-error', message: `${message}: ${CONFIG_USAGE}` });
  switch (action) {
    case 'get': {
      const json = rest.includes('--json');
      const names = rest.filter((a) => a !== '--json');
      if (names.length > 1) return usage(`'config get' takes at most one setting (got '${names.join(' ')}')`);
      return { kind: 'config', action: 'get', json, ...(names[0] !== undefined ? { name: names[0] } : {}) };
    }
    case 'set': {
      const [name, ...values] = rest;
      if (name === undefined || values.length === 0) return usage("'config set' needs a setting and a value");
      return { kind: 'config', action: 'set', name, values };
    }
    case 'reset':
      if (rest.length === 0) return usage("'config reset' needs the setting(s) to reset");
      return { kind: 'config', action: 'reset', names: [...rest] };
    case 'dump':
      if (rest.length > 0) return usage(`'config dump' takes no arguments (got '${rest.join(' ')}')`);
      return { kind: 'config', action: 'dump' };
    default:
      return usage(action === undefined ? "'config' needs an action" : `unknown config action '${action}'`);
  }
}

/** `control <code>`: one user-defined control code, 128-255. */
function parseControlCommand(args: readonly string[]): ExeCommand {
  const range = `a control code is ${CONTROL_CODE_MIN}-${CONTROL_CODE_MAX} (${CONTROL_CODE_MIN} rotates the log; ${CONTROL_CODE_MIN + 1}-${CONTROL_CODE_MAX} reach the app's service.onControl)`;
  if (args.length !== 1) return { kind: 'usage-error', message: `'control' takes one code (${range})` };
  const text = args[0]!;
  const code = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(code >= CONTROL_CODE_MIN && code <= CONTROL_CODE_MAX)) return { kind: 'usage-error', message: `'${text}' is not a control code: ${range}` };
  return { kind: 'control', code };
}

function parseManageCommand(command: keyof typeof COMMAND_OPTIONS, args: readonly string[]): ExeCommand {
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
        runtime: runtimeInputFromFlags(values),
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
    case 'logs':
      return parseLogs(last('--lines'), last('--since'), values.has('--follow'));
    case 'reload':
    case 'rotate':
      return { kind: command };
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

/** The Windows wording of `help` (HelpWords). */
export function windowsHelpWords(cfg: ExeConfig): HelpWords {
  const exe = `${cfg.name}.exe`;
  return {
    exe,
    rights: 'install and uninstall need an administrator prompt; start, stop and restart too, unless --allow-control names you',
    purged: `the data folder %ProgramData%\\${cfg.name}`,
    liveReaders: 'administrators',
    logReaders: 'an administrator prompt: the log folder is readable by administrators',
    windowsControls: true,
    startedBy: `The Service Control Manager starts "${exe}" ${SERVICE_ARG}.`,
  };
}

export function helpText(cfg: ExeConfig, words: HelpWords = windowsHelpWords(cfg)): string {
  const { exe } = words;
  const settingLines = SETTING_FLAGS.map((f) => `    ${`${f.flag} <${f.valueName}>`.padEnd(38)} ${f.help}`);
  // The runtime settings' defaults are this exe's own values (secrets redacted).
  const baked = runtimeValues(runtimeOf(cfg));
  const runtimeLines = RUNTIME_SETTINGS.map((f) => {
    const value = baked[f.key];
    return `    ${`${f.flag} <${f.valueName}>`.padEnd(38)} ${f.help}${value === null ? '' : ` (default: ${shownValue(f.key, value)})`}`;
  });
  const windows = (...lines: string[]): string[] => (words.windowsControls ? lines : []);
  return [
    `${cfg.displayName} ${cfg.version}${cfg.description ? ` — ${cfg.description}` : ''}`,
    '',
    `Usage: ${exe} <command> [options]`,
    '',
    `Commands (${words.rights}):`,
    '  install [settings]   register this exe as the service (fails if it exists)',
    '    --force                                update an existing installation: only the given settings change',
    ...windows(
      '    --password-env <VAR>                   read the account password from this variable (else: prompt)',
      '    --as service|task                      register a service (default) or a scheduled task',
      '    --trigger <trigger>                    with --as task, when it runs: boot, logon, "daily 03:00" or "every 15m" (repeatable)',
    ),
    ...settingLines,
    '    runtime settings (stored with the service; the exe\'s own values are the defaults):',
    ...runtimeLines,
    '  config get [setting] [--json]   the settings of the installed service and where each comes from',
    '  config set <setting> <value>…   change one (named like its install flag: log-level, stop-timeout)',
    '  config reset <setting>…         back to the exe\'s own value',
    '  config dump                     the install command line that recreates this service',
    '  uninstall            stop and remove the service',
    `    --purge                                also delete ${words.purged}`,
    '    --timeout <duration>                   how long to wait for the service to stop first (default: the service\'s stop timeout + 15s)',
    `  start | stop | restart   and wait for the service to get there${words.windowsControls ? ' (a task: run it now / end it)' : ''}`,
    '    --timeout <duration>                   how long to wait (start: 60s; stop: the service\'s stop timeout + 15s)',
 '  status [--json]      state, pid, start type, account, binary, versions, last exit code, working folder, who may control it,',
    `                       settings that differ from the exe's own; from a running service (${words.liveReaders}): uptime,`,
    '                       memory, CPU, restarts, health, last error, log file',
    `  logs                 print the service log (${words.logReaders})`,
    '    --lines <N>                            the last N records (default: 50; with --since: all since then)',
    '    --since <time>                         records since a duration ago (10m, 2h, 1d) or a date/time (2026-12-01T14:30, local)',
    '    --follow                               then print new records as they are written, until Ctrl+C',
    '  reload               the running service re-reads its stored settings and calls the app\'s onReload',
    ...windows(
      '  rotate               the running service rotates its log now (control code 128)',
      '  pause | continue     pause or continue the app (only if it registered onPause and onContinue)',
      '    --timeout <duration>                   how long to wait for PAUSED / RUNNING (default 30s)',
      `  control <code>       send control code ${CONTROL_CODE_MIN + 1}-${CONTROL_CODE_MAX} to the app's onControl (${CONTROL_CODE_MIN} = rotate)`,
    ),
    `  run                  run in this console as the service would (in working folder ${cfg.settings.workingDir}); Ctrl+C stops it gracefully`,
    '  version              print the service name and version, svcpack and Node.js versions',
    '  help                 print this help',
    '',
    `Defaults baked in at build time: start type ${cfg.settings.startType}, account ${cfg.settings.account}, working folder ${cfg.settings.workingDir}.`,
    words.startedBy,
    '',
  ].join('\n');
}
