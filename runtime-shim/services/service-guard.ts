/**
 * What a watchdog does about one watched service, decided from the statuses it is notified of:
 * pure (the caller passes the time and acts: arms the restart timer, starts the service, reports).
 * - A stop with exit code 0 (the service was asked to stop: `sc stop`, services.msc, shutdown) is
 *   deliberate and is left alone.
 * - A stop with a non-zero exit code (a crash, a failed start, a process that died: 1067) is a
 *   crash: restart it after `debounceMs` plus a backoff that grows with each consecutive crash
 *   (supervise/restart-policy.ts: `initialDelayMs` × `factor`ⁿ, at most `maxDelayMs`; a run of
 *   `healthyAfterMs` starts over), and give up after `maxRestarts` restarts within `windowMs`.
 * - A service that runs again before the pending restart (someone, or the SCM's recovery, started
 *   it) cancels that restart; after a give-up, a service that runs again is guarded again.
 * - A deleted service (its watch ended with ServiceDeletedError: uninstalled, `sc delete`) is
 *   let go for good: a pending restart is cancelled and later statuses change nothing.
 */
import { RestartPolicy, type RestartPolicySettings } from '../supervise/restart-policy';
import { exitCodeOf, stoppedWithError, type ServiceStatus } from './status';

export interface ServiceGuardSettings extends RestartPolicySettings {
  /** Minimum wait after a crash before restarting, in ms: a service that comes back by itself meanwhile is not touched. */
  debounceMs: number;
}

export type GuardAction =
  | { type: 'none' }
  /** Stopped cleanly: leave it stopped. */
  | { type: 'deliberate-stop' }
  /** Crashed: start it again after `delayMs` (the caller then checks it is still stopped). */
  | { type: 'restart'; delayMs: number; attempt: number; exitCode: number }
  /** Crashed too often: stop restarting, report `reason`. */
  | { type: 'give-up'; reason: string; exitCode: number }
  /** Running again while a restart was pending: cancel it. */
  | { type: 'cancel-restart' }
  /** Deleted: cancel the pending restart if any (`restartCancelled`) and guard it no more. */
  | { type: 'deleted'; restartCancelled: boolean };

export class ServiceGuard {
  private readonly policy: RestartPolicy;
  private runningSince: number | null = null;
  private restartPending = false;
  private givenUp = false;
  private isDeleted = false;

  constructor(private readonly settings: ServiceGuardSettings) {
    this.policy = new RestartPolicy(settings);
  }

  /** True after a give-up, until the service runs again. */
  get gaveUp(): boolean {
    return this.givenUp;
  }

  /** True once the service was deleted (`onDeleted`). */
  get deleted(): boolean {
    return this.isDeleted;
  }

  /** The service's status changed to `status` at `now` (ms). */
  onStatus(now: number, status: ServiceStatus): GuardAction {
    if (this.isDeleted) return { type: 'none' };
    if (status.state === 'running') {
      this.runningSince ??= now;
      this.givenUp = false;
      if (!this.restartPending) return { type: 'none' };
      this.restartPending = false;
      return { type: 'cancel-restart' };
    }
    if (status.state !== 'stopped') return { type: 'none' };
    const uptimeMs = this.runningSince === null ? 0 : now - this.runningSince;
    this.runningSince = null;
    if (!stoppedWithError(status)) {
      this.restartPending = false;
      return { type: 'deliberate-stop' };
    }
    if (this.givenUp) return { type: 'none' };
    const exitCode = exitCodeOf(status);
    const decision = this.policy.onUnexpectedExit(now, uptimeMs);
    if (decision.action === 'give-up') {
      this.givenUp = true;
      this.restartPending = false;
      const s = this.settings;
      return { type: 'give-up', exitCode, reason: `it crashed ${s.maxRestarts + 1} times within ${s.windowMs / 1000} s (at most ${s.maxRestarts} restarts allowed)` };
    }
    this.restartPending = true;
    return { type: 'restart', delayMs: this.settings.debounceMs + decision.delayMs, attempt: decision.attempt, exitCode };
  }

  /** The service was deleted: nothing is restarted from now on. */
  onDeleted(): Extract<GuardAction, { type: 'deleted' }> {
    const restartCancelled = this.restartPending;
    this.isDeleted = true;
    this.restartPending = false;
    this.runningSince = null;
    return { type: 'deleted', restartCancelled };
  }

  /** The pending restart was carried out (or abandoned): later statuses are judged afresh. */
  restartDone(): void {
    this.restartPending = false;
  }
}
