/**
 * "Bare node.exe": the cheapest way to run a Node app as a Windows service without svcpack, the
 * baseline of the service benchmarks. A stock node.exe runs this host,
 *
 *     node.exe bare-service.js <app.js> [app args…]
 *
 * which speaks to the Service Control Manager through koffi directly (koffi must be resolvable
 * from this file: `node_modules/koffi` beside it). Deliberately independent of svcpack's runtime
 * shim — no lifecycle machine, log, checkpoints timer, Event Log or settings — so that the
 * difference to svcpack is what svcpack adds.
 *
 * - StartServiceCtrlDispatcherW runs on a koffi worker thread (`.async`), so the event loop keeps
 *   running; ServiceMain and HandlerEx are `__stdcall` callbacks that koffi runs on the JS main
 *   thread. Everything inside them is caught: an exception escaping a koffi callback hangs the
 *   process silently (docs/wine10-facts.md, Running node.exe under Wine).
 * - Start: ServiceMain registers the handler, reports START_PENDING and returns; the app is then
 *   loaded (`require`, with argv set to [node, app, args…] as `node app.js args…` would have it)
 *   and RUNNING is reported as soon as the module has been evaluated — the same point svcpack
 *   reports RUNNING for a plain app.
 * - Stop / shutdown: STOP_PENDING, then SIGTERM is emitted to the app's SIGTERM listeners. **The
 *   app's stop work is done** when its event loop holds nothing of its own any more:
 *   `process.getActiveResourcesInfo()` lists no handle, request or referenced timer except a
 *   console (TTYWrap) and signal watchers (for idle-http: the server has closed). That is the only
 *   generic way to know an unannounced `server.close()` has finished; it is checked right after
 *   the listeners ran and then every millisecond. An app without SIGTERM listeners has no stop
 *   work (as in svcpack). Then STOPPED (exit code 0) and process.exit(0). The host's own koffi
 *   call and poll timer do not count (the dispatcher call is not a libuv handle; the timer is
 *   unref'ed).
 * - A crash of the app (uncaught exception) is not handled: node.exe dies and the SCM sees the
 *   process end without STOPPED, which is what a bare node.exe gives you.
 */
import path from 'node:path';
import type * as KoffiModule from 'koffi';

type Koffi = typeof KoffiModule;

// winsvc.h / winerror.h
const SERVICE_WIN32_OWN_PROCESS = 0x10;
const SERVICE_STOPPED = 1;
const SERVICE_START_PENDING = 2;
const SERVICE_STOP_PENDING = 3;
const SERVICE_RUNNING = 4;
const SERVICE_ACCEPT_STOP = 0x1;
const SERVICE_ACCEPT_SHUTDOWN = 0x4;
const SERVICE_CONTROL_STOP = 0x1;
const SERVICE_CONTROL_INTERROGATE = 0x4;
const SERVICE_CONTROL_SHUTDOWN = 0x5;
const NO_ERROR = 0;
const ERROR_CALL_NOT_IMPLEMENTED = 120;

/** Resource types that are never the app's stop work: a console and signal watchers. */
const NOT_APP_WORK = new Set(['TTYWrap', 'SignalWrap']);

const koffi = require('koffi') as Koffi;

const [appArg, ...appArgs] = process.argv.slice(2);
if (!appArg) {
  process.exitCode = 2;
  throw new Error('usage: node bare-service.js <app.js> [args…]');
}
const appPath = path.resolve(appArg);

const advapi = koffi.load('advapi32.dll');
koffi.struct('BARE_SERVICE_STATUS', {
  dwServiceType: 'uint32',
  dwCurrentState: 'uint32',
  dwControlsAccepted: 'uint32',
  dwWin32ExitCode: 'uint32',
  dwServiceSpecificExitCode: 'uint32',
  dwCheckPoint: 'uint32',
  dwWaitHint: 'uint32',
});
const ServiceMainProto = koffi.proto('void __stdcall BARE_SERVICE_MAIN(uint32 argc, void *argv)');
const HandlerExProto = koffi.proto('uint32 __stdcall BARE_HANDLER_EX(uint32 control, uint32 eventType, void *eventData, void *context)');
koffi.struct('BARE_SERVICE_TABLE_ENTRYW', { lpServiceName: 'str16', lpServiceProc: koffi.pointer(ServiceMainProto) });
const StartServiceCtrlDispatcherW = advapi.func('bool __stdcall StartServiceCtrlDispatcherW(BARE_SERVICE_TABLE_ENTRYW *table)');
const RegisterServiceCtrlHandlerExW = advapi.func(
  'void * __stdcall RegisterServiceCtrlHandlerExW(str16 name, BARE_HANDLER_EX *handler, void *context)',
);
const SetServiceStatus = advapi.func('bool __stdcall SetServiceStatus(void *handle, BARE_SERVICE_STATUS *status)');

let statusHandle: unknown = null;
let stopping = false;

function report(state: number, waitHintMs = 0, checkPoint = 0): void {
  if (!statusHandle) return;
  const accepts = state === SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
  SetServiceStatus(statusHandle, {
    dwServiceType: SERVICE_WIN32_OWN_PROCESS,
    dwCurrentState: state,
    dwControlsAccepted: accepts,
    dwWin32ExitCode: NO_ERROR,
    dwServiceSpecificExitCode: 0,
    dwCheckPoint: checkPoint,
    dwWaitHint: waitHintMs,
  });
}

function handler(control: number): number {
  try {
    if (control === SERVICE_CONTROL_INTERROGATE) return NO_ERROR;
    if (control !== SERVICE_CONTROL_STOP && control !== SERVICE_CONTROL_SHUTDOWN) return ERROR_CALL_NOT_IMPLEMENTED;
    if (!stopping) {
      stopping = true;
      report(SERVICE_STOP_PENDING, 10_000, 1);
      setImmediate(stop);
    }
    return NO_ERROR;
  } catch {
    return NO_ERROR;
  }
}

function serviceMain(): void {
  try {
    // For a SERVICE_WIN32_OWN_PROCESS service the name is not checked.
    statusHandle = RegisterServiceCtrlHandlerExW('', handlerPtr, null);
    report(SERVICE_START_PENDING, 10_000, 1);
    // Return to the dispatcher thread first; load the app from the event loop.
    setImmediate(startApp);
  } catch {
    // nothing sensible to do: the SCM times the start out
  }
}

function startApp(): void {
  process.argv = [process.argv[0]!, appPath, ...appArgs];
  require(appPath);
  report(SERVICE_RUNNING);
}

function stop(): void {
  const listening = process.listenerCount('SIGTERM') > 0;
  try {
    if (listening) process.emit('SIGTERM', 'SIGTERM');
  } catch {
    // a throwing listener is the app's bug; the stop goes on
  }
  const finish = (): void => {
    // An app that does not listen has no stop work to wait for (its server would never close).
    if (listening && process.getActiveResourcesInfo().some((r) => !NOT_APP_WORK.has(r))) {
      setTimeout(finish, 1).unref();
      return;
    }
    report(SERVICE_STOPPED);
    process.exit(0);
  };
  // Callbacks queued by the listeners (a server's close) get their turn before the first look.
  setImmediate(finish).unref();
}

const mainPtr = koffi.register(serviceMain, koffi.pointer(ServiceMainProto));
const handlerPtr = koffi.register(handler, koffi.pointer(HandlerExProto));
const table = [
  { lpServiceName: '', lpServiceProc: mainPtr },
  { lpServiceName: null, lpServiceProc: null },
];
StartServiceCtrlDispatcherW.async(table, (err: unknown, ok: boolean) => {
  // Returns once the service has stopped — or at once when not started by the SCM (error 1063).
  if (err || !ok) {
    if (statusHandle === null) process.stderr.write('bare-service: not started by the Service Control Manager\n');
    process.exit(statusHandle === null ? 1 : 0);
  }
});
