/**
 * The control thread of a scheduled task's process (`--task`; loaders/control-thread.ts wires it
 * to koffi). It owns the task's stop event (platform/windows/stop-event-bindings.ts), which `<exe> stop` signals:
 * polled here every STOP_POLL_MS rather than on the app's main thread, so a stop request is seen
 * and its deadline (lifecycle/stop/stop-deadline.ts) armed whatever the app's main thread is doing. The
 * request then goes to the main thread's lifecycle as 'stop'. There is no SCM: the deadline only
 * logs and ends the process (and every process it started).
 */
import { DEFAULT_STOP_TIMEOUT_MS, type Clock } from '../../lifecycle/lifecycle';
import type { FromControlThread, ToControlThread } from './control-thread-protocol';
import type { StatusSlot } from './status-slot';
import { StopDeadline } from '../../lifecycle/stop/stop-deadline';

/** How often the stop event is polled, ms. */
export const STOP_POLL_MS = 250;

export interface TaskControlThreadDeps {
  /** The task's stop event; null when it could not be created (then only console signals stop the task gracefully). */
  stopEvent: { signaled(): boolean } | null;
  /** Carries the effective stop timeout from the main thread. */
  slot: StatusSlot;
  post(message: FromControlThread): void;
  clock: Clock;
  log(level: 'warn' | 'error', message: string): void;
  endProcess(exitCode: number): void;
}

export class TaskControlThread {
  private readonly deadline: StopDeadline;

  constructor(private readonly deps: TaskControlThreadDeps) {
    this.deadline = new StopDeadline({ clock: deps.clock, log: deps.log, stoppedReported: () => false, reportStopped: () => {}, endProcess: deps.endProcess });
  }

  /** Starts polling the stop event (the interval keeps this thread alive, never the process). */
  run(): void {
    const event = this.deps.stopEvent;
    if (!event) return;
    const poll = this.deps.clock.setInterval(() => {
      if (!event.signaled()) return;
      this.deps.clock.clearInterval(poll);
      this.deadline.arm(this.deps.slot.stopTimeoutMs || DEFAULT_STOP_TIMEOUT_MS, 'stop');
      this.deps.post({ type: 'control', request: 'stop', accepted: true });
    }, STOP_POLL_MS);
  }

  onMessage(message: ToControlThread): void {
    if (message.type === 'stopping') this.deadline.arm(message.timeoutMs, message.cause);
  }
}
