/**
 * The stop deadline that holds whatever the app does. It runs on the control thread
 * (loaders/control-thread.ts), never on the app's main thread, so a main thread that is blocked
 * (a synchronous loop, a native call that never returns), busy, or stuck in its exit cannot
 * delay it.
 *
 * Two deadlines guard every stop (docs/architecture.md, "Stopping"):
 * 1. the app's: the lifecycle on the main thread forces the stop once the stop timeout has
 *    passed (STOPPED, exit code 0, the log says "stop timeout … reached"); this is the one that
 *    fires when the main thread can still run;
 * 2. this one: `DEADLINE_GRACE_MS` later, the control thread reports STOPPED itself (exit code
 *    0, when the main thread has not reported it) and ends the process and every process it
 *    started (they are in the process's job object). Its log line says so.
 *
 * Exit code 0 for a forced stop: the stop was asked for (by the SCM, an admin, the app itself),
 * and a non-zero code would make Windows run the service's recovery actions and restart a service
 * an admin stopped. The log records that the stop was forced and by which deadline.
 */
import type { Clock } from '../lifecycle';

/** How long past the stop timeout the control thread waits before it ends the stop itself, ms. */
export const DEADLINE_GRACE_MS = 500;

/** The exit code a stop forced by the deadline reports (and the process ends with). */
export const FORCED_STOP_EXIT_CODE = 0;

export interface StopDeadlineDeps {
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** Writes one record to the service's log; never throws. */
  log(level: 'warn' | 'error', message: string): void;
  /** Whether STOPPED has been reported already (always false where there is no SCM: task mode). */
  stoppedReported(): boolean;
  /** Reports STOPPED with this exit code to the SCM (no-op where there is none). Never throws. */
  reportStopped(exitCode: number): void;
  /** Ends this process, and with it every process in its job object, with this exit code. */
  endProcess(exitCode: number): void;
}

export class StopDeadline {
  private timer: unknown = null;
  private armedWith: { timeoutMs: number; cause: string } | null = null;

  constructor(private readonly deps: StopDeadlineDeps) {}

  /** Whether a stop has armed the deadline. */
  get armed(): boolean {
    return this.armedWith !== null;
  }

  /**
   * A stop began (`cause` names it for the log: `stop`, `shutdown`, `the app's SIGTERM`…) with
   * this stop timeout (ms): the deadline fires `timeoutMs + DEADLINE_GRACE_MS` from now. Only the
   * first call of a process arms it (a stop runs once); returns whether this call armed it.
   */
  arm(timeoutMs: number, cause: string): boolean {
    if (this.armedWith) return false;
    this.armedWith = { timeoutMs, cause };
    this.timer = this.deps.clock.setTimeout(() => this.expire(), timeoutMs + DEADLINE_GRACE_MS);
    return true;
  }

  private expire(): void {
    const { timeoutMs, cause } = this.armedWith!;
    const waited = `${timeoutMs} ms + ${DEADLINE_GRACE_MS} ms`;
    if (this.deps.stoppedReported()) {
      this.deps.log('warn', `stop deadline (${waited}) reached after the stop (${cause}): STOPPED was reported but the process had not ended (an exit handler or thread still running); ending it and every process it started`);
    } else {
      this.deps.log(
        'error',
        `stop deadline (${waited}) reached: the stop (${cause}) did not finish and the app's main thread did not force it (blocked or busy); ` +
          `reporting STOPPED (exit code ${FORCED_STOP_EXIT_CODE}) and ending the process and every process it started`,
      );
      this.deps.reportStopped(FORCED_STOP_EXIT_CODE);
    }
    this.deps.endProcess(FORCED_STOP_EXIT_CODE);
  }
}
