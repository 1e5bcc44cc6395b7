/**
 * The SCM side of a service process, run on the control thread (loaders/control-thread.ts wires
 * it to koffi and worker_threads; tested on Linux with a fake advapi32). Because it runs there and
 * not on the app's main thread, the SCM is answered at once whatever the app does, and a stop is
 * bounded by the stop deadline (lifecycle/stop/stop-deadline.ts) even when the main thread never runs again.
 *
 * - The dispatcher (StartServiceCtrlDispatcherW, on a koffi async call) calls ServiceMain, which
 *   registers HandlerEx, reports START_PENDING (accepting stop) and posts the status handle to
 *   the main thread, which reports everything after that through the shared StatusSlot.
 * - HandlerEx answers from what was last reported (`acceptsNow`, pure): the same rule the
 *   lifecycle applies. An accepted stop, shutdown or preshutdown is reported as STOP_PENDING and
 *   arms the deadline right here; every request goes on to the main thread's lifecycle.
 *
 * Every callback Windows calls is wrapped in try/catch: an exception escaping a koffi callback
 * hangs the process silently.
 */
import { DEFAULT_STOP_TIMEOUT_MS, type Clock, type ControlRequest, type ServiceStatus } from '../../lifecycle/lifecycle';
import { StopDeadline, DEADLINE_GRACE_MS } from '../../lifecycle/stop/stop-deadline';
import * as W from './advapi32';
import type { FromControlThread, ToControlThread } from './control-thread-protocol';
import { controlFromCode, toServiceStatusStruct } from './service-controller';
import { setServiceStatus, type PublishedStatus, type StatusSlot } from './status-slot';

const NO_USER_CODES = { rotate: false, custom: false };

export interface ServiceControlThreadDeps {
  api: Pick<W.Advapi32, 'startDispatcher' | 'registerHandler' | 'setStatus' | 'sessionIdOf' | 'lastError'>;
  slot: StatusSlot;
  post(message: FromControlThread): void;
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** Writes one record to the service's log (nowhere before the main thread named the file); never throws. */
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Ends this process and every process in its job object. */
  endProcess(exitCode: number): void;
}

/**
 * How long after HandlerEx returns a request still counts as being answered, ms: the dispatcher
 * writes the answer to the SCM's pipe right after the return, which no call here can observe.
 */
export const ANSWER_SETTLE_MS = 20;

/** Wait hint of the START_PENDING reported from ServiceMain, ms (the lifecycle's checkpoints follow). */
const START_WAIT_HINT_MS = 5_000;

/**
 * Whether the service accepts `request` now, judged from the last report (pure). Mirrors the
 * lifecycle: stop-type controls and PARAMCHANGE, SESSIONCHANGE, POWEREVENT by their accept flag;
 * pause only while RUNNING and continue only while PAUSED; user codes (which carry no flag) while
 * RUNNING or PAUSED when handled (128: rotate; 129-255: the app's onControl).
 */
export function acceptsNow(request: Exclude<ControlRequest, 'interrogate'>, status: PublishedStatus): boolean {
  if (status.stopped) return false;
  const has = (flag: number) => (status.accepts & flag) !== 0;
  const live = status.state === W.SERVICE_RUNNING || status.state === W.SERVICE_PAUSED;
  switch (request) {
    case 'stop':
      return has(W.SERVICE_ACCEPT_STOP);
    case 'shutdown':
      return has(W.SERVICE_ACCEPT_SHUTDOWN);
    case 'preshutdown':
      return has(W.SERVICE_ACCEPT_PRESHUTDOWN);
    case 'pause':
      return status.state === W.SERVICE_RUNNING && has(W.SERVICE_ACCEPT_PAUSE_CONTINUE);
    case 'continue':
      return status.state === W.SERVICE_PAUSED && has(W.SERVICE_ACCEPT_PAUSE_CONTINUE);
    case 'paramchange':
      return live && has(W.SERVICE_ACCEPT_PARAMCHANGE);
  }
  switch (request.kind) {
    case 'custom':
      return live && (request.code === W.SERVICE_USER_CONTROL_FIRST ? status.userCodes.rotate : status.userCodes.custom);
    case 'session-change':
      return live && has(W.SERVICE_ACCEPT_SESSIONCHANGE);
    case 'power-event':
      return live && has(W.SERVICE_ACCEPT_POWEREVENT);
  }
}

const isStopRequest = (r: ControlRequest): r is 'stop' | 'shutdown' | 'preshutdown' => r === 'stop' || r === 'shutdown' || r === 'preshutdown';

export class ServiceControlThread {
  private handle: W.StatusHandle | null = null;
  private readonly deadline: StopDeadline;

  constructor(private readonly deps: ServiceControlThreadDeps) {
    this.deadline = new StopDeadline({
      clock: deps.clock,
      log: deps.log,
      stoppedReported: () => deps.slot.read().stopped,
      reportStopped: (exitCode) => this.report({ state: 'stopped', exitCode }),
      endProcess: deps.endProcess,
    });
  }

  /** Hands the process to the SCM (returns at once; the dispatcher runs on a koffi worker thread). */
  run(name: string): void {
    let mainCalled = false;
    const serviceMain: W.ServiceMainFn = () => {
      try {
        mainCalled = true;
        this.handle = this.deps.api.registerHandler(name, (code, eventType, eventData) => this.onControl(code, eventType, eventData));
        if (this.handle === null) {
          this.deps.post({ type: 'failed', message: `RegisterServiceCtrlHandlerExW failed (error ${this.deps.api.lastError()})` });
          return;
        }
        this.report({ state: 'start-pending', accepts: ['stop'], checkPoint: 1, waitHintMs: START_WAIT_HINT_MS });
        this.deps.post({ type: 'service-main', handle: this.handle });
      } catch (err) {
        this.deps.post({ type: 'failed', message: `ServiceMain failed: ${String(err)}` });
      }
    };
    this.deps.api.startDispatcher(name, serviceMain, (ok) => {
      if (!ok && !mainCalled) this.deps.post({ type: 'not-started-by-scm' });
    });
  }

  /** A message from the main thread. */
  onMessage(message: ToControlThread): void {
    if (message.type === 'stopping') this.deadline.arm(message.timeoutMs, message.cause);
  }

  /**
   * HandlerEx: answers the SCM from the last report; never throws. The request counts as being
   * answered (StatusSlot.answering) from now until {@link ANSWER_SETTLE_MS} after this returns,
   * when the dispatcher has written the answer back to the SCM: the main thread, which may end the
   * process as soon as it hears of a stop, waits for that first.
   */
  onControl(code: number, eventType: number, eventData: unknown): number {
    this.deps.slot.answering();
    try {
      return this.answer(code, eventType, eventData);
    } finally {
      try {
        this.deps.clock.setTimeout(() => this.deps.slot.answered(), ANSWER_SETTLE_MS);
      } catch {
        this.deps.slot.answered(); // nothing may escape a koffi callback
      }
    }
  }

  private answer(code: number, eventType: number, eventData: unknown): number {
    try {
      const request = controlFromCode(code, eventType, () => this.deps.api.sessionIdOf(eventData));
      if (request === null) return W.ERROR_CALL_NOT_IMPLEMENTED;
      if (request === 'interrogate') return W.NO_ERROR;
      const accepted = acceptsNow(request, this.deps.slot.read());
      if (accepted && isStopRequest(request)) {
        const timeoutMs = this.deps.slot.stopTimeoutMs || DEFAULT_STOP_TIMEOUT_MS;
        this.report({ state: 'stop-pending', checkPoint: 1, waitHintMs: timeoutMs + DEADLINE_GRACE_MS });
        // Logged here, not only by the lifecycle: this is when the stop began, even if the main thread never hears of it.
        if (this.deadline.arm(timeoutMs, request)) this.deps.log('info', `the SCM asks for a stop (${request}); it ends within the stop timeout (${timeoutMs} ms)`);
      }
      // Last, once this thread's part is done: the main thread acts on it at once. Refused requests
      // go on too: the lifecycle logs why (an unhandled user code).
      this.deps.post({ type: 'control', request, accepted });
      return accepted ? W.NO_ERROR : W.ERROR_CALL_NOT_IMPLEMENTED;
    } catch (err) {
      try {
        this.deps.post({ type: 'warning', message: `control handler failed: ${String(err)}` });
      } catch {
        // Nothing may escape a koffi callback.
      }
      return W.NO_ERROR;
    }
  }

  /** Reports a status of the control thread's own (START_PENDING, STOP_PENDING, the deadline's STOPPED); failures are logged. */
  private report(status: Pick<ServiceStatus, 'state'> & Partial<Omit<ServiceStatus, 'state' | 'userCodes'>>): void {
    if (this.handle === null) return;
    const struct = toServiceStatusStruct({ accepts: [], exitCode: 0, checkPoint: 0, waitHintMs: 0, userCodes: NO_USER_CODES, ...status });
    const failed = setServiceStatus(this.deps.slot, this.deps.api, this.handle, struct);
    if (failed) this.deps.log('error', failed);
  }
}
