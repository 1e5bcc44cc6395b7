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
 *
 * Hooks: the pre-start hook runs here, before the app's first line (boot awaits this function),
 * while START_PENDING checkpoints continue; a failure aborts the start (exit code 3). The
 * post-start hook runs once RUNNING is reported; the stop hooks run around the app's stop work
 * (session.ts). There is no exit-code policy in this mode: the app's process is the service's, so
 * its exit (process.exit(N)) is the service's exit with code N.
 */
import { createAlerts } from '../alerts/alerts';
import { effectiveSettings } from '../settings/effective-settings';
import { handledControls, watchHandledControls } from '../lifecycle/app-controls';
import { isRotate, rotateLog, runAppControl, serviceAccepts } from '../lifecycle/control-work';
import { serviceHooksFor } from '../hooks/host-hooks';
import { describeOutcome, hookLabel } from '../hooks/service-hooks';
import { ExitCode } from '../lifecycle/lifecycle';
import { captureStdio } from '../logging/log-sink';
import { connectService, reloadServiceSettings, type ServiceConnection } from '../host/service-host';
import { createSession, realClock, type Session } from '../host/session';
import { rememberLastError } from '../status/last-error-sink';
import { serveLiveStatus } from '../status/serve-live-status';
import type { ExeContext } from '../exe-context';

export type ServiceModeResult = { kind: 'session'; session: Session } | { kind: 'not-started-by-scm' };

export async function startServiceMode(exe: ExeContext, connection: ServiceConnection): Promise<ServiceModeResult> {
  const { config, platform } = exe;
  let session: Session | null = null;
  const host = await connectService(connection, { containProcessTree: true });
  if (!host) return { kind: 'not-started-by-scm' };

  const sink = rememberLastError(host.sink);
  const stdio = captureStdio(sink);
  const log = (level: 'info' | 'warn' | 'error', message: string) => sink.write(level, 'lifecycle', message);
  const hooks = serviceHooksFor({ name: config.name, createJob: () => platform.createProcessJob(), sink, dataDir: host.dataDir, log });
  const alerts = createAlerts({ service: config.name, url: () => effectiveSettings().operation.alertUrl, warn: (message) => log('warn', message), clock: realClock });
  let postStarted = false;
  session = createSession({
    name: config.name,
    isService: true,
    mode: 'service',
    acceptPreshutdown: true,
    dataDir: host.dataDir,
    sink,
    hooks,
    alerts,
    report: (status) => {
      host.controller.report(status);
      if (status.state === 'running' && !postStarted) {
        postStarted = true;
        void hooks.run('postStart', { pid: process.pid });
      }
    },
    // A channel whose controls are signals (systemd) has listeners of its own, and a stop it began
    // with SIGTERM has already reached the app's listeners: the stop work does not deliver it again.
    ownListeners: host.controller.signalListeners ?? new Set(),
    triggeredBy: () => host.controller.stopSignal?.(),
    stopping: (timeoutMs, cause) => host.controller.stopping(timeoutMs, cause),
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
  host.controller.listen(lifecycle);
  lifecycle.setControls(serviceAccepts(handledControls()));
  watchHandledControls((handled) => lifecycle.setControls(serviceAccepts(handled)));
  // The app has not run yet: a working folder that cannot be entered fails the start (exit 3) here.
  if ('problem' in host.workingDir) lifecycle.fail(ExitCode.StartFailed, host.workingDir.problem);
  serveLiveStatus({
    name: config.name,
    ...(host.controller.statusPath ? { path: host.controller.statusPath } : {}),
    state: () => lifecycle.current,
    lastError: () => sink.lastError,
    logFile: host.logFile,
    log: (level, message) => sink.write(level, 'lifecycle', message),
  });
  if (!('problem' in host.workingDir) && hooks.configured('preStart')) {
    const began = Date.now();
    const outcome = await hooks.run('preStart', { pid: process.pid });
    if (outcome && !outcome.ok) {
      const message = `the ${hookLabel('preStart')} hook ${describeOutcome(outcome, Date.now() - began)}: the service does not start`;
      alerts.alert('start-failed', message, outcome.code === null ? {} : { exitCode: outcome.code });
      session.lifecycle.fail(ExitCode.StartFailed, message);
      // The process ends once the alert went out (or ALERT_FLUSH_MS passed): the app never runs.
      await new Promise<never>(() => {});
    }
  }
  return { kind: 'session', session };
}
