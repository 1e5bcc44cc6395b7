/**
 * When a supervised app exits unexpectedly: restart it after an exponentially growing delay, treat
 * a run that lasted `healthyAfterMs` as healthy again (the delay starts over), and give up after
 * `maxRestarts` restarts inside `windowMs` so the SCM's recovery actions take over. Pure: the
 * caller passes the times.
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

export type RestartDecision = { action: 'restart'; delayMs: number; attempt: number } | { action: 'give-up'; reason: string };

export class RestartPolicy {
  /** Consecutive unhealthy runs so far (0 after a healthy run). */
  private consecutive = 0;
  /** Times (ms) of the restarts inside the window. */
  private restarts: number[] = [];

  constructor(private settings: RestartPolicySettings) {}

  /** New settings (a reload); the restarts counted so far still count. */
  reconfigure(settings: RestartPolicySettings): void {
    this.settings = settings;
  }

  /**
   * The app ended unexpectedly at `now` after running `uptimeMs`: restart (after how long), or give
   * up. Each 'restart' answer counts as a restart at `now`.
   */
  onUnexpectedExit(now: number, uptimeMs: number): RestartDecision {
    const s = this.settings;
    if (uptimeMs >= s.healthyAfterMs) this.consecutive = 0;
    this.restarts = this.restarts.filter((t) => now - t < s.windowMs);
    if (this.restarts.length >= s.maxRestarts) {
      return {
        action: 'give-up',
        reason: `the app ended ${this.restarts.length + 1} times within ${Math.round(s.windowMs / 1000)} s (at most ${s.maxRestarts} restarts allowed)`,
      };
    }
    const delayMs = Math.min(s.maxDelayMs, Math.round(s.initialDelayMs * s.factor ** this.consecutive));
    this.consecutive++;
    this.restarts.push(now);
    return { action: 'restart', delayMs, attempt: this.restarts.length };
  }
}
