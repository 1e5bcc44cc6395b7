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
import { ExitCode } from './lifecycle';
import { captureStdio } from './log-file';
import { connectService } from './service-host';
import { createSession, type Session } from './session';

export type ServiceModeResult = { kind: 'session'; session: Session } | { kind: 'not-started-by-scm' };

export async function startServiceMode(): Promise<ServiceModeResult> {
  let session: Session | null = null;
  const host = await connectService((request) => session?.lifecycle.control(request) ?? false);
  if (!host) return { kind: 'not-started-by-scm' };

  const stdio = captureStdio(host.sink);
  session = createSession({
    isService: true,
    mode: 'service',
    dataDir: host.dataDir,
    sink: host.sink,
    report: (status) => host.controller.report(status),
    ownListeners: new Set(),
    triggeredBy: () => undefined,
    beforeExit: () => {
      stdio.flush();
      host.eventLog?.close();
    },
  });
  // The app has not run yet: a working folder that cannot be entered fails the start (exit 3) here.
  if ('problem' in host.workingDir) session.lifecycle.fail(ExitCode.StartFailed, host.workingDir.problem);
  return { kind: 'session', session };
}
