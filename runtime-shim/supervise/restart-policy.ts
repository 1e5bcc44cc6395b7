/**
 * When a supervised app exits unexpectedly: restart it after an exponentially growing delay, treat
 * a run that lasted `healthyAfterMs` as healthy again (the delay starts over), and give up after
 * `maxRestarts` restarts inside `windowMs` so the SCM's recovery actions take over. Pure: the
 * caller passes the times.
 */

import { DEFAULT_RESTART_POLICY, type RestartPolicySettings } from '../settings/restart-policy-settings';

/** The policy's settings and svcpack's defaults live with the settings (settings/restart-policy-settings.ts). */
export { DEFAULT_RESTART_POLICY, type RestartPolicySettings };

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
