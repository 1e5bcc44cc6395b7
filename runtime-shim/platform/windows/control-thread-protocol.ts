/**
 * What the app's main thread and the control thread (loaders/control-thread.ts) tell each other.
 * The control thread is a worker started before the app runs: in service modes it owns the SCM
 * connection (the dispatcher, ServiceMain, HandlerEx) and in task mode the stop event; in both it
 * holds the stop deadline (lifecycle/stop/stop-deadline.ts). Status reports do not travel as messages: both
 * threads write them through the shared StatusSlot (platform/windows/status-slot.ts).
 */
import type { ControlRequest } from '../../lifecycle/lifecycle';
import type { StatusHandle } from './advapi32';

export interface ControlThreadData {
  /** `service`: connect to the SCM (in-process and supervised modes); `task`: wait for the task's stop event. */
  kind: 'service' | 'task';
  name: string;
  /** SHA-256 of koffi.node, which the main thread has already written to disk and loaded. */
  koffiSha256: string;
  /** The StatusSlot's buffer (STATUS_SLOT_BYTES). */
  status: SharedArrayBuffer;
}

export type ToControlThread =
  /** The lifecycle began a stop (of any cause) with this stop timeout, ms: arm the deadline. */
  | { type: 'stopping'; timeoutMs: number; cause: string }
  /** The service's log file, where the deadline writes its line (before it is known: nowhere). */
  | { type: 'log-file'; file: string };

export type FromControlThread =
  /** ServiceMain ran: the status handle (SERVICE_STATUS_HANDLE as an integer), START_PENDING is reported. */
  | { type: 'service-main'; handle: StatusHandle }
  /** The dispatcher failed before ServiceMain: the process was not started by the SCM (1063). */
  | { type: 'not-started-by-scm' }
  /**
   * A control request (the SCM's, or the task's stop event as 'stop'). `accepted`: what the SCM
   * was answered; the lifecycle acts on accepted requests only (and logs refused user codes).
   */
  | { type: 'control'; request: ControlRequest; accepted: boolean }
  /** Something the main thread should log as a warning (the control thread has no log before `log-file`). */
  | { type: 'warning'; message: string }
  /** The control thread cannot do its work (koffi, the dispatcher's handler): the service cannot run. */
  | { type: 'failed'; message: string };
