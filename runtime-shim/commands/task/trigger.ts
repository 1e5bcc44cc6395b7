/**
 * When a scheduled task runs (`install --as task --trigger <trigger>`), as users write it. Pure.
 *
 * One trigger is one command-line value; the two kinds that take a parameter are written with a
 * space inside quotes, which cmd.exe and PowerShell both pass as one argument:
 *   --trigger boot              at system start
 *   --trigger logon             when a user logs on (the task's own user, for a user account)
 *   --trigger "daily 03:00"     every day at 03:00 local time (24-hour HH:MM)
 *   --trigger "every 15m"       every 15 minutes from installation on (whole minutes, 1m to 31d)
 * `--trigger` may be given more than once; the task then runs on each.
 */
import { quoted } from '../../settings/quoted';
import { formatDuration, parseDuration } from '../../settings/resolve';

export type TaskTrigger =
  | { kind: 'boot' }
  | { kind: 'logon' }
  /** Every day at `hour`:`minute`, local time. */
  | { kind: 'daily'; hour: number; minute: number }
  /** Every `intervalMs` (whole minutes) from the moment the task is registered. */
  | { kind: 'every'; intervalMs: number };

export const TRIGGER_KINDS = ['boot', 'logon', 'daily', 'every'] as const;

/** Task Scheduler's repetition limits: at least one minute, at most 31 days. */
export const MIN_INTERVAL_MS = 60_000;
export const MAX_INTERVAL_MS = 31 * 86_400_000;

/** A trigger value that cannot be used: what is wrong and how to fix it (exit code 2). */
export class TriggerError extends Error {
  override readonly name = 'TriggerError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export const TRIGGER_HINT = 'use --trigger boot, --trigger logon, --trigger "daily 03:00" or --trigger "every 15m" (quote the two-word forms)';

/** Parses one `--trigger` value; throws TriggerError. */
export function parseTrigger(text: string): TaskTrigger {
  const [word = '', ...rest] = text.trim().split(/\s+/);
  const kind = word.toLowerCase();
  const param = rest.join(' ');
  switch (kind) {
    case 'boot':
    case 'logon':
      if (param !== '') throw new TriggerError(`trigger ${quoted(text)}: ${kind} takes no value`, TRIGGER_HINT);
      return { kind };
    case 'daily': {
      if (param === '') throw new TriggerError('trigger daily needs a time', 'write --trigger "daily 03:00" (24-hour HH:MM, in quotes)');
      const m = /^(\d{1,2}):(\d{2})$/.exec(param);
      const hour = Number(m?.[1]);
      const minute = Number(m?.[2]);
      if (!m || hour > 23 || minute > 59) {
        throw new TriggerError(`trigger ${quoted(text)}: ${quoted(param)} is not a time of day`, 'write the time as 24-hour HH:MM, e.g. --trigger "daily 03:00"');
      }
      return { kind, hour, minute };
    }
    case 'every': {
      if (param === '') throw new TriggerError('trigger every needs an interval', 'write --trigger "every 15m" (in quotes; whole minutes from 1m to 31d)');
      const ms = parseDuration(param);
      if (ms === null) throw new TriggerError(`trigger ${quoted(text)}: ${quoted(param)} is not a duration`, 'write an interval such as 15m, 2h or 1d');
      if (ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS || ms % 60_000 !== 0) {
        throw new TriggerError(
          `trigger ${quoted(text)}: the interval ${formatDuration(ms)} is not a whole number of minutes from 1m to 31d`,
          'Task Scheduler repeats tasks in whole minutes, at least every minute and at most every 31 days',
        );
      }
      return { kind, intervalMs: ms };
    }
    default:
      throw new TriggerError(`${quoted(text)} is not a trigger`, TRIGGER_HINT);
  }
}

/** Parses every `--trigger` value; at least one is required. Duplicates are refused. */
export function parseTriggers(values: readonly string[]): TaskTrigger[] {
  if (values.length === 0) throw new TriggerError('a task needs a trigger', TRIGGER_HINT);
  const triggers = values.map(parseTrigger);
  const seen = new Set<string>();
  for (const trigger of triggers) {
    const text = formatTrigger(trigger);
    if (seen.has(text)) throw new TriggerError(`trigger ${quoted(text)} is given twice`, 'give each trigger once');
    seen.add(text);
  }
  return triggers;
}

/** The value that parses back to `trigger`: `boot`, `logon`, `daily 03:00`, `every 15m`. */
export function formatTrigger(trigger: TaskTrigger): string {
  switch (trigger.kind) {
    case 'boot':
    case 'logon':
      return trigger.kind;
    case 'daily':
      return `daily ${String(trigger.hour).padStart(2, '0')}:${String(trigger.minute).padStart(2, '0')}`;
    case 'every':
      return `every ${formatDuration(trigger.intervalMs)}`;
  }
}
