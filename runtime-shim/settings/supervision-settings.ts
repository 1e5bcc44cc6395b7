/**
 * Supervised-mode settings, baked into the exe at build time: build flags
 * `--supervise`, `--restart-delay`, `--restart-factor`, `--restart-max-delay`, `--healthy-after`,
 * `--max-restarts`, `--restart-window`, `--health-url`, `--health-interval`, `--health-timeout`,
 * `--health-failures`, `--heartbeat-timeout`; API keys of the same names in camelCase.
 */
import { DEFAULT_RESTART_POLICY, type RestartPolicySettings } from './restart-policy-settings';
import { booleanSetting, formatDuration, parseDuration, SettingError } from './resolve';
import { flagName } from './flag-name';

export interface SupervisionSettings {
  /** Run the app in a child process watched by a small supervisor (off by default). */
  supervise: boolean;
  policy: RestartPolicySettings;
  /** HTTP health probe; null: none. */
  health: { url: string; intervalMs: number; timeoutMs: number; failures: number } | null;
  /** Restart when the app sends no `service.heartbeat()` for this long (ms); null: not required. */
  heartbeatTimeoutMs: number | null;
}

export const DEFAULT_SUPERVISION: SupervisionSettings = {
  supervise: false,
  policy: DEFAULT_RESTART_POLICY,
  health: null,
  heartbeatTimeoutMs: null,
};

export interface SupervisionInput {
  supervise?: boolean | string;
  restartDelay?: string | number;
  restartFactor?: string | number;
  restartMaxDelay?: string | number;
  healthyAfter?: string | number;
  maxRestarts?: string | number;
  restartWindow?: string | number;
  healthUrl?: string;
  healthInterval?: string | number;
  healthTimeout?: string | number;
  healthFailures?: string | number;
  heartbeatTimeout?: string | number;
}

/** Flag name of each key, for messages: `restartDelay` → `--restart-delay`. */
export const supervisionFlag = (key: keyof SupervisionInput): string => flagName(key);

/** The health probe's interval, timeout and failure count once a health URL is given. */
export const DEFAULT_HEALTH = { intervalMs: 10_000, timeoutMs: 5_000, failures: 3 };

/** Validates `input` over `base` (keys not given keep base's values). Throws SettingError. */
export function resolveSupervision(input: SupervisionInput, base: SupervisionSettings = DEFAULT_SUPERVISION): SupervisionSettings {
  const fail = (key: keyof SupervisionInput, message: string, hint: string): never => {
    throw new SettingError(key, message, hint);
  };
  const duration = (key: keyof SupervisionInput, fallback: number, min = 0): number => {
    const value = input[key];
    if (value === undefined) return fallback;
    const ms = typeof value === 'number' ? value : parseDuration(String(value));
    if (ms === null || !Number.isInteger(ms) || ms < min) fail(key, `"${String(value)}" is not a duration`, `use e.g. 500ms, 5s, 2m, 1h${min > 0 ? ` (at least ${formatDuration(min)})` : ''}`);
    return ms as number;
  };
  const count = (key: keyof SupervisionInput, fallback: number, min: number): number => {
    const value = input[key];
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) fail(key, `"${String(value)}" is not a whole number of at least ${min}`, `pass a whole number ≥ ${min}`);
    return n;
  };
  const factorValue = input.restartFactor === undefined ? base.policy.factor : Number(input.restartFactor);
  if (!Number.isFinite(factorValue) || factorValue < 1) fail('restartFactor', `"${String(input.restartFactor)}" is not a factor of at least 1`, 'use e.g. 2 (each restart waits twice as long), or 1 for a fixed delay');

  const policy: RestartPolicySettings = {
    initialDelayMs: duration('restartDelay', base.policy.initialDelayMs),
    factor: factorValue,
    maxDelayMs: duration('restartMaxDelay', base.policy.maxDelayMs),
    healthyAfterMs: duration('healthyAfter', base.policy.healthyAfterMs),
    maxRestarts: count('maxRestarts', base.policy.maxRestarts, 0),
    windowMs: duration('restartWindow', base.policy.windowMs, 1_000),
  };
  if (policy.maxDelayMs < policy.initialDelayMs) {
    fail('restartMaxDelay', `${formatDuration(policy.maxDelayMs)} is shorter than the restart delay ${formatDuration(policy.initialDelayMs)}`, 'make --restart-max-delay at least --restart-delay');
  }

  let health = base.health;
  if (input.healthUrl !== undefined) {
    if (input.healthUrl === '' || input.healthUrl === 'none') health = null;
    else {
      let url: URL | null = null;
      try {
        url = new URL(input.healthUrl);
      } catch {
        url = null;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        fail('healthUrl', `"${input.healthUrl}" is not an http(s) URL`, 'use e.g. http://127.0.0.1:8080/health');
      }
      health = { ...(health ?? DEFAULT_HEALTH), url: input.healthUrl };
    }
  }
  if (health) {
    health = {
      url: health.url,
      intervalMs: duration('healthInterval', health.intervalMs, 100),
      timeoutMs: duration('healthTimeout', health.timeoutMs, 100),
      failures: count('healthFailures', health.failures, 1),
    };
  } else {
    for (const key of ['healthInterval', 'healthTimeout', 'healthFailures'] as const) {
      if (input[key] !== undefined) fail(key, `${supervisionFlag(key)} needs a health URL`, 'also pass --health-url');
    }
  }

  const heartbeat = input.heartbeatTimeout;
  const heartbeatTimeoutMs =
    heartbeat === undefined ? base.heartbeatTimeoutMs : heartbeat === 'none' || heartbeat === 0 || heartbeat === '0' ? null : duration('heartbeatTimeout', 0, 100);

  const supervise = input.supervise === undefined ? base.supervise : booleanSetting('supervise', 'supervised mode', input.supervise);
  if (!supervise && (health || heartbeatTimeoutMs !== null) && (input.healthUrl !== undefined || input.heartbeatTimeout !== undefined)) {
    fail(input.healthUrl !== undefined ? 'healthUrl' : 'heartbeatTimeout', 'health checks need supervised mode', 'also pass --supervise true');
  }
  return { supervise, policy, health, heartbeatTimeoutMs };
}

export interface SupervisionFlag {
  key: keyof SupervisionInput;
  flag: string;
  valueName: string;
  help: string;
}

const flag = (key: keyof SupervisionInput, valueName: string, help: string): SupervisionFlag => ({ key, flag: supervisionFlag(key), valueName, help });

/** The build flags of supervised mode, in --help order. */
export const SUPERVISION_FLAGS: readonly SupervisionFlag[] = [
  flag('supervise', 'true|false', 'run the app in a child process that a small supervisor restarts'),
  flag('restartDelay', 'duration', 'delay before the first restart of a crashed app'),
  flag('restartFactor', 'number', 'each consecutive restart waits this many times longer'),
  flag('restartMaxDelay', 'duration', 'the restart delay never exceeds this'),
  flag('healthyAfter', 'duration', 'a run this long resets the restart delay'),
  flag('maxRestarts', 'count', 'give up after more restarts than this within --restart-window'),
  flag('restartWindow', 'duration', 'the window --max-restarts counts in'),
  flag('healthUrl', 'url', 'HTTP health probe; the app is restarted after --health-failures failed probes'),
  flag('healthInterval', 'duration', 'time between health probes'),
  flag('healthTimeout', 'duration', 'a probe without a 2xx answer within this fails'),
  flag('healthFailures', 'count', 'consecutive failed probes that restart the app'),
  flag('heartbeatTimeout', 'duration', 'restart the app when it calls service.heartbeat() less often than this'),
];
