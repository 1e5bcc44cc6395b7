/**
 * Logging settings as users give them (build flags, API options) → validated `LoggingSettings`,
 * and back to flags. Pure; bundled into the exe. Build-time only for now: the exe's `install`
 * takes no logging flags.
 *
 * Value syntax:
 * - logRotate: `<size>`, `daily`, both comma-separated (`10MB,daily`), or `none`. A size is a whole
 *   number with `B`, `KB`, `MB` or `GB`, 1024-based (1KB = 1024 bytes, 1MB = 1024 KB); a bare
 *   number is bytes; at least 1KB;
 * - logKeep: a whole number of rotated files from 1 to 1000 (every rotation renames each of them);
 * - logLevel: debug, info, warn or error;
 * - logCompress, eventLog: true/false, or 'true'/'false'/'yes'/'no';
 * - logDir: an absolute path, Windows (`D:\logs\MySvc`, `\\server\share\logs`) or POSIX
 *   (`/var/log/my-svc`), since one build may make both (the running system refuses the other's
 *   form: settings/path-form.ts); a relative one would depend on the working folder, which an admin
 *   may change; `''` means the default.
 */
import { LOG_LEVELS, type LoggingSettings, type LogLevel, type LogRotation } from './logging-settings';
import { absolutePathFlavour } from './path-form';
import { hasControl, quoted } from './quoted';
import { booleanSetting, oneOf, SettingError, type SettingKey } from './resolve';

/** Every key optional; values as a user gives them. */
export interface LoggingInput {
  /** An absolute Windows or POSIX path; `''`: the default (Windows: `<data folder>\logs`). */
  logDir?: string;
  logLevel?: string;
  /** `10MB`, `daily`, `10MB,daily` or `none`. */
  logRotate?: string;
  logKeep?: number | string;
  /** true/false, or 'true'/'false'/'yes'/'no'. */
  logCompress?: boolean | string;
  /** true/false, or 'true'/'false'/'yes'/'no'. */
  eventLog?: boolean | string;
}

export interface LoggingFlag {
  key: keyof LoggingInput;
  /** `--log-rotate`. */
  flag: string;
  /** Placeholder for the value in help text: `--log-rotate <policy>`. */
  valueName: string;
  /** One line. */
  help: string;
}

/** Every key has a flag, its key in kebab-case; listed in help order. */
const FLAG_BY_KEY: { readonly [K in keyof Required<LoggingInput>]: Omit<LoggingFlag, 'key'> } = {
  logDir: { flag: '--log-dir', valueName: 'dir', help: 'folder for the log files, an absolute path (D:\\logs\\MySvc, /var/log/my-svc)' },
  logLevel: { flag: '--log-level', valueName: 'level', help: 'lowest level logged: debug, info, warn or error' },
  logRotate: { flag: '--log-rotate', valueName: 'policy', help: 'rotate the log at a size (B, KB, MB, GB), daily, both (10MB,daily), or none' },
  logKeep: { flag: '--log-keep', valueName: 'count', help: 'how many rotated log files to keep (1-1000)' },
  logCompress: { flag: '--log-compress', valueName: 'true|false', help: 'gzip rotated log files' },
  eventLog: { flag: '--event-log', valueName: 'true|false', help: 'also report lifecycle events, warnings and errors to the system log (the Windows Event Log; the journal on Linux)' },
};

export const LOGGING_FLAGS: readonly LoggingFlag[] = (Object.keys(FLAG_BY_KEY) as Array<keyof LoggingInput>).map((key) => ({ key, ...FLAG_BY_KEY[key] }));

const MAX_LOG_KEEP = 1000;
const MIN_ROTATE_BYTES = 1024;

const UNIT_BYTES = { gb: 1024 ** 3, mb: 1024 ** 2, kb: 1024, b: 1 } as const;
type SizeUnit = keyof typeof UNIT_BYTES;
const SIZE = /^(\d+)\s*(b|kb|mb|gb)?$/i;
const ROTATE_HINT = 'write a size such as 10MB (B, KB, MB or GB, 1024-based), daily, both as 10MB,daily, or none';

/** Bytes of `text` (`512KB`, `10MB`, `1GB`, `100B`, or a bare integer = bytes; 1024-based); null if it is not a size. */
export function parseSize(text: string): number | null {
  const match = SIZE.exec(text.trim());
  if (!match) return null;
  const bytes = Number(match[1]) * UNIT_BYTES[(match[2]?.toLowerCase() ?? 'b') as SizeUnit];
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** `bytes` in the largest unit that expresses it exactly: 10485760 → `10MB`, 1536 → `1536B`. */
export function formatSize(bytes: number): string {
  const unit = bytes === 0 ? 'b' : ((Object.keys(UNIT_BYTES) as SizeUnit[]).find((u) => bytes % UNIT_BYTES[u] === 0) ?? 'b');
  return `${bytes / UNIT_BYTES[unit]}${unit.toUpperCase()}`;
}

/** The `logRotate` text of `rotation`: `10MB`, `daily`, `10MB,daily` or `none`. */
export function formatRotation(rotation: LogRotation): string {
  const parts = [...(rotation.maxBytes === null ? [] : [formatSize(rotation.maxBytes)]), ...(rotation.daily ? ['daily'] : [])];
  return parts.length === 0 ? 'none' : parts.join(',');
}

/**
 * `base` with every key given in `input` validated and applied; keys not given (or undefined)
 * keep base's values. Throws `SettingError` on the first bad value. Does not modify `base`.
 */
export function resolveLogging(input: LoggingInput, base: LoggingSettings): LoggingSettings {
  return {
    logDir: input.logDir === undefined ? base.logDir : logDir(input.logDir),
    logLevel: input.logLevel === undefined ? base.logLevel : oneOf<LogLevel>('logLevel', 'log level', input.logLevel, LOG_LEVELS),
    logRotate: input.logRotate === undefined ? { ...base.logRotate } : rotation(input.logRotate),
    logKeep: input.logKeep === undefined ? base.logKeep : keep(input.logKeep),
    logCompress: input.logCompress === undefined ? base.logCompress : booleanSetting('logCompress', 'log compression', input.logCompress),
    eventLog: input.eventLog === undefined ? base.eventLog : booleanSetting('eventLog', 'the Event Log', input.eventLog),
  };
}

/**
 * The flag/value pairs that reproduce `s`, in `LOGGING_FLAGS` order; the default log folder
 * (`logDir` null) has none. Resolving them against any base whose `logDir` is null gives back `s`.
 */
export function loggingToFlagPairs(s: LoggingSettings): Array<[flag: string, value: string]> {
  const values: { [K in keyof Required<LoggingInput>]: string[] } = {
    logDir: s.logDir === null ? [] : [s.logDir],
    logLevel: [s.logLevel],
    logRotate: [formatRotation(s.logRotate)],
    logKeep: [String(s.logKeep)],
    logCompress: [String(s.logCompress)],
    eventLog: [String(s.eventLog)],
  };
  return LOGGING_FLAGS.flatMap(({ key, flag }) => values[key].map((value): [string, string] => [flag, value]));
}

function logDir(value: string): string | null {
  if (value === '') return null;
  if (absolutePathFlavour(value) === 'posix') {
    if (hasControl(value)) throw new SettingError('logDir', `log folder ${quoted(value)} contains a control character`, 'write the path on one line');
    return value;
  }
  if (/[\u0000-\u001f\u007f<>"|?*]/.test(value)) {
    throw new SettingError('logDir', `log folder ${quoted(value)} contains < > " | ? * or a control character`, 'Windows paths cannot contain them: choose another folder');
  }
  if (absolutePathFlavour(value) !== 'windows') {
    throw new SettingError(
      'logDir',
      `log folder ${quoted(value)} is not an absolute path`,
      'write a full path such as D:\\logs\\MySvc, \\\\server\\share\\logs or /var/log/my-svc (relative paths would depend on the working folder)',
    );
  }
  return value;
}

function rotation(text: string): LogRotation {
  const result: LogRotation = { maxBytes: null, daily: false };
  const items = text.split(',').map((item) => item.trim());
  if (items.length === 1 && items[0]!.toLowerCase() === 'none') return result;
  for (const item of items) {
    if (item.toLowerCase() === 'daily') {
      if (result.daily) throw new SettingError('logRotate', `${quoted(text)} says daily twice`, ROTATE_HINT);
      result.daily = true;
      continue;
    }
    const bytes = parseSize(item);
    if (bytes === null) {
      const what = item.toLowerCase() === 'none' ? 'none cannot be combined with a size or daily' : `${quoted(item)} is not a size or daily`;
      throw new SettingError('logRotate', what, ROTATE_HINT);
    }
    if (result.maxBytes !== null) throw new SettingError('logRotate', `${quoted(text)} gives two sizes`, ROTATE_HINT);
    if (bytes < MIN_ROTATE_BYTES) {
      throw new SettingError('logRotate', `rotation size ${formatSize(bytes)} is less than 1KB`, 'a bare number is bytes: write the unit, as in 10MB');
    }
    result.maxBytes = bytes;
  }
  return result;
}

function keep(value: number | string): number {
  const count = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_LOG_KEEP) {
    throw new SettingError('logKeep', `${typeof value === 'number' ? value : quoted(value)} is not a number of files from 1 to ${MAX_LOG_KEEP}`, `give a whole number from 1 to ${MAX_LOG_KEEP}`);
  }
  return count;
}
