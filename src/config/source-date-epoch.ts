/**
 * SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/): the one date a
 * build writes into the exe, its PE header TimeDateStamp. svcpack embeds no build time otherwise.
 */
import { usageError } from '../errors';

/** The largest value a PE TimeDateStamp (a DWORD of seconds) holds: 2106-02-07. */
const MAX_TIME_DATE_STAMP = 0xffff_ffff;

/**
 * Reads SOURCE_DATE_EPOCH from `env`: undefined when unset or empty, else whole seconds since
 * 1970. Throws a usage error (exit 2) for anything else.
 */
export function sourceDateEpoch(env: Record<string, string | undefined>): number | undefined {
  const text = env.SOURCE_DATE_EPOCH?.trim();
  if (!text) return undefined;
  const seconds = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds > MAX_TIME_DATE_STAMP) {
    throw usageError(
      'USAGE',
      `SOURCE_DATE_EPOCH "${text}" is not a whole number of seconds between 0 and ${MAX_TIME_DATE_STAMP}`,
      'set it to a Unix time, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)',
    );
  }
  return seconds;
}
