/**
 * The management commands as the exe's command line gives them (commands/command-line.ts parses
 * them): the contract between the parser and whoever carries a command out — commands/ over the
 * SCM-shaped ScmApi, or a backend that manages services its own way (`ServiceUnitManager`,
 * unit-manager-api.ts). Here, beside the seam, so that a backend reads the same shapes without the
 * seam importing commands/. Pure types.
 */
import type { RuntimeInput } from '../settings/runtime-settings';
import type { SettingsInput } from '../settings/resolve';

/** `--since`: a duration back from now, or a time (ms since the epoch); commands/log-since.ts parses it. */
export type LogSince = { agoMs: number } | { atMs: number };

/** `config get [name] [--json]`, `config set <name> <value>…`, `config reset <name>…`, `config dump`. */
export type ConfigAction =
  | { action: 'get'; name?: string; json: boolean }
  | { action: 'set'; name: string; values: string[] }
  | { action: 'reset'; names: string[] }
  | { action: 'dump' };

export type ManageCommand =
  | { kind: 'install'; input: SettingsInput; runtime: RuntimeInput; force: boolean; passwordEnv?: string; task?: { triggers: string[] } }
  | ({ kind: 'config' } & ConfigAction)
  | { kind: 'uninstall'; purge: boolean; timeoutMs?: number }
  | { kind: 'start' | 'stop' | 'restart'; timeoutMs?: number }
  | { kind: 'status'; json: boolean }
  | LogsCommand
  | ControlCommand;

/** `logs`: `lines` absent means the default (50, or all since `since`). */
export interface LogsCommand {
  kind: 'logs';
  lines?: number;
  since?: LogSince;
  follow: boolean;
}

/** `reload`, `rotate`, `pause`, `continue`, `control <code>`: controls sent to the running service (commands/controls.ts). */
export type ControlCommand =
  | { kind: 'reload' | 'rotate' }
  | { kind: 'pause' | 'continue'; timeoutMs?: number }
  | { kind: 'control'; code: number };

/**
 * How `help` speaks of the platform (commands/command-line.ts `helpText`): the Windows wording is
 * the default; a backend that manages services its own way gives its own (unit-manager-api.ts).
 */
export interface HelpWords {
  /** How the user runs the executable: `MySvc.exe`, `MySvc`. */
  exe: string;
  /** Who may run which commands, the clause after "Commands". */
  rights: string;
  /** What `uninstall --purge` deletes. */
  purged: string;
  /** Who may read the live figures (status) and the log (logs). */
  liveReaders: string;
  logReaders: string;
  /** Whether `install --password-env/--as/--trigger`, `rotate`, `pause`, `continue`, `control` exist here. */
  windowsControls: boolean;
  /** The last line: who starts the executable as the service, and how. */
  startedBy: string;
}
