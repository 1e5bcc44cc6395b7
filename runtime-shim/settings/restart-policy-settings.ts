/**
 * The restart policy's settings and svcpack's defaults (pure, no imports): part of the
 * supervision settings (supervision-settings.ts), applied by supervise/restart-policy.ts, and
 * exported by the runtime API's service client (services/).
 */
export interface RestartPolicySettings {
  /** Delay before the first restart, in ms. */
  initialDelayMs: number;
  /** Each further consecutive restart waits this many times longer. */
  factor: number;
  /** The delay never exceeds this, in ms. */
  maxDelayMs: number;
  /** A run at least this long resets the delay to `initialDelayMs`, in ms. */
  healthyAfterMs: number;
  /** More restarts than this inside `windowMs` → give up. */
  maxRestarts: number;
  windowMs: number;
}

/**
 * The first restart comes after 100 ms (systemd's RestartSec default; NSSM restarts at once and
 * throttles): a one-off crash costs the users of the service as little as possible, while the
 * doubling delay and the give-up limit still stop a crash loop within seconds.
 */
export const DEFAULT_RESTART_POLICY: RestartPolicySettings = {
  initialDelayMs: 100,
  factor: 2,
  maxDelayMs: 60_000,
  healthyAfterMs: 60_000,
  maxRestarts: 5,
  windowMs: 300_000,
};

