/**
 * Running as a Windows service (`<exe> --service`, started by the SCM).
 *
 * Logoff and shutdown: the system sends CTRL_LOGOFF_EVENT / CTRL_SHUTDOWN_EVENT to services'
 * console control handlers, and Go's and .NET's runtimes once killed services from such handlers
 * (golang/go#40167, dotnet/runtime#83093). Here that cannot happen: service mode registers no
 * SIGINT/SIGBREAK/SIGHUP listeners, so Node installs no console handler of its own; and if the app
 * registers one, libuv's handler (uv__signal_control_handler) returns FALSE for LOGOFF/SHUTDOWN
 * without emitting any signal, leaving the event to the system's default handling, which does not
 * end a service process. The only way this process stops is an SCM control (stop, shutdown,
 * preshutdown) through HandlerEx, or the app itself exiting.
 */
import { handledControls, watchHandledControls } from './app-controls';
import { isRotate, rotateLog, runAppControl, serviceAccepts } from './control-work';
import { exeConfig } from './exe-config';
import { ExitCode } from './lifecycle';
import { captureStdio } from './log-file';
import { connectService, reloadServiceSettings } from './service-host';
import { createSession, type Session } from './session';
import { rememberLastError } from './status/last-error-sink';
import { serveLiveStatus } from './status/serve-live-status';

export type ServiceModeResult = { kind: 'session'; session: Session } | { kind: 'not-started-by-scm' };

export async function startServiceMode(): Promise<ServiceModeResult> {
  let session: Session | null = null;
  const host = await connectService((request) => session?.lifecycle.control(request) ?? false);
  if (!host) return { kind: 'not-started-by-scm' };

  const sink = rememberLastError(host.sink);
  const stdio = captureStdio(sink);
  session = createSession({
    isService: true,
    dataDir: host.dataDir,
    sink,
    report: (status) => host.controller.report(status),
    ownListeners: new Set(),
    triggeredBy: () => undefined,
    beforeExit: () => {
      stdio.flush();
      host.eventLog?.close();
    },
    runControl: async (control) => {
      if (control === 'paramchange') reloadServiceSettings(host);
      if (isRotate(control)) rotateLog(host.file, sink);
      else await runAppControl(control, sink);
    },
  });
  // The service's own controls (reload, rotate) from the start; the app's as it registers handlers.
  const { lifecycle } = session;
  lifecycle.setControls(serviceAccepts(handledControls()));
  watchHandledControls((handled) => lifecycle.setControls(serviceAccepts(handled)));
  // The app has not run yet: a working folder that cannot be entered fails the start (exit 3) here.
  if ('problem' in host.workingDir) lifecycle.fail(ExitCode.StartFailed, host.workingDir.problem);
  serveLiveStatus({
    name: exeConfig.name,
    state: () => lifecycle.current,
    lastError: () => sink.lastError,
    logFile: host.logFile,
    log: (level, message) => sink.write(level, 'lifecycle', message),
  });
  return { kind: 'session', session };
}
