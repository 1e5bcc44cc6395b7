/**
 * Typed koffi bindings to the service side of the Win32 service API (the control dispatcher,
 * the control handler, SetServiceStatus). Everything above it (service-controller.ts) works in
 * domain terms. Constants are from winsvc.h/winerror.h.
 */
import { bindLastError } from './last-error';
import type { Koffi } from '../../addons/native-module';

// Shared with the management commands: one definition of each winsvc.h/winerror.h constant.
export {
  SERVICE_WIN32_OWN_PROCESS,
  SERVICE_STOPPED,
  SERVICE_START_PENDING,
  SERVICE_STOP_PENDING,
  SERVICE_RUNNING,
  SERVICE_CONTINUE_PENDING,
  SERVICE_PAUSE_PENDING,
  SERVICE_PAUSED,
  SERVICE_CONTROL_STOP,
  ERROR_SERVICE_SPECIFIC_ERROR,
} from '../manager-api';

export const SERVICE_ACCEPT_STOP = 0x1;
export const SERVICE_ACCEPT_PAUSE_CONTINUE = 0x2;
export const SERVICE_ACCEPT_SHUTDOWN = 0x4;
export const SERVICE_ACCEPT_PARAMCHANGE = 0x8;
export const SERVICE_ACCEPT_POWEREVENT = 0x40;
export const SERVICE_ACCEPT_SESSIONCHANGE = 0x80;
export const SERVICE_ACCEPT_PRESHUTDOWN = 0x100;

export {
  SERVICE_CONTROL_PAUSE,
  SERVICE_CONTROL_CONTINUE,
  SERVICE_CONTROL_INTERROGATE,
  SERVICE_CONTROL_PARAMCHANGE,
} from '../manager-api';
export const SERVICE_CONTROL_SHUTDOWN = 0x5;
export const SERVICE_CONTROL_POWEREVENT = 0xd;
export const SERVICE_CONTROL_SESSIONCHANGE = 0xe;
export const SERVICE_CONTROL_PRESHUTDOWN = 0xf;
/** User-defined control codes: 128-255. */
export const SERVICE_USER_CONTROL_FIRST = 128;
export const SERVICE_USER_CONTROL_LAST = 255;

/** SERVICE_CONTROL_SESSIONCHANGE event types (wtsapi32.h), by value. */
export const WTS_EVENTS: Readonly<Record<number, string>> = {
  0x1: 'WTS_CONSOLE_CONNECT',
  0x2: 'WTS_CONSOLE_DISCONNECT',
  0x3: 'WTS_REMOTE_CONNECT',
  0x4: 'WTS_REMOTE_DISCONNECT',
  0x5: 'WTS_SESSION_LOGON',
  0x6: 'WTS_SESSION_LOGOFF',
  0x7: 'WTS_SESSION_LOCK',
  0x8: 'WTS_SESSION_UNLOCK',
  0x9: 'WTS_SESSION_REMOTE_CONTROL',
  0xa: 'WTS_SESSION_CREATE',
  0xb: 'WTS_SESSION_TERMINATE',
};

/** SERVICE_CONTROL_POWEREVENT event types (winuser.h PBT_*), by value. */
export const PBT_EVENTS: Readonly<Record<number, string>> = {
  0x4: 'PBT_APMSUSPEND',
  0x7: 'PBT_APMRESUMESUSPEND',
  0xa: 'PBT_APMPOWERSTATUSCHANGE',
  0x12: 'PBT_APMRESUMEAUTOMATIC',
  0x8013: 'PBT_POWERSETTINGCHANGE',
};

export const NO_ERROR = 0;
export const ERROR_CALL_NOT_IMPLEMENTED = 120;
export const ERROR_FAILED_SERVICE_CONTROLLER_CONNECT = 1063;

/** SERVICE_STATUS, all DWORDs. */
export interface ServiceStatusStruct {
  dwServiceType: number;
  dwCurrentState: number;
  dwControlsAccepted: number;
  dwWin32ExitCode: number;
  dwServiceSpecificExitCode: number;
  dwCheckPoint: number;
  dwWaitHint: number;
}

/**
 * SERVICE_STATUS_HANDLE as an integer (koffi `intptr`), so that it can be posted between threads:
 * the control thread registers the handler, both threads report status with it.
 */
export type StatusHandle = number | bigint;

export type ServiceMainFn = (argc: number, argv: unknown) => void;
export type HandlerExFn = (control: number, eventType: number, eventData: unknown, context: unknown) => number;

export interface Advapi32 {
  /** Blocks (on a worker thread) until every service of the process has stopped; true on success. */
  startDispatcher(serviceName: string, serviceMain: ServiceMainFn, done: (ok: boolean) => void): void;
  /** Registers the control handler; returns the status handle, null when it failed (see lastError). Call inside ServiceMain. */
  registerHandler(serviceName: string, handler: HandlerExFn): StatusHandle | null;
  /** SetServiceStatus; callable from any thread. */
  setStatus(handle: StatusHandle, status: ServiceStatusStruct): boolean;
  /**
   * The session id of a SERVICE_CONTROL_SESSIONCHANGE's eventData (WTSSESSION_NOTIFICATION
   * {cbSize, dwSessionId}); null for a null pointer. Call only inside HandlerEx: the data lives
   * for that call.
   */
  sessionIdOf(eventData: unknown): number | null;
  /** The calling thread's last Win32 error (valid right after a synchronous call). */
  lastError(): number;
}

/** Loads advapi32/kernel32 through koffi and returns the bindings. */
export function bindAdvapi32(koffi: Koffi): Advapi32 {
  const advapi = koffi.load('advapi32.dll');
  const { lastError } = bindLastError(koffi);

  // Declared by name: the function prototypes below refer to 'SERVICE_STATUS'.
  koffi.struct('SERVICE_STATUS', {
    dwServiceType: 'uint32',
    dwCurrentState: 'uint32',
    dwControlsAccepted: 'uint32',
    dwWin32ExitCode: 'uint32',
    dwServiceSpecificExitCode: 'uint32',
    dwCheckPoint: 'uint32',
    dwWaitHint: 'uint32',
  });
  const ServiceMain = koffi.proto('void __stdcall LPSERVICE_MAIN_FUNCTIONW(uint32 argc, void *argv)');
  const HandlerEx = koffi.proto(
    'uint32 __stdcall LPHANDLER_FUNCTION_EX(uint32 control, uint32 eventType, void *eventData, void *context)',
  );
  koffi.struct('SERVICE_TABLE_ENTRYW', {
    lpServiceName: 'str16',
    lpServiceProc: koffi.pointer(ServiceMain),
  });

  const StartServiceCtrlDispatcherW = advapi.func('bool __stdcall StartServiceCtrlDispatcherW(SERVICE_TABLE_ENTRYW *table)');
  const RegisterServiceCtrlHandlerExW = advapi.func(
    'intptr __stdcall RegisterServiceCtrlHandlerExW(str16 name, LPHANDLER_FUNCTION_EX *handler, void *context)',
  );
  const SetServiceStatus = advapi.func('bool __stdcall SetServiceStatus(intptr handle, SERVICE_STATUS *status)');
  const WtsSessionNotification = koffi.struct('WTSSESSION_NOTIFICATION', { cbSize: 'uint32', dwSessionId: 'uint32' });

  // Registered callbacks must outlive the calls that hand them to Windows: keep them referenced.
  const keep: unknown[] = [];

  return {
    startDispatcher(serviceName, serviceMain, done) {
      const mainPtr = koffi.register(serviceMain, koffi.pointer(ServiceMain));
      keep.push(mainPtr);
      const table = [
        { lpServiceName: serviceName, lpServiceProc: mainPtr },
        { lpServiceName: null, lpServiceProc: null },
      ];
      StartServiceCtrlDispatcherW.async(table, (err: unknown, ok: boolean) => done(!err && ok));
    },
    registerHandler(serviceName, handler) {
      const handlerPtr = koffi.register(handler, koffi.pointer(HandlerEx));
      keep.push(handlerPtr);
      const handle = RegisterServiceCtrlHandlerExW(serviceName, handlerPtr, null) as StatusHandle;
      return handle === 0 || handle === 0n ? null : handle;
    },
    setStatus(handle, status) {
      return SetServiceStatus(handle, status) as boolean;
    },
    sessionIdOf(eventData) {
      if (!eventData) return null;
      return (koffi.decode(eventData, WtsSessionNotification) as { dwSessionId: number }).dwSessionId;
    },
    lastError,
  };
}
