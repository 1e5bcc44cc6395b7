/**
 * The SCM bridge: connects the pure lifecycle to Windows through the advapi32 bindings. Translates
 * domain states to SERVICE_STATUS and control codes to `ControlRequest`s. Every callback Windows
 * calls is wrapped in try/catch: an exception escaping a koffi callback hangs the process silently.
 */
import type { AcceptFlag, ControlRequest, ServiceStatus } from '../lifecycle';
import * as W from './advapi32';

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

export type ConnectResult = 'service' | 'not-started-by-scm';

export class ServiceController {
  private handle: unknown = null;

  constructor(
    private readonly api: W.Advapi32,
    private readonly name: string,
    private readonly onError: (message: string) => void,
  ) {}

  /**
   * Hands the process to the SCM. Resolves 'service' once ServiceMain runs and the control handler
   * is registered (the caller then starts the lifecycle), or 'not-started-by-scm' when the
   * dispatcher fails before ServiceMain. The dispatcher call runs on a koffi worker thread, so its
   * GetLastError is out of reach; the only documented failure for a correct table is
   * ERROR_FAILED_SERVICE_CONTROLLER_CONNECT (1063): the process was not started by the SCM.
   */
  connect(onControl: (request: ControlRequest) => boolean): Promise<ConnectResult> {
    return new Promise((resolve) => {
      let mainCalled = false;
      const handler: W.HandlerExFn = (code, eventType, eventData) => {
        try {
          const request = controlFromCode(code, eventType, () => this.api.sessionIdOf(eventData));
          if (request === null) return W.ERROR_CALL_NOT_IMPLEMENTED;
          return onControl(request) ? W.NO_ERROR : W.ERROR_CALL_NOT_IMPLEMENTED;
        } catch (err) {
          this.onError(`control handler failed: ${String(err)}`);
          return W.NO_ERROR;
        }
      };
      const serviceMain: W.ServiceMainFn = () => {
        try {
          mainCalled = true;
          this.handle = this.api.registerHandler(this.name, handler);
          if (!this.handle) this.onError(`RegisterServiceCtrlHandlerExW failed (error ${this.api.lastError()})`);
          resolve('service');
        } catch (err) {
          this.onError(`ServiceMain failed: ${String(err)}`);
          resolve('service');
        }
      };
      this.api.startDispatcher(this.name, serviceMain, (ok) => {
        if (!ok && !mainCalled) resolve('not-started-by-scm');
      });
    });
  }

  /** Reports `status` to the SCM. Failures are logged, never thrown. */
  report(status: ServiceStatus): void {
    if (!this.handle) return;
    try {
      if (!this.api.setStatus(this.handle, toServiceStatusStruct(status))) {
        this.onError(`SetServiceStatus failed (error ${this.api.lastError()})`);
      }
    } catch (err) {
      this.onError(`SetServiceStatus failed: ${String(err)}`);
    }
  }
}
