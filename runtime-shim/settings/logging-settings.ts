/**
 * Logging settings: where the service log goes, how it rotates, and whether lifecycle
 * events and warnings/errors also reach the Windows Event Log. Baked into the exe at build time
 * (`--log-dir`, `--log-level`, `--log-rotate`, `--log-keep`, `--log-compress`, `--event-log`;
 * API keys logDir, logLevel, logRotate, logKeep, logCompress, eventLog). Pure data.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface LogRotation {
  /** Rotate when the current file would exceed this many bytes; null: no size limit. */
  maxBytes: number | null;
  /** Rotate at the first write after local midnight. */
  daily: boolean;
}

export interface LoggingSettings {
  /** Folder for the log files; null: `<data folder>\logs`. */
  logDir: string | null;
  /** Records below this level are dropped (stdout/stderr lines are `info`). */
  logLevel: LogLevel;
  logRotate: LogRotation;
  /** How many rotated files to keep besides the current one. */
  logKeep: number;
  /** Gzip rotated files (`<Name>.1.log.gz`). */
  logCompress: boolean;
  /** Report lifecycle events and warn/error records to the Windows Event Log. */
  eventLog: boolean;
}

export const DEFAULT_LOGGING: LoggingSettings = {
  logDir: null,
  logLevel: 'info',
  logRotate: { maxBytes: 10 * 1024 * 1024, daily: false },
  logKeep: 5,
  logCompress: false,
  eventLog: true,
};
