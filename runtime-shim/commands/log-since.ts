/**
 * The `--since <time>` of `<Name>.exe logs`: a duration back from now (`10m`, `2h`, `1d`; the
 * durations of parseDuration) or an ISO 8601 date or date and time — `2026-12-01`,
 * `2026-12-01T14:30`, `2026-12-01 14:30:05.250` — in local time unless it ends with `Z` or an
 * offset such as `+01:00`. Parsed purely; the command turns it into a time when it runs.
 */
import { parseDuration } from '../settings/resolve';

import type { LogSince } from '../platform/manage-command';

export type { LogSince };

export const SINCE_HINT = 'write a duration back from now (10m, 2h, 1d) or a date/time (2026-12-01, 2026-12-01T14:30, 2026-12-01T14:30:00Z)';

const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?)?(Z|[+-]\d\d:?\d\d)?$/i;

/** `text` as a duration or a date/time; null if it is neither (or names a day or time that does not exist). */
export function parseSince(text: string): LogSince | null {
  const ms = parseDuration(text);
  if (ms !== null) return { agoMs: ms };
  const match = DATE_TIME.exec(text.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second, milli] = match.slice(1, 8).map((part, i) => (i === 6 ? Number((part ?? '').padEnd(3, '0')) : Number(part ?? 0))) as [
    number, number, number, number, number, number, number,
  ];
  const zone = match[8];
  // Local: the Date constructor; with a zone: UTC fields, then the offset. Either way the fields
  // must come back unchanged, which rejects 2026-02-30 and 25:00.
  const date = zone === undefined ? new Date(year, month - 1, day, hour, minute, second, milli) : new Date(Date.UTC(year, month - 1, day, hour, minute, second, milli));
  const fields =
    zone === undefined
      ? [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()]
      : [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  if (fields.join() !== [year, month, day, hour, minute, second].join()) return null;
  return { atMs: date.getTime() - offsetMinutes(zone) * 60_000 };
}

/** Minutes east of UTC of `Z`, `+01:00`, `-0530`; 0 for none. */
function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return zone.startsWith('-') ? -minutes : minutes;
}

/** The time (ms since the epoch) `since` means when the command runs at `nowMs`. */
export function sinceTime(since: LogSince, nowMs: number): number {
  return 'agoMs' in since ? nowMs - since.agoMs : since.atMs;
}
