import type { Advapi32, HandlerExFn, ServiceMainFn, ServiceStatusStruct, StatusHandle } from '../../../../runtime-shim/platform/windows/advapi32';

/**
 * A fake of the advapi32 bindings (`Advapi32` in runtime-shim/platform/windows/advapi32.ts): the service
 * control dispatcher, RegisterServiceCtrlHandlerExW, SetServiceStatus, the session id of a
 * session change's eventData and the last Win32 error. Nothing runs by itself: the test plays the
 * SCM.
 *
 * - `startDispatcher` only records the service name, ServiceMain and the `done` callback. The test
 *   then either calls `serviceMain!(argc, argv)` (the SCM started the service) or `done!(false)`
 *   (the dispatcher failed: not started by the SCM); `done!(true)` is the dispatcher returning
 *   after the service stopped.
 * - `registerHandler` records the name and the HandlerEx; the test sends controls by calling
 *   `handler!(code, eventType, eventData, context)` and reads its answer. It returns
 *   `registerResult`: a handle (number or bigint), null (failed: see `lastErrorCode`), or an
 *   Error, which it throws.
 * - `setStatus` records each call with the handle it came with (`calls`; `statuses`, `states` and
 *   `last` read them), calls `onSet`, and returns `setStatusResult`: false (failed: see
 *   `lastErrorCode`), or an Error, which it throws before recording anything.
 * - `sessionIdOf` returns `sessionIdResult` (an Error: it throws); left undefined, it decodes the
 *   eventData as the real binding would, the test passing a `{ cbSize, dwSessionId }` object for
 *   the WTSSESSION_NOTIFICATION (null: null).
 *
 * One instance may serve both threads, as the real bindings would (each thread has its own).
 */
export class FakeAdvapi implements Advapi32 {
  /** What the dispatcher was started with. */
  dispatcherName: string | null = null;
  serviceMain: ServiceMainFn | null = null;
  done: ((ok: boolean) => void) | null = null;
  /** What RegisterServiceCtrlHandlerExW was called with (the handler only when it succeeded). */
  registeredName: string | null = null;
  handler: HandlerExFn | null = null;
  /** What RegisterServiceCtrlHandlerExW returns; null: it failed; an Error: it throws. */
  registerResult: StatusHandle | null | Error = 7;
  /** What reached the "SCM" through SetServiceStatus, with the handle it came with. */
  calls: Array<{ handle: StatusHandle; status: ServiceStatusStruct }> = [];
  /** What SetServiceStatus returns; an Error: it throws (and records nothing). */
  setStatusResult: boolean | Error = true;
  /** The last Win32 error, as after a failed call. */
  lastErrorCode = 5;
  /** What sessionIdOf returns; an Error: it throws; undefined: it decodes the eventData. */
  sessionIdResult: number | null | Error | undefined = undefined;
  /** Called on each recorded setStatus (to order it among other events). */
  onSet: (status: ServiceStatusStruct) => void = () => {};

  startDispatcher(serviceName: string, serviceMain: ServiceMainFn, done: (ok: boolean) => void): void {
    this.dispatcherName = serviceName;
    this.serviceMain = serviceMain;
    this.done = done;
  }
  registerHandler(serviceName: string, handler: HandlerExFn): StatusHandle | null {
    this.registeredName = serviceName;
    if (this.registerResult instanceof Error) throw this.registerResult;
    this.handler = handler;
    return this.registerResult;
  }
  setStatus(handle: StatusHandle, status: ServiceStatusStruct): boolean {
    if (this.setStatusResult instanceof Error) throw this.setStatusResult;
    this.calls.push({ handle, status });
    this.onSet(status);
    return this.setStatusResult;
  }
  sessionIdOf(eventData: unknown): number | null {
    if (this.sessionIdResult instanceof Error) throw this.sessionIdResult;
    if (this.sessionIdResult !== undefined) return this.sessionIdResult;
    return eventData == null ? null : (eventData as { dwSessionId: number }).dwSessionId;
  }
  lastError(): number {
    return this.lastErrorCode;
  }

  /** The reported statuses, in order. */
  get statuses(): ServiceStatusStruct[] {
    return this.calls.map((c) => c.status);
  }
  /** The reported states (dwCurrentState), in order. */
  get states(): number[] {
    return this.calls.map((c) => c.status.dwCurrentState);
  }
  /** The last reported status. */
  get last(): ServiceStatusStruct {
    const c = this.calls.at(-1);
    if (!c) throw new Error('nothing reported');
    return c.status;
  }
}
