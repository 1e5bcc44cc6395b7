/**
 * The settings that shape the running service, as one catalog: logging, the stop
 * timeout, supervision, and operation (exit codes, hooks, alerts). `svcpack build` bakes them into
 * the exe (its defaults); an admin changes them later without a new exe through `install` flags or
 * `config set`, which store them with the service (platform/windows/service-parameters.ts); the service applies
 * them at start, and the ones marked `reload` also on `MySvc.exe reload`. Pure; bundled into the exe.
 *
 * The service settings the SCM itself keeps (start type, account, recovery, env, args, working
 * folder…) are not here: see service-settings.ts.
 */
import { flagName } from './flag-name';
import { LOGGING_FLAGS, formatRotation, resolveLogging, type LoggingInput } from './logging-resolve';
import { DEFAULT_LOGGING, type LoggingSettings } from './logging-settings';
import { DEFAULT_OPERATION, OPERATION_FLAGS, resolveOperation, redactUrl, type OperationInput, type OperationSettings } from './operation-settings';
import { quoted } from './quoted';
import { formatDuration, parseDuration, SettingError } from './resolve';
import { DEFAULT_STOP_TIMEOUT_MS, MAX_STOP_TIMEOUT_MS } from './stop-settings';
import { DEFAULT_HEALTH, DEFAULT_SUPERVISION, resolveSupervision, SUPERVISION_FLAGS, type SupervisionInput, type SupervisionSettings } from './supervision-settings';

export interface RuntimeSettings {
  /** How long the app's stop work (and the stop hooks) may take before the stop is forced, in ms. */
  stopTimeoutMs: number;
  logging: LoggingSettings;
  supervision: SupervisionSettings;
  operation: OperationSettings;
}

export interface RuntimeInput extends LoggingInput, SupervisionInput, OperationInput {
  /**
   * How long the app's stop work (stop handlers and the stop hooks) may run before the stop is
   * forced: a duration (`20s`, `1m`, `500ms`; a bare integer string is milliseconds) or a number
   * of milliseconds, at most 24 days. Default 20 s.
   */
  stopTimeout?: string | number;
}

/** The runtime settings part of `c` (ExeConfig, a resolved build), without its other fields. */
export function runtimeOf(c: RuntimeSettings): RuntimeSettings {
  return { stopTimeoutMs: c.stopTimeoutMs, logging: c.logging, supervision: c.supervision, operation: c.operation };
}

/** The runtime settings of an exe built without any of their flags: each group's defaults. */
export const DEFAULT_RUNTIME: RuntimeSettings = {
  stopTimeoutMs: DEFAULT_STOP_TIMEOUT_MS,
  logging: DEFAULT_LOGGING,
  supervision: DEFAULT_SUPERVISION,
  operation: DEFAULT_OPERATION,
};

export type RuntimeKey = keyof RuntimeInput;

/** When a changed value takes effect in a running service. */
export type AppliesOn = 'reload' | 'restart';

export interface RuntimeSettingSpec {
  key: RuntimeKey;
  /** `--log-level`. */
  flag: string;
  valueName: string;
  help: string;
  appliesOn: AppliesOn;
  /** The value may hold a secret: shown through `redactUrl`. */
  secret: boolean;
}

export { MAX_STOP_TIMEOUT_MS };

/** Settings a running service cannot change in place: a new log folder, the Event Log source, the mode. */
const RESTART_KEYS: ReadonlySet<RuntimeKey> = new Set<RuntimeKey>(['logDir', 'eventLog', 'supervise']);

const spec = (f: { key: RuntimeKey; flag: string; valueName: string; help: string }): RuntimeSettingSpec => ({
  key: f.key,
  flag: f.flag,
  valueName: f.valueName,
  help: f.help,
  appliesOn: RESTART_KEYS.has(f.key) ? 'restart' : 'reload',
  secret: f.key === 'alertUrl',
});

/** Every runtime setting, in help order. */
export const RUNTIME_SETTINGS: readonly RuntimeSettingSpec[] = [
  ...LOGGING_FLAGS.map(spec),
  spec({
    key: 'stopTimeout',
    flag: flagName('stopTimeout'),
    valueName: 'duration',
    help: `how long stop handlers and stop hooks may run before the stop is forced: 20s, 1m, 500ms (a bare number is milliseconds; at most ${formatDuration(MAX_STOP_TIMEOUT_MS)})`,
  }),
  ...SUPERVISION_FLAGS.map(spec),
  ...OPERATION_FLAGS.map(spec),
];

const SPEC_BY_KEY: ReadonlyMap<string, RuntimeSettingSpec> = new Map(RUNTIME_SETTINGS.map((s) => [s.key, s]));

/**
 * The runtime setting a user named: its key (`logLevel`), its flag (`--log-level`) or the flag
 * without dashes (`log-level`), any case; null when there is none.
 */
export function runtimeSetting(name: string): RuntimeSettingSpec | null {
  return RUNTIME_SETTINGS.find((s) => namesSetting(name, s)) ?? null;
}

/** Whether `name` (a key, a flag, or a flag without dashes; any case) names the setting `s`. */
export function namesSetting(name: string, s: { key: string; flag: string }): boolean {
  const bare = name.replace(/^--/, '').toLowerCase();
  return s.key.toLowerCase() === bare || s.flag.slice(2) === bare;
}

/** The spec of `key`. */
export function runtimeSpec(key: RuntimeKey): RuntimeSettingSpec {
  const found = SPEC_BY_KEY.get(key);
  if (!found) throw new Error(`unknown runtime setting ${key}`);
  return found;
}

/**
 * `base` with every key given in `input` validated and applied (keys not given keep base's
 * values). Throws `SettingError` on the first bad value; does not modify `base`.
 */
export function resolveRuntime(input: RuntimeInput, base: RuntimeSettings): RuntimeSettings {
  return {
    stopTimeoutMs: input.stopTimeout === undefined ? base.stopTimeoutMs : stopTimeout(input.stopTimeout),
    logging: resolveLogging(input, base.logging),
    supervision: resolveSupervision(input, base.supervision),
    operation: resolveOperation(input, base.operation),
  };
}

/** A `stopTimeout` value: a duration from 0 to MAX_STOP_TIMEOUT_MS. */
export function stopTimeout(value: string | number): number {
  const ms = typeof value === 'number' ? value : parseDuration(value.trim());
  if (ms === null || !Number.isSafeInteger(ms) || ms < 0) {
    throw new SettingError('stopTimeout', `${typeof value === 'number' ? value : quoted(value)} is not a duration`, 'write a duration such as 20s, 1m or 500ms (a bare number is milliseconds)');
  }
  if (ms > MAX_STOP_TIMEOUT_MS) throw new SettingError('stopTimeout', `the stop timeout ${formatDuration(ms)} is too long`, `use at most ${formatDuration(MAX_STOP_TIMEOUT_MS)}`);
  return ms;
}

/**
 * Each setting of `s` as the text its flag takes (resolving that text gives the value back);
 * null where the setting does not apply (health probe details without a health URL, the default
 * log folder).
 */
export function runtimeValues(s: RuntimeSettings): Record<RuntimeKey, string | null> {
  const { logging, supervision, operation } = s;
  const { policy, health } = supervision;
  const d = formatDuration;
  return {
    logDir: logging.logDir,
    logLevel: logging.logLevel,
    logRotate: formatRotation(logging.logRotate),
    logKeep: String(logging.logKeep),
    logCompress: String(logging.logCompress),
    eventLog: String(logging.eventLog),
    stopTimeout: d(s.stopTimeoutMs),
    supervise: String(supervision.supervise),
    restartDelay: d(policy.initialDelayMs),
    restartFactor: String(policy.factor),
    restartMaxDelay: d(policy.maxDelayMs),
    healthyAfter: d(policy.healthyAfterMs),
    maxRestarts: String(policy.maxRestarts),
    restartWindow: d(policy.windowMs),
    healthUrl: health ? health.url : 'none',
    healthInterval: health ? d(health.intervalMs) : null,
    healthTimeout: health ? d(health.timeoutMs) : null,
    healthFailures: health ? String(health.failures) : null,
    heartbeatTimeout: supervision.heartbeatTimeoutMs === null ? 'none' : d(supervision.heartbeatTimeoutMs),
    successExitCodes: operation.exitCodes.success.length ? operation.exitCodes.success.join(',') : 'none',
    restartExitCodes: operation.exitCodes.restart === 'all' ? 'all' : operation.exitCodes.restart.join(',') || 'none',
    preStart: operation.hooks.commands.preStart ?? 'none',
    postStart: operation.hooks.commands.postStart ?? 'none',
    preStop: operation.hooks.commands.preStop ?? 'none',
    postStop: operation.hooks.commands.postStop ?? 'none',
    hookTimeout: d(operation.hooks.timeoutMs),
    alertUrl: operation.alertUrl ?? 'none',
  };
}

/**
 * The default of each setting as the text its flag takes (DEFAULT_RUNTIME's values); the health
 * probe's details are their defaults once a health URL is given. Null where the default is not
 * a value (the log folder: logs in the data folder).
 */
export function runtimeDefaultValues(): Record<RuntimeKey, string | null> {
  const withHealth = runtimeValues({ ...DEFAULT_RUNTIME, supervision: { ...DEFAULT_SUPERVISION, health: { url: '', ...DEFAULT_HEALTH } } });
  return { ...runtimeValues(DEFAULT_RUNTIME), healthInterval: withHealth.healthInterval, healthTimeout: withHealth.healthTimeout, healthFailures: withHealth.healthFailures };
}

/**
 * `s` as it may be shown or stored outside the service (the exe's manifest, the build record):
 * each setting the catalog marks secret replaced by its redacted form (`redactUrl`).
 */
export function redactRuntime(s: RuntimeSettings): RuntimeSettings {
  const values = runtimeValues(s);
  let shown = s;
  for (const { key, secret } of RUNTIME_SETTINGS) {
    const value = values[key];
    if (secret && value !== null && value !== 'none') shown = resolveRuntime({ [key]: redactUrl(value) }, shown);
  }
  return shown;
}

/** `value` of setting `key` as it may be shown: secrets redacted. */
export function shownValue(key: RuntimeKey, value: string | null): string {
  if (value === null) return '(default)';
  return runtimeSpec(key).secret && value !== 'none' ? redactUrl(value) : value;
}

/** Where an effective value comes from. */
export type SettingSource = 'baked' | 'stored';

export interface StoredResult {
  settings: RuntimeSettings;
  /** Keys whose stored value was applied. */
  stored: RuntimeKey[];
  /** One line per stored value that was not valid and is ignored (the baked one applies). */
  problems: string[];
}

/**
 * `baked` with the values stored with the service applied one by one in catalog order, each
 * checked as its flag is (a value that is not valid, or does not fit the others, is skipped with
 * a problem line naming it; the rest still apply). `stored` maps keys to their stored text.
 */
export function applyStored(baked: RuntimeSettings, stored: Partial<Record<RuntimeKey, string>>): StoredResult {
  let settings = baked;
  const applied: RuntimeKey[] = [];
  const problems: string[] = [];
  for (const { key, flag } of RUNTIME_SETTINGS) {
    const text = stored[key];
    if (text === undefined) continue;
    try {
      settings = resolveRuntime({ [key]: text }, settings);
      applied.push(key);
    } catch (err) {
      if (!(err instanceof SettingError)) throw err;
      problems.push(`the stored ${flag} value ${quoted(shownValue(key, text))} is not valid (${err.message}); using ${shownValue(key, runtimeValues(settings)[key])}`);
    }
  }
  return { settings, stored: applied, problems };
}
