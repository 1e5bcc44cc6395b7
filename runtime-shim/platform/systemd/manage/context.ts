/**
 * What the systemd management commands work with (manage/*.ts): this executable's identity and
 * baked settings, where unit files live, the runner for systemctl and journalctl, whether this
 * process is root, the console and a clock. manager.ts builds the real one; tests pass fakes (a
 * temporary folder for /etc/systemd/system, a fake runner).
 */
import path from 'node:path';
import type { LogsIo } from '../../../commands/logs';
import { ManageError } from '../../../commands/context';
import type { RuntimeSettings } from '../../../settings/runtime-settings';
import type { ServiceSettings } from '../../../settings/service-settings';
import type { LiveQueryResult } from '../../../status/status-client';
import { UnitError } from '../unit-syntax';
import type { CommandRunner } from './runner';

export interface UnitContext {
  /** The service name; the unit is `<name>.service`. */
  name: string;
  /** `<name>.service`. */
  unit: string;
  /** The executable's absolute path: ExecStart= runs it with `--service`. */
  exePath: string;
  /** The argument systemd starts the executable with (`--service`). */
  serviceArg: string;
  /** This executable's version. */
  version: string;
  /** The service settings baked in at build time: install's defaults. */
  baked: ServiceSettings;
  /** The runtime settings baked in at build time: the defaults under what the drop-in stores. */
  bakedRuntime: RuntimeSettings;
  /** The service's data folder, `/var/lib/<name>` (StateDirectory=). */
  dataDir: string;
  /** Where unit files are written: `/etc/systemd/system`. */
  unitDir: string;
  runner: CommandRunner;
  /** Whether this process runs as root (euid 0): commands that change the system need it. */
  isRoot: boolean;
  /** Progress and results, one line each (stdout). */
  out(line: string): void;
  /** Warnings, one line each (stderr). */
  warn(line: string): void;
  /** Milliseconds, monotonic: how long a start or stop took. */
  now(): number;
  /** Asks the running service for its live figures on the Unix socket `path`. */
  queryLive(path: string): Promise<LiveQueryResult>;
  /** The live status socket of the service (`/run/<name>/status.sock`). */
  statusSocket: string;
  /** The console and file system `logs` reads the log files with (commands/logs.ts); absent: the real ones. */
  logsIo?: LogsIo;
  /** Whether a file or folder exists (for messages about what is kept). */
  exists(path: string): boolean;
}

/** How the user names this executable in hints: its file name (`MySvc`). */
export const binName = (ctx: Pick<UnitContext, 'exePath'>): string => path.posix.basename(ctx.exePath);

/** `<name>: <command> needs root — run it with sudo` (exit 1, as access denied on Windows) unless this process is root. */
export function requireRoot(ctx: Pick<UnitContext, 'isRoot'>, command: string): void {
  if (!ctx.isRoot) throw new ManageError(`${command} needs root`, 'run it with sudo');
}

/** A UnitError (a setting with no Linux form, a name systemd cannot hold) as a usage error, exit 2. */
export function unitUsage<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof UnitError) throw new ManageError(err.message, err.hint, 2);
    throw err;
  }
}

/** The one line for a command that needs the unit installed. */
export function notInstalled(ctx: Pick<UnitContext, 'name' | 'exePath'>): ManageError {
  return new ManageError(`service ${ctx.name} is not installed`, `install it first with "sudo ${binName(ctx)} install"`);
}
