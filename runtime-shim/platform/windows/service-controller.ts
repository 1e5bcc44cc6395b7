/**
 * The SCM bridge on the app's main thread: connects the pure lifecycle to the control thread
 * (platform/windows/service-control-thread.ts, a worker), which owns the SCM connection. Requests arrive from
 * that thread as messages; statuses go to the SCM from this thread directly (SetServiceStatus with
 * the handle the control thread registered) through the shared StatusSlot, so the last report,
 * STOPPED from a process 'exit' listener, is made synchronously. Also the pure translations both
 * threads use: domain states to SERVICE_STATUS, control codes to `ControlRequest`s.
 */
import type { AcceptFlag, ControlRequest, ServiceStatus } from '../../lifecycle/lifecycle';
import type { ConnectResult, ControlListener, ServiceChannel } from '../platform';
import * as W from './advapi32';
import type { ControlThreadData, FromControlThread, ToControlThread } from './control-thread-protocol';
import { setServiceStatus, StatusSlot } from './status-slot';

const STATE_CODES = {
  'start-pending': W.SERVICE_START_PENDING,
  running: W.SERVICE_RUNNING,
  'pause-pending': W.SERVICE_PAUSE_PENDING,
  paused: W.SERVICE_PAUSED,
  'continue-pending': W.SERVICE_CONTINUE_PENDING,
  'stop-pending': W.SERVICE_STOP_PENDING,
  stopped: W.SERVICE_STOPPED,
} as const;

const ACCEPT_FLAGS: Record<AcceptFlag, number> = {
  stop: W.SERVICE_ACCEPT_STOP,
  shutdown: W.SERVICE_ACCEPT_SHUTDOWN,
  preshutdown: W.SERVICE_ACCEPT_PRESHUTDOWN,
  'pause-continue': W.SERVICE_ACCEPT_PAUSE_CONTINUE,
  paramchange: W.SERVICE_ACCEPT_PARAMCHANGE,
  'session-change': W.SERVICE_ACCEPT_SESSIONCHANGE,
  'power-event': W.SERVICE_ACCEPT_POWEREVENT,
};

/** Maps a lifecycle status to the SERVICE_STATUS passed to SetServiceStatus (pure). */
export function toServiceStatusStruct(status: ServiceStatus): W.ServiceStatusStruct {
  return {
    dwServiceType: W.SERVICE_WIN32_OWN_PROCESS,
    dwCurrentState: STATE_CODES[status.state],
    dwControlsAccepted: status.accepts.reduce((flags, c) => flags | ACCEPT_FLAGS[c], 0),
    dwWin32ExitCode: status.exitCode === 0 ? W.NO_ERROR : W.ERROR_SERVICE_SPECIFIC_ERROR,
    dwServiceSpecificExitCode: status.exitCode,
    dwCheckPoint: status.checkPoint,
    dwWaitHint: status.waitHintMs,
  };
}

/** An event type's Win32 name from `names`, else its value in hex (`0x1f`). */
function eventName(names: Readonly<Record<number, string>>, eventType: number): string {
  return names[eventType] ?? `0x${eventType.toString(16)}`;
}

/**
 * Maps a HandlerEx call to a request, or null for controls the service does not handle (pure).
 * `eventType` names the session change or power event; `sessionId` reads the session id from the
 * call's eventData (asked only for SERVICE_CONTROL_SESSIONCHANGE; 0 when there is none).
 */
export function controlFromCode(code: number, eventType = 0, sessionId: () => number | null = () => null): ControlRequest | null {
  if (code >= W.SERVICE_USER_CONTROL_FIRST && code <= W.SERVICE_USER_CONTROL_LAST) return { kind: 'custom', code };
  switch (code) {
    case W.SERVICE_CONTROL_PAUSE:
      return 'pause';
    case W.SERVICE_CONTROL_CONTINUE:
      return 'continue';
    case W.SERVICE_CONTROL_PARAMCHANGE:
      return 'paramchange';
    case W.SERVICE_CONTROL_SESSIONCHANGE:
      return { kind: 'session-change', event: eventName(W.WTS_EVENTS, eventType), sessionId: sessionId() ?? 0 };
    case W.SERVICE_CONTROL_POWEREVENT:
      return { kind: 'power-event', event: eventName(W.PBT_EVENTS, eventType) };
    case W.SERVICE_CONTROL_STOP:
      return 'stop';
    case W.SERVICE_CONTROL_SHUTDOWN:
      return 'shutdown';
    case W.SERVICE_CONTROL_PRESHUTDOWN:
      return 'preshutdown';
    case W.SERVICE_CONTROL_INTERROGATE:
      return 'interrogate';
    default:
      return null;
  }
}

/** The longest the end of the process waits for the control thread's answers to reach the SCM, ms. */
export const ANSWER_WAIT_MS = 250;

/** A running control thread, as the main thread sees it. */
export interface ControlThread {
  post(message: ToControlThread): void;
}

/**
 * Starts the control thread with `data`; its messages go to `onMessage`. A thread that fails to
 * start or ends unexpectedly is reported as a `failed` message.
 */
export type StartControlThread = (data: ControlThreadData, onMessage: (message: FromControlThread) => void) => ControlThread;

export class ServiceController implements ServiceChannel {
  private handle: W.StatusHandle | null = null;
  private readonly slot = new StatusSlot();
  private thread: ControlThread | null = null;
  private listener: ControlListener | null = null;
  private readonly queued: { request: ControlRequest; accepted: boolean }[] = [];

  /**
   * `api`: this thread's SetServiceStatus. `onError` receives problems (a failed report, the
   * control thread's troubles) for the log.
   */
  constructor(
    private readonly api: Pick<W.Advapi32, 'setStatus' | 'lastError'>,
    private readonly name: string,
    private readonly onError: (message: string) => void,
    private readonly startThread: StartControlThread,
    private readonly threadOptions: Pick<ControlThreadData, 'koffiSha256'>,
  ) {}

  /**
   * Starts the control thread, which hands the process to the SCM. Resolves 'service' once
   * ServiceMain has run (START_PENDING is reported; controls are queued until `listen`), or
   * 'not-started-by-scm' when the dispatcher failed before ServiceMain (error 1063: the process
   * was not started by the SCM). Rejects when the control thread could not run.
   */
  connect(): Promise<ConnectResult> {
    return new Promise((resolve, reject) => {
      let settled = false;
      this.thread = this.startThread({ kind: 'service', name: this.name, status: this.slot.buffer, ...this.threadOptions }, (message) => {
        switch (message.type) {
          case 'service-main':
            this.handle = message.handle;
            settled = true;
            resolve('service');
            return;
          case 'not-started-by-scm':
            settled = true;
            resolve('not-started-by-scm');
            return;
          case 'control':
            if (this.listener) this.deliver(this.listener, message);
            else this.queued.push(message);
            return;
          case 'warning':
            this.onError(message.message);
            return;
          case 'failed':
            if (settled) this.onError(message.message);
            else {
              settled = true;
              reject(new Error(message.message));
            }
        }
      });
    });
  }

  /**
   * Delivers control requests to `listener` from now on, first those that arrived before: the
   * accepted ones (the SCM was answered NO_ERROR) to `control`, the refused ones to `refused`.
   */
  listen(listener: ControlListener): void {
    this.listener = listener;
    for (const message of this.queued.splice(0)) this.deliver(listener, message);
  }

  private deliver(listener: ControlListener, message: { request: ControlRequest; accepted: boolean }): void {
    if (message.accepted) listener.control(message.request);
    else listener.refused(message.request);
  }

  /**
   * The effective stop timeout, ms: what the control thread arms its deadline with when the SCM
   * asks for a stop. Set it before the first report and again after each reload.
   */
  setStopTimeout(ms: number): void {
    this.slot.stopTimeoutMs = ms;
  }

  /** A stop began on this thread (any cause): the control thread arms its deadline (once). */
  stopping(timeoutMs: number, cause: string): void {
    this.thread?.post({ type: 'stopping', timeoutMs, cause });
  }

  /** The log file the control thread writes its deadline line to. */
  logTo(file: string): void {
    this.thread?.post({ type: 'log-file', file });
  }

  /** Runs one write to the service log exclusively against the control thread's (RotatingLogFile's `exclusive`). */
  readonly exclusiveLogWrite = (write: () => void): void => this.slot.withLogLock(write);

  /**
   * Waits (at most {@link ANSWER_WAIT_MS}) for the control thread's answers to reach the SCM: a
   * stop request's answer is still on its way when the main thread has stopped the app, and ending
   * the process under it breaks the SCM's pipe (the request's sender gets error 109).
   */
  beforeProcessEnd(): void {
    this.slot.awaitAnswered(ANSWER_WAIT_MS);
  }

  /** Whether STOPPED has been reported (by either thread). */
  get stopped(): boolean {
    return this.slot.read().stopped;
  }

  /** Reports `status` to the SCM (dropped after STOPPED, or a live state after a stop). Failures are logged, never thrown. */
  report(status: ServiceStatus): void {
    if (this.handle === null) return;
    const failed = setServiceStatus(this.slot, this.api, this.handle, toServiceStatusStruct(status), status.userCodes);
    if (failed) this.onError(failed);
  }
}
