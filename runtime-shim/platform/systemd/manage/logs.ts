/**
 * `logs [--lines N] [--since <time>] [--follow]` on Linux. Two sources, as the service writes:
 *
 * - the journal (`journalctl -u <name> --no-pager -o short-iso`) when the service logs there —
 *   `event-log` on (the default; on Linux the system log is the journal) and no `--log-dir`: the
 *   records at info and above, with systemd's own lines about the unit (started, stopped, failed);
 * - otherwise the rotating log files, read exactly as on Windows (commands/logs.ts): `--log-dir`,
 *   or `<data folder>/logs` (`/var/lib/<name>/logs`), which also hold the debug records.
 *
 * `--lines` is journalctl's `-n` (default 50; all with `--since` alone), `--since` its `--since
 * @<seconds>`, `--follow` its `-f` (until Ctrl+C, exit 0). The journal of a system service is
 * readable by root and the groups adm and systemd-journal; journalctl says so itself otherwise.
 */
import path from 'node:path';
import type { LogsCommand } from '../../manage-command';
import { ManageError } from '../../../commands/context';
import { DEFAULT_LINES, logs } from '../../../commands/logs';
import { sinceTime } from '../../../commands/log-since';
import { applyStored } from '../../../settings/runtime-settings';
import { type UnitContext } from './context';
import { JOURNALCTL } from './systemctl';
import { readStored } from './unit-store';

/** journalctl's arguments for `command` on `unit` (pure); `nowMs` is the wall clock for `--since 10m`. */
export function journalArgs(unit: string, command: LogsCommand, nowMs: number): string[] {
  const args = ['-u', unit, '--no-pager', '-o', 'short-iso'];
  const lines = command.lines ?? (command.since ? null : DEFAULT_LINES);
  args.push('-n', lines === null ? 'all' : String(lines));
  if (command.since) args.push('--since', `@${Math.floor(sinceTime(command.since, nowMs) / 1000)}`);
  if (command.follow) args.push('-f');
  return args;
}

/** Where the service's records are: the journal, or the log files' folder. */
export function logSource(ctx: UnitContext): { kind: 'journal' } | { kind: 'files'; dir: string } {
  const stored = readStored(ctx);
  const { logging } = applyStored(ctx.bakedRuntime, stored.ok ? stored.stored : {}).settings;
  if (logging.eventLog && logging.logDir === null) return { kind: 'journal' };
  return { kind: 'files', dir: logging.logDir ?? path.posix.join(ctx.dataDir, 'logs') };
}

export async function unitLogs(ctx: UnitContext, command: LogsCommand, nowMs: () => number = Date.now): Promise<number> {
  const source = logSource(ctx);
  if (source.kind === 'journal') return ctx.runner.attached(JOURNALCTL, journalArgs(ctx.unit, command, nowMs()));
  try {
    return await logs({ name: ctx.name, logDir: source.dir, warn: ctx.warn }, command, ...(ctx.logsIo ? [ctx.logsIo] : []));
  } catch (err) {
    // The files are the service user's and root's (UMask=0077): say how to get access on Linux.
    if (err instanceof ManageError && / access denied$/.test(err.message)) throw new ManageError(err.message, 'run it with sudo (the log files are readable by root and the service only)');
    throw err;
  }
}
